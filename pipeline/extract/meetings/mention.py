"""Is a meeting noun (or a verb of meeting) a mention of one gathering, and which words name it.

Why: 'plenary meeting' is named by its head, 'the Conference on Disarmament' is a standing body,
'such meetings' and 'future negotiations' are no gathering at all.
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from pipeline.extract.meetings.lexicon import TENS_RE, UNITS, YEAR_RE, lexicon, ordinals

NAME_LEFT_DEPS = {"amod", "compound", "nummod", "nmod", "npadvmod", "quantmod", "punct", "advmod"}


NAME_PREPS = {"of", "on", "for", "towards", "toward", "with", "between", "among", "to"}


SPEC_DEPS = {"amod", "compound", "nummod", "nmod", "poss", "prep", "acl", "relcl", "appos"}


def meeting_type(tok: Token) -> str | None:
    if tok.pos_ == "VERB":
        return lexicon()["meeting_verbs"].get(tok.lemma_.lower()) if with_phrase(tok) is not None else None
    nouns = lexicon()["nouns"]
    return nouns.get(tok.lower_) or nouns.get(tok.lemma_.lower())


def with_phrase(verb: Token) -> Token | None:
    """The 'with' phrase of 'meet with X' when X can meet (a name, an entity, an actor, people or a
    body): a verbal meeting mention. 'Our attempts have met with resistance', 'the uprising has
    been met with repression' are answers received, not meetings."""
    if any(c.dep_ == "auxpass" for c in verb.children):
        return None
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ == "with":
            objs = [t for t in child.children if t.dep_ == "pobj"]
            if objs and objs[0].pos_ != "PRON" and can_meet(objs[0]):
                return child
    return None


def can_meet(tok: Token) -> bool:
    if tok.pos_ == "PROPN" or tok.ent_type_ in {"PERSON", "ORG", "GPE", "NORP"}:
        return True
    if any(s.start <= tok.i < s.end for s in tok.doc.spans.get("actors", [])):
        return True
    people = lexicon()["meet_with_people"]
    return tok.lemma_.lower() in people or tok.lower_ in people


def is_heading(seg: Span) -> bool:
    """A short line without final punctuation, or one in capitals, is a heading."""
    letters = [c for c in seg.text if c.isalpha()]
    upper = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8
    return upper or (len(seg) <= 16 and seg.text.rstrip()[-1:] not in ".;:!?")


def name_tokens(tok: Token, seg: Span) -> tuple[int, int]:
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
    while left < right and (tok.doc[left].text in {'"', "-", "“"} or tok.doc[left].tag_ == "PRP"):
        left += 1  # quotes, dashes, and a personal pronoun ('at it seventy-first session', a typo of 'its')
    return _ordinal_list_start(tok, left, seg), right


ORD_WORD = rf"(?:(?:{TENS_RE})(?:ieth|y-?\s?(?:{'|'.join(UNITS)}))|(?:{'|'.join(UNITS)})|\d{{1,3}}(?:st|nd|rd|th))"


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


def left_text(tok: Token) -> str:
    """The words left of the noun inside its own phrase (its modifiers)."""
    left = min((c.left_edge.i for c in tok.lefts), default=tok.i)
    return tok.doc[left : tok.i].text


def _needs_cue_ok(tok: Token, seg: Span) -> bool:
    rules = lexicon()["nouns_needing_cue"]
    rule = rules.get(tok.lower_) or rules.get(tok.lemma_.lower())
    if rule is None:
        return True
    if rule.get("ordinal") and (ordinals(left_text(tok)) or YEAR_RE.search(left_text(tok))):
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
    left = left_text(tok)
    return bool(ordinals(left) or YEAR_RE.search(left) or "review" in left.lower())


def _standing_body(tok: Token, seg: Span) -> bool:
    """'the Conference on Disarmament', 'X, as the single negotiating forum': a body, not a sitting."""
    lex = lexicon()
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


def is_mention(tok: Token, seg: Span, heading: bool) -> bool:
    """A meeting noun that refers to a specific gathering, not an organ, document or anaphor."""
    lex = lexicon()
    doc = tok.doc
    if not heading and tok.pos_ not in {"NOUN", "PROPN"}:
        return False
    nxt = doc[tok.i + 1] if tok.i + 1 < seg.end else None
    if tok.dep_ in {"compound", "amod", "nmod"} and tok.i < tok.head.i < seg.end and meeting_type(tok.head):
        return False  # 'plenary meeting', 'Summit meeting': the head noun names it
    if nxt is not None and nxt.pos_ in {"NOUN", "PROPN"} and meeting_type(nxt) is not None and not tok.is_title:
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


def is_generic(tok: Token, left: int, right: int) -> bool:
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
    generic = set(lexicon()["generic_modifiers"])
    if any(t.pos_ == "PROPN" or t.is_title and t.i > left for t in words) or tok.is_title:
        return False
    return all(t.lower_ in generic for t in words)


def is_gathering(verb: Token, seg: Span) -> bool:
    """'we gathered in Los Angeles', 'gather together the supporters ... in October'."""
    lex = lexicon()
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
