"""Load the date resources once: tables, regex macros and patterns live in ``models/dates/``.

Like HeidelTime, the language knowledge is data (month names, number words, part-of-period
day ranges, patterns); this module only expands macros and compiles the patterns, so a
new form is added by editing ``patterns.jsonl``, not code.
"""

from __future__ import annotations

import re
import re._parser as sre_parse
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import regex

from pipeline import rules
from pipeline.extract.dates_keys import DIGIT_KEY, KEY_LEN, PLACEHOLDER, WS_ASCII, KeyTable, Leads

_MACRO_REF = regex.compile(r"%([A-Z][A-Z_]*)(?:\{(\d)\})?")
# Every pattern is wrapped so that it neither starts nor ends inside a word, a number,
# a document symbol (A/RES/79/286) or an amount ($2018, 3.2017).
_LEFT_EDGE = r"(?<![\w/$€£#§@]|\d[.,’'])"
_RIGHT_EDGE = r"(?![\w/@]|[.,’']\d)"


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern from ``patterns.jsonl``."""

    id: str
    norm: str
    rx: regex.Pattern
    checks: tuple[str, ...]
    needs: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    keys: frozenset[str] | None = None  # see start_keys
    leads: Leads | None = None  # see lead_keys


@dataclass(frozen=True)
class Resources:
    """Tables (``normalization.json``) plus compiled patterns, shared by all documents."""

    tables: dict[str, Any]
    patterns: tuple[Pattern, ...]
    months: dict[str, int]
    filters: dict[str, frozenset[str]]
    triggers: dict[str, regex.Pattern]  # one regex per macro listed in a pattern's "needs"
    trigger_keys: dict[str, frozenset[str] | None] = field(default_factory=dict)
    key_table: KeyTable = field(default_factory=lambda: KeyTable(()))  # finds all keys at once


_DIGIT_CODES = frozenset(range(ord("0"), ord("9") + 1))
# the stdlib parser rejects repeated group names (the regex module allows them): for the
# analysis, groups become plain groups and a back-reference becomes "any character"
_GROUP_NAME = regex.compile(r"\(\?P<\w+>")
_GROUP_REF = regex.compile(r"\(\?P=\w+\)")


class _Unanalyzable(Exception):
    pass


def start_keys(source: str) -> frozenset[str] | None:
    """Lower-cased literal prefixes (up to 3 chars, or ``DIGIT_KEY``) one of which begins
    every match of ``source``; None when the regex starts with something else.

    Lets the matcher try a pattern only where one of its keys occurs instead of at every
    offset of the text (the regex engine costs about the same per offset whatever it finds).
    Derived from the compiled pattern itself, so editing ``patterns.jsonl`` cannot make the
    keys stale. Zero-width assertions are skipped (a superset), and a key stops at the first
    element that is not a plain ASCII literal.
    """
    try:
        plain = _GROUP_REF.sub("(?:.)", _GROUP_NAME.sub("(?:", source))
        tree = list(sre_parse.parse(plain, re.IGNORECASE))
        keys = _prefixes(tree, "")
    except (_Unanalyzable, re.error, RecursionError):
        return None
    if "" in keys:
        return None
    if DIGIT_KEY in keys:
        keys = {k for k in keys if not k[0].isdigit()} | {DIGIT_KEY}
    # a key that extends another adds no position the shorter one misses
    return frozenset(k for k in keys if not any(o != k and k.startswith(o) for o in keys))


def _prefixes(items: list, acc: str) -> set[str]:
    if len(acc) >= KEY_LEN or not items:
        return {acc}
    op, av = items[0]
    rest = items[1:]
    if op is sre_parse.LITERAL:
        ch = chr(av)
        if not ch.isascii() or ch == PLACEHOLDER:
            return {acc}
        return _prefixes(rest, acc + ch.lower())
    if op in (sre_parse.AT, sre_parse.ASSERT, sre_parse.ASSERT_NOT):
        return _prefixes(rest, acc)
    if op is sre_parse.SUBPATTERN:
        return _prefixes(list(av[-1]) + rest, acc)
    if op is sre_parse.BRANCH:
        return set().union(*(_prefixes(list(alt) + rest, acc) for alt in av[1]))
    if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT):
        lo, _hi, sub = av
        out = _prefixes(list(sub), acc)  # the key ends with the first repetition
        if lo == 0:
            out |= _prefixes(rest, acc)
        return out
    if acc:
        return {acc}
    if op is sre_parse.IN and _digits_only(av):
        return {DIGIT_KEY}
    raise _Unanalyzable(op)


_WS_LITERALS = frozenset(map(ord, WS_ASCII))
_MAX_LEADS = 4096
_MAX_WORD = 16
_W2_LEN = 3


def lead_keys(source: str) -> dict[str, tuple[str, ...] | None] | None:
    """First word -> prefixes (up to 3 chars) of the word after the following whitespace,
    one pair of which begins every match of ``source`` (None: that first word may be followed
    by anything). The first word is a lower-cased literal, or ``DIGIT_KEY`` for a run of digits.

    A second-stage filter after ``start_keys``: "the" begins many patterns and occurs ~100
    times in a statement, but "the first", "the end", "the past" are rare, and a failed regex
    match costs ~0.8 us. Derived like ``start_keys``; None when not analysable or useless.
    """
    try:
        plain = _GROUP_REF.sub("(?:.)", _GROUP_NAME.sub("(?:", source))
        found = _leads(list(sre_parse.parse(plain, re.IGNORECASE)), ("", 0, ""))
    except (_Unanalyzable, re.error, RecursionError):
        return None
    leads: dict[str, tuple[str, ...] | None] = {}
    for w1, w2 in found:
        if w2 is None or leads.get(w1, ()) is None:
            leads[w1] = None
        else:
            leads[w1] = tuple(sorted({*(leads.get(w1) or ()), w2}))
    if all(v is None for v in leads.values()):
        return None
    return leads


def _lead_set(source: str) -> Leads | None:
    leads = lead_keys(source)
    return None if leads is None else frozenset(leads.items())


def _leads(items: list, st: tuple[str, int, str]) -> set[tuple[str, str | None]]:
    """(first word, second-word prefix) pairs; ``st`` = (first word, phase, second word) with
    phase 0 in the first word, 1 in the whitespace after it, 2 in the second word."""
    w1, phase, w2 = st
    if not items:
        return {_lead_end(st)}
    op, av = items[0]
    rest = items[1:]
    if op in (sre_parse.AT, sre_parse.ASSERT, sre_parse.ASSERT_NOT):
        return _leads(rest, st)
    if op is sre_parse.SUBPATTERN:
        return _leads(list(av[-1]) + rest, st)
    if op is sre_parse.BRANCH:
        out: set[tuple[str, str | None]] = set()
        for alt in av[1]:
            out |= _leads(list(alt) + rest, st)
            if len(out) > _MAX_LEADS:
                raise _Unanalyzable("too many leads")
        return out
    if _ws_only([items[0]]):
        if _min_width([items[0]]) == 0:  # optional whitespace: skipped after a word, ends one
            return _leads(rest, st) if phase == 1 else {_lead_end(st)}
        if phase == 0:
            if not w1:
                raise _Unanalyzable("starts with whitespace")
            return _leads(rest, (w1, 1, ""))
        return _leads(rest, st) if phase == 1 else {_lead_end(st)}
    digits = op is sre_parse.IN and _digits_only(av)
    if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        digits = all(o is sre_parse.IN and _digits_only(a) for o, a in sub) and (lo >= 1 or w1 == DIGIT_KEY)
        if not digits:
            if hi == 1:
                return _leads(rest, st) | _leads(list(sub) + rest, st)
            out = _leads(list(sub), st)  # the pair ends with the first repetition
            return out | _leads(rest, st) if lo == 0 else out
    if digits and phase == 0 and w1 in ("", DIGIT_KEY):
        return _leads(rest, (DIGIT_KEY, 0, ""))  # the filter skips the whole run of digits
    if op is sre_parse.LITERAL and chr(av).isascii() and chr(av) != PLACEHOLDER and (phase or w1 != DIGIT_KEY):
        ch = chr(av).lower()
        if phase == 0:
            return _leads(rest, (w1 + ch, 0, "")) if len(w1) < _MAX_WORD else {_lead_end(st)}
        w2 += ch
        return _leads(rest, (w1, 2, w2)) if len(w2) < _W2_LEN else {(w1, w2)}
    if not w1:
        raise _Unanalyzable(op)
    return {_lead_end(st)}


def _lead_end(st: tuple[str, int, str]) -> tuple[str, str | None]:
    w1, phase, w2 = st
    if not w1:
        raise _Unanalyzable("empty first word")
    return (w1, None) if phase == 0 else (w1, w2)


def _ws_only(items: list) -> bool:
    """Elements that can only consume whitespace (``[^\\S\\n]+``, ``\\n?``)."""
    for op, av in items:
        if op is sre_parse.LITERAL and av in _WS_LITERALS:
            continue
        if op is sre_parse.IN and _ws_class(av):
            continue
        if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT) and _ws_only(list(av[2])):
            continue
        if op is sre_parse.SUBPATTERN and _ws_only(list(av[-1])):
            continue
        if op is sre_parse.BRANCH and all(_ws_only(list(alt)) for alt in av[1]):
            continue
        return False
    return True


def _ws_class(items: list) -> bool:
    if items and items[0][0] is sre_parse.NEGATE:
        return any(op is sre_parse.CATEGORY and av is sre_parse.CATEGORY_NOT_SPACE for op, av in items[1:])
    return all(
        (op is sre_parse.CATEGORY and av is sre_parse.CATEGORY_SPACE)
        or (op is sre_parse.LITERAL and av in _WS_LITERALS)
        for op, av in items
    )


def _min_width(items: list) -> int:
    return sre_parse.SubPattern(sre_parse.State(), items).getwidth()[0]


def _digits_only(items: list) -> bool:
    """A class that can only match decimal digits (``\\d``, ``[0-9]``, ``[12]``)."""
    for op, av in items:
        if op is sre_parse.CATEGORY and av is sre_parse.CATEGORY_DIGIT:
            continue
        if op is sre_parse.LITERAL and av in _DIGIT_CODES:
            continue
        if op is sre_parse.RANGE and av[0] in _DIGIT_CODES and av[1] in _DIGIT_CODES:
            continue
        return False
    return True


def _alternation(words: list[str], case_sensitive: bool, suffix: str = "") -> str:
    """Longest-first alternation; case-sensitive words accept Title and UPPER forms."""
    forms: set[str] = set()
    for w in words:
        if case_sensitive:
            forms.update({w.capitalize(), w.upper()})
        else:
            forms.add(w)
    body = "|".join(regex.escape(f).replace(r"\ ", " ") for f in sorted(forms, key=len, reverse=True))
    if case_sensitive:
        return f"(?-i:(?:{body}){suffix})(?![A-Za-z])"
    return f"(?:{body}){suffix}(?![A-Za-z])"


def _table_macros(t: dict[str, Any]) -> dict[str, str]:
    """Macros generated from the lookup tables, so names are listed in one place only."""
    full = list(t["months"])
    abbr = list(t["month_abbreviations"])
    month_full = _alternation(full, True)
    month_abbr = _alternation(abbr, True, suffix=r"\.?")
    number_words = [w for w in t["number_words"]]
    compound = "(?:{})(?:-| )(?:{})".format("|".join(t["tens_words"]), "|".join(t["unit_words"]))
    return {
        "MONTHF": month_full,
        "MONTH": f"(?:{month_full}|{month_abbr})",
        "WEEKDAY": _alternation(list(t["weekdays"]), True),
        "SEASON": _alternation(list(t["seasons"]), False),
        "NUM": rf"(?:\d{{1,3}}(?!\d)|{compound}(?![A-Za-z])|{_alternation(number_words, False)})",
        "ORD": _alternation(list(t["ordinals"]), False),
        "CENTORD": _alternation(list(t["century_ordinals"]), False),
        "UNIT": _alternation(list(t["units"]), False),
    }


def _expand(src: str, macros: dict[str, str], depth: int = 0) -> str:
    """Replace ``%NAME`` / ``%NAME{n}`` recursively; spaces and ``~`` become whitespace macros."""
    if depth > 10:
        raise ValueError(f"macro recursion too deep in {src[:60]!r}")
    src = src.replace(" ", "%SP").replace("~", "%OSP")

    def sub(m: regex.Match) -> str:
        name, idx = m.group(1), m.group(2)
        if name not in macros:
            raise KeyError(f"unknown date macro %{name}")
        body = macros[name]
        if idx is not None:
            body = body.replace("{i}", idx)
        return "(?:" + _expand(body, macros, depth + 1) + ")"

    return _MACRO_REF.sub(sub, src)


def load_resources(directory: str | None = None) -> Resources:
    """The compiled date rules of a models folder (default: the rules in effect)."""
    return compile_resources(rules.load("dates", directory) if directory else rules.current("dates"))


@lru_cache(maxsize=4)
def compile_resources(date_rules: rules.RuleFiles) -> Resources:
    """Compile the date rules once per content (cached)."""
    tables = date_rules.json("normalization.json")
    raw_macros = {k: v for k, v in date_rules.json("macros.json").items() if not k.startswith("_")}
    # generated macros are already regex (may contain spaces): protect them from space expansion
    generated = _table_macros(tables)
    macros: dict[str, str] = {}
    for k, v in generated.items():
        macros[k] = v.replace(" ", "%SP")
    macros.update(raw_macros)
    patterns = []
    for spec in date_rules.jsonl("patterns.jsonl"):
        source = _LEFT_EDGE + "(?:" + _expand(spec["regex"], macros) + ")" + _RIGHT_EDGE
        patterns.append(
            Pattern(
                id=spec["id"],
                norm=spec["norm"],
                rx=regex.compile(source, regex.IGNORECASE),
                checks=tuple(spec.get("checks", ())),
                needs=tuple(spec.get("needs", ())),
                params=spec.get("params", {}),
                keys=start_keys(source),
                leads=_lead_set(source),
            )
        )
    needed = sorted({n for p in patterns for n in p.needs})
    triggers = {n: regex.compile(_expand("%" + n, macros), regex.IGNORECASE) for n in needed}
    trigger_keys = {n: start_keys(rx.pattern) for n, rx in triggers.items()}
    keysets = [p.keys for p in patterns] + list(trigger_keys.values())
    months = {**tables["months"], **tables["month_abbreviations"], **tables["roman_months"]}
    filters = {k: frozenset(w.lower() for w in v) for k, v in tables["filters"].items() if not k.startswith("_")}
    return Resources(
        tables=tables,
        patterns=tuple(patterns),
        months=months,
        filters=filters,
        triggers=triggers,
        trigger_keys=trigger_keys,
        key_table=KeyTable((k for k in keysets if k is not None), (p.leads for p in patterns if p.leads)),
    )
