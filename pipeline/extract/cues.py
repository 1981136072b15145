"""Shared plumbing for the meeting and commitment components.

Both components read cue lexicons kept as data in ``models/``, walk the same clause
segments (a sentence cut at line breaks, because list items and headings stand on their
own lines in the clean text) and look up the spans the date and actor components left on
the Doc. Keeping that here means each component module holds only its own rules.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from pipeline.settings import MODELS_DIR

LIST_MARKER = re.compile(r"^\s*(?:[-•*▪◦‣●]+|\(?[0-9]{1,3}[.)]|\(?[a-z]{1,3}\)|\(?[ivxlc]{1,5}\)|[A-Z][.)])\s+")


@cache
def load_lexicon(kind: str) -> dict[str, Any]:
    """Read ``models/<kind>/lexicon.json`` once; rules live in data, not code."""
    with open(MODELS_DIR / kind / "lexicon.json", encoding="utf-8") as fh:
        return json.load(fh)


def ensure_extension(name: str, cls: type = Span) -> None:
    """Register a ``._.name`` attribute (default None) if no one did yet."""
    if not cls.has_extension(name):
        cls.set_extension(name, default=None)


def segments(doc: Doc) -> list[Span]:
    """Sentences cut at line breaks: a heading or list item never runs into the next."""
    out: list[Span] = []
    for sent in doc.sents:
        start = sent.start
        for tok in sent:
            if tok.is_space and "\n" in tok.text:
                if tok.i > start:
                    out.append(doc[start : tok.i])
                start = tok.i + 1
            elif "\n" in tok.whitespace_ and tok.i + 1 < sent.end:
                out.append(doc[start : tok.i + 1])
                start = tok.i + 1
        if start < sent.end:
            out.append(doc[start : sent.end])
    kept = [s for s in (trim(s) for s in out) if s is not None]
    return _join_markers(kept)


def _join_markers(segs: list[Span]) -> list[Span]:
    """Glue a lone paragraph number or bullet ("22.", "(a)", "-") to the clause it opens."""
    out: list[Span] = []
    pending: Span | None = None
    for seg in segs:
        if pending is not None:
            same_line = "\n" not in seg.doc[pending.end - 1 : seg.start].text_with_ws
            if same_line:
                seg = seg.doc[pending.start : seg.end]
            else:
                out.append(pending)
            pending = None
        if len(seg) <= 4 and (not any(c.isalpha() for c in seg.text) or LIST_MARKER.match(seg.text + " ")):
            pending = seg
            continue
        out.append(seg)
    if pending is not None:
        out.append(pending)
    return out


def trim(span: Span) -> Span | None:
    """Drop leading/trailing whitespace tokens; None when nothing is left."""
    start, end = span.start, span.end
    while start < end and span.doc[start].is_space:
        start += 1
    while end > start and span.doc[end - 1].is_space:
        end -= 1
    return span.doc[start:end] if end > start else None


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
    """Spans of ``doc.spans[group]`` that lie inside the character range [start, end)."""
    if group not in doc.spans:
        return []
    return [s for s in doc.spans[group] if s.start_char >= start and s.end_char <= end]


def actor_of(span: Span) -> dict[str, Any] | None:
    """The actor record the actor component put on a span, if any."""
    return span._.actor if Span.has_extension("actor") else None


def date_of(span: Span) -> dict[str, Any] | None:
    """The date record the date component put on a span, if any."""
    return span._.date_value if Span.has_extension("date_value") else None


def actors_over(doc: Doc, tokens: list[Token]) -> list[Span]:
    """Actor spans touching any of ``tokens``, in text order, without repeats."""
    if "actors" not in doc.spans or not tokens:
        return []
    idx = {t.i for t in tokens}
    seen: set[str] = set()
    out = []
    for span in sorted(doc.spans["actors"], key=lambda s: s.start):
        rec = actor_of(span)
        if rec is None or not idx.intersection(range(span.start, span.end)):
            continue
        key = str(rec.get("key") or rec.get("name"))
        if key not in seen:
            seen.add(key)
            out.append(span)
    return out


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
