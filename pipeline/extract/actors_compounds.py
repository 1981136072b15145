"""Actors named by combining a head noun with another actor: "ECE secretariat",
"the secretariat of the Network", "Chair of the Global Migration Group".

Why: these bodies and roles are not in any list, but they are distinct actors that documents
task with work; their names are built from the actor they belong to, so keys stay stable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spacy.attrs import LOWER
from spacy.tokens import Doc

from pipeline.extract.actors_lexicon import Entry
from pipeline.ids import slugify

ORG_TYPES = {"organization", "un_body"}
HEAD_NOUNS = {"secretariat"}


@dataclass
class Compound:
    """A new actor spanning tokens [start, end), built from an organization mention."""

    start: int
    end: int
    entry: Entry


def _org_at(spans: dict[tuple[int, int], Entry], *, end: int | None = None, start: int | None = None):
    """Longest organization mention ending at `end` or starting at `start`."""
    best = None
    for (s, e), entry in spans.items():
        if entry.type not in ORG_TYPES:
            continue
        if (end is not None and e == end) or (start is not None and s == start):
            if best is None or (e - s) > (best[1] - best[0]):
                best = (s, e, entry)
    return best


def find_compounds(doc: Doc, org_spans: dict[tuple[int, int], Entry]) -> tuple[list[Compound], list[int]]:
    """Secretariats of named organizations, plus indices of bare 'the secretariat' tokens."""
    compounds: list[Compound] = []
    bare: list[int] = []
    if not len(doc):
        return compounds, bare
    heads = [doc.vocab.strings.add(w) for w in HEAD_NOUNS]
    # Only the head-noun tokens are visited (a vectorised scan, not a Python loop over the document).
    for i in np.nonzero(np.isin(doc.to_array(LOWER), heads))[0]:
        tok = doc[int(i)]
        before = _org_at(org_spans, end=tok.i)
        nxt = tok.i + 1
        after = None
        if nxt < len(doc) and doc[nxt].lower_ == "of":
            skip = 2 if nxt + 1 < len(doc) and doc[nxt + 1].lower_ == "the" else 1
            after = _org_at(org_spans, start=nxt + skip)
        if before is not None and before[2].key != "united-nations":
            s, _, org = before
            compounds.append(Compound(s, tok.i + 1, _entry(f"{org.name} secretariat", org, doc[s : tok.i + 1].text)))
        elif after is not None:
            _, e, org = after
            compounds.append(Compound(tok.i, e, _entry(f"secretariat of the {org.name}", org, doc[tok.i : e].text)))
        elif tok.i > 0 and doc[tok.i - 1].lower_ == "the":
            bare.append(tok.i)
    return compounds, bare


def _entry(name: str, org: Entry, surface: str) -> Entry:
    aliases = [surface] if surface != name else []
    return Entry(key=slugify(name), name=name, type=org.type if org.type in ORG_TYPES else "un_body", aliases=aliases)
