"""Minutes and summaries: action sections and "ACTION:" items, whose owner is the party to act."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from spacy.tokens import Doc, Span, Token

from pipeline.extract.commitments.action import action_text, first_word, seg_text, to_verb_of
from pipeline.extract.commitments.actor import Actors, Chunks, plain_addressee
from pipeline.extract.commitments.lexicon import lexicon
from pipeline.extract.cues import (
    LIST_MARKER,
    starts_line,
    strip_marker,
)


@lru_cache(maxsize=1)
def action_prefix() -> re.Pattern[str]:
    """'ACTION:', 'Action item -' ... labels that make a line an action point by themselves."""
    labels = "|".join(re.escape(p) for p in lexicon()["action_prefixes"])
    return re.compile(rf"^\s*(?:{labels})\s*[:\-–]\s*", re.I)


def action_items(doc: Doc, segs: list[Span]) -> set[int]:
    """Segments under an 'Action points' / 'Decisions' heading, or prefixed 'ACTION:'."""
    lex = lexicon()
    headings = {h.lower() for h in lex["action_headings"]}
    prefix = action_prefix()
    items: set[int] = set()
    inside = opened = False
    for n, seg in enumerate(segs):
        raw = seg_text(seg).strip()
        if not any(c.isalpha() for c in raw):
            continue
        label = strip_marker(raw).rstrip(":").strip().lower()
        line_start = starts_line(seg)
        if label in headings and line_start:
            inside, opened = True, False
            continue
        if prefix.match(strip_marker(raw)):
            bare = prefix.sub("", strip_marker(raw), count=1).strip()
            items.add(n if bare else n + 1)
            continue
        if not inside:
            continue
        listed = bool(LIST_MARKER.match(raw))
        heading = line_start and not listed and len(raw) < 90 and raw[-1:] not in ".;"
        if heading or (line_start and not listed and opened):
            inside = False
            continue
        items.add(n)
        opened = opened or (line_start and listed)
    return items


def item_start(seg: Span) -> int:
    """First word of an action item, after its bullet and an 'ACTION:' style label."""
    first = first_word(seg)
    if action_prefix().match(seg.doc[first : seg.end].text):
        while first < seg.end and seg.doc[first].text not in {":", "-", "–"}:
            first += 1
        first += 1
    while first < seg.end and not seg.doc[first].is_alpha:
        first += 1
    return first


def as_action_point(seg: Span, found: list[dict[str, Any]], actors: Actors, chunks: Chunks) -> list[dict[str, Any]]:
    """Everything in an action item is an action point. The owner is the 'X' of 'X to do Y',
    else the 'by/from X' party, else the addressed body for an imperative, else the first actor."""
    doc = seg.doc
    first = item_start(seg)
    if first >= seg.end:
        return []
    owner: list[dict[str, Any]] = []
    verb: Token | None = None
    to_verb = to_verb_of(seg, first)
    if to_verb is not None and to_verb.i - first <= 9:
        lead = doc[first : to_verb.i - 1]
        if lead and not any(t.pos_ in {"VERB", "AUX"} and t.tag_ != "VBN" for t in lead):
            spans = actors.over(range(lead.start, lead.end))
            owner = [actors.record(spans[0])] if spans else [actors.record(s) for s in plain_addressee(lead, chunks)]
            verb = to_verb if owner else None
    if not owner:
        for prep in (t for t in seg if t.lower_ in {"by", "from"} and t.dep_ in {"prep", "agent"}):
            spans = actors.over(t.i for t in prep.subtree)
            if spans:
                owner = [actors.record(spans[0])]
                break
    if not owner and doc[first].tag_ == "VB" and actors.author:
        owner = [actors.author]  # imperative item: the body the document addresses acts
    if not owner:
        spans = actors.over(range(first, seg.end))
        owner = [actors.record(spans[0])] if spans else ([actors.author] if actors.author else [])
    if not owner:
        return []
    if verb is None:
        verb = next((t for t in doc[first : seg.end] if t.pos_ == "VERB"), None)
    text = doc[first : seg.end].text.rstrip(".*; ")
    if verb is not None:
        text, _ = action_text(verb, seg.end)
    pos = verb.i if verb is not None else seg.start
    return [
        {
            "source": "action_section",
            "kind": "action_point",
            "who": owner,
            "action": text,
            "start": seg.start,
            "end": seg.end,
            "verb": pos,
        }
    ]
