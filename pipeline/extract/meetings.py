"""Meetings, conferences, sessions and other gatherings named in a document.

A meeting is found from its head noun (lexicon in ``models/meetings/lexicon.json``), named
by the noun's own modifiers, and placed in time by the nearest date expression the date
component found in the same clause. Mentions of one meeting within a document are merged,
so each real gathering yields one span; ``event_key`` does the same across documents.
"""

from __future__ import annotations

import bisect
import re
from datetime import date
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
    segments,
    spans_in,
    unique_span,
)

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
    for child in tok.rights:
        if child.dep_ == "prep" and child.lower_ in NAME_PREPS and child.i == right:
            end = max(t.i for t in child.subtree) + 1
            stops = [t.i for t in tok.doc[child.i : end] if t.text in {",", ";", ":", "("}]
            right = min([end, *stops, child.i + 16, seg.end])
            break
    while left < right and tok.doc[left].text in {'"', "-", "“"}:
        left += 1
    return left, right


def _needs_cue_ok(tok: Token, seg: Span) -> bool:
    rules = _lex()["nouns_needing_cue"]
    rule = rules.get(tok.lower_) or rules.get(tok.lemma_.lower())
    if rule is None:
        return True
    mods = {c.lower_ for c in tok.subtree if c.i < tok.i} | {c.lower_ for c in tok.children}
    if tok.i > 0:
        mods.add(tok.doc[tok.i - 1].lower_)
    if mods & set(rule["modifiers"]):
        return True
    head = tok.head if tok.dep_ != "pobj" else tok.head.head
    return head.lemma_.lower() in set(rule["verbs"])


def _is_mention(tok: Token, seg: Span, heading: bool) -> bool:
    """A meeting noun that refers to a specific gathering, not an organ, document or anaphor."""
    lex = _lex()
    if not heading and tok.pos_ not in {"NOUN", "PROPN"}:
        return False
    after = tok.doc[tok.i + 1 : min(tok.i + 5, seg.end)].text.lower()
    if any(after.startswith(m) for m in lex["organ_markers"]):
        return False
    if not _needs_cue_ok(tok, seg):
        return False
    before = tok.doc[max(tok.i - 3, seg.start) : tok.i + 1].text.lower()
    if any(before.endswith(i) for i in lex["idioms"]):
        return False
    kids = list(tok.children)
    dets = [c.lower_ for c in kids if c.dep_ in {"det", "poss"}]
    if tok.dep_ == "compound":
        kids += [c for c in tok.head.children if c.i < tok.i]
    specified = any(c.dep_ in SPEC_DEPS and c.lower_ not in {"such"} for c in kids)
    if any(d in lex["anaphoric_determiners"] for d in dets) and not specified:
        return False
    if heading:
        return True
    if not specified and not (tok.is_title and tok.i > seg.start):
        return False
    return True


def _governor(tok: Token) -> Token:
    """The verb whose clause the meeting noun sits in (the noun itself in a verbless heading)."""
    head = tok
    while head.pos_ not in {"VERB", "AUX"} and head.head != head:
        head = head.head
    return head if head.pos_ in {"VERB", "AUX"} else tok


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
        return "virtual" if has_phrase(seg.text, lex["virtual_words"]) else None
    if plural and len(found) > 1:
        names = [t for _, t in sorted(found, key=lambda f: f[0])]
        return "; ".join(dict.fromkeys(names))
    return min(found)[1]


def _parse_iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _status(tok: Token, seg: Span, start: str | None, end: str | None, doc_date: str | None) -> str:
    """held/planned/ongoing: the date against the document date first, then tense and cues."""
    lex = _lex()
    ref, d0, d1 = _parse_iso(doc_date), _parse_iso(start), _parse_iso(end or start)
    if ref and d1 and d1 < ref:
        return "held"
    if ref and d0 and d0 > ref:
        return "planned"
    verb = _governor(tok)
    aux = {c.lower_ for c in verb.children if c.dep_ in {"aux", "auxpass"}}
    window = seg.text
    if ref and d0 and d1 and d0 <= ref <= d1:
        if has_phrase(window, lex["ongoing_cues"]) or verb.tag_ in {"VBP", "VBZ", "VBG"}:
            return "ongoing"
        return "planned" if aux & {"will", "shall", "would", "'ll", "to"} else "held"
    if aux & {"will", "shall", "would", "could", "should", "may", "might"}:
        return "planned"
    if has_phrase(window, lex["held_cues"]):
        return "held"
    if verb.tag_ == "VBD" or (verb.tag_ == "VBN" and aux & {"has", "have", "had"}):
        return "held"
    if has_phrase(window, lex["ongoing_cues"]):
        return "ongoing"
    return "planned"


def _mention(tok: Token, seg: Span, doc_date: str | None, ents: tuple[Span, ...]) -> dict[str, Any] | None:
    doc = tok.doc
    mtype = _meeting_type(tok)
    if mtype is None:
        return None
    heading = _is_heading(seg)
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
    dates = [
        s
        for s in spans_in(doc, "dates", seg.start_char, seg.end_char)
        if (date_of(s) or {}).get("kind") != "time" and _own(tok, s)
    ]
    near = _nearest(tok, dates)
    indefinite = any(c.dep_ == "det" and c.lower_ in {"a", "an"} for c in tok.children)
    rec = date_of(near) if near is not None else None
    start = rec.get("start") if rec else None
    end = rec.get("end") if rec else None
    source = "text" if rec else None
    in_header = seg.start_char < HEADER_CHARS and heading
    if rec is None and in_header and doc_date:
        start = end = doc_date
        source = "doc_date"
    location = _location(tok, seg, tok.tag_ in {"NNS", "NNPS"}, ents)
    if indefinite and rec is None and location is None:
        return None  # "a self-standing meeting might ...": a hypothetical, not an event
    if location is None and in_header:
        following = doc[seg.end : seg.end + 40].text
        if has_phrase(following.split("\n\n")[0], _lex()["virtual_words"]):
            location = "virtual"
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
        "_proper": doc[left:right].text.istitle() or any(t.pos_ == "PROPN" for t in doc[left:right]),
        "_clause": _clause(tok, seg),
        "_source": source,
    }


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
    dated = a["_source"] == "text" and b["_source"] == "text"
    if dated and (a["start"] or "")[:7] != (b["start"] or "")[:7]:  # relative dates without an anchor are None
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


def _merge(mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per gathering: first mention, unless a later one carries the date itself."""
    groups: list[list[dict[str, Any]]] = []
    for m in mentions:
        for g in groups:
            if any(_same(m, o) for o in g):
                g.append(m)
                break
        else:
            groups.append([m])
    out = []
    for g in groups:
        dated = [m for m in g if m["_source"] == "text"]
        best = dict(dated[0] if dated else g[0])
        for m in g:
            best["location"] = best["location"] or m["location"]
            if best["start"] is None and m["start"]:
                best.update(start=m["start"], end=m["end"], status=m["status"])
            if len(_content(m["name"])) > len(_content(best["name"])):
                best.update(name=m["name"], name_start_char=m["name_start_char"], name_end_char=m["name_end_char"])
        out.append(best)
    return out


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
        table = doc.to_array([LEMMA, LOWER])
        tests = (
            (0, lambda w: w.lower() in lex["nouns"] or w.lower() in lex["meeting_verbs"]),
            (1, lambda w: w in lex["nouns"]),
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
        spans = []
        used: set[tuple[int, int]] = set()
        for m in _merge(mentions):
            seg: Span = m.pop("_seg")
            clause = m.pop("_clause")
            m.pop("_source")
            m.pop("_proper")
            span = unique_span(doc, [(seg.start, seg.end), clause], used)
            span._.meeting = m
            spans.append(span)
        doc.spans["meetings"] = spans
        return doc


def _norm_location(loc: str | None) -> str:
    return re.sub(r"[^a-z; ]", "", (loc or "").lower()).split(";")[0].strip()


def event_key(meeting: dict[str, Any]) -> str:
    """Same key for the same real meeting across documents: type, place and month.

    Without a date the key falls back to the sorted content words of the name, so that
    undated mentions still group by what they are called. The key is strict (a mention
    without a place gets another key); ``same_event`` is the lenient pairwise test.
    """
    month = (meeting.get("start") or "")[:7]
    loc = _norm_location(meeting.get("location"))
    if month:
        return f"{meeting.get('type')}|{loc}|{month}"
    words = sorted(_content(meeting.get("name") or ""))
    return f"{meeting.get('type')}|{loc}|{' '.join(words)}"


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
