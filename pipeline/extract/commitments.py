"""Commitments, decisions, requests, calls, recommendations and action points.

Three small engines read the cue lexicons of ``models/commitments/``:

* dependency patterns (``patterns.jsonl``, a spaCy DependencyMatcher) for subject-led
  statements: "X will ...", "X is requested to ...", "X has decided to ...";
* an addressee scan for "Requests / Calls upon / encourages X ... to V", done on the token
  sequence because operative paragraphs of resolutions ("22. Calls upon ...") have no
  subject and the parser often tags their first verb as a noun;
* action sections ("Action Points:", "DECISIONS/ACTIONS REQUIRED", "ACTION: ..."), whose
  items are action points even without a verb cue.

The actor is always the party that is to act (the addressee of a request, not its author),
taken from the actor component's spans; pronouns are resolved to the speaker or to the
last actor that was a grammatical subject. Statements without an identifiable actor are
dropped: exhortations like "we must ..." count only when "we" can be resolved.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Any

import numpy as np
from spacy.attrs import DEP, HEAD, LEMMA, LOWER, NORM, ORTH, POS, TAG
from spacy.language import Language
from spacy.matcher import DependencyMatcher
from spacy.strings import get_string_id
from spacy.symbols import PRON as PRON_ID
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from pipeline.extract.cues import (
    LIST_MARKER,
    actor_of,
    date_of,
    ensure_extension,
    has_phrase,
    iso_end,
    load_lexicon,
    run_text,
    segment_bounds,
    spans_in,
    starts_line,
    strip_marker,
    unique_span,
)
from pipeline.nlp import text_of
from pipeline.settings import MODELS_DIR

PERSON_PRONOUNS = {"he", "she", "him", "her"}
THING_PRONOUNS = {"it", "its"}
MAX_ACTION_TOKENS = 25
OPENING_FORMULA = re.compile(
    r"^\s*(?:THE|The)\s+((?:[A-Z][\w-]*\s*)+?(?:(?:for|of|on|and)\s+(?:[A-Z][\w-]*\s*)+)*),\s*$", re.M
)
SMALL_WORDS = {"FOR", "OF", "ON", "AND", "THE"}
NOBODY = {"nobody", "no", "none", "nothing", "everyone", "everybody", "anyone", "anybody", "all", "everything", "one"}
DATE_FILLERS = {"the", "late", "early", "mid", "end", "of", "first", "second", "last", "half", "quarter"}
PRIORITY = ("action_section", "addressee", "pattern")
LINKERS = {"including", "such", "as", "notably", "particularly", "especially", "in", "of"}


def _lex() -> dict[str, Any]:
    return load_lexicon("commitments")


def _load_patterns() -> list[tuple[str, list[dict]]]:
    """Read patterns.jsonl, expanding "@name" (or "@a+b") to lexicon word lists."""
    lex = _lex()

    def expand(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("@"):
            words: list[str] = []
            for key in value[1:].split("+"):
                words.extend(lex[key])
            return words
        if isinstance(value, dict):
            return {k: expand(v) for k, v in value.items()}
        if isinstance(value, list):
            return [expand(v) for v in value]
        return value

    out = []
    with open(MODELS_DIR / "commitments" / "patterns.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                out.append((rec["id"], expand(rec["pattern"])))
    return out


MATCH_ATTRS = {
    "LEMMA": LEMMA,
    "LOWER": LOWER,
    "TAG": TAG,
    "POS": POS,
    "DEP": DEP,
    "ORTH": ORTH,
    "TEXT": ORTH,
    "NORM": NORM,
}
MATCH_OPS = {">", ">>"}
CUE_FORMS_CACHED = 50_000


@dataclass
class _Node:
    """One pattern node: attribute tests (column, allowed ids), its parent node and relation."""

    tests: list[tuple[int, np.ndarray]]
    parent: int
    op: str


class _TreeMatcher:
    """The DependencyMatcher's matches for patterns.jsonl, read from token arrays.

    spaCy's DependencyMatcher runs a token Matcher for every pattern node over every token and
    walks each hit's ancestors in Python: it cost half of this component. Our patterns only test
    token attributes for equality or membership and link nodes by '>' (child) or '>>'
    (descendant), so each node is a vectorised test and a match is grown from its root node
    along the head array. Matches come per pattern as position tuples in ascending order, the
    DependencyMatcher's own order within a sentence (and a segment's matches are all in one).
    Patterns using anything else keep the DependencyMatcher (``supports``).
    """

    def __init__(self, patterns: dict[str, list[dict]]) -> None:
        self.attrs = sorted({a for p in patterns.values() for node in p for a in node["RIGHT_ATTRS"]})
        self.patterns = [(pid, [self._node(p, node) for node in p]) for pid, p in patterns.items()]

    @staticmethod
    def supports(patterns: dict[str, list[dict]]) -> bool:
        for pattern in patterns.values():
            ids = [node["RIGHT_ID"] for node in pattern]
            for j, node in enumerate(pattern):
                if j and (node.get("REL_OP") not in MATCH_OPS or node.get("LEFT_ID") not in ids[:j]):
                    return False
                for attr, value in node["RIGHT_ATTRS"].items():
                    values = value["IN"] if isinstance(value, dict) and list(value) == ["IN"] else [value]
                    if attr not in MATCH_ATTRS or not all(isinstance(v, str) for v in values):
                        return False
        return True

    def _node(self, pattern: list[dict], node: dict) -> _Node:
        tests = []
        for attr, value in node["RIGHT_ATTRS"].items():
            values = value["IN"] if isinstance(value, dict) else [value]
            tests.append((self.attrs.index(attr), np.array([get_string_id(v) for v in values], dtype=np.uint64)))
        ids = [n["RIGHT_ID"] for n in pattern]
        parent = ids.index(node["LEFT_ID"]) if "LEFT_ID" in node else -1
        return _Node(tests, parent, node.get("REL_OP", ""))

    def __call__(self, doc: Doc) -> list[tuple[str, list[int]]]:
        """(pattern id, token index per node) for every match."""
        n = len(doc)
        if not n:
            return []
        table = doc.to_array([MATCH_ATTRS[a] for a in self.attrs] + [HEAD]).reshape(n, -1)
        columns = [np.ascontiguousarray(table[:, k]) for k in range(len(self.attrs))]
        here = np.arange(n)
        heads = here + table[:, -1].astype(np.int64)
        child = heads != here
        tested: dict[tuple[int, bytes], np.ndarray] = {}
        out: list[tuple[str, list[int]]] = []
        for pid, nodes in self.patterns:
            masks = [self._mask(columns, node, tested) for node in nodes]
            for j in range(len(nodes) - 1, 0, -1):  # a node needs a candidate for each '>' child
                if nodes[j].op == ">":
                    has = np.zeros(n, bool)
                    has[heads[masks[j] & child]] = True
                    masks[nodes[j].parent] &= has
            kids: list[Any] = [None]
            for j in range(1, len(nodes)):
                if nodes[j].op != ">":
                    kids.append(masks[j])
                    continue
                masks[j] &= child & masks[nodes[j].parent][heads]  # ... and a '>' child a parent
                found = np.flatnonzero(masks[j]).tolist()
                by_head: dict[int, list[int]] = {}
                for t, h in zip(found, heads[found].tolist(), strict=True):
                    by_head.setdefault(h, []).append(t)
                kids.append(by_head)
            for root in np.flatnonzero(masks[0]).tolist():
                out.extend((pid, ids) for ids in self._grow(doc, nodes, kids, [root]))
        return out

    @staticmethod
    def _mask(columns: list[np.ndarray], node: _Node, tested: dict[tuple[int, bytes], np.ndarray]) -> np.ndarray:
        """Tokens passing the node's tests; a test shared by several nodes is computed once."""
        mask = np.ones(len(columns[0]), bool)
        for col, ids in node.tests:
            key = (col, ids.tobytes())
            if key not in tested:
                hit = columns[col] == ids[0]
                for value in ids[1:]:
                    hit |= columns[col] == value
                tested[key] = hit
            mask &= tested[key]
        return mask

    def _grow(self, doc: Doc, nodes: list[_Node], kids: list[Any], pos: list[int]) -> Iterator[list[int]]:
        """Extend a partial match node by node, each node's candidates in ascending order."""
        j = len(pos)
        if j == len(nodes):
            yield list(pos)
            return
        node, at = nodes[j], pos[nodes[j].parent]
        if node.op == ">":
            cands = kids[j].get(at, ())
        else:
            mask = kids[j]
            cands = sorted(t.i for t in doc[at].subtree if t.i != at and mask[t.i])
        for c in cands:
            pos.append(c)
            yield from self._grow(doc, nodes, kids, pos)
            pos.pop()


class _Actors:
    """Resolves tokens to actor records: spans, pronouns, the speaker, the author."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.speaker = self._speaker()
        self.recent_subjects: list[tuple[int, Span]] = []
        group = doc.spans["actors"] if "actors" in doc.spans else []
        ordered = sorted(((s.start, s.end, s, actor_of(s)) for s in group), key=lambda e: e[0])
        self._index = [(a, b, s, str(r.get("key") or r.get("name"))) for a, b, s, r in ordered if r is not None]
        self._starts = [e[0] for e in self._index]
        self._reach = list(itertools.accumulate((e[1] for e in self._index), max))
        arr = doc.to_array([DEP, POS]) if len(doc) else np.zeros((0, 2), dtype=np.uint64)
        subj = np.isin(arr[:, 0], [get_string_id("nsubj"), get_string_id("nsubjpass")]) & (arr[:, 1] != PRON_ID)
        self._subjects = np.flatnonzero(subj).tolist()

    def over(self, tokens: Iterable[int]) -> list[Span]:
        """``cues.actors_over`` for token indices, from an index built once per Doc: actor spans
        touching any of the tokens, in text order, one per actor."""
        idx = set(tokens)
        if not idx:
            return []
        low, high = min(idx), max(idx)
        first = bisect.bisect_right(self._reach, low)  # spans before it all end at or before ``low``
        last = bisect.bisect_right(self._starts, high)
        seen: set[str] = set()
        out = []
        for start, end, span, key in self._index[first:last]:
            if end > low and not idx.isdisjoint(range(start, end)) and key not in seen:
                seen.add(key)
                out.append(span)
        return out

    def _canonical(self, name: str | None) -> dict[str, Any] | None:
        if not name:
            return None
        low = name.lower().strip()
        for span in self.doc.spans.get("actors", []):
            rec = actor_of(span) or {}
            names = [rec.get("name") or "", *(rec.get("aliases") or [])]
            if any(low == n.lower() for n in names):
                return {"name": rec.get("name"), "key": rec.get("key")}
        return {"name": name.strip(), "key": None}

    def _speaker(self) -> dict[str, Any] | None:
        ud = self.doc.user_data
        return self._canonical(ud.get("speaker") or ud.get("speaker_or_author") or ud.get("author"))

    @cached_property
    def author(self) -> dict[str, Any] | None:
        """Owner of impersonal decisions ("it was agreed", "Decides to"): the document's
        author or body, else an adopting organ named at the top ("The General Assembly,")."""
        if self.speaker:
            return self.speaker
        head = self.doc[:600].text
        for key, name in _lex()["resolution_authors"].items():
            opening = rf"^\s*The\s+{re.escape(key)}\s*,|adopted\s+by\s+the\s+{re.escape(key)}\b"
            if re.search(opening, head, re.I | re.M):
                return self._canonical(name)
        formula = OPENING_FORMULA.search(head)
        if formula:
            name = formula.group(1)
            if name.isupper():
                name = " ".join(w.lower() if w in SMALL_WORDS else w.capitalize() for w in name.split())
            return self._canonical(name)
        return None

    def we(self, tok: Token) -> list[dict[str, Any]]:
        """'we' is an actor only when spelled out ('we all – A, B and C –') or known by role."""
        seg_end = min(tok.i + 16, len(self.doc))
        window = [t for t in self.doc[tok.i + 1 : seg_end]]
        dash = [t.i for t in window if t.text in {"–", "—", "-", "(", ","}]
        if dash:
            close = [t.i for t in window if t.text in {"–", "—", "-", ")"} and t.i > dash[0]]
            if close:
                found = [self.record(s) for s in self.over(range(dash[0] + 1, close[0]))]
                if len(found) >= 2:
                    return found
        speaker = (self.doc.user_data.get("speaker") or "").lower()
        for role, name in _lex()["we_by_speaker"].items():
            if role in speaker and not ("deputy" in role) ^ ("deputy" in speaker):
                return [self._canonical(name) or {"name": name, "key": None}]
        return []

    @staticmethod
    def record(span: Span) -> dict[str, Any]:
        rec = actor_of(span) or {}
        return {"name": rec.get("name") or span.text, "key": rec.get("key"), "type": rec.get("type")}

    def pronoun(self, tok: Token) -> list[dict[str, Any]]:
        low = tok.lower_
        if low in {"i", "me", "my"}:
            return [self.speaker] if self.speaker else []
        if low in {"we", "us", "our"}:
            return self.we(tok)
        recent = [s for i, s in reversed(self.recent_subjects) if tok.i - i < 120]
        if low in PERSON_PRONOUNS:
            types = {"person", "role"}
        elif low in THING_PRONOUNS:
            types = {"organization", "un_body", "member_state"}
        elif low in {"they", "them", "their"}:
            types = {"person", "role", "organization", "un_body", "member_state"}
        else:
            return []
        sent = tok.sent
        before = [s for s in self.doc.spans.get("actors", []) if sent.start <= s.start and s.end <= tok.i]
        if low != "it":
            recent = sorted(before, key=lambda s: -s.start) + recent
        for span in recent:
            rec = self.record(span)
            if rec.get("type") in types and (not self.speaker or rec["name"] != self.speaker["name"]):
                return [rec]
        return []

    def of_subject(self, tok: Token, seg: Span) -> list[dict[str, Any]]:
        """Actors named by the noun phrase headed by ``tok`` (with its conjuncts)."""
        if tok.pos_ == "PRON":
            return self.pronoun(tok)
        phrase = [t for t in _np_core(tok) if seg.start <= t.i < seg.end]
        spans = self.over(t.i for t in phrase)
        if spans:
            return [self.record(s) for s in spans]
        if "actors" not in self.doc.spans and tok.pos_ == "PROPN" and tok.i != _first_word(seg):
            left = tok.i
            while left > seg.start and self.doc[left - 1].is_title and self.doc[left - 1].i != _first_word(seg):
                left -= 1
            return [{"name": self.doc[left : tok.i + 1].text, "key": None}]
        return []

    def note_subjects(self, seg: Span) -> None:
        """Remember the actors that are subjects (not pronouns) in ``seg``, for later pronouns."""
        lo = bisect.bisect_left(self._subjects, seg.start)
        for i in self._subjects[lo : bisect.bisect_left(self._subjects, seg.end)]:
            for span in self.over(t.i for t in self.doc[i].subtree):
                self.recent_subjects.append((i, span))


def _np_core(tok: Token) -> list[Token]:
    """The head noun, its left modifiers ("Network support", "the Network's work") and its
    conjuncts, but not its prepositional phrases ("support to the co-facilitators")."""
    out = [tok]
    for child in tok.children:
        if child.dep_ in {"compound", "poss", "amod", "nmod", "det", "nummod"} and child.i < tok.i:
            out.extend(child.subtree)
        elif child.dep_ in {"conj", "appos"}:
            out.extend(_np_core(child))
        elif child.dep_ == "prep" and child.lower_ == "of" and tok.lower_ in _lex()["of_heads"]:
            out.extend(child.subtree)
    return out


def _action_text(verb: Token, limit_end: int) -> tuple[str, int]:
    """Short verb phrase: the verb and what follows it, cut at ';' or a new clause."""
    doc = verb.doc
    end = verb.i + 1
    right_edge = min(verb.right_edge.i + 1, limit_end)
    for tok in doc[verb.i + 1 : right_edge]:
        if tok.text in {";", ":"} or tok.is_space:
            break
        if tok.dep_ == "conj" and tok.head == verb and any(c.dep_.startswith("nsubj") for c in tok.children):
            break
        end = tok.i + 1
        if end - verb.i >= MAX_ACTION_TOKENS:
            break
    start = verb.i
    prt = [c for c in verb.children if c.dep_ == "neg" and c.i < verb.i]
    if prt:
        start = prt[0].i
    text = doc[start:end].text.rstrip(" ,.;")
    return text, end


def _deadline(doc: Doc, start: int, end: int) -> str | None:
    """Deadline from a date that governs the clause: 'by March 2017', 'in late 2018',
    'during 2017', a leading 'Six weeks from now' -- not a date naming something ('the
    2018 recommendations')."""
    lex = _lex()
    preps = lex["deadline_preps"]
    found = []
    for span in spans_in(doc, "dates", doc[start].idx, doc[end - 1].idx + len(doc[end - 1])):
        rec = date_of(span) or {}
        if rec.get("kind") == "time":
            continue
        before = [t.lower_ for t in doc[max(span.start - 4, start) : span.start] if t.lower_ not in DATE_FILLERS]
        lead = doc[span.start].lower_ in preps or (before and before[-1] in preps)
        if lead or before[-1:] == [","] and span.start - start < 3 or span.start == start:
            strong = has_phrase(" ".join(before[-3:]), lex["deadline_strong"])
            found.append((0 if strong else 1, span.start, rec))
    return iso_end(min(found, key=lambda f: f[:2])[2]) if found else None


class CommitmentFinder:
    """spaCy component: ``doc.spans["commitments"]`` with ``span._.commitment`` records."""

    def __init__(self, vocab: Vocab | None = None) -> None:
        ensure_extension("commitment")
        self.patterns = dict(_load_patterns())
        self.tree = _TreeMatcher(self.patterns) if _TreeMatcher.supports(self.patterns) else None
        self.matcher: DependencyMatcher | None = None
        self.cue_forms: dict[tuple[int, int], bool] = {}
        if vocab is not None:
            self._matcher(vocab)  # also validates the patterns

    def _matcher(self, vocab: Vocab) -> DependencyMatcher:
        if self.matcher is None or self.matcher.vocab is not vocab:
            self.matcher = DependencyMatcher(vocab)
            for pid, pattern in self.patterns.items():
                self.matcher.add(pid, [pattern])
        return self.matcher

    def _matches(self, doc: Doc) -> list[tuple[str, list[int]]]:
        """(pattern id, token per node) of the dependency patterns."""
        if self.tree is not None:
            return self.tree(doc)
        return [(doc.vocab.strings[m], ids) for m, ids in self._matcher(doc.vocab)(doc)]

    def _cue_tokens(self, doc: Doc) -> list[int]:
        """Tokens whose lemma or form is an addressee verb, the only ones ``_cue_kind`` (and the
        passive scan) can accept: found over the Doc's distinct words, not token by token."""
        if not len(doc):
            return []
        verbs, strings = _lex()["addressee_verbs"], doc.vocab.strings
        table = doc.to_array([LEMMA, LOWER])
        mask = np.zeros(len(doc), bool)
        for col, form in ((0, str.lower), (1, lambda w: w.rstrip("s"))):
            good = []
            for h in np.unique(table[:, col]).tolist():
                if (col, h) not in self.cue_forms:
                    if len(self.cue_forms) >= CUE_FORMS_CACHED:  # bounded: a long run stays flat
                        self.cue_forms.clear()
                    self.cue_forms[col, h] = bool(verbs.get(form(strings[h])))
                if self.cue_forms[col, h]:
                    good.append(h)
            mask |= np.isin(table[:, col], np.array(good, dtype=np.uint64))
        return np.flatnonzero(mask).tolist()

    def __call__(self, doc: Doc) -> Doc:
        actors = _Actors(doc)
        bounds = segment_bounds(doc)
        segs = [doc[start:end] for start, end in bounds]
        seg_starts = [start for start, _ in bounds]
        by_seg: dict[int, list[dict[str, Any]]] = {}
        for pid, token_ids in self._matches(doc):
            n = bisect.bisect_right(seg_starts, token_ids[0]) - 1
            if n >= 0 and all(bounds[n][0] <= i < bounds[n][1] for i in token_ids):
                roles = {p["RIGHT_ID"]: doc[i] for p, i in zip(self.patterns[pid], token_ids, strict=True)}
                by_seg.setdefault(n, []).append({"pid": pid, **roles})
        action_items = _action_items(doc, segs)
        cue_tokens = self._cue_tokens(doc)
        chunks = _Chunks(doc)
        text = text_of(doc)
        breaks = [m.start() for m in re.finditer(r"\n\s*\n", text)]
        records: list[tuple[Span, dict[str, Any]]] = []
        last_actor: dict[str, Any] | None = None
        last_para = -1
        listing: dict[str, Any] | None = None
        for n, seg in enumerate(segs):
            para = bisect.bisect(breaks, seg.start_char)
            if para != last_para:
                last_actor, last_para = None, para
            cues = cue_tokens[bisect.bisect_left(cue_tokens, seg.start) : bisect.bisect_left(cue_tokens, seg.end)]
            found = _addressee_scan(seg, actors, cues, chunks) + _operative_scan(seg, actors)
            found += [c for m in by_seg.get(n, []) if (c := _from_match(m, seg, actors, last_actor))]
            listing, item = _list_item(seg, listing, actors, cues)
            found = _dedupe(found + item)
            if n in action_items:
                found = _as_action_point(seg, found, actors, chunks) or found[:1]
                for cand in found:
                    cand["kind"] = "action_point"
            for cand in found:
                span, rec = _finish(cand, seg, len(found) == 1)
                records.append((span, rec))
                last_actor = {"name": rec["actor"].split("; ")[0], "key": rec["actor_key"]}
            actors.note_subjects(seg)
        spans = []
        used: set[tuple[int, int]] = set()
        for span, rec in records:
            span = unique_span(doc, [(span.start, span.end)], used)
            span._.commitment = rec
            spans.append(span)
        doc.spans["commitments"] = spans
        return doc


def _names(recs: list[dict[str, Any]]) -> tuple[str, str | None]:
    names = list(dict.fromkeys(r["name"] for r in recs if r and r.get("name")))
    return "; ".join(names), next((r.get("key") for r in recs if r), None)


def _ready_to(verb: Token) -> Token:
    """'X should be ready/able/prepared to V': the act is V."""
    if verb.lemma_ != "be":
        return verb
    for adj in verb.children:
        if adj.dep_ == "acomp" and adj.lemma_.lower() in _lex()["readiness_adjectives"]:
            for child in adj.children:
                if child.dep_ == "xcomp" and child.pos_ in {"VERB", "AUX"}:
                    return child
    return verb


def _skip_action(verb: Token) -> bool:
    """Copulas, reporting verbs and negated verbs are not undertakings."""
    lex = _lex()
    lemma = verb.lemma_.lower()
    if lemma == "be" or lemma in lex["skip_actions"] and not any(c.dep_ in {"dobj", "xcomp"} for c in verb.children):
        return True
    return any(c.dep_ == "neg" for c in verb.children)


def _in_belief(verb: Token) -> bool:
    """Inside 'I hope/believe/am confident that ...' or an if/as/when clause: not an undertaking."""
    lex = _lex()
    tok = verb
    while tok.dep_ in {"conj", "xcomp"} and tok.head != tok:
        tok = tok.head
    if tok.dep_ == "advcl" and any(c.dep_ == "mark" for c in tok.children):
        return True
    if tok.dep_ in {"ccomp", "relcl", "acl", "advcl", "pcomp"}:
        head = tok.head
        return head.lemma_.lower() in lex["belief_verbs"] or tok.dep_ != "ccomp"
    return False


def _from_match(m: dict[str, Any], seg: Span, actors: _Actors, last: dict[str, Any] | None) -> dict | None:
    """Turn one DependencyMatcher hit into a candidate record, or None if no one acts."""
    lex = _lex()
    pid = m["pid"]
    action: Token = m["action"]
    cue: Token = m.get("cue", action)
    kind = "commitment"
    who: list[dict[str, Any]] = []
    if pid in {"passive_addressee"}:
        kind = lex["addressee_verbs"].get(cue.lemma_.lower(), "request")
        who = actors.of_subject(m["actor"], seg)
    elif pid == "subject_decides":
        if action.i < cue.i:
            return None
        kind = {**lex["decision_verbs"], **lex["commit_verbs"]}.get(cue.lemma_.lower(), "commitment")
        who = actors.of_subject(m["actor"], seg)
    elif pid == "modal_active":
        action = _ready_to(action)
        if _skip_action(action) or _in_belief(action):
            return None
        if action.lemma_.lower() in lex["descriptive_actions"]:
            return None
        kind = lex["modals"].get(cue.lower_, "commitment")
        who = actors.of_subject(m["actor"], seg)
    elif pid == "modal_passive":
        if _in_belief(action) or any(c.dep_ == "neg" for c in action.children):
            return None
        kind = lex["modals"].get(cue.lower_, "commitment")
        theme: Token = m["theme"]
        context = [last] if last and theme.lower_ not in NOBODY and theme.pos_ != "PRON" else []
        who = _agents(action, theme, actors) or context
        if kind == "commitment" and who:
            kind = "decision"
    elif pid in {"readiness", "wish_for"}:
        kind = lex["readiness_nouns"].get(cue.lemma_.lower(), "request")
        if kind == "request":
            who = [actors.record(s) for s in actors.over(t.i for t in action.subtree)]
            verbs = [t for t in seg if t.dep_ in {"conj", "advcl", "xcomp"} and t.head.i > cue.i and t.pos_ == "VERB"]
            action = verbs[0] if verbs else action
        else:
            who = actors.of_subject(m["actor"], seg)
    elif pid == "importance":
        kind = lex["importance_nouns"].get(cue.lemma_.lower(), "recommendation")
        subj = [c for c in action.children if c.dep_ in {"nsubj", "nsubjpass"}]
        who = actors.of_subject(subj[0], seg) if subj else []
    elif pid in {"expletive", "expletive_passive"}:
        if action.lemma_.lower() in lex["expletive_skip_actions"] or any(c.lower_ == "so" for c in action.children):
            return None
        kind = lex["expletive_adjectives"].get(cue.lower_, "recommendation")
        who = [actors.author] if actors.author else []
    elif pid == "agreement":
        kind = lex["agreement_nouns"].get(cue.lemma_.lower(), "decision")
        spans = actors.over(t.i for t in cue.subtree)
        who = [actors.record(spans[0])] if spans else ([actors.author] if actors.author else [])
        verbs = [t for t in cue.subtree if t.pos_ == "VERB" and t.i > cue.i]
        if not verbs:
            return None
        action = verbs[0]
    elif pid == "minutes_to":
        kind = "action_point"
        who = actors.of_subject(m["actor"], seg)
    who = [w for w in who if w]
    if not who:
        return None
    start = min(t.i for t in (m.get("actor", action), cue, action) if isinstance(t, Token))
    text, end = _action_text(action, seg.end)
    return {"source": "pattern", "kind": kind, "who": who, "action": text, "start": start, "end": end, "verb": action.i}


def _agents(action: Token, theme: Token, actors: _Actors) -> list[dict[str, Any]]:
    """Who acts in a passive: the by-agent of the verb or of its own sub-clauses, or an
    actor that owns the theme ("Network support should be ...")."""
    heads = [action, *(c for c in action.children if c.dep_ in {"advcl", "xcomp", "conj"})]
    heads += [c for c in theme.children if c.dep_ in {"acl", "relcl"}]
    for head in heads:
        for child in head.children:
            if child.dep_ == "agent":
                spans = actors.over(t.i for t in child.subtree)
                if spans:
                    return [actors.record(s) for s in spans]
    owners = [t for c in theme.children if c.dep_ in {"compound", "poss"} for t in c.subtree]
    owners += [theme] if theme.pos_ == "PROPN" else []
    return [actors.record(s) for s in actors.over(t.i for t in owners)]


def _cue_kind(tok: Token, seg: Span) -> str | None:
    """Kind of an addressee cue verb ('requests', 'calls upon', 'encourage'), else None."""
    lex = _lex()
    kind = lex["addressee_verbs"].get(tok.lemma_.lower()) or lex["addressee_verbs"].get(tok.lower_.rstrip("s"))
    if kind is None or tok.tag_ == "VBN" or tok.tag_ == "VBG" and tok.lower_ != "calling":
        return None
    first = _first_word(seg)
    if tok.pos_ not in {"VERB", "AUX"} and tok.i != first:
        return None
    preps = lex["addressee_preps"].get(tok.lemma_.lower()) or lex["addressee_preps"].get(tok.lower_.rstrip("s"))
    if preps:
        nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
        if nxt is None or nxt.lower_ not in preps:
            return None
    return kind


def _text(seg: Span) -> str:
    """``seg.text`` cut from the Doc's cached text (``Span.text`` joins its tokens anew)."""
    return text_of(seg.doc)[seg.start_char : seg.end_char]


@cache
def _operative_adverbs() -> frozenset[str]:
    return frozenset(_lex()["operative_adverbs"])


def _first_word(seg: Span) -> int:
    """Index of the first word after a paragraph number, bullet and operative adverbs."""
    marker = LIST_MARKER.match(_text(seg))
    skip = len(marker.group(0)) if marker else 0
    i = seg.start
    while i < seg.end and seg.doc[i].idx - seg.start_char < skip:
        i += 1
    adverbs = _operative_adverbs()
    while i < seg.end and (seg.doc[i].lower_ in adverbs or seg.doc[i].is_punct):
        i += 1
    return i


def _to_verb(seg: Span, start: int) -> Token | None:
    """The verb of the first 'to V' after ``start`` in the segment (or None at ';' / ':')."""
    doc = seg.doc
    for tok in doc[start : seg.end]:
        if tok.lower_ == "to" and tok.i + 1 < seg.end and doc[tok.i + 1].tag_ == "VB":
            return doc[tok.i + 1]
        if tok.text in {";", ":"}:
            break
    return None


def _list_after(seg: Span) -> str | None:
    """'... invites participants to:' followed by lettered items: the first item's text."""
    if not _text(seg).rstrip().endswith(("to:", "to :")):
        return None
    rest = seg.doc[seg.end : seg.end + 80].text.lstrip()
    first = rest.split("\n", 1)[0]
    return strip_marker(first).rstrip(" ;,.") if LIST_MARKER.match(first) else None


def _addressees(spans: list[Span]) -> list[Span]:
    """The first actor and those listed with it ('X and other Y, including Z')."""
    doc = spans[0].doc
    kept = [spans[0]]
    for span in spans[1:]:
        gap = doc[kept[-1].end : span.start]
        if len(gap) <= 12 and not any(t.pos_ in {"VERB", "ADP"} and t.lower_ not in LINKERS for t in gap):
            kept.append(span)
        else:
            break
    return kept


def _addressee_scan(seg: Span, actors: _Actors, cue_tokens: list[int], chunks: _Chunks) -> list[dict[str, Any]]:
    """'Requests X, and invites Y, ... to V': each cue's addressees are the actors before 'to V'.

    ``cue_tokens``: the segment's tokens that may be cues (``CommitmentFinder._cue_tokens``)."""
    doc = seg.doc
    cues = [(i, k) for i in cue_tokens if (k := _cue_kind(doc[i], seg))]
    out = []
    for n, (ci, kind) in enumerate(cues):
        stop = cues[n + 1][0] if n + 1 < len(cues) else seg.end
        to_verb = _to_verb(seg, ci + 1)
        listed = _list_after(seg) if to_verb is None else None
        if to_verb is None and listed is None:
            continue
        limit = to_verb.i if to_verb is not None else seg.end
        if limit - ci > 80:
            continue
        spans = actors.over(range(ci + 1, min(stop, limit)))
        if not spans:
            spans = _plain_addressee(doc[ci + 1 : min(stop, limit)], chunks)
        if not spans:
            continue
        lead = doc[ci + 1 : spans[0].start]
        if any(t.pos_ == "VERB" for t in lead) or len(lead) > 6:
            continue
        who = [actors.record(s) for s in _addressees(spans)]
        if to_verb is not None:
            text, end = _action_text(to_verb, seg.end)
        else:
            text, end = listed or "", seg.end
        verb = to_verb.i if to_verb is not None else seg.end - 1
        out.append(
            {"source": "addressee", "kind": kind, "who": who, "action": text, "start": ci, "end": end, "verb": verb}
        )
    out += _passive_scan(seg, actors, cue_tokens)
    return out


class _Chunks:
    """The Doc's noun chunks, read only as far as asked: ``Span.noun_chunks`` builds those of
    the whole Doc on every call, and few segments need any."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.found: list[tuple[int, int]] = []
        self.rest: Iterator[tuple[int, int, int]] | None = None
        self.done = False

    def within(self, start: int, end: int) -> list[tuple[int, int]]:
        """Token ranges of the noun chunks inside [start, end), as ``doc[start:end].noun_chunks``."""
        if self.doc.noun_chunks_iterator is None and not self.done:  # raises as spaCy does
            self.found, self.done = [(c.start, c.end) for c in self.doc.noun_chunks], True
        if not self.done and (not self.found or self.found[-1][1] <= end):
            if self.rest is None:
                self.rest = self.doc.noun_chunks_iterator(self.doc)
            for a, b, _label in self.rest:  # chunks come by their head, so their ends increase
                self.found.append((a, b))
                if b > end:
                    break
            else:
                self.done = True
        return [(a, b) for a, b in self.found if a >= start and b <= end]


def _plain_addressee(span: Span, chunks: _Chunks) -> list[Span]:
    """An addressee the actor component did not list: a plain noun phrase ('all donors')."""
    doc = span.doc
    for chunk in (doc[a:b] for a, b in chunks.within(span.start, span.end)):
        if chunk.root.pos_ in {"NOUN", "PROPN"} and chunk.root.dep_ in {"dobj", "pobj", "conj", "nsubj"}:
            start = chunk.start
            while start < chunk.end - 1 and chunk.doc[start].dep_ in {"det", "predet"}:
                start += 1
            return [chunk.doc[start : chunk.end]]
    words = [t for t in span if not t.is_punct]
    if words and len(words) <= 5 and words[-1].pos_ in {"NOUN", "PROPN"}:
        start = words[0].i + (words[0].dep_ in {"det", "predet"} or words[0].lower_ in {"the", "all"})
        return [span.doc[start : words[-1].i + 1]]
    return []


def _passive_scan(seg: Span, actors: _Actors, cue_tokens: list[int]) -> list[dict[str, Any]]:
    """'X, as part of ..., is requested to V' when the parser lost the subject."""
    doc = seg.doc
    out = []
    for tok in (doc[i] for i in cue_tokens):
        kind = _lex()["addressee_verbs"].get(tok.lemma_.lower())
        if kind is None or tok.tag_ != "VBN" or tok.i == seg.start:
            continue
        if doc[tok.i - 1].lemma_ != "be" or any(c.dep_ == "nsubjpass" for c in tok.children):
            continue
        to_verb = _to_verb(seg, tok.i + 1)
        if to_verb is None or to_verb.i - tok.i > 3:
            continue
        clause_start = max([seg.start, *(t.i + 1 for t in doc[seg.start : tok.i] if t.text in {";", ":"})])
        spans = actors.over(range(clause_start, tok.i))
        if not spans:
            continue
        text, end = _action_text(to_verb, seg.end)
        who = [actors.record(s) for s in _addressees(spans)]
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


def _operative_scan(seg: Span, actors: _Actors) -> list[dict[str, Any]]:
    """Resolution style 'Decides to V' / 'Requests that X V': the author decides; X is asked."""
    doc = seg.doc
    first = _first_word(seg)
    if first >= seg.end or not doc[first].is_title:
        return []
    lemma = doc[first].lemma_.lower()
    lex = _lex()
    nxt = doc[first + 1] if first + 1 < seg.end else None
    if nxt is None:
        return []
    if lemma in lex["decision_verbs"] and nxt.lower_ == "to" and first + 2 < seg.end:
        author = actors.author
        verb = doc[first + 2]
        if author is None or verb.tag_ != "VB":
            return []
        text, end = _action_text(verb, seg.end)
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
        text, end = _action_text(verb, seg.end)
        return [
            {
                "source": "addressee",
                "kind": kind,
                "who": [actors.record(s) for s in _addressees(spans)],
                "action": text,
                "start": first,
                "end": end,
                "verb": verb.i,
            }
        ]
    return []


def _list_item(
    seg: Span, listing: dict[str, Any] | None, actors: _Actors, cue_tokens: list[int]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """'Requests the Secretary-General:' then '(a) To submit ...': each item is a request.

    Returns the open listing (if this segment opens or continues one) and the item's record.
    """
    doc = seg.doc
    text = _text(seg)
    if listing is not None and LIST_MARKER.match(text):
        first = _first_word(seg)
        if first + 1 < seg.end and doc[first].lower_ == "to" and doc[first + 1].tag_ == "VB":
            text, end = _action_text(doc[first + 1], seg.end)
            item = {**listing, "action": text, "start": seg.start, "end": end, "verb": first + 1}
            return listing, [item]
    if text.rstrip().endswith(":") and not text.rstrip().endswith("to:"):
        for tok in (doc[i] for i in cue_tokens):
            kind = _cue_kind(tok, seg)
            if kind:
                spans = actors.over(range(tok.i + 1, seg.end))
                if spans:
                    who = [actors.record(s) for s in _addressees(spans)]
                    return {"source": "addressee", "kind": kind, "who": who}, []
        return None, []
    return (listing if LIST_MARKER.match(text) else None), []


def _dedupe(cands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One candidate per action verb; the addressee reading wins over subject patterns."""
    out: list[dict[str, Any]] = []
    for cand in sorted(cands, key=lambda c: PRIORITY.index(c["source"])):
        same_who = [o for o in out if o["who"] == cand["who"]]
        clash = [
            o
            for o in (same_who if cand["source"] == "addressee" else out)
            if o["verb"] == cand["verb"] or (o["start"] <= cand["verb"] < o["end"] and o["source"] == "addressee")
        ]
        if not clash:
            out.append(cand)
    return sorted(out, key=lambda c: c["start"])


@lru_cache(maxsize=1)
def _action_prefix() -> re.Pattern[str]:
    """'ACTION:', 'Action item -' ... labels that make a line an action point by themselves."""
    labels = "|".join(re.escape(p) for p in _lex()["action_prefixes"])
    return re.compile(rf"^\s*(?:{labels})\s*[:\-–]\s*", re.I)


def _action_items(doc: Doc, segs: list[Span]) -> set[int]:
    """Segments under an 'Action points' / 'Decisions' heading, or prefixed 'ACTION:'."""
    lex = _lex()
    headings = {h.lower() for h in lex["action_headings"]}
    prefix = _action_prefix()
    items: set[int] = set()
    inside = opened = False
    for n, seg in enumerate(segs):
        raw = _text(seg).strip()
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
        heading = line_start and not listed and len(raw) < 90 and raw[-1:] not in ".;"
        if heading or (line_start and not listed and opened):
            inside = False
            continue
        items.add(n)
        opened = opened or (line_start and listed)
    return items


def _item_start(seg: Span) -> int:
    """First word of an action item, after its bullet and an 'ACTION:' style label."""
    first = _first_word(seg)
    if _action_prefix().match(seg.doc[first : seg.end].text):
        while first < seg.end and seg.doc[first].text not in {":", "-", "–"}:
            first += 1
        first += 1
    while first < seg.end and not seg.doc[first].is_alpha:
        first += 1
    return first


def _as_action_point(seg: Span, found: list[dict[str, Any]], actors: _Actors, chunks: _Chunks) -> list[dict[str, Any]]:
    """Everything in an action item is an action point. The owner is the 'X' of 'X to do Y',
    else the 'by/from X' party, else the addressed body for an imperative, else the first actor."""
    doc = seg.doc
    first = _item_start(seg)
    if first >= seg.end:
        return []
    owner: list[dict[str, Any]] = []
    verb: Token | None = None
    to_verb = _to_verb(seg, first)
    if to_verb is not None and to_verb.i - first <= 9:
        lead = doc[first : to_verb.i - 1]
        if lead and not any(t.pos_ in {"VERB", "AUX"} and t.tag_ != "VBN" for t in lead):
            spans = actors.over(range(lead.start, lead.end))
            owner = [actors.record(spans[0])] if spans else [actors.record(s) for s in _plain_addressee(lead, chunks)]
            verb = to_verb if owner else None
    if not owner:
        for prep in (t for t in seg if t.lower_ in {"by", "from"} and t.dep_ in {"prep", "agent"}):
            spans = actors.over(t.i for t in prep.subtree)
            if spans:
                owner = [actors.record(spans[0])]
                break
    if not owner and doc[first].tag_ == "VB" and actors.author:
        owner = [actors.author]  # imperative item: the body the document addresses acts
    if not owner:
        spans = actors.over(range(first, seg.end))
        owner = [actors.record(spans[0])] if spans else ([actors.author] if actors.author else [])
    if not owner:
        return []
    if verb is None:
        verb = next((t for t in doc[first : seg.end] if t.pos_ == "VERB"), None)
    text = doc[first : seg.end].text.rstrip(".*; ")
    if verb is not None:
        text, _ = _action_text(verb, seg.end)
    pos = verb.i if verb is not None else seg.start
    return [
        {
            "source": "action_section",
            "kind": "action_point",
            "who": owner,
            "action": text,
            "start": seg.start,
            "end": seg.end,
            "verb": pos,
        }
    ]


def _finish(cand: dict[str, Any], seg: Span, alone: bool) -> tuple[Span, dict[str, Any]]:
    """Evidence span and the record of the contract."""
    doc = seg.doc
    start, end = (seg.start, seg.end) if alone else (max(cand["start"], seg.start), min(cand["end"], seg.end))
    while end > start + 1 and doc[end - 1].text in {"*", "_"}:
        end -= 1
    while start < end - 1 and doc[start].text in {"*", "_", "-", "•"}:
        start += 1
    actor, key = _names(cand["who"])
    action = cand["action"].strip(" *_")
    return doc[start:end], {
        "actor": actor,
        "actor_key": key,
        "kind": cand["kind"],
        "action": action,
        "deadline": _deadline(doc, seg.start, seg.end),
    }


@Language.factory("un_commitments")
def make_commitments(nlp: Language, name: str) -> CommitmentFinder:
    return CommitmentFinder(nlp.vocab)


def find_commitments(
    text: str, doc_date: str | None = None, nlp: Language | None = None, **user_data: Any
) -> list[dict[str, Any]]:
    """Run the pipeline on ``text`` and return commitment records with their evidence."""
    doc = run_text(text, doc_date, nlp, **user_data)
    return [
        {"evidence": s.text, "start_char": s.start_char, "end_char": s.end_char, **s._.commitment}
        for s in doc.spans.get("commitments", [])
    ]
