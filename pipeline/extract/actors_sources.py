"""Candidate sources of the actor component: gazetteer rows, networks of centres named by city,
acronym definitions, persons, States Parties, secretariats, role phrases and directive addressees.

Why: each source proposes mentions independently; ``actors_cands.select`` picks among them.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from pipeline.extract.actors_acronyms import find_definitions, find_heading_names
from pipeline.extract.actors_cands import ORG_TYPES, Cand, Rules
from pipeline.extract.actors_compounds import find_compounds
from pipeline.extract.actors_coref import find_addressees, find_party_collectives
from pipeline.extract.actors_lexicon import Entry
from pipeline.extract.actors_persons import find_persons, mention_span
from pipeline.extract.actors_resolve import canonical_names
from pipeline.extract.actors_roles import find_role_phrases
from pipeline.extract.actors_vocab import Vocab
from pipeline.ids import slugify
from pipeline.nlp import text_of

# Entities whose words are no Member State mention of their own ('Republic of Korea Army').
VETO_LABELS = {"GPE", "LOC", "FAC", "PERSON", "EVENT", "WORK_OF_ART", "LAW", "NORP", "PRODUCT"}


def lexicon_cands(rules: Rules, doc: Doc, actors: dict[str, dict]) -> list[Cand]:
    """Gazetteer matches; countries inside a larger non-country NER entity are vetoed."""
    ents = [e for e in doc.ents if e.label_ in VETO_LABELS]
    out = []
    for start, end, entry, ctx in rules.lex.matches(doc):
        if entry.type == "member_state" and any(
            e.start <= start and end <= e.end and (e.end - e.start) > (end - start) and rules.lex.lookup(e.text) is None
            for e in ents
        ):
            continue
        actors.setdefault(entry.key, entry.as_actor())
        out.append(Cand(start, end, entry.key, "ctx" if ctx else "lex", entry))
    return out


def place_named_cands(rules: Rules, doc: Doc, actors: dict[str, dict], cands: list[Cand]) -> list[Cand]:
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
            i < len(doc) and doc[i].is_title and (doc[i].ent_type_ in {"GPE", "LOC", "FAC"} or doc[i].pos_ == "PROPN")
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


def acronym_cands(rules: Rules, doc: Doc, actors: dict[str, dict], lex_cands: list[Cand]) -> list[Cand]:
    """'Long Form (ACR)': acronym becomes an alias; unlisted long forms become new actors."""
    out = []
    text = text_of(doc)
    defs = find_definitions(text, rules.voc)
    defs += find_heading_names(text, rules.voc, {d.acronym for d in defs})
    for d in defs:
        entry = rules.lex.lookup(d.long_form) or rules.lex.lookup(d.acronym)
        if entry is None:
            if not _names_a_body(d.long_form, rules.voc):
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


def person_cands(
    rules: Rules, doc: Doc, actors: dict[str, dict]
) -> tuple[list[Cand], list[tuple[int, int]], list[Cand]]:
    """Persons keyed by their fullest name; single names need an honorific or title. The
    organizations a participant list prints beside the names are actors too (third list)."""
    persons = find_persons(doc, rules.lex, rules.voc)
    canon = canonical_names(persons, rules.voc)
    out, regions, orgs = [], [], []
    for p in persons:
        for s, e, org in p.orgs:
            span = doc.char_span(s, e, alignment_mode="contract")
            if span is None or not len(span) or rules.lex.lookup(org) is not None:
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
        span = mention_span(doc, p, rules.voc)
        out.append(Cand(span.start, span.end, key, "person"))
        if p.appos_end_char:
            regions.append((span.end_char, p.appos_end_char))
    return out, regions, orgs


def drop_titles(
    rules: Rules,
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


def party_cands(rules: Rules, doc: Doc, actors: dict[str, dict]) -> list[Cand]:
    """States Parties / signatories of a named instrument: a collective of States."""
    out = []
    for s, e, name in find_party_collectives(text_of(doc), rules.voc):
        span = doc.char_span(s, e, alignment_mode="expand")
        if span is None or not len(span):
            continue
        entry = Entry(slugify(name), name, "member_state")
        actors.setdefault(entry.key, entry.as_actor())
        out.append(Cand(span.start, span.end, entry.key, "party", entry))
    return out


def compound_cands(doc: Doc, actors: dict[str, dict], cands: list[Cand]) -> list[int]:
    """Secretariats of named organizations; returns bare 'the secretariat' token indices."""
    orgs = {(c.start, c.end): c.entry for c in cands if c.entry is not None and c.entry.type in ORG_TYPES}
    compounds, bare = find_compounds(doc, orgs)
    for comp in compounds:
        actors.setdefault(comp.entry.key, comp.entry.as_actor())
        cands.append(Cand(comp.start, comp.end, comp.entry.key, "compound", comp.entry))
    return bare


def role_phrase_cands(
    rules: Rules,
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
    for r in find_role_phrases(text, rules.voc):
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
        entry = rules.lex.lookup(r.name) or rules.lex.lookup(bare)
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


def addressee_cands(rules: Rules, doc: Doc, actors: dict[str, dict], chosen: list[Cand]) -> set[int]:
    """Generic groups addressed by a directive ('Urges donors to', 'ACTION on TC Officers to')
    become actors; returns the token indices of all addressee phrases."""
    addressed: set[int] = set()
    taken = {i for c in chosen for i in range(c.start, c.end)}
    for s, e, kind in find_addressees(text_of(doc), rules.voc):
        span = doc.char_span(s, e, alignment_mode="contract")
        if span is None or not len(span):
            continue
        addressed.update(range(span.start, span.end))
        if not taken.isdisjoint(range(span.start, span.end)):
            continue
        name = re.sub(r"\s+", " ", span.text)
        member = name.lower() in {"states", "members"}  # 'Urges Members to' (of an organization)
        entry = rules.lex.lookup(name) or rules.lex.lookup("Member States" if member else name)
        if entry is None:
            entry = Entry(slugify(name), name, kind)
        actors.setdefault(entry.key, entry.as_actor())
        chosen.append(Cand(span.start, span.end, entry.key, "group", entry))
        taken.update(range(span.start, span.end))
    return addressed


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
