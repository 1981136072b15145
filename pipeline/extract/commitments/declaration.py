"""Declarations and compacts: "We commit to / We are committed to / reaffirm our commitment to",
and one row per undertaking when one sentence makes several ("to A and to B", "A; B; C").

The actor is whoever "we" stands for (``Actor.body``: the signatories of a declaration, the
country of a statement). Lists of actions under a lead-in are rows through ``Listing``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from spacy.tokens import Span, Token

from pipeline.extract.commitments.action import action_text, seg_text
from pipeline.extract.commitments.actor import Actors
from pipeline.extract.commitments.lexicon import lexicon

PIECE_LEAD = {"to", "and", "or", ",", ";", "also", "further", "then", "as", "appropriate"}


@cache
def _phrases() -> list[tuple[re.Pattern[str], str]]:
    """The undertaking phrases of the lexicon, each ending just before the 'to' of its action."""
    return [(re.compile(p["regex"], re.I), p["kind"]) for p in lexicon()["undertaking_phrases"]]


def undertakings(seg: Span, actors: Actors) -> list[dict[str, Any]]:
    """'We are committed to protecting ...', 'reaffirm our shared commitment to supporting ...',
    'reiterate our will to strengthen ...': the first-person body undertakes the action."""
    text = seg_text(seg)
    out = []
    for pattern, kind in _phrases():
        for m in pattern.finditer(text):
            owner = seg.doc.char_span(
                seg.start_char + m.start("who"), seg.start_char + m.end("who"), alignment_mode="expand"
            )
            if owner is None:
                continue
            who = actors.pronoun(owner[0]) if owner[0].pos_ == "PRON" else actors.of_subject(owner.root, seg)
            at = seg.start_char + m.end()
            verb = next((t for t in seg if t.idx >= at and t.tag_ in {"VB", "VBG"}), None)
            if verb is None or verb.idx - at > 30:  # 'we aim for full access ...': the goal is the act
                verb = next((t for t in seg if t.idx >= at), None)
            if not who or verb is None:
                continue
            action, end = action_text(verb, seg.end)
            start = owner.start
            out.append(
                {
                    "source": "addressee",
                    "kind": kind,
                    "who": who,
                    "action": action,
                    "start": start,
                    "end": end,
                    "verb": verb.i,
                }
            )
    return out


def split_coordinated(cands: list[dict[str, Any]], seg: Span) -> list[dict[str, Any]]:
    """One row per coordinated undertaking: '... to strengthen A and to strengthen B', 'maintain A,
    remain open to B, enhance C and deploy D', 'supporting A; strengthening B; fostering C'."""
    out = []
    for cand in cands:
        if cand["kind"] != "commitment" or cand.get("split") is False:
            out.append(cand)
            continue
        verb = seg.doc[cand["verb"]]
        pieces = [t for t in _conjuncts(verb) if t.i < seg.end]
        if not pieces:
            out.append(cand)
            continue
        bounds = [cand["start"], *(_piece_start(t) for t in pieces)]
        ends = [*(b for b in bounds[1:]), seg.end]
        for n, (a, b) in enumerate(zip(bounds, ends, strict=True)):
            head = verb if n == 0 else pieces[n - 1]
            action, _ = action_text(head, b)
            out.append({**cand, "action": action, "start": a, "end": b, "verb": head.i})
    return out


def _conjuncts(verb: Token) -> list[Token]:
    """Verbs coordinated with ``verb`` (and with each other), in text order."""
    found: list[Token] = []
    todo = [verb]
    while todo:
        tok = todo.pop()
        for child in tok.children:
            if child.dep_ == "conj" and child.pos_ in {"VERB", "AUX"} and child.tag_ in {"VB", "VBG", "VBP"}:
                found.append(child)
                todo.append(child)
    return sorted(found, key=lambda t: t.i)


def _piece_start(tok: Token) -> int:
    """Where a coordinated undertaking's clause starts: after the ';', ',' or 'and' before it."""
    doc = tok.doc
    i = tok.i
    while i - 1 > 0 and doc[i - 1].lower_ in {
        "to",
        "and",
        "or",
        ",",
        ";",
        "also",
        "further",
        "then",
        "as",
        "appropriate",
    }:
        if doc[i - 1].text in {";"}:
            break
        i -= 1
    while i < tok.i and doc[i].lower_ in {"and", "or", ",", ";"}:
        i += 1
    return i
