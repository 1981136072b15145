"""spaCy component ``un_dates``: time expressions as ``doc.spans["dates"]`` with normalized values.

Contract: each span carries ``span._.date_value`` =
``{"kind": date|range|relative|time, "granularity": ..., "start": ISO|None, "end": ISO|None}``.
Relative expressions resolve against ``doc.user_data["doc_date"]`` (ISO day or None); without
an anchor they keep start/end None instead of guessing today. Patterns and tables live in
``models/dates/`` (see dates_resources); this module only wires them into spaCy.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import numpy
import regex
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract.dates_match import Candidate, find_candidates
from pipeline.extract.dates_normalize import Context, Normalizer, Value
from pipeline.extract.dates_resources import Resources, compile_resources
from pipeline.isodate import iso_date
from pipeline.nlp import text_of
from pipeline.rules import RuleBacked

Span.set_extension("date_value", default=None, force=True)

SPAN_KEY = "dates"
_HYPHEN_PREFIX = regex.compile(r"[A-Za-z]{2,}[-‐]")


def _sentence_starts(doc: Doc) -> list[int]:
    """``[s.start_char for s in doc.sents]`` read from arrays: building a Token per token
    for ``doc.sents`` cost more than all the date patterns together."""
    if not doc.has_annotation("SENT_START"):
        return [0]
    if len(doc) == 0:
        return []
    arr = doc.to_array([SENT_START, IDX])
    starts = numpy.flatnonzero(arr[1:, 0] == 1) + 1
    return [0, *arr[starts, 1].tolist()]


class DateExtractor(RuleBacked):
    """Finds candidates with the data patterns, then normalizes them in document order."""

    rule_kinds = ("dates",)

    def __init__(self, rules_dir: str | None = None) -> None:
        self.load_rules(rules_dir)

    def rules_changed(self) -> None:
        self.res: Resources = compile_resources(self.rules["dates"])
        self.normalize = Normalizer(self.res)

    def extract(self, text: str, anchor: date | None, sentence_starts: list[int]) -> list[tuple[Candidate, Value]]:
        """(candidate, value) pairs in text order; candidates that fail to normalize are dropped."""
        ctx = Context(anchor=anchor, sentence_starts=sentence_starts)
        ctx.later_max_chars = self.res.tables["later_year_max_chars"]
        results: dict[int, Value] = {}
        cands = find_candidates(text, self.res)
        for cand in cands:  # explicit years, for a partial date earlier in the same sentence
            y = cand.groups.get("y1")
            if y and len(y) == 4 and cand.pattern.norm == "calendar":
                ctx.later_starts.append(cand.start)
                ctx.later_years.append(int(y))
        times = []
        for i, cand in enumerate(cands):
            if cand.pattern.norm == "time":
                times.append(i)
                continue
            ctx.move_to(cand.start)
            value = self.normalize(cand, text, ctx)
            if value is not None:
                results[i] = value
                ctx.observe(value)
        for i in times:  # second pass: a time belongs to the nearest day expression
            ctx.move_to(cands[i].start)
            ctx.time_day = self._day_for_time(i, cands, results, ctx)
            value = self.normalize(cands[i], text, ctx)
            if value is not None:
                results[i] = value
        return [(cands[i], results[i]) for i in sorted(results)]

    @staticmethod
    def _day_for_time(i: int, cands: list[Candidate], results: dict[int, Value], ctx: Context) -> date | None:
        """Nearest day-granular expression in the same sentence (before first), else the
        last one before, else the anchor."""
        starts = ctx.sentence_starts or [0]
        sent = ctx.sentence
        sent_start = starts[sent] if sent < len(starts) else 0
        sent_end = starts[sent + 1] if sent + 1 < len(starts) else 1 << 62

        def day_of(j: int) -> date | None:
            v = results.get(j)
            if v is not None and v.granularity == "day" and isinstance(v.start, date):
                return v.start
            return None

        for j in range(i - 1, -1, -1):
            if cands[j].end < sent_start:
                break
            if (d := day_of(j)) is not None:
                return d
        for j in range(i + 1, len(cands)):
            if cands[j].start >= sent_end:
                break
            if (d := day_of(j)) is not None:
                return d
        for j in range(i - 1, -1, -1):
            if (d := day_of(j)) is not None:
                return d
        return ctx.anchor

    def __call__(self, doc: Doc) -> Doc:
        anchor = iso_date(doc.user_data.get("doc_date"))
        spans: list[Span] = []
        for cand, value in self.extract(text_of(doc), anchor, _sentence_starts(doc)):
            # spans are token-aligned by definition: an expression that starts or ends
            # inside a token ("x2017") cannot be an exact span and is skipped
            span = doc.char_span(cand.start, cand.end, label=_label(value))
            if span is None:
                span = _with_hyphen_prefix(doc, cand, _label(value))
            if span is None:
                continue
            span._.date_value = value.as_dict()
            spans.append(span)
        doc.spans[SPAN_KEY] = spans
        return doc


def _with_hyphen_prefix(doc: Doc, cand: Candidate, label: str) -> Span | None:
    """ "pre-1967" is one token: the span takes the token when only a hyphenated word
    prefix lies outside the expression (never "x2017" or a trailing part)."""
    span = doc.char_span(cand.start, cand.end, label=label, alignment_mode="expand")
    if span is None or span.end_char != cand.end:
        return None
    if not _HYPHEN_PREFIX.fullmatch(text_of(doc), span.start_char, cand.start):
        return None
    return span


def _label(value: Value) -> str:
    return "TIME" if value.kind == "time" else "DATE"


@Language.factory("un_dates", default_config={"rules_dir": None})
def make_un_dates(nlp: Language, name: str, rules_dir: str | None) -> DateExtractor:
    """Factory: ``nlp.add_pipe("un_dates")`` after the trained components; ``rules_dir`` is a
    models folder holding ``dates/`` (default: the bundled rules or ``UNGOV_MODELS_DIR``)."""
    return DateExtractor(rules_dir)


@lru_cache(maxsize=2)
def _default_nlp(model: str) -> Language:
    import spacy

    return spacy.load(model)


def find_dates(text: str, anchor: str | None, nlp: Language | None = None) -> list[dict[str, Any]]:
    """Convenience for tests and benchmarks: dicts with text, offsets and the value keys.

    Runs the trained pipeline (for sentences) and the date component without modifying
    a caller's ``nlp``.
    """
    from pipeline.settings import SPACY_MODEL

    nlp = nlp or _default_nlp(SPACY_MODEL)
    doc = nlp.make_doc(text)
    doc.user_data["doc_date"] = anchor
    component = None
    for pipe_name, proc in nlp.pipeline:
        doc = proc(doc)
        if pipe_name == "un_dates":
            component = proc
    if component is None:
        component = DateExtractor()
        doc = component(doc)
    return [
        {"text": s.text, "start_char": s.start_char, "end_char": s.end_char, **s._.date_value}
        for s in doc.spans[SPAN_KEY]
    ]
