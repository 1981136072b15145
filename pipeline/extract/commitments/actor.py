"""Who acts: actor spans under a clause, pronouns, the speaker's or declaring body for "we", the author."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from spacy.attrs import DEP, POS
from spacy.strings import get_string_id
from spacy.symbols import PRON as PRON_ID
from spacy.tokens import Doc, Span, Token

from pipeline import rules
from pipeline.extract.commitments.action import first_word
from pipeline.extract.commitments.lexicon import lexicon
from pipeline.extract.cues import (
    actor_of,
)
from pipeline.nlp import text_of

PERSON_PRONOUNS = {"he", "she", "him", "her"}
THING_PRONOUNS = {"it", "its"}

OPENING_FORMULA = re.compile(  # "The General Assembly," / "THE COMMISSION FOR BASIC SYSTEMS," alone on a line
    r"^[ \t]*(?:THE|The)[ \t]+([A-Z][\w-]*(?:[ \t]+(?:[A-Z][\w-]*|(?i:for|of|on|and|the)))*)[ \t]*,[ \t]*$", re.M
)
SMALL_WORDS = {"FOR", "OF", "ON", "AND", "THE"}
NOBODY = {"nobody", "no", "none", "nothing", "everyone", "everybody", "anyone", "anybody", "all", "everything", "one"}

LINKERS = {"including", "such", "as", "notably", "particularly", "especially", "in", "of"}


class Actors:
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
        """Actor spans touching any of the token indices, in text order, one per actor: from an index
        built once per Doc, not a scan of all actor spans per call."""
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
        return self._named(name.lower().strip()) or {"name": name.strip(), "key": None}

    def _named(self, low: str, types: set[str] | None = None) -> dict[str, Any] | None:
        """The first actor span whose name or an alias is ``low`` (of one of ``types``, if given)."""
        for span in self.doc.spans.get("actors", []):
            rec = actor_of(span) or {}
            names = [rec.get("name") or "", *(rec.get("aliases") or [])]
            if (types is None or rec.get("type") in types) and any(low == n.lower() for n in names):
                return {"name": rec.get("name"), "key": rec.get("key")}
        return None

    def _speaker(self) -> dict[str, Any] | None:
        ud = self.doc.user_data
        return self._canonical(ud.get("speaker") or ud.get("speaker_or_author") or ud.get("author"))

    @cached_property
    def author(self) -> dict[str, Any] | None:
        """Owner of impersonal decisions ("it was agreed", "Decides to"): the document's
        author or body, else an adopting organ named at the top ("The General Assembly,")."""
        if self.speaker:
            return self.speaker
        name = next((name for _, name in _openings(self.doc[:600].text)), None)
        return self._canonical(name)

    @cached_property
    def _formulas(self) -> list[tuple[int, dict[str, Any]]]:
        """Where each deciding body opens its text ("The General Assembly,", "THE COMMISSION FOR
        BASIC SYSTEMS,"): a session document may carry the draft decisions of several bodies."""
        found = sorted(_openings(text_of(self.doc)))
        return [(at, self._canonical(name) or {"name": name, "key": None}) for at, name in found]

    def deciding_body(self, at: int) -> dict[str, Any] | None:
        """Who decides at character ``at``: the body whose opening formula comes last before it
        (else the first in the text), else the author: the author of a session document submits
        draft decisions, the session decides them."""
        before = [body for start, body in self._formulas if start <= at]
        if before:
            return before[-1]
        return self._formulas[0][1] if self._formulas else self.author

    @cached_property
    def body(self) -> dict[str, Any] | None:
        """The country or body a first-person text speaks for ("we", "I", "my Government").

        In order: the signatories of a declaration that opens "We, the ..."; the member state a
        statement is by (its title, "Statement by X", or a General Debate file name "DEU_75_2020");
        the author when it is a body, not a person; in a speech, the member state it names most.
        """
        lex = lexicon()["speaker_body"]
        if self.doc.user_data.get("offset", 0) == 0 and re.match(lex["declaration_opening"], self.doc[:40].text):
            return {"name": lex["declaring_body"], "key": None}
        ud = self.doc.user_data
        title = ud.get("title") or ""
        by = re.search(lex["title_by"], title)
        if by and (state := self._member_state(by.group(1))):
            return state
        code = re.match(r"([A-Z]{3})_\d+_\d{4}\b", ud.get("file_name") or "")
        if code and (state := self._member_state(member_state_names().get(code.group(1), ""))):
            return state
        speaker = ud.get("speaker")
        if speaker and (state := self._member_state(speaker)):
            return state
        if speaker and self._is_body(speaker):
            return self._canonical(speaker)
        for role, name in lexicon()["we_by_speaker"].items():
            if role in (speaker or "").lower() and not ("deputy" in role) ^ ("deputy" in (speaker or "").lower()):
                return self._canonical(name) or {"name": name, "key": None}
        if ud.get("doc_type") == "speech":
            return self._most_named_state()
        return None

    def _member_state(self, name: str) -> dict[str, Any] | None:
        """The member-state actor ``name`` refers to (by name or alias), if it is one."""
        low = name.strip().lower()
        if not low:
            return None
        if found := self._named(low, {"member_state"}):
            return found
        canonical = member_state_names().get(low)
        return {"name": canonical, "key": None} if canonical else None

    def _is_body(self, name: str) -> bool:
        """An organization, not a person: an actor span of an organization type, or a name with
        an organization head word ("Association", "Committee", "Secretariat" ...)."""
        low = name.lower()
        for span in self.doc.spans.get("actors", []):
            rec = actor_of(span) or {}
            if (rec.get("name") or "").lower() == low:
                return rec.get("type") in {"organization", "un_body", "member_state"}
        words = set(re.findall(r"[a-z]+", low))
        return bool(words & set(lexicon()["speaker_body"]["body_words"]))

    def _most_named_state(self) -> dict[str, Any] | None:
        """The member state named most often, when it is named at least twice and more than any other."""
        counts: dict[str, int] = {}
        recs: dict[str, dict[str, Any]] = {}
        for span in self.doc.spans.get("actors", []):
            rec = actor_of(span) or {}
            named = (rec.get("name") or "").lower() in member_state_names()  # a country, not "Member States"
            if rec.get("type") == "member_state" and named and not is_place_mention(span):
                key = str(rec.get("key") or rec.get("name"))
                counts[key] = counts.get(key, 0) + 1
                recs[key] = {"name": rec.get("name"), "key": rec.get("key")}
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            return recs[ranked[0][0]]
        return None

    def we(self, tok: Token) -> list[dict[str, Any]]:
        """'we' is an actor when spelled out ('we all – A, B and C –'), when the text speaks for
        a known country or body, or when the speaker's role says whom it stands for."""
        seg_end = min(tok.i + 16, len(self.doc))
        window = [t for t in self.doc[tok.i + 1 : seg_end]]
        dash = [t.i for t in window if t.text in {"–", "—", "-", "(", ","}]
        if dash:
            close = [t.i for t in window if t.text in {"–", "—", "-", ")"} and t.i > dash[0]]
            if close:
                found = [self.record(s) for s in self.over(range(dash[0] + 1, close[0]))]
                if len(found) >= 2:
                    return found
        if self.body:
            return [self.body]
        if self.doc.user_data.get("doc_type") == "other":
            # a compact or declaration excerpt without its opening: "we" are the States that adopt it
            return [{"name": lexicon()["speaker_body"]["declaring_body"], "key": None}]
        return []

    @staticmethod
    def record(span: Span) -> dict[str, Any]:
        rec = actor_of(span) or {}
        return {"name": rec.get("name") or span.text, "key": rec.get("key"), "type": rec.get("type")}

    def pronoun(self, tok: Token) -> list[dict[str, Any]]:
        low = tok.lower_
        if low in {"i", "me", "my"}:
            body = (self.body or {}).get("name") or ""
            if body.lower() in member_state_names() or body == lexicon()["speaker_body"]["declaring_body"]:
                return [self.body]  # a head of state or delegate speaks for the country
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
        phrase = [t for t in np_core(tok) if seg.start <= t.i < seg.end]
        spans = self.over(t.i for t in phrase)
        if spans:
            return [self.record(s) for s in spans]
        if self.is_own_body(phrase):
            return [self.author] if self.author else []
        lex = lexicon()["speaker_body"]
        agent = (  # 'both sides must', 'all parties': a generic description of who acts, no name in it
            tok.lemma_.lower() in lex["agent_nouns"]
            and tok.pos_ == "NOUN"
            and not any(t.pos_ == "PROPN" for t in phrase)
        )
        if (tok.lemma_.lower() in lex["body_words"] or agent) and tok.pos_ in {"NOUN", "PROPN"}:
            # an institution the actor component does not list: 'the secretariat', 'the Bureau'
            words = [t for t in sorted(phrase, key=lambda t: t.i) if t.dep_ not in {"det", "predet", "poss"}]
            name = self.doc[words[0].i : words[-1].i + 1].text if words else tok.text
            return [self._canonical(name) or {"name": name, "key": None}]
        if "actors" not in self.doc.spans and tok.pos_ == "PROPN" and tok.i != first_word(seg):
            left = tok.i
            while left > seg.start and self.doc[left - 1].is_title and self.doc[left - 1].i != first_word(seg):
                left -= 1
            return [{"name": self.doc[left : tok.i + 1].text, "key": None}]
        return []

    @cached_property
    def own_names(self) -> set[str]:
        """How a body's own minutes name it or its members: 'the Committee', 'the TC' for
        'OHDF Technical Committee', and 'participants', 'members', 'all'."""
        author = (self.author or {}).get("name") or ""
        if not self._is_body(author):
            return set()
        words = [w for w in re.findall(r"[\w-]+", author) if w[:1].isupper()]
        names = {author.lower(), *(w.lower() for w in words[-1:])}
        for k in range(2, len(words) + 1):
            names.add(" ".join(words[-k:]).lower())
            names.add("".join(w[0] for w in words[-k:]).lower())
        return names | set(lexicon()["speaker_body"]["member_words"])

    def is_own_body(self, phrase: list[Token]) -> bool:
        """The phrase names the document's own body or its members ('the TC', 'all participants')."""
        words = " ".join(t.lower_ for t in sorted(phrase, key=lambda t: t.i) if t.dep_ not in {"det", "predet"})
        return bool(words) and words in self.own_names

    def note_subjects(self, seg: Span) -> None:
        """Remember the actors that are subjects (not pronouns) in ``seg``, for later pronouns."""
        lo = bisect.bisect_left(self._subjects, seg.start)
        for i in self._subjects[lo : bisect.bisect_left(self._subjects, seg.end)]:
            for span in self.over(t.i for t in self.doc[i].subtree):
                self.recent_subjects.append((i, span))


def _openings(text: str) -> Iterator[tuple[int, str]]:
    """(offset, body name) of each adopting organ the text names: the organs of the lexicon
    ("The General Assembly," / "adopted by the General Assembly"), then any opening formula
    ("THE COMMISSION FOR BASIC SYSTEMS," -> "Commission for Basic Systems")."""
    for key, name in lexicon()["resolution_authors"].items():
        opening = rf"^\s*The\s+{re.escape(key)}\s*,|adopted\s+by\s+the\s+{re.escape(key)}\b"
        yield from ((m.start(), name) for m in re.finditer(opening, text, re.I | re.M))
    for m in OPENING_FORMULA.finditer(text):
        name = m.group(1)
        if name.isupper():
            name = " ".join(w.lower() if w in SMALL_WORDS else w.capitalize() for w in name.split())
        yield m.start(), name


def is_place_mention(span: Span) -> bool:
    """'in Germany', 'to Mexico': a country named as a place, not as the one who speaks or acts."""
    return span.start > 0 and span.doc[span.start - 1].lower_ in {"in", "to", "from", "across", "throughout", "within"}


def member_state_names() -> dict[str, str]:
    """ISO 3166 alpha-3 codes and lower-cased names and aliases of member states -> canonical name."""
    return _member_state_names(rules.current("actors"))


@lru_cache(maxsize=4)
def _member_state_names(actor_rules: rules.RuleFiles) -> dict[str, str]:
    out: dict[str, str] = {}
    for rec in actor_rules.jsonl("member_states.jsonl"):
        if rec.get("iso3"):
            out[rec["iso3"]] = rec["name"]
        for name in [rec["name"], *(rec.get("aliases") or [])]:
            out[name.lower()] = rec["name"]
    return out


def np_core(tok: Token) -> list[Token]:
    """The head noun, its left modifiers ("Network support", "the Network's work") and its
    conjuncts, but not its prepositional phrases ("support to the co-facilitators")."""
    out = [tok]
    for child in tok.children:
        if child.dep_ in {"compound", "poss", "amod", "nmod", "det", "nummod"} and child.i < tok.i:
            out.extend(child.subtree)
        elif child.dep_ in {"conj", "appos"}:
            out.extend(np_core(child))
        elif child.dep_ == "prep" and child.lower_ == "of" and tok.lower_ in lexicon()["of_heads"]:
            out.extend(child.subtree)
    return out


def joined_names(recs: list[dict[str, Any]]) -> tuple[str, str | None]:
    names = list(dict.fromkeys(r["name"] for r in recs if r and r.get("name")))
    return "; ".join(names), next((r.get("key") for r in recs if r), None)


def addressee_group(spans: list[Span]) -> list[Span]:
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


class Chunks:
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
        return [(max(a, start), b) for a, b in self.found if start < b <= end]  # clipped at ``start``


def plain_addressee(span: Span, chunks: Chunks) -> list[Span]:
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
