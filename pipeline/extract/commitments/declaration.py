"""Declarations and compacts: "We commit to / We are committed to / reaffirm our commitment to",
and one row per undertaking when one sentence makes several ("to A and to B", "A; B; C").

The actor is whoever "we" stands for (``Actor.body``: the signatories of a declaration, the
country of a statement). Lists of actions under a lead-in are rows through ``Listing``.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Span, Token

from pipeline import rules
from pipeline.extract.commitments.action import action_text, seg_text
from pipeline.extract.commitments.actor import Actors
from pipeline.extract.commitments.clauses import states_a_view
from pipeline.extract.commitments.lexicon import lexicon

ORDINALS = {
    "first",
    "firstly",
    "second",
    "secondly",
    "third",
    "thirdly",
    "fourth",
    "fourthly",
    "fifth",
    "fifthly",
    "finally",
    "lastly",
    "also",
    "further",
}
PIECE_LEAD = {"to", "and", "or", ",", ";", "also", "further", "then", "as", "appropriate"}


NEGATED = re.compile(r"\b(?:not|no|never|n't|longer)\b", re.I)


@rules.per_rules("commitments")
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
            if NEGATED.search(m.group(0)):
                continue  # 'no longer prepared to', 'not committed to'
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
            if verb.lemma_.lower() in lexicon()["experience_verbs"] or states_a_view(verb):
                continue  # 'we continue to see / face ...', 'I continue to maintain that ...': no act
            action, end = action_text(verb, seg.end)
            start = owner.start
            out.append(
                {
                    "source": "undertaking",
                    "kind": kind,
                    "who": who,
                    "action": action,
                    "start": start,
                    "end": end,
                    "verb": verb.i,
                }
            )
    return out


CONTINUATION = re.compile(
    r"^\s*(?:This|That|These|It)\s+(?:also\s+)?(?:will\s+)?(?:includes?|means|entails|involves|covers)\s+", re.I
)


def continuation(seg: Span, previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    """'This includes strengthening A, enhancing B ...' right after an undertaking: more of the same
    actor's undertakings (split like any other list)."""
    m = CONTINUATION.match(seg_text(seg))
    if previous is None or m is None:
        return []
    at = seg.start_char + m.end()
    verb = next((t for t in seg if t.idx >= at), None)
    if verb is None:
        return []
    action, end = action_text(verb, seg.end)
    return [
        {
            "source": "pattern",
            "kind": "commitment",
            "who": [previous],
            "action": action,
            "start": seg.start,
            "end": end,
            "verb": verb.i,
        }
    ]


def split_coordinated(cands: list[dict[str, Any]], seg: Span) -> list[dict[str, Any]]:
    """One row per coordinated undertaking: '... to strengthen A and to strengthen B', 'maintain A,
    remain open to B, enhance C and deploy D', 'supporting A; strengthening B; fostering C'."""
    out = []
    doc = seg.doc
    speech = doc.user_data.get("doc_type") == "speech"
    for k, cand in enumerate(cands):
        if cand["kind"] != "commitment" and not (speech and cand["kind"] == "call"):
            out.append(cand)
            continue
        verb = doc[cand["verb"]]
        limit = min([c["start"] for c in cands[k + 1 :] if c["start"] > verb.i] + [seg.end])
        starts = _piece_starts(verb, limit) if cand["kind"] == "commitment" else _enumerated(verb, limit)
        if not starts:
            out.append(cand)
            continue
        bounds = [cand["start"], *starts]
        ends = [*starts, limit]
        for n, (a, b) in enumerate(zip(bounds, ends, strict=True)):
            while b > a + 1 and (doc[b - 1].lower_ in PIECE_LEAD or doc[b - 1].is_punct):
                b -= 1
            head = verb if n == 0 else _head_of(doc[a:b])
            action, _ = action_text(head, b)
            out.append({**cand, "action": action, "start": a, "end": b, "verb": head.i})
    return out


def _piece_starts(verb: Token, end: int) -> list[int]:
    """Token indices where a further undertaking starts after ``verb``: after a ';', at 'and to V',
    at a verb coordinated with it, at each of three or more comma-separated gerunds."""
    doc = verb.doc
    found: set[int] = set()
    gerunds = []
    for tok in doc[verb.i + 1 : end]:
        prev = doc[tok.i - 1]
        if prev.text == ";" and any(t.is_alpha for t in doc[tok.i : min(tok.i + 3, end)]):
            found.add(tok.i + (tok.lower_ in {"and", "or"}))
        elif tok.lower_ == "to" and tok.i + 1 < end and doc[tok.i + 1].tag_ == "VB" and prev.lower_ in {"and", ","}:
            found.add(tok.i)
        elif tok.dep_ == "conj" and tok.tag_ in {"VB", "VBG"} and _under(tok, verb):
            found.add(_piece_start(tok))
        elif tok.dep_ == "conj" and tok.tag_ == verb.tag_ == "VB" and tok.head.tag_ != "VB" and prev.lower_ == "and":
            found.add(_piece_start(tok))  # 'to strengthen X that are ... and exchange Y': parsed onto the clause
        if tok.tag_ == "VBG" and (prev.text == "," or prev.lower_ == "and" and doc[tok.i - 2].text == ","):
            gerunds.append(_piece_start(tok))
    if len(gerunds) >= 2:
        found.update(gerunds)
    return sorted(i for i in found if verb.i + 2 < i < end - 1)


def _enumerated(verb: Token, end: int) -> list[int]:
    """A speaker's call with enumerated tasks ('calls on X, first, to A; secondly, to B'): each
    '; [ordinal,] to V' starts a further call to the same addressee."""
    doc = verb.doc
    out = []
    for tok in doc[verb.i + 1 : end]:
        if tok.text != ";":
            continue
        i = tok.i + 1
        while i < end and doc[i].lower_ == "and":
            i += 1
        if i >= end or doc[i].lower_ not in ORDINALS:
            continue  # only an enumeration ('secondly, to ...') makes separate calls
        while i < end and (doc[i].lower_ in ORDINALS or doc[i].text == ","):
            i += 1
        if i + 1 < end and doc[i].lower_ == "to" and doc[i + 1].tag_ == "VB":
            out.append(tok.i + 1)
    return out


def _under(tok: Token, verb: Token) -> bool:
    """``tok`` is coordinated with ``verb`` (through a chain of conjuncts)."""
    while tok.dep_ == "conj" and tok.head != tok:
        tok = tok.head
        if tok == verb:
            return True
    return False


def _head_of(piece: Span) -> Token:
    """The first verb of a piece ('to strengthen ...', 'fostering ...'), else its first word."""
    return next((t for t in piece if t.tag_ in {"VB", "VBG", "VBP"}), piece[0])


def _piece_start(tok: Token) -> int:
    """Where a coordinated undertaking's clause starts: after the ';', ',' or 'and' before it."""
    doc = tok.doc
    i = tok.i
    while i - 1 > 0 and doc[i - 1].lower_ in PIECE_LEAD:
        if doc[i - 1].text in {";"}:
            break
        i -= 1
    while i < tok.i and doc[i].lower_ in {"and", "or", ",", ";"}:
        i += 1
    return i
