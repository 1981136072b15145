"""Candidate mentions of the actor component and the rules they are found with.

Why: every candidate source (actors_sources, actors_bodies) and the context rules (actors_filter)
share one candidate type, one selection rule (longest wins, ties by source priority) and one way
to turn seen surface forms into aliases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from pipeline.extract.actors_lexicon import Entry, Lexicon
from pipeline.extract.actors_roles import Holder
from pipeline.extract.actors_vocab import Vocab

ORG_TYPES = {"organization", "un_body"}
# Same-length ties: persons beat gazetteer rows, which beat learned acronyms and NER guesses.
PRIORITY = {
    "person": 0,
    "compound": 1,
    "party": 1,
    "role": 1.5,
    "lex": 2,
    "acr": 3,
    "ner": 4,
    "ctx": 5,
    "coref": 6,
    "group": 7,
}


@dataclass
class Rules:
    """The rule data the candidate sources and context rules read (loaded once per component)."""

    lex: Lexicon
    voc: Vocab
    holders: dict[str, list[Holder]]


@dataclass
class Cand:
    """A candidate mention: tokens [start, end) referring to actor `key`."""

    start: int
    end: int
    key: str
    source: str
    entry: Entry | None = None

    @property
    def size(self) -> int:
        return self.end - self.start


def select(cands: list[Cand]) -> list[Cand]:
    """Longest candidates first (ties by source priority); keep non-overlapping ones."""
    taken: set[int] = set()
    chosen = []
    for c in sorted(cands, key=lambda c: (-c.size, PRIORITY[c.source], c.start)):
        if c.size and taken.isdisjoint(range(c.start, c.end)):
            chosen.append(c)
            taken.update(range(c.start, c.end))
    return chosen


def surface(text: str) -> str:
    """Alias form of a mention: single spaces, no leading article or trailing possessive."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^(the|The|THE)\s+", "", text)
    text = re.sub(r"(?<=[a-z]),?\d{1,3}$", "", text)  # a footnote mark glued to the name
    return re.sub(r"['’]s$", "", text)


def add_aliases(actor: dict, forms: set[str]) -> None:
    """Add seen surface forms, skipping the name itself and all-caps copies of known forms."""
    known = {actor["name"].lower(), *(a.lower() for a in actor["aliases"])}
    for form in sorted(forms):
        if form == actor["name"] or form in actor["aliases"]:
            continue
        if form.isupper() and form.lower() in known and len(form) > 4:
            continue
        actor["aliases"].append(form)


def keep_short_forms_unique(doc: Doc, coref: list[Cand], surfaces: dict[str, set[str]]) -> None:
    """'Group' as an alias belongs to the body most of the short forms refer to, not to every body
    that one 'the Group' pointed at (scoring and readers treat aliases as names)."""
    counts: dict[str, dict[str, int]] = {}
    for c in coref:
        form = surface(doc[c.start : c.end].text)
        counts.setdefault(form, {}).setdefault(c.key, 0)
        counts[form][c.key] += 1
    for form, per_key in counts.items():
        if len(per_key) < 2:
            continue
        best = max(per_key, key=lambda k: per_key[k])
        for key in per_key:
            if key != best:
                surfaces.get(key, set()).discard(form)
