"""Time, place and status of a meeting mention: the date and place phrases its clause owns, the
General Assembly session sitting on the document date, and held/planned/ongoing from the date,
the tense and cue words.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from spacy.tokens import Span, Token

from pipeline.extract.cues import (
    date_of,
    has_phrase,
    spans_in,
)
from pipeline.extract.meetings.lexicon import MONTHS, lexicon, ordinals
from pipeline.extract.meetings.mention import left_text
from pipeline.isodate import iso_date


def _governor(tok: Token) -> Token:
    """The verb whose clause the meeting noun sits in (the noun itself in a verbless heading)."""
    head = tok
    while head.pos_ not in {"VERB", "AUX"} and head.head != head:
        head = head.head
    return head if head.pos_ in {"VERB", "AUX"} else tok


def clause_verbs(tok: Token) -> list[Token]:
    """The verb of the noun's clause and the verbs it chains to ('is to be held', 'will begin to meet')."""
    gov = _governor(tok)
    return [gov, *(c for c in gov.children if c.dep_ in {"xcomp", "ccomp"} and c.pos_ == "VERB")]


def owns(tok: Token, span: Span) -> bool:
    """A date or place belongs to the meeting when its phrase hangs off the meeting noun
    or off the verb of the noun's own clause (not off some verb further up the tree)."""
    if span.start <= tok.i < span.end:
        return True
    gov = _governor(tok)
    steps = next((n for n, a in enumerate(tok.ancestors, 1) if a.i == gov.i), 0)
    if steps > 3:
        gov = tok  # buried in a chain of prepositional phrases: only its own modifiers count
    for anc in span.root.ancestors:
        if anc.i == tok.i:
            return True
        if anc.pos_ in {"VERB", "AUX"}:
            if anc.dep_ in {"acl", "relcl"} and anc.head.i == tok.i:
                return True
            return anc.i == gov.i or (anc.dep_ in {"conj", "advcl"} and anc.head.i == gov.i)
    return False


def nearest(tok: Token, spans: list[Span]) -> Span | None:
    """The span closest to ``tok``; spans before the noun count 1.5 times the distance."""

    def dist(s: Span) -> float:
        if s.start > tok.i:
            return s.start - tok.i
        return (tok.i - s.end + 1) * 1.5

    return min(spans, key=dist) if spans else None


def _ents_in(ents: tuple[Span, ...], seg: Span) -> list[Span]:
    """``seg.ents`` from the Doc's entities read once (``Span.ents`` rebuilds them all)."""
    out = []
    for ent in ents[bisect.bisect_left([e.start for e in ents], seg.start) :]:
        if ent.end > seg.end:
            break
        out.append(ent)
    return out


def location_of(tok: Token, seg: Span, plural: bool, ents: tuple[Span, ...]) -> str | None:
    lex = lexicon()
    found: list[tuple[int, str]] = []
    for ent in _ents_in(ents, seg):
        if ent.label_ not in {"GPE", "LOC", "FAC"} or not owns(tok, ent):
            continue
        before = tok.doc[max(ent.start - 2, 0) : ent.start].text.lower().split()
        if before and before[-1] in {"in", "at"} or before[-2:-1] == ["in"]:
            text = re.sub(r"^(the)\s+", "", ent.text)
            found.append((abs(ent.start - tok.i), text))
    if not found:
        place = _place_of_clause(tok, seg)
        if place:
            return place
        return "virtual" if has_phrase(seg.text, lex["virtual_words"]) else None
    if plural and len(found) > 1:
        names = [t for _, t in sorted(found, key=lambda f: f[0])]
        return "; ".join(dict.fromkeys(names))
    return min(found)[1]


def _place_of_clause(tok: Token, seg: Span) -> str | None:
    """'is to be held in New York' when the NER gives no place: the proper noun after 'in'
    on the meeting noun or on the verb of its clause."""
    for owner in [tok, *(v for v in clause_verbs(tok) if v is not tok)]:
        for prep in owner.children:
            if prep.dep_ != "prep" or prep.lower_ != "in":
                continue
            obj = next((t for t in prep.children if t.dep_ == "pobj"), None)
            if obj is None or obj.pos_ != "PROPN" or obj.ent_type_ in {"ORG", "PERSON", "DATE"}:
                continue
            if any(c.dep_ == "det" for c in obj.children) and obj.ent_type_ not in {"GPE", "LOC", "FAC"}:
                continue  # 'stated in the Final Document': a document, not a place
            left = min([obj.i] + [t.i for t in obj.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"])
            if seg.start <= left and obj.i < seg.end:
                return tok.doc[left : obj.i + 1].text
    return None


def heading_place(tok: Token, seg: Span, ents: tuple[Span, ...]) -> str | None:
    """'Sixteenth Session Guangzhou, China, 23 to 29 November 2016': the first place after the
    name in a verbless line."""
    doc = tok.doc
    words = []
    for t in doc[tok.i + 1 : min(tok.i + 4, seg.end)]:
        if t.pos_ != "PROPN" or not t.is_title or t.lower_ in MONTHS:
            break
        words.append(t)
    after = words[-1].i + 1 if words else tok.i + 1
    if words and after + 1 < seg.end and doc[after].text == "," and doc[after + 1].pos_ == "PROPN":
        return " ".join(t.text for t in words)  # 'Session Guangzhou, China, 23 to 29 November'
    for ent in _ents_in(ents, seg):
        if ent.label_ in {"GPE", "LOC"} and 0 < ent.start - tok.i <= 3:
            return re.sub(r"^(the)\s+", "", ent.text)
    return None


def near_status(tok: Token) -> str | None:
    """'the upcoming Review Conference', 'the last session': a modifier of the noun itself."""
    lex = lexicon()
    words = {c.lower_ for c in tok.children if c.i < tok.i}
    if tok.dep_ == "compound":
        words |= {c.lower_ for c in tok.head.children if c.i < tok.i}
    if words & set(lex["near_planned"]):
        return "planned"
    if words & set(lex["near_held"]):
        return "held"
    if words & set(lex["near_ongoing"]) and "this" not in words:
        return "ongoing"
    return None


def ga_session(doc_date: str | None) -> int | None:
    """The General Assembly session sitting on ``doc_date``: it opens each September (1st: 1946)."""
    d = iso_date(doc_date)
    if d is None:
        return None
    return d.year - 1945 if d.month >= 9 else d.year - 1946


def session_status(tok: Token, seg: Span, doc_date: str | None, left: int) -> str | None:
    """An ordinal session of the General Assembly against the session sitting on doc_date."""
    before = tok.doc[min(left, tok.i) : tok.i].text or left_text(tok)
    if tok.lemma_.lower() != "session" or "special" in before.lower():
        return None
    nums = ordinals(before)
    current = ga_session(doc_date)
    doc = tok.doc
    if len(nums) != 1 or current is None or nums[0] < 40:
        return None
    ga = "general assembly" in seg.text.lower() or "general assembly" in doc[: min(len(doc), 80)].text.lower()
    if not ga:
        return None
    return "held" if nums[0] < current else "ongoing" if nums[0] == current else "planned"


def status_of(tok: Token, seg: Span, start: str | None, end: str | None, doc_date: str | None) -> str:
    """held/planned/ongoing: the date against the document date first, then tense and cues."""
    lex = lexicon()
    ref, d0, d1 = iso_date(doc_date), iso_date(start), iso_date(end or start)
    if ref and d1 and d1 < ref:
        return "held"
    if ref and d0 and d0 > ref:
        return "planned"
    near = near_status(tok) if tok.pos_ != "VERB" else None
    if near is not None and not (ref and d0 and d1):
        return near
    verb = _governor(tok)
    aux = {c.lower_ for c in verb.children if c.dep_ in {"aux", "auxpass"}}
    window = seg.text
    chain = [verb, verb.head] if verb.dep_ in {"xcomp", "ccomp"} else [verb]
    if any(v.lemma_.lower() == "continue" for v in chain) and not (d0 or d1):
        return "ongoing"  # 'to continue to hold regular briefings', 'negotiations continue'
    if ref and d0 and d1 and d0 <= ref <= d1:
        if has_phrase(window, lex["ongoing_cues"]) or verb.tag_ in {"VBP", "VBZ", "VBG"}:
            return "ongoing"
        return "planned" if aux & {"will", "shall", "would", "'ll", "to"} else "held"
    if aux & {"will", "shall", "would", "could", "should", "may", "might"}:
        return "planned"
    if verb.tag_ == "VBD" or (verb.tag_ == "VBN" and aux & {"has", "have", "had", "was", "were"}):
        return "held"
    if has_phrase(window, lex["held_cues"]):
        return "held"
    if has_phrase(window, lex["ongoing_cues"]):
        return "ongoing"
    return "planned"


def next_date(seg: Span) -> dict[str, Any] | None:
    """A date standing alone on the line after a heading ('50th plenary meeting' / '22 December 2023')."""
    doc = seg.doc
    end = seg.end
    while end < len(doc) and doc[end].is_space:
        end += 1
    nxt = doc[end : min(end + 8, len(doc))]
    line = nxt.text.split("\n")[0]
    spans = spans_in(doc, "dates", nxt.start_char, nxt.start_char + len(line))
    for s in spans:
        rec = date_of(s) or {}
        if rec.get("kind") != "time" and rec.get("start") and len(s.text) >= 0.7 * len(line.strip()):
            return rec
    return None


def clause_range(tok: Token, seg: Span) -> tuple[int, int]:
    """Token range of the clause around the noun, for when a sentence names two meetings."""
    gov = _governor(tok)
    return max(gov.left_edge.i, seg.start), min(gov.right_edge.i + 1, seg.end)


def _title_line(tok: Token) -> bool:
    """The noun's line reads as a title: most of its words capitalized ('8 Next Meeting')."""
    doc = tok.doc
    lo, hi = tok.i, tok.i
    while lo > 0 and "\n" not in doc[lo - 1].text_with_ws:
        lo -= 1
    while hi + 1 < len(doc) and "\n" not in doc[hi].text_with_ws:
        hi += 1
    words = [t for t in doc[lo : hi + 1] if t.is_alpha]
    return bool(words) and sum(t.text[0].isupper() for t in words) / len(words) >= 0.6


def salience(tok: Token, heading: bool) -> int:
    """How much a mention is about the meeting itself: a heading, the subject of its clause,
    or a noun governed by a verb of holding/deciding."""
    if tok.pos_ == "VERB":
        return 2
    score = 2 if heading and _title_line(tok) else 0
    if tok.dep_ in {"nsubj", "nsubjpass"}:
        score += 1
    gov = _governor(tok)
    if gov is not tok and gov.lemma_.lower() in lexicon()["holding_verbs"]:
        score += 2 if gov.lemma_.lower() in {"meet", "hold", "convene", "gather", "take"} else 1
    return score
