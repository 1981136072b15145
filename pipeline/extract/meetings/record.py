"""One meeting record per mention: name, type, dates, place and status, with the evidence
the merge step weighs (salience, clause, whether a date was printed with it).
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Span, Token

from pipeline.extract.cues import (
    date_of,
    has_phrase,
    spans_in,
)
from pipeline.extract.meetings.context import (
    clause_range,
    clause_verbs,
    heading_place,
    location_of,
    near_status,
    nearest,
    next_date,
    owns,
    salience,
    session_status,
    status_of,
)
from pipeline.extract.meetings.lexicon import lexicon
from pipeline.extract.meetings.mention import (
    is_gathering,
    is_generic,
    is_heading,
    is_mention,
    meeting_type,
    name_tokens,
    with_phrase,
)

HEADER_CHARS = 400


def read_mention(tok: Token, seg: Span, doc_date: str | None, ents: tuple[Span, ...]) -> dict[str, Any] | None:
    doc = tok.doc
    heading = is_heading(seg)
    if tok.pos_ == "VERB" and is_gathering(tok, seg):
        mtype = lexicon()["gathering_verbs"][tok.lemma_.lower()]
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
        mtype = meeting_type(tok)
        if mtype is None:
            return None
        if tok.pos_ == "VERB":
            prep = with_phrase(tok)
            left, right = tok.i, min(prep.right_edge.i + 1, seg.end)
            name = f"{mtype} " + doc[prep.i : right].text
        elif is_mention(tok, seg, heading):
            left, right = name_tokens(tok, seg)
            name = doc[left:right].text.strip(' "“”')
        else:
            return None
    if not name:
        return None
    verbless = heading or not any(t.pos_ in {"VERB", "AUX"} for t in seg)
    dates = [
        s
        for s in spans_in(doc, "dates", seg.start_char, seg.end_char)
        if (date_of(s) or {}).get("kind") != "time" and (verbless or owns(tok, s))
    ]
    near = nearest(tok, dates)
    indefinite = any(c.dep_ == "det" and c.lower_ in {"a", "an"} for c in tok.children)
    rec = date_of(near) if near is not None else None
    if rec is None and heading and tok.pos_ != "VERB":
        rec = next_date(seg)
    start = rec.get("start") if rec else None
    end = rec.get("end") if rec else None
    source = "text" if rec else None
    in_header = (
        seg.start_char < HEADER_CHARS
        and heading
        and tok.pos_ != "VERB"
        and (tok.is_title or tok.is_upper)
        and near_status(tok) is None
    )
    location = location_of(tok, seg, tok.tag_ in {"NNS", "NNPS"}, ents)
    if location is None and verbless:
        location = heading_place(tok, seg, ents)
    if tok.pos_ != "VERB" and rec is None and location is None and is_generic(tok, left, right):
        return None
    persons = {"their", "his", "her", "my", "your"}
    if tok.pos_ != "VERB" and rec is None and location is None and right == tok.i + 1:
        if any(c.dep_ == "poss" and c.lower_ in persons for c in tok.children):
            return None  # 'members attending their first meeting': each person's own, not one gathering
    if indefinite and rec is None and location is None:
        verb = tok.head if tok.dep_ in {"dobj", "obj"} else None
        cue = lexicon()["nouns_needing_cue"].get(tok.lower_, {}).get("verbs", [])
        verbs = {v.lemma_.lower() for v in clause_verbs(tok)}
        held = tok.dep_ in {"nsubj", "nsubjpass"} and bool(verbs & {"hold", "take", "convene"})
        hosting = {"hold", "convene", "organize", "organise", "host", *cue}
        if not held and (verb is None or verb.lemma_.lower() not in hosting):
            return None  # "a self-standing meeting might ...": a hypothetical, not an event
    if location is None and in_header:
        following = doc[seg.end : seg.end + 40].text
        if has_phrase(following.split("\n\n")[0], lexicon()["virtual_words"]):
            location = "virtual"
    session = session_status(tok, seg, doc_date, left) if tok.pos_ != "VERB" else None
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
        status = status_of(tok, seg, start, end, doc_date)
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
        "_near": near_status(tok) if tok.pos_ != "VERB" else None,
        "_clause": clause_range(tok, seg),
        "_source": source,
        "_salience": salience(tok, heading),
        "_tokens": (left, right),
    }
