"""What is to be done and by when: the verb phrase of an undertaking and the date that governs it."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from pipeline import rules
from pipeline.extract.commitments.lexicon import lexicon
from pipeline.extract.cues import (
    LIST_MARKER,
    date_of,
    has_phrase,
    iso_end,
    spans_in,
    strip_marker,
)
from pipeline.nlp import text_of

MAX_ACTION_TOKENS = 45

DATE_FILLERS = {"the", "late", "early", "mid", "end", "of", "first", "second", "last", "half", "quarter"}


def action_text(verb: Token, limit_end: int) -> tuple[str, int]:
    """Short verb phrase: the verb and what follows it, cut at ';' or a new clause."""
    doc = verb.doc
    end = verb.i + 1
    right_edge = min(verb.right_edge.i + 1, limit_end)
    pause = None  # the last comma: where a phrase too long to keep whole is cut, never mid-phrase
    for tok in doc[verb.i + 1 : right_edge]:
        if tok.text in {";", ":"} or tok.is_space:
            break
        if tok.dep_ in {"conj", "advcl", "parataxis"} and any(c.dep_.startswith("nsubj") for c in tok.children):
            break  # '... and why we will support ...': a clause with a subject of its own
        if tok.text == ",":
            pause = tok.i
        end = tok.i + 1
        if end - verb.i >= MAX_ACTION_TOKENS:
            if pause is not None and right_edge > end:
                end = pause
            break
    start = verb.i
    prt = [c for c in verb.children if c.dep_ == "neg" and c.i < verb.i]
    if prt:
        start = prt[0].i
    text = doc[start:end].text.rstrip(" ,.;")
    return text, end


def deadline_of(doc: Doc, start: int, end: int) -> str | None:
    """Deadline from a date that governs the clause: 'by March 2017', 'in late 2018',
    'during 2017', a leading 'Six weeks from now' -- not a date naming something ('the
    2018 recommendations')."""
    lex = lexicon()
    preps = lex["deadline_preps"]
    found = []
    for span in spans_in(doc, "dates", doc[start].idx, doc[end - 1].idx + len(doc[end - 1])):
        rec = date_of(span) or {}
        if rec.get("kind") == "time":
            continue
        before = [t.lower_ for t in doc[max(span.start - 4, start) : span.start] if t.lower_ not in DATE_FILLERS]
        lead = doc[span.start].lower_ in preps or (before and before[-1] in preps)
        if lead or before[-1:] == [","] and span.start - start < 3 or span.start == start:
            strong = has_phrase(" ".join(before[-3:]), lex["deadline_strong"])
            found.append((0 if strong else 1, span.start, rec, span))
    if not found:
        return None
    _, _, rec, span = min(found, key=lambda f: f[:2])
    return _ahead(iso_end(rec), span, doc.user_data.get("doc_date"))


def _ahead(deadline: str | None, span: Span, doc_date: str | None) -> str | None:
    """A deadline printed without its year ('by the end of January' in a December note) lies
    ahead of the document, not behind it: the year after, when the date resolved before doc_date."""
    if not deadline or not doc_date or re.search(r"\d{4}", span.text) or deadline[:7] >= str(doc_date)[:7]:
        return deadline
    return f"{int(deadline[:4]) + 1:04d}{deadline[4:]}" if deadline[:4].isdigit() else deadline


def main_verb(tokens: Span) -> Token | None:
    """The first verb of ``tokens`` that is not an auxiliary ('will be held' -> 'held')."""
    return next((t for t in tokens if t.pos_ in {"VERB", "AUX"} and t.dep_ not in {"aux", "auxpass"}), None)


def seg_text(seg: Span) -> str:
    """``seg.text`` cut from the Doc's cached text (``Span.text`` joins its tokens anew)."""
    return text_of(seg.doc)[seg.start_char : seg.end_char]


@rules.per_rules("commitments")
def operative_adverbs() -> frozenset[str]:
    return frozenset(lexicon()["operative_adverbs"])


def first_word(seg: Span) -> int:
    """Index of the first word after a paragraph number, bullet and operative adverbs."""
    marker = LIST_MARKER.match(seg_text(seg))
    skip = len(marker.group(0)) if marker else 0
    i = seg.start
    while i < seg.end and seg.doc[i].idx - seg.start_char < skip:
        i += 1
    adverbs = operative_adverbs()
    while i < seg.end and (seg.doc[i].lower_ in adverbs or seg.doc[i].is_punct):
        i += 1
    return i


def to_verb_of(seg: Span, start: int) -> Token | None:
    """The verb of the first 'to V' after ``start`` in the segment (or None at ';' / ':')."""
    doc = seg.doc
    for tok in doc[start : seg.end]:
        if tok.lower_ == "to" and tok.i + 1 < seg.end:
            nxt = tok.i + 1
            while nxt < min(seg.end - 1, tok.i + 4) and doc[nxt].tag_ in {"RB", "CC"}:  # 'to fully and promptly comply'
                nxt += 1
            if doc[nxt].tag_ == "VB":
                return doc[nxt]
        if tok.text in {";", ":"}:
            break
    return None


def list_after(seg: Span) -> str | None:
    """'... invites participants to:' followed by lettered items: the first item's text."""
    if not seg_text(seg).rstrip().endswith(("to:", "to :")):
        return None
    rest = seg.doc[seg.end : seg.end + 80].text.lstrip()
    first = rest.split("\n", 1)[0]
    return strip_marker(first).rstrip(" ;,.") if LIST_MARKER.match(first) else None
