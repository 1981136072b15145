"""Minutes and summaries: action sections and "ACTION:" items, whose owner is the party to act."""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Doc, Span, Token

from pipeline import rules
from pipeline.extract.commitments.action import action_text, first_word, main_verb, seg_text, to_verb_of
from pipeline.extract.commitments.actor import Actors, Chunks, plain_addressee
from pipeline.extract.commitments.lexicon import lexicon
from pipeline.extract.commitments.resolution import marker_class
from pipeline.extract.cues import LIST_MARKER, date_of, iso_end, spans_in, starts_line, strip_marker
from pipeline.nlp import text_of


@rules.per_rules("commitments")
def action_prefix() -> re.Pattern[str]:
    """Labels that make a line an action point or decision by themselves: 'ACTION:', 'Action item -',
    'ACTION on X to ...', 'DECISION to ...', tagged items '[Action-XX-2018-3] ...', also after a chat
    nick ('<chair> ACTION: ...')."""
    labels = "|".join(re.escape(p) for p in lexicon()["action_prefixes"])
    tag = r"(?:[-\s]?[A-Za-z]*[-\s]?\d[\w.\-]*)?"
    return re.compile(  # 'ACTION to ...' / 'DECISION to ...' only in capitals: 'Action to be taken' is a heading
        rf"^\s*(?:<[^>\n]{{1,30}}>\s*)?\[?(?P<label>(?i:{labels})){tag}\]?(?:\s*[:\-–]\s*|\]\s*|\s+(?i:on|for)\s+|(?<=[A-Z]{{4}})\s+(?=to\s(?!be\b)))"
    )


def label_kind(seg: Span) -> str | None:
    """'decision' for a 'DECISION ...' line, 'action_point' for the other labels, None if unlabelled."""
    m = action_prefix().match(strip_marker(seg_text(seg)))
    if m is None:
        return None
    return "decision" if m.group("label").lower() in lexicon()["decision_labels"] else "action_point"


def action_items(doc: Doc, segs: list[Span]) -> set[int]:
    """Segments under an 'Action points' / 'Decisions' heading, or prefixed 'ACTION:'."""
    lex = lexicon()
    headings = {h.lower() for h in lex["action_headings"]}
    prefix = action_prefix()
    items: set[int] = set()
    inside = opened = False
    for n, seg in enumerate(segs):
        raw = seg_text(seg).strip()
        if not any(c.isalpha() for c in raw):
            continue
        label = strip_marker(raw).rstrip(":").strip().lower()
        line_start = starts_line(seg)
        if label in headings and line_start:
            inside, opened = True, False
            continue
        if prefix.match(strip_marker(raw)):
            bare = prefix.sub("", strip_marker(raw), count=1).strip()
            items.add(n if bare else n + 1)
            continue
        if not inside:
            continue
        listed = bool(LIST_MARKER.match(raw))
        short = len(raw) < 90 and raw[-1:] not in ".;:"
        heading = line_start and short and (not listed or marker_class(raw) == "num")  # '4. Any other business'
        if heading or (line_start and not listed and opened):
            inside = False
            continue
        items.add(n)
        opened = opened or (line_start and listed)
    return items


def item_start(seg: Span) -> int:
    """First word of an action item, after its bullet and an 'ACTION:' style label."""
    first = first_word(seg)
    text = seg_text(seg)
    rest = strip_marker(text)
    m = action_prefix().match(rest)
    if m:
        at = seg.start_char + (len(text) - len(text.lstrip())) + text.lstrip().find(rest[:20]) + m.end()
        while first < seg.end and seg.doc[first].idx < at:
            first += 1
    doc = seg.doc
    ticked = 0 < first < seg.end - 1 and doc[first - 1].text == "[" and doc[first + 1].text == "]"
    if ticked and doc[first].lower_ == "x":
        first += 2  # a ticked task box '[x]'
    while first < seg.end and not (doc[first].is_alpha or doc[first].text.startswith("@")):
        if doc[first].text == "[" and first + 2 < seg.end and doc[first + 2].text == "]":
            first += 3  # a task box '[ ]' / '[x]'
            continue
        first += 1
    return first


OWNER_LABELS = (  # '@carol review the schema' (a handle), 'Bob: circulate the draft' (a name and a colon)
    re.compile(r"^@(?P<who>[\w.\-]+)\s+(?=\S)"),
    re.compile(r"^(?P<who>[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,2})\s*:\s+(?=\S)"),
)


def as_action_point(seg: Span, found: list[dict[str, Any]], actors: Actors, chunks: Chunks) -> list[dict[str, Any]]:
    """Everything in an action item is an action point. The owner is the 'X' of 'X to do Y',
    else the 'by/from X' party, else the addressed body for an imperative, else the first actor."""
    doc = seg.doc
    first = item_start(seg)
    if first >= seg.end:
        return []
    owner: list[dict[str, Any]] = []
    verb: Token | None = None
    kind = label_kind(seg) or "action_point"
    body = actors.deciding_body(seg.start_char)
    if kind == "decision" and body:
        owner = [body]
        verb = main_verb(doc[first : seg.end])
    item = text_of(doc)[doc[first].idx : seg.end_char]
    handle, named = (None, None) if owner else (OWNER_LABELS[0].match(item), OWNER_LABELS[1].match(item))
    label = handle or named
    if label:  # the named participant owns the item
        at = doc[first].idx + label.end("who")
        span = doc.char_span(doc[first].idx + label.start("who"), at, alignment_mode="expand")
        spans = actors.over(range(span.start, span.end)) if span is not None else []
        if span is not None and (spans or handle or all(t.pos_ == "PROPN" for t in span)):
            owner = [actors.record(spans[0])] if spans else [{"name": label.group("who"), "key": None}]
            first = span.end
            while first < seg.end and not doc[first].is_alpha:
                first += 1
    to_verb = to_verb_of(seg, first) if not owner else None
    if to_verb is not None and to_verb.i - first <= 9:
        lead = doc[first : to_verb.i - 1]
        if lead and not any(t.pos_ in {"VERB", "AUX"} and t.tag_ != "VBN" for t in lead):
            spans = actors.over(range(lead.start, lead.end))  # 'UNHCR and IOM to co-lead ...': both own it
            owner = [actors.record(s) for s in spans] or [actors.record(s) for s in plain_addressee(lead, chunks)]
            verb = to_verb if owner else None
    if not owner:
        for prep in (t for t in seg if t.lower_ in {"by", "from"} and t.dep_ in {"prep", "agent"}):
            spans = actors.over(t.i for t in prep.subtree)
            if spans:
                owner = [actors.record(spans[0])]
                break
    if not owner and doc[first].tag_ == "VB" and body:
        owner = [body]  # imperative item: the body the document addresses acts
    if not owner:
        spans = actors.over(range(first, seg.end))
        owner = [actors.record(spans[0])] if spans else ([actors.author] if actors.author else [])
    if not owner:
        return []
    if verb is None:
        verb = next((t for t in doc[first : seg.end] if t.pos_ == "VERB"), None)
    text = doc[first : seg.end].text.rstrip(".*; ")
    if verb is not None:
        text, _ = action_text(verb, seg.end)
    pos = verb.i if verb is not None else seg.start
    return [
        {
            "source": "action_section",
            "kind": kind,
            "who": owner,
            "action": text,
            "start": seg.start,
            "end": seg.end,
            "verb": pos,
        }
    ]


TABLE_ROW = re.compile(r"^[ \t]*\|(.+)\|[ \t]*$", re.M)
RULE_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")


def _cells(row: re.Match[str]) -> list[tuple[int, int]]:
    """Character ranges of the cells of a pipe-table row (without the pipes and padding)."""
    out, at = [], row.start(1)
    for part in row.group(1).split("|"):
        lead = len(part) - len(part.lstrip())
        out.append((at + lead, at + len(part.rstrip())))
        at += len(part) + 1
    return out


def _column_roles(text: str, header: list[tuple[int, int]]) -> dict[str, int]:
    """Which header cell is the action, the owner and the due date ('Action', 'Responsible', 'Due')."""
    names = lexicon()["table_columns"]
    roles: dict[str, int] = {}
    for col, (a, b) in enumerate(header):
        label = re.sub(r"[^a-z ]", " ", text[a:b].lower()).split()
        for role, words in names.items():
            if role not in roles and " ".join(label) in words:
                roles[role] = col
    return roles


def table_rows(doc: Doc, actors: Actors) -> tuple[list[tuple[Span, dict[str, Any]]], list[tuple[int, int]]]:
    """One action point per row of a table with an Action column: the Owner column is the actor
    (else the document's body), the Due column the deadline. Also returns the character ranges of
    such tables, which the clause grammars leave alone."""
    text = text_of(doc)
    rows = list(TABLE_ROW.finditer(text))
    records: list[tuple[Span, dict[str, Any]]] = []
    claimed: list[tuple[int, int]] = []
    n = 0
    while n < len(rows):
        table = [rows[n]]
        width = rows[n].group(1).count("|")
        while (  # a table: adjacent rows with as many cells as its header
            n + 1 < len(rows)
            and not text[rows[n].end() : rows[n + 1].start()].strip()
            and rows[n + 1].group(1).count("|") == width
        ):
            n += 1
            table.append(rows[n])
        n += 1
        header = _cells(table[0])
        roles = _column_roles(text, header)
        if "action" not in roles:
            continue
        claimed.append((table[0].start(), table[-1].end()))
        for row in table[1:]:
            cells = _cells(row)
            if all(RULE_CELL.match(text[a:b]) or a == b for a, b in cells) or len(cells) <= roles["action"]:
                continue
            a, b = cells[roles["action"]]
            action = text[a:b].strip(" *_.")
            span = doc.char_span(row.start(), row.end(), alignment_mode="expand")
            if not action or span is None:
                continue
            who = (
                _owner(doc, actors, text, cells[roles["owner"]])
                if "owner" in roles and roles["owner"] < len(cells)
                else []
            )
            who = who or ([actors.author] if actors.author else [])
            if not who:
                continue
            due = None
            if "due" in roles and roles["due"] < len(cells):
                da, db = cells[roles["due"]]
                dates = [date_of(s) for s in spans_in(doc, "dates", da, db)]
                due = next((iso_end(d) for d in dates if d and iso_end(d)), None)
            names = list(dict.fromkeys(w["name"] for w in who))
            records.append(
                (
                    span,
                    {
                        "actor": "; ".join(names),
                        "actor_key": who[0].get("key"),
                        "kind": "action_point",
                        "action": action,
                        "deadline": due,
                    },
                )
            )
    return records, claimed


def _owner(doc: Doc, actors: Actors, text: str, cell: tuple[int, int]) -> list[dict[str, Any]]:
    """Actors named in an owner cell ('Secretariat', 'IOM / UNHCR'), else the cell's words."""
    a, b = cell
    span = doc.char_span(a, b, alignment_mode="expand") if b > a else None
    if span is None:
        return []
    found = [actors.record(s) for s in actors.over(range(span.start, span.end))]
    if found:
        return found
    words = text[a:b].strip(" *_.")
    return [{"name": words, "key": None}] if words and not RULE_CELL.match(words) else []


SPEAKER_LABEL = re.compile(
    r"^(?P<who>[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3})\s*:\s+(?P<cue>will|shall|to)\s+\w", re.I
)


def labelled_undertaking(seg: Span, actors: Actors) -> list[dict[str, Any]]:
    """Minutes lines 'Name: will send ...' / 'Name: to circulate ...': the named participant acts."""
    if not starts_line(seg):
        return []
    text = seg_text(seg)
    m = SPEAKER_LABEL.match(strip_marker(text))
    if m is None or not m.group("who")[:1].isupper():
        return []
    doc = seg.doc
    offset = seg.start_char + text.find(m.group("who"))
    label = doc.char_span(offset, offset + len(m.group("who")), alignment_mode="expand")
    if label is None:
        return []
    spans = actors.over(range(label.start, label.end))
    if not spans and not all(t.pos_ == "PROPN" for t in label):
        return []  # 'Next meeting: to be announced' is a heading, not a participant
    who = [actors.record(spans[0])] if spans else [{"name": m.group("who"), "key": None}]
    verb = next((t for t in doc[label.end : seg.end] if t.tag_ == "VB"), None)
    if verb is None or verb.lemma_ == "be":
        return []
    action, end = action_text(verb, seg.end)
    kind = "action_point" if m.group("cue").lower() == "to" else "commitment"
    return [
        {
            "source": "action_section",
            "kind": kind,
            "who": who,
            "action": action,
            "start": seg.start,
            "end": end,
            "verb": verb.i,
        }
    ]


def procedural_decision(seg: Span, actors: Actors) -> list[dict[str, Any]]:
    """Minutes: 'The agenda was approved', 'The motion carried', 'X moved to ...' then 'carried':
    decisions of the body whose minutes these are."""
    if actors.author is None:
        return []
    lex = lexicon()["procedural"]
    for tok in seg:
        if tok.lemma_.lower() not in lex["verbs"] or tok.pos_ not in {"VERB", "AUX"}:
            continue
        owner = tok.head if tok.dep_ == "conj" else tok  # 'were seconded and carried'
        subj = [c for c in owner.children if c.dep_ in {"nsubjpass", "nsubj"}]
        passive = any(c.dep_ == "auxpass" for c in [*tok.children, *owner.children])
        if subj and subj[0].lemma_.lower() in lex["nouns"] and (passive or tok.lemma_.lower() in lex["intransitive"]):
            return [
                {
                    "source": "action_section",
                    "kind": "decision",
                    "who": [actors.author],
                    "action": seg_text(seg).strip().rstrip("."),
                    "start": seg.start,
                    "end": seg.end,
                    "verb": tok.i,
                }
            ]
    return []


def motion(segs: list[Span], n: int, actors: Actors) -> list[dict[str, Any]]:
    """'Duncan: moved to remove ...' followed within a few lines by 'The motion carried': a decision
    of the body, on the motion's line (the outcome lines are not rows of their own)."""
    seg = segs[n]
    if actors.author is None or not re.search(r"\bmoved\s+(?:to|that)\b", seg_text(seg), re.I):
        return []
    lex = lexicon()["procedural"]
    for later in segs[n + 1 : n + 6]:
        low = seg_text(later).lower()
        if re.search(r"\bmoved\s+(?:to|that)\b", low):
            return []
        if any(p in low for p in lex["motion_failed"]):
            return []
        if any(p in low for p in lex["motion_passed"]):
            verb = next((t for t in seg if t.lower_ == "moved"), seg[0])
            moved = re.search(r"\bmoved\s+(?:to|that)\s+", seg_text(seg), re.I)
            action = seg_text(seg)[moved.end() :].strip().rstrip(".") if moved else seg_text(seg)
            return [
                {
                    "source": "action_section",
                    "kind": "decision",
                    "who": [actors.author],
                    "action": action,
                    "start": seg.start,
                    "end": seg.end,
                    "verb": verb.i,
                    "outcome": later.start,
                }
            ]
    return []
