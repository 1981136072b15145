"""Meetings, conferences, sessions and other gatherings named in a document.

A meeting is found from its head noun (lexicon in ``models/meetings/lexicon.json``), named
by the noun's own modifiers, and placed in time by the nearest date expression the date
component found in the same clause. Mentions of one meeting within a document are merged,
so each real gathering yields one span; ``event_key`` does the same across documents.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import numpy as np
from rapidfuzz import fuzz
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from pipeline.extract.cues import (
    date_of,
    ensure_extension,
    has_phrase,
    load_lexicon,
    run_text,
    segment_bounds,
    segments,
    spans_in,
    unique_span,
)
from pipeline.isodate import iso_date
from pipeline.nlp import text_of

NAME_LEFT_DEPS = {"amod", "compound", "nummod", "nmod", "npadvmod", "quantmod", "punct", "advmod"}
NAME_PREPS = {"of", "on", "for", "towards", "toward", "with", "between", "among", "to"}
SPEC_DEPS = {"amod", "compound", "nummod", "nmod", "poss", "prep", "acl", "relcl", "appos"}
HEADER_CHARS = 400
MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}
STOP = {"the", "a", "an", "of", "on", "for", "to", "and", "in", "with", "towards", "toward"}
UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
}
TENS = {"twent": 20, "thirt": 30, "fort": 40, "fift": 50, "sixt": 60, "sevent": 70, "eight": 80, "ninet": 90}
TENS_RE = "|".join(TENS)
ORDINAL_RE = re.compile(
    rf"\b(?:(?P<tens>{TENS_RE})(?:ieth|y-?\s?(?P<unit>{'|'.join(UNITS)})))\b"
    rf"|\b(?P<small>{'|'.join(UNITS)})\b|\b(?P<num>\d{{1,3}})(?:st|nd|rd|th)\b",
    re.IGNORECASE,
)
YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")


def ordinals(text: str) -> list[int]:
    """The ordinal numbers written in ``text``: 'fifty-second' -> 52, 'seventy- second' -> 72, '50th' -> 50."""
    out = []
    for m in ORDINAL_RE.finditer(text):
        if m["num"]:
            out.append(int(m["num"]))
        elif m["small"]:
            out.append(UNITS[m["small"].lower()])
        else:
            out.append(TENS[m["tens"].lower()] + (UNITS[m["unit"].lower()] if m["unit"] else 0))
    return out


def _lex() -> dict[str, Any]:
    return load_lexicon("meetings")


def _meeting_type(tok: Token) -> str | None:
    if tok.pos_ == "VERB":
        return _lex()["meeting_verbs"].get(tok.lemma_.lower()) if _with(tok) is not None else None
    nouns = _lex()["nouns"]
    return nouns.get(tok.lower_) or nouns.get(tok.lemma_.lower())


def _with(verb: Token) -> Token | None:
    """The 'with' phrase of 'meet with X' (X not a bare pronoun): a verbal meeting mention."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ == "with":
            objs = [t for t in child.children if t.dep_ == "pobj"]
            if objs and objs[0].pos_ != "PRON":
                return child
    return None


def _is_heading(seg: Span) -> bool:
    """A short line without final punctuation, or one in capitals, is a heading."""
    letters = [c for c in seg.text if c.isalpha()]
    upper = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8
    return upper or (len(seg) <= 16 and seg.text.rstrip()[-1:] not in ".;:!?")


def _name_tokens(tok: Token, seg: Span) -> tuple[int, int]:
    """Token range of the meeting name: the noun, its modifiers and its of/on/for phrase."""
    left = tok.i
    while left - 1 >= seg.start:
        prev = tok.doc[left - 1]
        if prev.is_space or prev.text in {",", ";", ":", "(", ")"}:
            break
        in_tree = left - 1 <= prev.head.i <= tok.i or prev.head in {tok, tok.head}
        if prev.dep_ in NAME_LEFT_DEPS and in_tree or prev.text in {'"', "“", "”", "-"}:
            left -= 1
            continue
        if prev.is_title and prev.pos_ in {"PROPN", "NOUN", "ADJ"} and in_tree:
            left -= 1
            continue
        break
    right = tok.i + 1
    preps = {"of"} if any(c.dep_ == "poss" for c in tok.children) else NAME_PREPS
    for child in tok.rights:
        if child.dep_ == "prep" and child.lower_ in preps and child.i == right:
            end = max(t.i for t in child.subtree) + 1
            stops = [t.i for t in tok.doc[child.i : end] if t.text in {",", ";", ":", "("}]
            right = min([end, *stops, child.i + 16, seg.end])
            break
    while left < right and tok.doc[left].text in {'"', "-", "“"}:
        left += 1
    return _ordinal_list_start(tok, left, seg), right


ORD_WORD = (
    rf"(?:(?:{TENS_RE})(?:ieth|y-?\s?(?:{'|'.join(UNITS)}))|(?:{'|'.join(UNITS)})|\d{{1,3}}(?:st|nd|rd|th))"
)
ORD_LIST_RE = re.compile(
    rf"(?:{ORD_WORD}(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+))*(?:{ORD_WORD}\s+)?$", re.IGNORECASE
)


def _ordinal_list_start(tok: Token, left: int, seg: Span) -> int:
    """'the fifty-second, fifty-third and fifty-fourth ministerial meetings': a name whose
    ordinals are listed with commas starts at the first ordinal."""
    doc = tok.doc
    lo = max(seg.start, left - 30)
    before = doc[lo:left].text_with_ws if left > lo else ""
    m = ORD_LIST_RE.search(before)
    if m is None or not m.group(0) or len(ordinals(m.group(0) + doc[left : tok.i].text)) < 2:
        return left
    span = doc.char_span(doc[lo].idx + m.start(), doc[left].idx, alignment_mode="expand")
    return span.start if span is not None else left


def _left_text(tok: Token) -> str:
    """The words left of the noun inside its own phrase (its modifiers)."""
    left = min((c.left_edge.i for c in tok.lefts), default=tok.i)
    return tok.doc[left : tok.i].text


def _needs_cue_ok(tok: Token, seg: Span) -> bool:
    rules = _lex()["nouns_needing_cue"]
    rule = rules.get(tok.lower_) or rules.get(tok.lemma_.lower())
    if rule is None:
        return True
    if rule.get("ordinal") and (ordinals(_left_text(tok)) or YEAR_RE.search(_left_text(tok))):
        return True
    nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    preps = [c for c in tok.rights if c.dep_ == "prep"] + ([nxt] if nxt is not None and nxt.dep_ == "prep" else [])
    for child in preps:
        if child.lower_ in rule.get("preps", []):
            objs = [t for t in child.children if t.dep_ == "pobj" and t.pos_ != "PRON"]
            if any(t.pos_ == "PROPN" for o in objs for t in o.subtree):
                return True  # 'dialogue with my counterparts from Jordan', not 'with the authorities'
    mods = {c.lower_ for c in tok.subtree if c.i < tok.i} | {c.lower_ for c in tok.children}
    if tok.i > 0:
        mods.add(tok.doc[tok.i - 1].lower_)
    if mods & set(rule["modifiers"]):
        return True
    head = tok.head if tok.dep_ != "pobj" else tok.head.head
    return head.lemma_.lower() in set(rule["verbs"])


def _picked(tok: Token) -> bool:
    """An ordinal, a year or 'review' among the modifiers picks one sitting of a body."""
    left = _left_text(tok)
    return bool(ordinals(left) or YEAR_RE.search(left) or "review" in left.lower())


def _standing_body(tok: Token, seg: Span) -> bool:
    """'the Conference on Disarmament', 'X, as the single negotiating forum': a body, not a sitting."""
    lex = _lex()
    doc = tok.doc
    if _picked(tok):
        return False
    lo = doc[max(tok.i - 6, seg.start)].idx
    window = doc[max(tok.i - 6, seg.start) : min(tok.i + 8, seg.end)].text.lower()
    at = tok.idx - lo
    for name in lex["standing_bodies"]:
        for m in re.finditer(re.escape(name), window):
            if m.start() <= at < m.end():
                return True
    # the noun (or the list it heads) described 'as the ... body/forum'
    node = tok
    while node.dep_ == "conj" and node.head != node:
        node = node.head
    for n in {tok, node}:
        for child in n.children:
            if child.dep_ == "prep" and child.lower_ == "as":
                objs = [t for t in child.children if t.dep_ == "pobj"]
                if objs and objs[0].lower_ in lex["body_nouns"]:
                    return True
    # the noun is itself the 'as ...' description of something
    if tok.dep_ == "pobj" and tok.head.lower_ == "as":
        return True
    return False


def _is_mention(tok: Token, seg: Span, heading: bool) -> bool:
    """A meeting noun that refers to a specific gathering, not an organ, document or anaphor."""
    lex = _lex()
    doc = tok.doc
    if not heading and tok.pos_ not in {"NOUN", "PROPN"}:
        return False
    nxt = doc[tok.i + 1] if tok.i + 1 < seg.end else None
    if tok.dep_ in {"compound", "amod", "nmod"} and tok.i < tok.head.i < seg.end and _meeting_type(tok.head):
        return False  # 'plenary meeting', 'Summit meeting': the head noun names it
    if nxt is not None and nxt.pos_ in {"NOUN", "PROPN"} and _meeting_type(nxt) is not None and not tok.is_title:
        return False
    new_field = nxt is not None and nxt.is_title and not tok.is_title  # 'Eightieth session Agenda item'
    if (
        not new_field
        and tok.dep_ == "compound"
        and tok.tag_ in {"NN", "NNP"}
        and tok.i < tok.head.i < seg.end
        and tok.head.pos_ == "NOUN"
        and not tok.head.is_title
    ):
        return False  # 'meeting times', 'session report', 'meeting end'
    after = doc[tok.i + 1 : min(tok.i + 5, seg.end)].text.lower()
    if not new_field and not _picked(tok) and any(after.startswith(m) for m in lex["organ_markers"]):
        return False
    if not _needs_cue_ok(tok, seg):
        return False
    before = doc[max(tok.i - 3, seg.start) : tok.i + 1].text.lower()
    if any(before.endswith(i) for i in lex["idioms"]):
        return False
    around = doc[max(tok.i - 12, seg.start) : min(tok.i + 6, seg.end)].text.lower()
    if any(c in around for c in lex["citation_cues"]):
        return False
    if _standing_body(tok, seg):
        return False
    kids = list(tok.children)
    dets = [c.lower_ for c in kids if c.dep_ in {"det", "poss", "amod", "predet"}]
    if "such" in dets:
        return False
    if tok.dep_ == "compound":
        kids += [c for c in tok.head.children if c.i < tok.i]
    specified = any(c.dep_ in SPEC_DEPS and c.lower_ not in {"such"} for c in kids)
    if any(d in lex["anaphoric_determiners"] for d in dets) and not specified:
        return False
    if heading:
        return True
    if not any(c.dep_ != "punct" and seg.start <= c.i < seg.end for c in tok.children) and tok.dep_ != "compound":
        return False  # 'Meeting was adjourned.': the bare noun is the meeting at hand
    if not specified and not (tok.is_title and tok.i > seg.start):
        return False
    return True


def _governor(tok: Token) -> Token:
    """The verb whose clause the meeting noun sits in (the noun itself in a verbless heading)."""
    head = tok
    while head.pos_ not in {"VERB", "AUX"} and head.head != head:
        head = head.head
    return head if head.pos_ in {"VERB", "AUX"} else tok


def _clause_verbs(tok: Token) -> list[Token]:
    """The verb of the noun's clause and the verbs it chains to ('is to be held', 'will begin to meet')."""
    gov = _governor(tok)
    return [gov, *(c for c in gov.children if c.dep_ in {"xcomp", "ccomp"} and c.pos_ == "VERB")]


def _own(tok: Token, span: Span) -> bool:
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


def _nearest(tok: Token, spans: list[Span]) -> Span | None:
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


def _location(tok: Token, seg: Span, plural: bool, ents: tuple[Span, ...]) -> str | None:
    lex = _lex()
    found: list[tuple[int, str]] = []
    for ent in _ents_in(ents, seg):
        if ent.label_ not in {"GPE", "LOC", "FAC"} or not _own(tok, ent):
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
    for owner in [tok, *(v for v in _clause_verbs(tok) if v is not tok)]:
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


def _near_status(tok: Token) -> str | None:
    """'the upcoming Review Conference', 'the last session': a modifier of the noun itself."""
    lex = _lex()
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


def _session_status(tok: Token, seg: Span, doc_date: str | None, left: int) -> str | None:
    """An ordinal session of the General Assembly against the session sitting on doc_date."""
    before = tok.doc[min(left, tok.i) : tok.i].text or _left_text(tok)
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


def _status(tok: Token, seg: Span, start: str | None, end: str | None, doc_date: str | None) -> str:
    """held/planned/ongoing: the date against the document date first, then tense and cues."""
    lex = _lex()
    ref, d0, d1 = iso_date(doc_date), iso_date(start), iso_date(end or start)
    if ref and d1 and d1 < ref:
        return "held"
    if ref and d0 and d0 > ref:
        return "planned"
    near = _near_status(tok) if tok.pos_ != "VERB" else None
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


def _gathering(verb: Token, seg: Span) -> bool:
    """'we gathered in Los Angeles', 'gather together the supporters ... in October'."""
    lex = _lex()
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in lex["gathering_verbs"]:
        return False
    objs = [c for c in verb.children if c.dep_ in {"dobj", "obj"}]
    if objs and {objs[0].lemma_.lower(), objs[0].lower_} & set(lex["not_gathered"]):
        return False
    if any(c.lower_ == "together" for c in verb.children):
        return True
    for c in verb.children:
        if c.dep_ == "prep" and c.lower_ in {"in", "at"}:
            objs = [t for t in c.children if t.dep_ == "pobj"]
            if any(t.ent_type_ in {"GPE", "LOC", "FAC", "DATE"} for t in c.subtree):
                return True
            if objs and objs[0].pos_ == "PROPN":
                return True
    return False


def _is_generic(tok: Token, left: int, right: int) -> bool:
    """'future negotiations', 'regular meetings': only generic words before the noun and no
    name phrase after it."""
    if right > tok.i + 1:
        return False
    named = (c for c in tok.rights if c.dep_ == "prep" and c.lower_ in NAME_PREPS)
    if any(g.dep_ == "pobj" for c in named for g in c.children):
        return False  # 'periodic meetings, at least annually, of the Network's membership'
    doc = tok.doc
    after = doc[tok.i + 1 : min(tok.i + 9, len(doc))]
    if len(after) > 2 and after[0].text == ",":
        close = next((t.i for t in after[1:] if t.text == ","), None)
        if close is not None and close + 1 < len(doc) and doc[close + 1].lower_ == "of":
            return False  # an aside between commas, then the name: 'meetings, at least annually, of X'
    gov = tok.head if tok.dep_ in {"dobj", "obj", "nsubjpass"} else None
    if gov is not None and gov.lemma_.lower() in {"hold", "organize", "organise", "convene", "host", "preside"}:
        return False  # 'are requested to organize discussions'
    lo = min([left, *(c.left_edge.i for c in tok.lefts)])
    words = [t for t in tok.doc[lo : tok.i] if not t.is_punct and t.dep_ != "cc"]
    generic = set(_lex()["generic_modifiers"])
    if any(t.pos_ == "PROPN" or t.is_title and t.i > left for t in words) or tok.is_title:
        return False
    return all(t.lower_ in generic for t in words)


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


def _salience(tok: Token, heading: bool) -> int:
    """How much a mention is about the meeting itself: a heading, the subject of its clause,
    or a noun governed by a verb of holding/deciding."""
    if tok.pos_ == "VERB":
        return 2
    score = 2 if heading and _title_line(tok) else 0
    if tok.dep_ in {"nsubj", "nsubjpass"}:
        score += 1
    gov = _governor(tok)
    if gov is not tok and gov.lemma_.lower() in _lex()["holding_verbs"]:
        score += 2 if gov.lemma_.lower() in {"meet", "hold", "convene", "gather", "take"} else 1
    return score


def _next_date(seg: Span) -> dict[str, Any] | None:
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


def _mention(tok: Token, seg: Span, doc_date: str | None, ents: tuple[Span, ...]) -> dict[str, Any] | None:
    doc = tok.doc
    heading = _is_heading(seg)
    if tok.pos_ == "VERB" and _gathering(tok, seg):
        mtype = _lex()["gathering_verbs"][tok.lemma_.lower()]
        objs = [c for c in tok.children if c.dep_ in {"dobj", "obj"}]
        left, right = tok.i, tok.i + 1
        name = "gathering"
        if objs:
            right = min(max(t.i for t in objs[0].subtree) + 1, seg.end)
            name = "gathering of " + doc[objs[0].left_edge.i : right].text
        else:
            subj = [c for c in tok.children if c.dep_ == "nsubj"]
            if subj:
                left = subj[0].i
    else:
        mtype = _meeting_type(tok)
        if mtype is None:
            return None
        if tok.pos_ == "VERB":
            prep = _with(tok)
            left, right = tok.i, min(prep.right_edge.i + 1, seg.end)
            name = f"{mtype} " + doc[prep.i : right].text
        elif _is_mention(tok, seg, heading):
            left, right = _name_tokens(tok, seg)
            name = doc[left:right].text.strip(' "“”')
        else:
            return None
    if not name:
        return None
    verbless = heading or not any(t.pos_ in {"VERB", "AUX"} for t in seg)
    dates = [
        s
        for s in spans_in(doc, "dates", seg.start_char, seg.end_char)
        if (date_of(s) or {}).get("kind") != "time" and (verbless or _own(tok, s))
    ]
    near = _nearest(tok, dates)
    indefinite = any(c.dep_ == "det" and c.lower_ in {"a", "an"} for c in tok.children)
    rec = date_of(near) if near is not None else None
    if rec is None and heading and tok.pos_ != "VERB":
        rec = _next_date(seg)
    start = rec.get("start") if rec else None
    end = rec.get("end") if rec else None
    source = "text" if rec else None
    in_header = (
        seg.start_char < HEADER_CHARS
        and heading
        and tok.pos_ != "VERB"
        and (tok.is_title or tok.is_upper)
        and _near_status(tok) is None
    )
    location = _location(tok, seg, tok.tag_ in {"NNS", "NNPS"}, ents)
    if location is None and verbless:
        location = _heading_place(tok, seg, ents)
    if tok.pos_ != "VERB" and rec is None and location is None and _is_generic(tok, left, right):
        return None
    persons = {"their", "his", "her", "my", "your"}
    if tok.pos_ != "VERB" and rec is None and location is None and right == tok.i + 1:
        if any(c.dep_ == "poss" and c.lower_ in persons for c in tok.children):
            return None  # 'members attending their first meeting': each person's own, not one gathering
    if indefinite and rec is None and location is None:
        verb = tok.head if tok.dep_ in {"dobj", "obj"} else None
        cue = _lex()["nouns_needing_cue"].get(tok.lower_, {}).get("verbs", [])
        verbs = {v.lemma_.lower() for v in _clause_verbs(tok)}
        held = tok.dep_ in {"nsubj", "nsubjpass"} and bool(verbs & {"hold", "take", "convene"})
        hosting = {"hold", "convene", "organize", "organise", "host", *cue}
        if not held and (verb is None or verb.lemma_.lower() not in hosting):
            return None  # "a self-standing meeting might ...": a hypothetical, not an event
    if location is None and in_header:
        following = doc[seg.end : seg.end + 40].text
        if has_phrase(following.split("\n\n")[0], _lex()["virtual_words"]):
            location = "virtual"
    session = _session_status(tok, seg, doc_date, left) if tok.pos_ != "VERB" else None
    if tok.pos_ == "VERB" and rec is None and doc_date and seg.start_char < HEADER_CHARS and tok.tag_ == "VBD":
        start = end = doc_date  # 'We, the Heads of State, gathered in X ...': the gathering the text comes from
        source = "doc_date"
    if rec is None and in_header and doc_date and mtype != "session":
        start = end = doc_date
        source = "doc_date"
    if session is not None and rec is None:
        status = session
    elif in_header and mtype == "session" and rec is None:
        status = "ongoing"  # the session a document is issued under
    else:
        status = _status(tok, seg, start, end, doc_date)
    if source == "doc_date":
        status = "held"
    return {
        "name": name,
        "type": mtype,
        "start": str(start)[:10] if start else None,
        "end": str(end)[:10] if end else None,
        "location": location,
        "status": status,
        "name_start_char": doc[left].idx,
        "name_end_char": doc[right - 1].idx + len(doc[right - 1].text),
        "_seg": seg,
        "_proper": (right - left > 1 and doc[left:right].text.istitle())
        or any(t.pos_ == "PROPN" and t.i > seg.start for t in doc[left:right]),
        "_near": _near_status(tok) if tok.pos_ != "VERB" else None,
        "_clause": _clause(tok, seg),
        "_source": source,
        "_salience": _salience(tok, heading),
        "_tokens": (left, right),
    }


def _heading_place(tok: Token, seg: Span, ents: tuple[Span, ...]) -> str | None:
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


def _clause(tok: Token, seg: Span) -> tuple[int, int]:
    """Token range of the clause around the noun, for when a sentence names two meetings."""
    gov = _governor(tok)
    return max(gov.left_edge.i, seg.start), min(gov.right_edge.i + 1, seg.end)


def _content(name: str) -> set[str]:
    words = re.findall(r"[a-z]+", name.lower())
    return {w.rstrip("s") for w in words if w not in STOP and w not in MONTHS}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two mentions in one document name the same gathering."""
    if a["type"] != b["type"]:
        return False
    if a.get("_code") or b.get("_code"):
        return _same_code(a, b)
    if a.get("_near") != b.get("_near") and (a.get("_near") or b.get("_near")):
        return False  # 'the next meeting' is not 'the meeting' reported adjourned
    dated = a["_source"] == "text" and b["_source"] == "text"
    if dated and (a["start"] or "")[:7] != (b["start"] or "")[:7]:  # relative dates without an anchor are None
        return False
    oa, ob = ordinals(a["name"]), ordinals(b["name"])
    if oa and ob and oa != ob:
        return False  # 'eighty-first session' and 'eighty-fourth session' are two sittings
    ya, yb = set(YEAR_RE.findall(a["name"])), set(YEAR_RE.findall(b["name"]))
    if ya and yb and ya != yb:
        return False
    ca, cb = _content(a["name"]), _content(b["name"])
    if not ca or not cb:
        return False
    small, big = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
    if small <= big and (len(small) >= 2 or a["_proper"] and b["_proper"]):
        return True
    if min(len(ca), len(cb)) < 2:
        return False
    return fuzz.ratio(" ".join(sorted(ca)), " ".join(sorted(cb))) >= 85


def _code_re() -> re.Pattern[str]:
    codes = sorted(_lex()["session_codes"], key=len, reverse=True)
    return re.compile(rf"\b(?P<body>{'|'.join(map(re.escape, codes))})[- ]?(?P<num>\d{{1,3}})\b(?![./-]\d)")


def _code_mentions(doc: Doc, bounds: list[tuple[int, int]], doc_date: str | None) -> list[dict[str, Any]]:
    """'EC-69', 'Cg-17', 'COP 28': a numbered session of a governing body named by its code."""
    text = text_of(doc)
    if not any(code in text for code in _lex()["session_codes"]):
        return []
    starts = [b[0] for b in bounds]
    out = []
    for m in _code_re().finditer(text):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is None:
            continue
        k = bisect.bisect_right(starts, span.start) - 1
        if k < 0 or span.end > bounds[k][1]:
            continue
        seg = doc[bounds[k][0] : bounds[k][1]]
        root = span.root
        out.append(
            {
                "name": m.group(0),
                "type": "session",
                "start": None,
                "end": None,
                "location": None,
                "status": _status(root, seg, None, None, doc_date),
                "name_start_char": span.start_char,
                "name_end_char": span.end_char,
                "_seg": seg,
                "_proper": True,
                "_clause": _clause(root, seg),
                "_source": None,
                "_salience": 0,
                "_tokens": (span.start, span.end),
                "_near": None,
                "_code": (m["body"], int(m["num"])),
            }
        )
    return out


def _same_code(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """A session code and another mention of the same numbered session."""
    if a.get("_code") and b.get("_code"):
        return a["_code"] == b["_code"]
    code, other = (a, b) if a.get("_code") else (b, a)
    body, num = code["_code"]
    name = other["name"].lower()
    if ordinals(name) != [num]:
        return False
    words = _content(name)
    heads = {"commission", "council", "conference", "congress", "body", "session", "meeting"}
    for body_name in _lex()["session_codes"][body]:
        own = _content(body_name) - heads
        if body_name in name or own and own <= words:
            return True  # 'COMMISSION FOR BASIC SYSTEMS Sixteenth Session' is CBS-16
    return False


def _restates(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """'the Tenth Special Session of the General Assembly, the first special session ...':
    ``b`` follows ``a``'s name after a comma, in the same sentence, as an apposition."""
    if a["_seg"].start != b["_seg"].start or a["type"] != b["type"]:
        return False
    doc = a["_seg"].doc
    gap = doc[a["_tokens"][1] : b["_tokens"][0]]
    return 1 <= len(gap) <= 2 and gap[0].text == "," and all(t.lower_ in {",", "the"} for t in gap)


def _info(m: dict[str, Any]) -> int:
    return (2 if m["_source"] == "text" else 0) + (1 if m["location"] else 0)


def _merge(mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per gathering. Its evidence is the mention that tells most about it (a
    date or place printed with it, then a heading, a subject or a verb of holding), and a
    sentence that no other gathering's evidence uses."""
    groups: list[list[dict[str, Any]]] = []
    for m in mentions:
        if groups and _restates(groups[-1][-1], m):
            groups[-1].append(m)
            continue
        for g in groups:
            if any(_same(m, o) for o in g):
                g.append(m)
                break
        else:
            groups.append([m])
    reps = [max(g, key=lambda m: (_info(m), m["_salience"], -m["name_start_char"])) for g in groups]
    claimed = [r["_seg"].start for r in reps]
    for gi, g in enumerate(groups):
        if claimed.count(reps[gi]["_seg"].start) < 2:
            continue
        free = [
            m
            for m in g
            if claimed.count(m["_seg"].start) == 0
            and (_info(m), m["_salience"]) >= (_info(reps[gi]), reps[gi]["_salience"])
        ]
        if free:
            reps[gi] = free[0]
            claimed[gi] = free[0]["_seg"].start
    out = []
    for g, rep in zip(groups, reps, strict=True):
        best = dict(rep)
        for m in g:
            best["location"] = best["location"] or m["location"]
            if best["start"] is None and m["start"]:
                best.update(start=m["start"], end=m["end"], status=m["status"])
            if len(_content(m["name"])) > len(_content(best["name"])):
                best.update(name=m["name"])
        out.append(best)
    return out


def _split_series(m: dict[str, Any], doc: Doc) -> list[dict[str, Any]]:
    """'the fifty-second, fifty-third and fifty-fourth ministerial meetings of X, in A from
    <dates>, in B from <dates> and in C from <dates>': one record per ordinal, each with the
    place and dates of its own clause, when the sentence gives as many dates as ordinals."""
    left, right = m["_tokens"]
    head = doc[right - 1] if doc[right - 1].tag_ in {"NNS", "NNPS"} else None
    head = next((t for t in doc[left:right] if t.tag_ in {"NNS", "NNPS"} and _meeting_type(t)), head)
    if head is None:
        return [m]
    words = [w.group(0) for w in ORDINAL_RE.finditer(doc[left : head.i].text)]
    nums = ordinals(doc[left : head.i].text)
    if len(nums) < 2:
        return [m]
    seg = m["_seg"]
    stop = doc[right - 1].idx + len(doc[right - 1].text)
    dates = [
        s
        for s in spans_in(doc, "dates", stop, seg.end_char)
        if (date_of(s) or {}).get("kind") != "time" and (date_of(s) or {}).get("start")
    ]
    name_text = doc[left:right].text
    last = list(ORDINAL_RE.finditer(name_text))[-1]
    rest = name_text[last.end() :].strip()
    rest = rest.replace(head.text, head.lemma_ or head.text, 1)
    out = []
    prev_end = m["name_start_char"]
    places = [e for e in doc.ents if e.label_ in {"GPE", "LOC"} and stop <= e.start_char < seg.end_char]
    for k in range(len(nums)):
        part = dict(m)
        part["name"] = f"{words[k]} {rest}".strip()
        if len(dates) == len(nums):
            rec = date_of(dates[k]) or {}
            part.update(start=str(rec.get("start"))[:10], end=str(rec.get("end") or rec.get("start"))[:10])
            lo = dates[k - 1].end_char if k else stop
            own = [e.text for e in places if lo <= e.start_char < dates[k].start_char]
            part["location"] = ", ".join(own) or _place_after_in(doc, lo, dates[k].start_char)
            part["_span"] = (prev_end if k == 0 else _clause_start(doc, lo), dates[k].end_char)
            prev_end = dates[k].end_char
        out.append(part)
    return out


def _place_after_in(doc: Doc, lo: int, hi: int) -> str | None:
    """'in Yaoundé from ...': the capitalized words after 'in' between two character offsets,
    for places the NER does not know."""
    span = doc.char_span(lo, hi, alignment_mode="contract")
    if span is None:
        return None
    for t in span:
        if t.lower_ == "in" and t.i + 1 < span.end and doc[t.i + 1].is_title:
            words = []
            for w in doc[t.i + 1 : span.end]:
                if w.is_title or w.text == "," and words and w.i + 1 < span.end and doc[w.i + 1].is_title:
                    words.append(w.text_with_ws if w.text != "," else ", ")
                else:
                    break
            return "".join(words).strip().rstrip(",") or None
    return None


def _clause_start(doc: Doc, char: int) -> int:
    """Start of the clause after a date: skip the comma and 'and' that join the list."""
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    i = span.start if span is not None else 0
    while i < len(doc) and (doc[i].is_punct or doc[i].is_space or doc[i].lower_ in {"and"}):
        i += 1
    return doc[i].idx if i < len(doc) else char


@Language.factory("un_meetings")
def make_meetings(nlp: Language, name: str) -> MeetingFinder:
    return MeetingFinder()


class MeetingFinder:
    """spaCy component: ``doc.spans["meetings"]`` with ``span._.meeting`` records."""

    def __init__(self) -> None:
        ensure_extension("meeting")
        self.head_forms: dict[tuple[int, int], bool] = {}

    def _head_tokens(self, doc: Doc) -> list[int]:
        """Tokens whose form or lemma is a meeting noun or verb, the only ones ``_meeting_type``
        can accept: found over the Doc's distinct words, not token by token."""
        if not len(doc):
            return []
        lex, strings = _lex(), doc.vocab.strings
        verbs = {**lex["meeting_verbs"], **lex["gathering_verbs"]}
        table = doc.to_array([LEMMA, LOWER])
        tests = (
            (0, lambda w: w.lower() in lex["nouns"] or w.lower() in verbs),
            (1, lambda w: w in lex["nouns"] or w in verbs),
        )
        mask = np.zeros(len(doc), bool)
        for col, test in tests:
            good = []
            for h in np.unique(table[:, col]).tolist():
                if (col, h) not in self.head_forms:
                    self.head_forms[col, h] = test(strings[h])
                if self.head_forms[col, h]:
                    good.append(h)
            mask |= np.isin(table[:, col], np.array(good, dtype=np.uint64))
        return np.flatnonzero(mask).tolist()

    def __call__(self, doc: Doc) -> Doc:
        doc_date = doc.user_data.get("doc_date")
        heads = self._head_tokens(doc)
        ents = doc.ents
        mentions = []
        for seg in segments(doc):
            found = heads[bisect.bisect_left(heads, seg.start) : bisect.bisect_left(heads, seg.end)]
            mentions.extend(m for i in found if (m := _mention(doc[i], seg, doc_date, ents)) is not None)
        codes = _code_mentions(doc, segment_bounds(doc), doc_date)
        if codes:
            mentions = sorted(mentions + codes, key=lambda m: m["name_start_char"])
        spans = []
        used: set[tuple[int, int]] = set()
        records = [part for m in _merge(mentions) for part in _split_series(m, doc)]
        for m in records:
            seg: Span = m.pop("_seg")
            clause = m.pop("_clause")
            own = m.pop("_span", None)
            for key in ("_source", "_proper", "_salience", "_tokens", "_near", "_code"):
                m.pop(key, None)
            span = doc.char_span(*own, alignment_mode="expand") if own else None
            if span is not None and (span.start, span.end) not in used:
                used.add((span.start, span.end))
            else:
                span = unique_span(doc, [(seg.start, seg.end), clause], used)
            span._.meeting = m
            spans.append(span)
        doc.spans["meetings"] = spans
        return doc


def _norm_location(loc: str | None) -> str:
    return re.sub(r"[^a-z; ]", "", (loc or "").lower()).split(";")[0].strip()


def _named(name: str) -> bool:
    """A name that identifies one gathering by itself: an ordinal, a year or a proper name."""
    return bool(ordinals(name) or YEAR_RE.search(name) or re.search(r"\b[A-Z][a-z]|\b[A-Z]{2,}", name[1:]))


def event_key(meeting: dict[str, Any]) -> str:
    """Same key for the same real meeting across documents: type, place and month.

    Without a date the key falls back to the sorted content words of the name, so that
    undated mentions still group by what they are called; a name that does not identify a
    gathering by itself ('meetings', 'the next meeting') keeps its key inside its document,
    since neither time nor name can show that two documents mean the same one. The key is
    strict (a mention without a place gets another key); ``same_event`` is the lenient test.
    """
    month = (meeting.get("start") or "")[:7]
    loc = _norm_location(meeting.get("location"))
    if month:
        return f"{meeting.get('type')}|{loc}|{month}"
    name = meeting.get("name") or ""
    words = sorted(_content(name))
    scope = "" if _named(name) or not meeting.get("doc_id") else f"|{meeting['doc_id']}"
    return f"{meeting.get('type')}|{loc}|{' '.join(words)}{scope}"


def same_event(a: dict[str, Any], b: dict[str, Any], threshold: int = 70) -> bool:
    """Tie-break for near-identical keys: same type and month, compatible place, similar name."""
    if event_key(a) == event_key(b):
        return True
    if a.get("type") != b.get("type"):
        return False
    la, lb = _norm_location(a.get("location")), _norm_location(b.get("location"))
    if la and lb and la != lb:
        return False
    ma, mb = (a.get("start") or "")[:7], (b.get("start") or "")[:7]
    if ma and mb and ma != mb:
        return False
    return fuzz.token_set_ratio(a.get("name") or "", b.get("name") or "") >= threshold


def find_meetings(text: str, doc_date: str | None = None, nlp: Language | None = None) -> list[dict]:
    """Run the pipeline on ``text`` and return meeting records with their evidence."""
    doc = run_text(text, doc_date, nlp)
    return [
        {"evidence": s.text, "start_char": s.start_char, "end_char": s.end_char, **s._.meeting}
        for s in doc.spans.get("meetings", [])
    ]
