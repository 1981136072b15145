"""Shared plumbing for the meeting and commitment components.

Both components read cue lexicons kept as data in ``models/``, walk the same clause
segments (a sentence cut at line breaks, because list items and headings stand on their
own lines in the clean text) and look up the spans the date and actor components left on
the Doc. Keeping that here means each component module holds only its own rules.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any

import numpy as np
from spacy.attrs import IDX, IS_SPACE, LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline import rules
from pipeline.nlp import text_of

LIST_MARKER = re.compile(r"^\s*(?:[-•*▪◦‣●]+|\(?[0-9]{1,3}[.)]|\(?[a-z]{1,3}\)|\(?[ivxlc]{1,5}\)|[A-Z][.)])\s+")


def load_lexicon(kind: str) -> dict[str, Any]:
    """``models/<kind>/lexicon.json`` of the rules in effect (``pipeline.rules``), parsed once."""
    return rules.current(kind).json("lexicon.json")


class WordTest:
    """Which tokens' lemma or lower-cased form passes a word test, found over the Doc's distinct
    words instead of token by token; answers are kept (up to ``limit`` words, then forgotten) so
    a long run asks each word once."""

    def __init__(self, lemma_test: Callable[[str], bool], form_test: Callable[[str], bool], limit: int = 50_000):
        self.tests = ((0, lemma_test), (1, form_test))
        self.limit = limit
        self.known: dict[tuple[int, int], bool] = {}

    def tokens(self, doc: Doc) -> list[int]:
        if not len(doc):
            return []
        strings = doc.vocab.strings
        table = doc.to_array([LEMMA, LOWER])
        mask = np.zeros(len(doc), bool)
        for col, test in self.tests:
            good = []
            for h in np.unique(table[:, col]).tolist():
                if (col, h) not in self.known:
                    if len(self.known) >= self.limit:
                        self.known.clear()
                    self.known[col, h] = bool(test(strings[h]))
                if self.known[col, h]:
                    good.append(h)
            mask |= np.isin(table[:, col], np.array(good, dtype=np.uint64))
        return np.flatnonzero(mask).tolist()


def ensure_extension(name: str, cls: type = Span) -> None:
    """Register a ``._.name`` attribute (default None) if no one did yet."""
    if not cls.has_extension(name):
        cls.set_extension(name, default=None)


def segments(doc: Doc) -> list[Span]:
    """Sentences cut at line breaks: a heading or list item never runs into the next."""
    return [doc[start:end] for start, end in segment_bounds(doc)]


def per_doc(doc: Doc, key: str, build: Callable[[Doc], Any]) -> Any:
    """``build(doc)``, computed once per Doc and kept in ``doc.user_data`` (picklable values
    only), so the meeting and commitment components share it. The Doc's size is stored with
    it: user data copied to another Doc (``Span.as_doc``) is not reused."""
    size = (len(doc), len(text_of(doc)))
    cached = doc.user_data.get(key)
    if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == size:
        return cached[1]
    value = build(doc)
    doc.user_data[key] = (size, value)
    return value


def segment_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of ``segments(doc)``."""
    return per_doc(doc, "_ungov_segments", _segment_bounds)


def _segment_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Cut each sentence at whitespace tokens holding a line break, trim whitespace tokens,
    then glue lone markers to their clause. The break tokens are found from the text's line
    breaks, not by visiting every token (a token's own trailing whitespace is at most one
    space in spaCy, so a line break is always inside a token's text)."""
    sents = [(sent.start, sent.end) for sent in doc.sents]
    if not sents:
        return []
    space = doc.to_array(IS_SPACE).tolist()
    starts = doc.to_array(IDX)
    newlines = [m.start() for m in re.finditer("\n", text_of(doc))]
    holders = np.unique(np.searchsorted(starts, newlines, side="right") - 1).tolist()
    breaks = [i for i in holders if space[i]]
    cut: list[tuple[int, int]] = []
    b = 0
    for sent_start, sent_end in sents:
        start = sent_start
        while b < len(breaks) and breaks[b] < sent_end:
            i = breaks[b]
            b += 1
            if i < sent_start:
                continue
            if i > start:
                cut.append((start, i))
            start = i + 1
        if start < sent_end:
            cut.append((start, sent_end))
    kept = []
    for start, end in cut:  # trim whitespace tokens at both ends
        while start < end and space[start]:
            start += 1
        while end > start and space[end - 1]:
            end -= 1
        if end > start:
            kept.append((start, end))
    return _join_markers(doc, kept)


def _join_markers(doc: Doc, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Glue a lone paragraph number or bullet ("22.", "(a)", "-") to the clause it opens."""
    text = text_of(doc)
    out: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for start, end in bounds:
        if pending is not None:
            gap_end = doc[start].idx  # text_with_ws of tokens pending.end - 1 .. start - 1
            same_line = "\n" not in text[doc[pending[1] - 1].idx : gap_end]
            if same_line:
                start = pending[0]
            else:
                out.append(pending)
            pending = None
        if end - start <= 4:
            last = doc[end - 1]
            seg_text = text[doc[start].idx : last.idx + len(last.text)]
            if not any(c.isalpha() for c in seg_text) or LIST_MARKER.match(seg_text + " "):
                pending = (start, end)
                continue
        out.append((start, end))
    if pending is not None:
        out.append(pending)
    return out


def unique_span(doc: Doc, ranges: list[tuple[int, int]], used: set[tuple[int, int]]) -> Span:
    """First token range not yet used; span extensions are keyed by offsets, so two records
    on identical spans would overwrite each other."""
    for start, end in ranges:
        if (start, end) not in used and end > start:
            break
    while (start, end) in used and end - start > 1:
        end -= 1
    used.add((start, end))
    return doc[start:end]


def starts_line(seg: Span) -> bool:
    """True when the segment opens a line (reads tokens, not ``doc.text``, which is rebuilt
    on every access)."""
    return seg.start == 0 or "\n" in seg.doc[seg.start - 1].text_with_ws


def spans_in(doc: Doc, group: str, start: int, end: int) -> list[Span]:
    """Spans of ``doc.spans[group]`` that lie inside the character range [start, end), in the
    group's order. Found through an index of start offsets built once per Doc and group: a
    component asks once per row, and scanning the whole group each time made long documents
    quadratic."""
    if group not in doc.spans:
        return []
    spans = doc.spans[group]
    index = per_doc(doc, f"_ungov_spans_{group}_{len(spans)}", lambda d: _span_index(d.spans[group]))
    starts, ends, order = index
    lo, hi = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
    return [spans[i] for i in sorted(order[k] for k in range(lo, hi) if ends[k] <= end)]


def _span_index(spans) -> tuple[list[int], list[int], list[int]]:
    """Start offsets (sorted), their end offsets and the position of each span in the group."""
    ranked = sorted(range(len(spans)), key=lambda i: spans[i].start_char)
    return [spans[i].start_char for i in ranked], [spans[i].end_char for i in ranked], ranked


def actor_of(span: Span) -> dict[str, Any] | None:
    """The actor record the actor component put on a span, if any."""
    return span._.actor if Span.has_extension("actor") else None


def date_of(span: Span) -> dict[str, Any] | None:
    """The date record the date component put on a span, if any."""
    return span._.date_value if Span.has_extension("date_value") else None


def iso_end(date: dict[str, Any]) -> str | None:
    """A deadline from a date record: its end, at month precision when the date is a month."""
    end = date.get("end") or date.get("start")
    if not end:
        return None
    end = str(end)[:10]
    if date.get("granularity") == "month" and len(end) >= 7:
        return end[:7]
    return end


def has_phrase(text: str, phrases: list[str]) -> bool:
    """Whole-word, case-insensitive test for any of ``phrases`` in ``text``."""
    low = text.lower()
    return any(re.search(r"(?<![\w-])" + re.escape(p) + r"(?![\w-])", low) for p in phrases)


def strip_marker(text: str) -> str:
    """Text of a list item or numbered paragraph without its bullet or number."""
    return LIST_MARKER.sub("", text, count=1).strip(" *_\t")


def run_text(text: str, doc_date: str | None = None, nlp: Language | None = None, **user_data: Any) -> Doc:
    """Process ``text`` with ``doc_date`` (and e.g. ``speaker``) set before the components run."""
    if nlp is None:
        from pipeline.nlp import shared_nlp  # the project's one pipeline; imported late (it imports us)

        nlp = shared_nlp()
    doc = nlp.make_doc(text)
    doc.user_data["doc_date"] = doc_date
    doc.user_data.update(user_data)
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc
