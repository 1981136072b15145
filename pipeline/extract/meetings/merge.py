"""Mentions of one gathering within a document become one record: same name or session code,
appositions that restate a name; a listed series ('the fifty-second, fifty-third and
fifty-fourth meetings') becomes one record per sitting.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from rapidfuzz import fuzz
from spacy.tokens import Doc

from pipeline.extract.cues import (
    date_of,
    spans_in,
)
from pipeline.extract.meetings.context import clause_range, status_of
from pipeline.extract.meetings.lexicon import ORDINAL_RE, YEAR_RE, content_words, lexicon, ordinals
from pipeline.extract.meetings.mention import meeting_type
from pipeline.nlp import text_of


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
    ca, cb = content_words(a["name"]), content_words(b["name"])
    if not ca or not cb:
        return False
    small, big = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
    if small <= big and (len(small) >= 2 or a["_proper"] and b["_proper"]):
        return True
    if min(len(ca), len(cb)) < 2:
        return False
    return fuzz.ratio(" ".join(sorted(ca)), " ".join(sorted(cb))) >= 85


def _code_re() -> re.Pattern[str]:
    codes = sorted(lexicon()["session_codes"], key=len, reverse=True)
    return re.compile(rf"\b(?P<body>{'|'.join(map(re.escape, codes))})[- ]?(?P<num>\d{{1,3}})\b(?![./-]\d)")


def code_mentions(doc: Doc, bounds: list[tuple[int, int]], doc_date: str | None) -> list[dict[str, Any]]:
    """'EC-69', 'Cg-17', 'COP 28': a numbered session of a governing body named by its code."""
    text = text_of(doc)
    if not any(code in text for code in lexicon()["session_codes"]):
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
                "status": status_of(root, seg, None, None, doc_date),
                "name_start_char": span.start_char,
                "name_end_char": span.end_char,
                "_seg": seg,
                "_proper": True,
                "_clause": clause_range(root, seg),
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
    words = content_words(name)
    heads = {"commission", "council", "conference", "congress", "body", "session", "meeting"}
    for body_name in lexicon()["session_codes"][body]:
        own = content_words(body_name) - heads
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


def merge_mentions(mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
            if len(content_words(m["name"])) > len(content_words(best["name"])):
                best.update(name=m["name"])
        out.append(best)
    return out


def split_series(m: dict[str, Any], doc: Doc) -> list[dict[str, Any]]:
    """'the fifty-second, fifty-third and fifty-fourth ministerial meetings of X, in A from
    <dates>, in B from <dates> and in C from <dates>': one record per ordinal, each with the
    place and dates of its own clause, when the sentence gives as many dates as ordinals."""
    left, right = m["_tokens"]
    head = doc[right - 1] if doc[right - 1].tag_ in {"NNS", "NNPS"} else None
    head = next((t for t in doc[left:right] if t.tag_ in {"NNS", "NNPS"} and meeting_type(t)), head)
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
