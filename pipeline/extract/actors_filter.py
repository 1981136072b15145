"""Context rules of the actor component: which chosen candidates are actors, and who they are.

Why: a country used as a place, 'United Nations' inside an instrument's name or a role named as a
capacity is no actor; a role held by a named person or congratulated on an election is that person.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from pipeline.extract.actors_cands import ORG_TYPES, Cand, Rules, surface
from pipeline.extract.actors_context import is_capacity_use, is_place_use, is_vocative
from pipeline.extract.actors_lexicon import Entry
from pipeline.extract.actors_resolve import role_holder
from pipeline.extract.actors_roles import holder_on
from pipeline.extract.actors_vocab import Vocab
from pipeline.ids import slugify
from pipeline.nlp import text_of


def filter_cands(
    rules: Rules,
    doc: Doc,
    chosen: list[Cand],
    actors: dict[str, dict],
    bare: list[int],
    surfaces: dict[str, set[str]],
    addressed: set[int] | None = None,
) -> list[Cand]:
    """Apply context rules, resolve roles to persons and bare secretariats to their body."""
    voc = rules.voc
    main_keys = {c.key for c in chosen if c.source != "ctx"}
    persons = {k: a for k, a in actors.items() if a["type"] == "person" and k in main_keys}
    actor_use: set[str] = set()
    ranges = _place_ranges(doc, chosen)

    def known(text: str) -> bool:
        return rules.lex.lookup(text) is not None

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
        if entry is not None and entry.type == "member_state" and c.key in rules.lex.entries:
            if _is_country(entry) and c.key not in actor_use:
                continue
        if entry is not None and entry.name in voc.place_like_bodies and c.key not in actor_use:
            continue  # 'within the United Nations system', 'reform of the UN system'
        if entry is not None and entry.type == "role" and c.source in {"lex", "ctx", "role"}:
            vocative = is_vocative(span, voc)
            if is_capacity_use(span):
                elected = _elected_person(doc, c, chosen, persons)
                if elected is None:
                    elected = speaker_capacity(rules, doc, c, actors)
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
                holder = holder_on(rules.holders.get(c.key, []), doc.user_data.get("doc_date"), persons)
            if holder is not None:
                surfaces.setdefault(holder, set()).add(surface(span.text))
                out.append(Cand(c.start, c.end, holder, "person"))
                continue
            if vocative and entry.name in voc.presiding_vocatives:
                vocatives.append(c)
                continue
            if not entry.standalone:
                continue
            described = _appositive_of(doc, c, out)
            if described is not None:
                surfaces.setdefault(described, set()).add(surface(span.text))
                out.append(Cand(c.start, c.end, described, "lex"))
                continue
            qualified = None if c.source == "role" else qualified_role(rules, doc, c, chosen, actors)
            if qualified is not None:
                out.append(qualified)
                continue
        out.append(c)
    out += presiding_vocatives(rules, doc, vocatives, out, actors, presiding, surfaces)
    secretariats = {c.key for c in out if c.source == "compound"}
    for i in bare:
        if any(c.start <= i < c.end for c in out):
            continue
        if len(secretariats) == 1:
            out.append(Cand(i, i + 1, next(iter(secretariats)), "compound"))
        elif doc[i].text == "Secretariat":
            entry = rules.lex.entries["united-nations-secretariat"]
            actors.setdefault(entry.key, entry.as_actor())
            out.append(Cand(i, i + 1, entry.key, "lex", entry))
    return out


def speaker_capacity(rules: Rules, doc: Doc, c: Cand, actors: dict[str, dict]) -> str | None:
    """'my term as President of Mexico', 'As Chair of the Group, I ...': a first-person capacity
    is the speaker's (a person named in the document's metadata), who becomes a person actor."""
    speaker = re.sub(r"\s+", " ", str(doc.user_data.get("speaker") or "")).strip()
    if len(speaker.split()) < 2 or rules.lex.lookup(speaker) is not None:
        return None
    if not _valid_speaker_name(speaker, rules.voc):
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


def presiding_vocatives(
    rules: Rules,
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
        for rule in rules.voc.presiding_vocatives[c.entry.name]:
            if not re.search(rule["cue"], text):
                continue
            entry = rules.lex.lookup(rule["role"]) or Entry(slugify(rule["role"]), rule["role"], "role")
            key = presiding.get(entry.key)
            if key is None:
                actors.setdefault(entry.key, entry.as_actor())
                key = entry.key
            surfaces.setdefault(key, set()).add(surface(doc[c.start - 1 : c.end].text))
            new.append(Cand(c.start, c.end, key, "lex", entry))
            break
    return new


def qualified_role(rules: Rules, doc: Doc, c: Cand, chosen: list[Cand], actors: dict[str, dict]) -> Cand | None:
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
