"""Resolutions and decisions: operative paragraphs, their lettered sub-items, never preambular ones."""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Span

from pipeline.extract.commitments.action import action_text, first_word, operative_adverbs, seg_text
from pipeline.extract.commitments.actor import Actors, addressee_group
from pipeline.extract.commitments.addressee import cue_kind
from pipeline.extract.commitments.lexicon import lexicon
from pipeline.extract.cues import LIST_MARKER, starts_line, strip_marker
from pipeline.nlp import text_of


def opens_paragraph(seg: Span, first: int) -> bool:
    """The paragraph's first word is capitalised, or follows an opening adverb ('Also requests')."""
    doc = seg.doc
    return doc[first].is_title or (first > seg.start and doc[first - 1].lower_ in operative_adverbs())


def operative_scan(seg: Span, actors: Actors) -> list[dict[str, Any]]:
    """Resolution style 'Decides to V' / 'Requests that X V': the author decides; X is asked."""
    doc = seg.doc
    first = first_word(seg)
    if first >= seg.end or not opens_paragraph(seg, first):
        return []
    lemma = doc[first].lemma_.lower()
    lex = lexicon()
    nxt = doc[first + 1] if first + 1 < seg.end else None
    if nxt is None:
        return []
    if lemma in lex["decision_verbs"] and nxt.lower_ == "to" and first + 2 < seg.end:
        author = actors.deciding_body(seg.start_char)
        verb = doc[first + 2]
        if author is None or verb.tag_ != "VB":
            return []
        text, end = action_text(verb, seg.end)
        return [
            {
                "source": "addressee",
                "kind": lex["decision_verbs"][lemma],
                "who": [author],
                "action": text,
                "start": first,
                "end": end,
                "verb": verb.i,
            }
        ]
    kind = lex["addressee_verbs"].get(lemma)
    if kind and nxt.lower_ == "that":
        verbs = [t for t in doc[first + 2 : seg.end] if t.pos_ in {"VERB", "AUX"} and t.tag_ in {"VB", "VBP", "MD"}]
        if not verbs:
            return []
        spans = actors.over(range(first + 2, verbs[0].i))
        if not spans:
            return []
        verb = verbs[0]
        if verb.tag_ == "MD":
            verb = next((t for t in doc[verb.i + 1 : seg.end] if t.tag_ == "VB"), verb)
        text, end = action_text(verb, seg.end)
        return [
            {
                "source": "addressee",
                "kind": kind,
                "who": [actors.record(s) for s in addressee_group(spans)],
                "action": text,
                "start": first,
                "end": end,
                "verb": verb.i,
            }
        ]
    return []


PREAMBLE = "preamble"  # "Recalling ...,": never a row
STATEMENT = "statement"  # "Notes / Welcomes / Recalls that ...": rows only from a directive verb inside it
OPERATIVE = "operative"  # "Decides / Requests / Urges ...": the operative verbs decide the rows


def paragraph_roles(segs: list[Span]) -> list[str]:
    """Role of the paragraph each segment belongs to, from the paragraph's first word.

    A paragraph opens at a segment that starts a line; its first word (after the number and
    adverbs such as "Also", "Further") is a preambular participle ("Recalling", "Mindful"), a
    non-directive operative verb ("Notes", "Takes note") or a directive one ("Requests").
    """
    lex = lexicon()
    preamble = set(lex["preambular_openers"])
    statements = set(lex["statement_verbs"])
    directives = set(lex["addressee_verbs"]) | set(lex["decision_verbs"])
    roles: list[str] = []
    role = ""
    lead_role = ""  # items under 'Recalling:' are preambular too
    for seg in segs:
        if starts_line(seg) and lead_role and marker_class(seg_text(seg)):
            roles.append(lead_role)
            continue
        if starts_line(seg):
            lead_role = ""
            role = ""
            first = first_word(seg)
            if first < seg.end and opens_paragraph(seg, first):
                word = seg.doc[first].lower_
                base = word[:-1] if word.endswith("s") else word
                if (word in preamble or word.endswith("ing")) and _paragraph(seg).endswith((",", ";", ":")):
                    role = PREAMBLE  # preambular paragraphs end with a comma; "Recognizing X, we intend ..." does not
                elif word.endswith("s") and (base in statements or word[:-2] in statements):
                    role = STATEMENT
                elif word.endswith("s") and (base in directives or word[:-2] in directives):
                    role = OPERATIVE
            if role in {PREAMBLE, STATEMENT} and seg_text(seg).rstrip().endswith(":"):
                lead_role = role
        roles.append(role)
    return roles


def _paragraph(seg: Span) -> str:
    """The text of the line (paragraph) ``seg`` opens, without trailing spaces."""
    text = text_of(seg.doc)
    end = text.find("\n", seg.start_char)
    while end >= 0:  # a paragraph broken by a page break goes on with a lower-case word
        nxt = re.match(r"\n\s*([a-z])", text[end : end + 200])
        if nxt is None:
            break
        end = text.find("\n", end + nxt.start(1))
    return text[seg.start_char : end if end >= 0 else len(text)].rstrip()


def decides_that(seg: Span, actors: Actors) -> list[dict[str, Any]]:
    """'Decides that X will ...' / 'Decides:': the deciding body decides, whoever the clause names."""
    doc = seg.doc
    first = first_word(seg)
    body = actors.deciding_body(seg.start_char)
    if first + 1 >= seg.end or not opens_paragraph(seg, first) or body is None:
        return []
    kind = lexicon()["decision_verbs"].get(doc[first].lemma_.lower())
    if kind is None or doc[first + 1].lower_ not in {"that", ":"}:
        return []
    verb = next(
        (t for t in doc[first + 2 : seg.end] if t.pos_ in {"VERB", "AUX"} and t.dep_ not in {"aux", "auxpass"}), None
    )
    text, end = action_text(verb, seg.end) if verb is not None else (seg_text(seg).strip(), seg.end)
    return [
        {
            "source": "addressee",
            "kind": kind,
            "who": [body],
            "action": text,
            "start": first,
            "end": max(end, first + 2),
            "verb": verb.i if verb is not None else first,
        }
    ]


def addressed_lead_in(seg: Span, actors: Actors, cue_tokens: list[int]) -> list[dict[str, Any]]:
    """'Requests the Secretary-General:' with the tasks in the items that follow: a row whose
    action is completed by the first item (``Listing``)."""
    text = seg_text(seg).rstrip()
    if not text.endswith(":"):
        return []
    doc = seg.doc
    if text.endswith("to:"):  # 'The Committee is invited to:' with the tasks in the items
        for tok in (doc[i] for i in cue_tokens):
            kind = lexicon()["addressee_verbs"].get(tok.lemma_.lower())
            subj = [c for c in tok.children if c.dep_ == "nsubjpass"]
            who = actors.of_subject(subj[0], seg) if kind and tok.tag_ == "VBN" and subj else []
            if who:
                return [
                    {
                        "source": "addressee",
                        "kind": kind,
                        "who": who,
                        "action": "",
                        "start": seg.start,
                        "end": seg.end,
                        "verb": tok.i,
                    }
                ]
        return []
    for tok in (doc[i] for i in cue_tokens):
        kind = cue_kind(tok, seg)
        spans = actors.over(range(tok.i + 1, seg.end)) if kind else []
        if spans:
            who = [actors.record(s) for s in addressee_group(spans)]
            return [
                {
                    "source": "addressee",
                    "kind": kind,
                    "who": who,
                    "action": "",
                    "start": tok.i,
                    "end": seg.end,
                    "verb": tok.i,
                }
            ]
    return []


def marker_class(text: str) -> str | None:
    """The numbering style of a list item ("1.", "(1)", "(a)", "(i)", bullet), None if not an item."""
    m = LIST_MARKER.match(text)
    if not m:
        return None
    mark = m.group(0).strip()
    for name, pattern in (
        ("bullet", r"[-•*▪◦‣●]+"),
        ("paren_num", r"\(\d+\)"),
        ("num", r"\d+[.)]"),
        ("roman", r"\(?[ivxlc]{1,5}\)"),
        ("letter", r"\(?[a-z]{1,3}\)"),
    ):
        if re.fullmatch(pattern, mark):
            return name
    return "other"


EXAMPLES = re.compile(r"\b(?:such as|for example|e\.g\.|for instance|include)\s*:$", re.I)  # lists examples


class Listing:
    """Items under a lead-in that ends with ':' ("Requests X to:", "Decides:", "we intend to:")
    are rows of their own with the lead-in's actor and kind; the first item's row also covers
    the lead-in. Lead-ins nest ("(1) Continue a process that:" then "(a)", "(b)")."""

    def __init__(self) -> None:
        self.stack: list[tuple[str | None, dict[str, Any]]] = []

    def item(self, seg: Span) -> dict[str, Any] | None:
        """The lead-in this segment is an item of (or None), closing lead-ins it is a sibling of."""
        text = seg_text(seg)
        if not starts_line(seg):
            return None
        if not any(c.isalpha() for c in text):
            return None  # a rule or comment line between items
        cls = marker_class(text)
        if cls is None and self.stack and self.stack[-1][0] in {None, "verb"} and _imperative(seg):
            cls = "verb"  # items printed without bullets: lines that open with an imperative verb
        elif cls is None:
            self.stack.clear()
            return None
        while self.stack and self.stack[-1][0] == cls:
            self.stack.pop()
        return self.stack[-1][1] if self.stack else None

    def open(self, seg: Span, lead: dict[str, Any]) -> None:
        """``seg`` ends with ':' and has an undertaking: its items inherit actor and kind."""
        text = seg_text(seg).rstrip()
        if text.endswith(":") and not EXAMPLES.search(text):
            cls = marker_class(text) if starts_line(seg) else None
            self.stack.append((cls, {"who": lead["who"], "kind": lead["kind"], "source": lead["source"]}))


def _imperative(seg: Span) -> bool:
    """A line that opens with a capitalised base-form verb ('Convene ...', 'Improve ...')."""
    first = first_word(seg)
    if first + 1 >= seg.end or not seg.doc[first].is_title:
        return False
    tok, nxt = seg.doc[first], seg.doc[first + 1]
    # the tagger often reads a sentence-initial imperative as a name ('Convene multilateral banks')
    return tok.tag_ == "VB" or (tok.pos_ == "PROPN" and nxt.is_lower and nxt.pos_ != "VERB")


def item_candidate(seg: Span, lead: dict[str, Any]) -> dict[str, Any]:
    """A list item as a row of its lead-in: the action is its first verb phrase, else its text."""
    doc = seg.doc
    first = first_word(seg)
    while first < seg.end and doc[first].lower_ in {"to", "that"}:
        first += 1
    verb = next(
        (t for t in doc[first : seg.end] if t.pos_ in {"VERB", "AUX"} and t.dep_ not in {"aux", "auxpass"}), None
    )
    if _imperative(seg):
        verb = doc[first_word(seg)]  # 'Endorse the proposed workplan': the tagger may call it a name
    if verb is not None and verb.i - first <= 3:
        text, _ = action_text(verb, seg.end)
    else:
        text = strip_marker(seg_text(seg)).rstrip(" ;,.")
    return {**lead, "action": text, "start": seg.start, "end": seg.end, "verb": verb.i if verb is not None else first}
