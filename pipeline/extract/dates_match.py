"""Find candidate time expressions in a text: run the patterns, apply the data-driven
context checks (symbols, plan names, counts), keep the longest non-overlapping matches."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

import regex

from pipeline.extract.dates_keys import KeyIndex
from pipeline.extract.dates_resources import Pattern, Resources

# searched backwards from the expression: forwards, the engine tries every offset of the
# 40-character window (~9 us a call); the match (the last word) is the same
_PREV_WORD = regex.compile(r"(?r)(\S+)\s*$")
_NEXT_WORD = regex.compile(r"^\s*([^\s,;:()]+)")
# Expressions never cross a paragraph break or a sentence end followed by a capital,
# so patterns only run on the segments that contain one of their trigger words.
# (The punctuation is consumed rather than looked behind: same match ends, and the engine
# can skip to the next break character instead of testing a lookbehind at every offset.)
_SEGMENT_BREAK = regex.compile(r"\n[^\S\n]*\n\s*|[.!?;][^\S\n]+(?=[A-Z“\"‘(])")
_NUMBER_BEFORE_BRACKET = regex.compile(r"\d[\w/.-]*[^\S\n]*\($")
_DAY_NAME_AFTER = regex.compile(r"[^\S\n]+(?:[A-Z][\w’'-]*[^\S\n]+){1,3}Day(?!\w)")
_YEAR_DIGITS = regex.compile(r"\d{4}")
_STRIP = "\"“”‘’'()[]{},;:!?-–—/"


@dataclass(frozen=True)
class Candidate:
    """A pattern match before normalization."""

    start: int
    end: int
    pattern: Pattern
    groups: dict[str, str | None]


def _prev_word(text: str, start: int) -> str:
    m = _PREV_WORD.search(text, max(0, start - 40), start)
    return m.group(1).strip(_STRIP).lower() if m else ""


def _next_word(text: str, end: int) -> str:
    m = _NEXT_WORD.search(text[end : end + 40])
    return m.group(1).strip(_STRIP + ".").lower() if m else ""


def _in(word: str, words: frozenset[str]) -> bool:
    return word in words or word.rstrip(".") in words


class _Checks:
    """Context checks named in ``patterns.jsonl`` (``checks`` field); word lists are data."""

    def __init__(self, res: Resources) -> None:
        f = res.filters
        self.refs = f["reference_words_before_number"]
        self.plan_before = f["plan_words_before_year"]
        self.quantity = f["quantity_words_before_number"]
        self.counts = f["count_nouns_after_number"]
        self.blocking = f["nouns_blocking_bare_month"]
        plan_after = "|".join(regex.escape(w) for w in sorted(f["plan_words_after_year"]))
        # "2030 Agenda", "the 2030 Sustainable Development Agenda": a plan's name, not a date
        self.plan_after = regex.compile(rf"^(?:\s+[A-Z][\w-]*){{0,3}}?\s+(?:{plan_after})\b", regex.IGNORECASE)
        cues = sorted(f["today_day_cues"], key=len, reverse=True)
        cue = "|".join(regex.escape(w[:-1]) + r"\w*" if w.endswith("*") else regex.escape(w) for w in cues)
        cue = cue.replace(r"\ ", r"\s+")
        self.today_not_after = f["today_not_after"]
        # the clause around "today": a cue up to two words before or three after, no clause break
        gap, word = r"[^\w.;:!?]", r"[\w’'-]+"
        self.today_before = regex.compile(rf"(?:^|[^\w’'])(?:{cue})(?:{gap}+{word}){{0,2}}{gap}*$", regex.IGNORECASE)
        self.today_after = regex.compile(rf"(?:['’]s)?(?:{gap}+{word}){{0,2}}?{gap}+(?:{cue})(?!\w)", regex.IGNORECASE)

    def passes(self, text: str, start: int, end: int, checks: tuple[str, ...]) -> bool:
        for name in checks:
            if not getattr(self, name)(text, start, end):
                return False
        return True

    def ref_before(self, text: str, start: int, end: int) -> bool:
        return not _in(_prev_word(text, start), self.refs)

    def plan(self, text: str, start: int, end: int) -> bool:
        if _in(_prev_word(text, start), self.plan_before):
            return False
        return not self.plan_after.match(text[end : end + 80])

    def count(self, text: str, start: int, end: int) -> bool:
        if _in(_prev_word(text, start), self.quantity):
            return False
        return not _in(_next_word(text, end), self.counts)

    def today_day(self, text: str, start: int, end: int) -> bool:
        """ "today" the day itself (a speech-act or meeting word nearby), not "nowadays"."""
        if _in(_prev_word(text, start), self.today_not_after):
            return False
        if self.today_before.search(text, max(0, start - 60), start):
            return True
        return bool(self.today_after.match(text, end, min(len(text), end + 40)))

    def symbol_year(self, text: str, start: int, end: int) -> bool:
        """ "resolution 2254 (2015)": the year in brackets after a number is part of a symbol."""
        if start < 2 or text[start - 1] != "(" or text[end : end + 1] != ")":
            return True
        return not _NUMBER_BEFORE_BRACKET.search(text, max(0, start - 12), start)

    def not_day_name(self, text: str, start: int, end: int) -> bool:
        """ "declared 25 March Genocide Day": a yearless day naming a yearly commemoration."""
        if not _DAY_NAME_AFTER.match(text, end, min(len(text), end + 60)):
            return True
        return _YEAR_DIGITS.search(text, start, end) is not None

    def month_noun_after(self, text: str, start: int, end: int) -> bool:
        return not _in(_next_word(text, end), self.blocking)


_CHECKS: dict[int, _Checks] = {}


def find_candidates(text: str, res: Resources) -> list[Candidate]:
    """All pattern matches that pass their checks, longest first when they overlap."""
    checks = _CHECKS.get(id(res))
    if checks is None:
        checks = _CHECKS[id(res)] = _Checks(res)
    found: list[tuple[int, int, int, Candidate]] = []
    keys = KeyIndex(text, res.key_table)
    segments = _Segments(text, res, keys)
    for rank, pattern in enumerate(res.patterns):
        for m in _finditer(pattern, text, segments, keys):
            s, e = m.span()
            if e <= s or not checks.passes(text, s, e, pattern.checks):
                continue
            cand = Candidate(s, e, pattern, m.groupdict())
            found.append((-(e - s), s, rank, cand))
    return select_longest([c for *_, c in sorted(found, key=lambda x: x[:3])])


def _emulate(rx: regex.Pattern, text: str, starts: list[int], lo: int, hi: int) -> list[regex.Match] | None:
    """``list(rx.finditer(text, lo, hi))`` when ``starts`` holds every offset where ``rx`` can
    match: the same leftmost, non-overlapping chain, trying only those offsets. None if a match
    is empty (finditer's rule for those is not reproduced here)."""
    out: list[regex.Match] = []
    pos = lo
    match = rx.match
    for q in starts:
        if q < pos:
            continue
        m = match(text, q, hi)
        if m is None:
            continue
        if m.end() == q:
            return None
        out.append(m)
        pos = m.end()
    return out


class _Segments:
    """Segment bounds of a text and, per trigger macro, the segments where it occurs."""

    def __init__(self, text: str, res: Resources, keys: KeyIndex) -> None:
        self.bounds = [0] + [m.end() for m in _SEGMENT_BREAK.finditer(text)] + [len(text)]
        self.hits: dict[str, set[int]] = {}
        self._runs: dict[tuple[str, ...], list[tuple[int, int]]] = {}
        bounds = self.bounds
        for name, rx in res.triggers.items():
            tk = res.trigger_keys.get(name)
            found = None
            if tk is not None and keys.usable:
                found = _emulate(rx, text, keys.starts(tk, 0, len(text), False), 0, len(text))
            if found is None:
                found = list(rx.finditer(text))
            self.hits[name] = {bisect_right(bounds, m.start()) - 1 for m in found}

    def runs(self, needs: tuple[str, ...]) -> list[tuple[int, int]]:
        """Maximal stretches of consecutive segments holding any of ``needs`` (cached: patterns share them)."""
        cached = self._runs.get(needs)
        if cached is not None:
            return cached
        segs = sorted(set().union(*(self.hits.get(n, set()) for n in needs)))
        merged: list[tuple[int, int]] = []
        for seg in segs:
            lo, hi = self.bounds[seg], self.bounds[seg + 1]
            if merged and merged[-1][1] == lo:
                merged[-1] = (merged[-1][0], hi)
            else:
                merged.append((lo, hi))
        self._runs[needs] = merged
        return merged


def _finditer(pattern: Pattern, text: str, segments: _Segments, keys: KeyIndex) -> Iterator[regex.Match]:
    """Run a pattern over the stretches holding its triggers (all text if it names none),
    trying it only where one of its start keys occurs when that is known."""
    stretches = segments.runs(pattern.needs) if pattern.needs else [(0, len(text))]
    for start, end in stretches:
        found = None
        if pattern.keys is not None and keys.usable:
            starts = keys.starts(pattern.keys, start, end, True, pattern.leads)
            found = _emulate(pattern.rx, text, starts, start, end)
        if found is None:
            found = pattern.rx.finditer(text, start, end)
        yield from found


def select_longest(ordered: list[Candidate]) -> list[Candidate]:
    """Greedy non-overlap: candidates arrive longest first; result is in text order."""
    taken: list[Candidate] = []
    for c in ordered:
        if all(c.end <= t.start or c.start >= t.end for t in taken):
            taken.append(c)
    return sorted(taken, key=lambda c: c.start)
