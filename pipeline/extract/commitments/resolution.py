"""Resolutions and decisions: operative paragraphs, their lettered sub-items, never preambular ones."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Span

from pipeline.extract.commitments.action import action_text, first_word, seg_text
from pipeline.extract.commitments.actor import Actors, addressee_group
from pipeline.extract.commitments.addressee import cue_kind
from pipeline.extract.commitments.lexicon import lexicon
from pipeline.extract.cues import (
    LIST_MARKER,
)


def operative_scan(seg: Span, actors: Actors) -> list[dict[str, Any]]:
    """Resolution style 'Decides to V' / 'Requests that X V': the author decides; X is asked."""
    doc = seg.doc
    first = first_word(seg)
    if first >= seg.end or not doc[first].is_title:
        return []
    lemma = doc[first].lemma_.lower()
    lex = lexicon()
    nxt = doc[first + 1] if first + 1 < seg.end else None
    if nxt is None:
        return []
    if lemma in lex["decision_verbs"] and nxt.lower_ == "to" and first + 2 < seg.end:
        author = actors.author
        verb = doc[first + 2]
        if author is None or verb.tag_ != "VB":
            return []
        text, end = action_text(verb, seg.end)
        return [
            {
                "source": "addressee",
                "kind": lex["decision_verbs"][lemma],
                "who": [author],
                "action": text,
                "start": first,
                "end": end,
                "verb": verb.i,
            }
        ]
    kind = lex["addressee_verbs"].get(lemma)
    if kind and nxt.lower_ == "that":
        verbs = [t for t in doc[first + 2 : seg.end] if t.pos_ in {"VERB", "AUX"} and t.tag_ in {"VB", "VBP", "MD"}]
        if not verbs:
            return []
        spans = actors.over(range(first + 2, verbs[0].i))
        if not spans:
            return []
        verb = verbs[0]
        if verb.tag_ == "MD":
            verb = next((t for t in doc[verb.i + 1 : seg.end] if t.tag_ == "VB"), verb)
        text, end = action_text(verb, seg.end)
        return [
            {
                "source": "addressee",
                "kind": kind,
                "who": [actors.record(s) for s in addressee_group(spans)],
                "action": text,
                "start": first,
                "end": end,
                "verb": verb.i,
            }
        ]
    return []


def list_item(
    seg: Span, listing: dict[str, Any] | None, actors: Actors, cue_tokens: list[int]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """'Requests the Secretary-General:' then '(a) To submit ...': each item is a request.

    Returns the open listing (if this segment opens or continues one) and the item's record.
    """
    doc = seg.doc
    text = seg_text(seg)
    if listing is not None and LIST_MARKER.match(text):
        first = first_word(seg)
        if first + 1 < seg.end and doc[first].lower_ == "to" and doc[first + 1].tag_ == "VB":
            text, end = action_text(doc[first + 1], seg.end)
            item = {**listing, "action": text, "start": seg.start, "end": end, "verb": first + 1}
            return listing, [item]
    if text.rstrip().endswith(":") and not text.rstrip().endswith("to:"):
        for tok in (doc[i] for i in cue_tokens):
            kind = cue_kind(tok, seg)
            if kind:
                spans = actors.over(range(tok.i + 1, seg.end))
                if spans:
                    who = [actors.record(s) for s in addressee_group(spans)]
                    return {"source": "addressee", "kind": kind, "who": who}, []
        return None, []
    return (listing if LIST_MARKER.match(text) else None), []
