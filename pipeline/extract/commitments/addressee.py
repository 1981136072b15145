"""Calls with an addressee in any genre: "Requests / urges / calls upon X ... to V"."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Span, Token

from pipeline.extract.commitments.action import action_text, first_word, list_after, to_verb_of
from pipeline.extract.commitments.actor import Actors, Chunks, addressee_group, plain_addressee
from pipeline.extract.commitments.lexicon import lexicon


def cue_kind(tok: Token, seg: Span) -> str | None:
    """Kind of an addressee cue verb ('requests', 'calls upon', 'encourage'), else None."""
    lex = lexicon()
    kind = lex["addressee_verbs"].get(tok.lemma_.lower()) or lex["addressee_verbs"].get(tok.lower_.rstrip("s"))
    perfect = tok.tag_ == "VBN" and any(c.lemma_ == "have" and c.dep_ == "aux" for c in tok.children)
    progressive = tok.tag_ == "VBG" and any(c.lemma_ == "be" and c.dep_ == "aux" for c in tok.children)
    gerund = tok.tag_ == "VBG" and not (progressive or tok.lower_ == "calling")  # 'Calling upon' opens a paragraph
    if kind is None or (tok.tag_ == "VBN" and not perfect) or gerund:
        return None  # 'X is requested' is the passive scan's; 'we have called on X to' is a call
    first = first_word(seg)
    if tok.pos_ not in {"VERB", "AUX"} and tok.i != first:
        return None
    preps = lex["addressee_preps"].get(tok.lemma_.lower()) or lex["addressee_preps"].get(tok.lower_.rstrip("s"))
    if preps:
        nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
        if nxt is None or nxt.lower_ not in preps:
            return None
    return kind


def addressee_scan(seg: Span, actors: Actors, cue_tokens: list[int], chunks: Chunks) -> list[dict[str, Any]]:
    """'Requests X, and invites Y, ... to V': each cue's addressees are the actors before 'to V'.

    ``cue_tokens``: the segment's tokens that may be cues (``CommitmentFinder.cues``)."""
    doc = seg.doc
    cues = [(i, k) for i in cue_tokens if (k := cue_kind(doc[i], seg))]
    out = []
    for n, (ci, kind) in enumerate(cues):
        stop = cues[n + 1][0] if n + 1 < len(cues) else seg.end
        to_verb = to_verb_of(seg, ci + 1)
        listed = list_after(seg) if to_verb is None else None
        if to_verb is None and listed is None:
            continue
        limit = to_verb.i if to_verb is not None else seg.end
        if limit - ci > 80:
            continue
        spans = actors.over(range(ci + 1, min(stop, limit)))
        if not spans:
            spans = plain_addressee(doc[ci + 1 : min(stop, limit)], chunks)
        if not spans:
            continue
        lead = doc[ci + 1 : spans[0].start]
        if any(t.pos_ == "VERB" for t in lead) or len(lead) > 6:
            continue
        who = [actors.record(s) for s in addressee_group(spans)]
        if to_verb is not None:
            text, end = action_text(to_verb, seg.end)
        else:
            text, end = listed or "", seg.end
        verb = to_verb.i if to_verb is not None else seg.end - 1
        out.append(
            {"source": "addressee", "kind": kind, "who": who, "action": text, "start": ci, "end": end, "verb": verb}
        )
    out += passive_scan(seg, actors, cue_tokens)
    return out


def passive_scan(seg: Span, actors: Actors, cue_tokens: list[int]) -> list[dict[str, Any]]:
    """'X, as part of ..., is requested to V' when the parser lost the subject."""
    doc = seg.doc
    out = []
    for tok in (doc[i] for i in cue_tokens):
        kind = lexicon()["addressee_verbs"].get(tok.lemma_.lower())
        if kind is None or tok.tag_ != "VBN" or tok.i == seg.start:
            continue
        if doc[tok.i - 1].lemma_ != "be" or any(c.dep_ == "nsubjpass" for c in tok.children):
            continue
        to_verb = to_verb_of(seg, tok.i + 1)
        if to_verb is None or to_verb.i - tok.i > 3:
            continue
        clause_start = max([seg.start, *(t.i + 1 for t in doc[seg.start : tok.i] if t.text in {";", ":"})])
        spans = actors.over(range(clause_start, tok.i))
        if not spans:
            continue
        text, end = action_text(to_verb, seg.end)
        who = [actors.record(s) for s in addressee_group(spans)]
        out.append(
            {
                "source": "addressee",
                "kind": kind,
                "who": who,
                "action": text,
                "start": clause_start,
                "end": end,
                "verb": to_verb.i,
            }
        )
    return out


def proposals(seg: Span, actors: Actors) -> list[dict[str, Any]]:
    """'A lightweight process is proposed to accommodate ...': a recommendation of the body the
    document is for (a note proposes; its session or author is the one to act)."""
    out = []
    verbs = lexicon()["proposal_verbs"]
    for tok in seg:
        kind = verbs.get(tok.lemma_.lower())
        if kind is None or tok.tag_ != "VBN" or not any(c.dep_ == "auxpass" for c in tok.children):
            continue
        subj = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
        body = actors.deciding_body(seg.start_char)
        if subj is None or subj.pos_ == "PRON" or body is None or any(c.dep_ == "agent" for c in tok.children):
            continue
        phrase = seg.doc[subj.left_edge.i : subj.i + 1].text
        goal = next((c for c in tok.children if c.dep_ in {"xcomp", "advcl"} and c.tag_ == "VB"), None)
        action = f"{phrase} ({action_text(goal, seg.end)[0]})" if goal is not None else phrase
        out.append(
            {
                "source": "pattern",
                "kind": kind,
                "who": [body],
                "action": action,
                "start": seg.start,
                "end": seg.end,
                "verb": tok.i,
            }
        )
    return out
