"""Word lists for the actor rules, loaded once from models/actors/vocab.json.

Why: the rules stay generic; what counts as an honorific, a title word or a place noun is data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pipeline import rules


@dataclass(frozen=True, eq=False)
class Vocab:
    """Frozen word sets; lower-cased where matching is case-insensitive."""

    honorifics: frozenset[str]
    name_particles: frozenset[str]
    person_stopwords: frozenset[str]
    title_keywords: frozenset[str]
    rank_modifiers: frozenset[str]
    org_heads: frozenset[str]
    non_actor_words: frozenset[str]
    locative_prepositions: frozenset[str]
    geo_nouns: frozenset[str]
    actor_heads_for_country_modifiers: frozenset[str]
    function_words: frozenset[str]
    coref_heads: frozenset[str]
    role_title_words: frozenset[str]
    role_modifiers: frozenset[str]
    addressee_verbs: frozenset[str]
    addressee_groups: dict
    role_topic_titles: frozenset[str]
    non_affiliations: frozenset[str]
    topic_prepositions: frozenset[str]
    origin_nouns: frozenset[str]
    geo_verbs: frozenset[str]
    presiding_vocatives: dict
    non_actor_heads: frozenset[str]
    purpose_named_heads: frozenset[str]
    place_like_bodies: frozenset[str]
    default_short_forms: dict
    post_nominals: frozenset[str]
    regnal_titles: frozenset[str]


def load_vocab(actor_rules: rules.RuleFiles | None = None) -> Vocab:
    """vocab.json of the actor rules (default: those in effect), compiled once per content."""
    return _compile_vocab(actor_rules or rules.current("actors"))


@lru_cache(maxsize=4)
def _compile_vocab(actor_rules: rules.RuleFiles) -> Vocab:
    """Title keywords and honorifics keep case, the rest is lower-cased."""
    raw = actor_rules.json("vocab.json")
    keep_case = {
        "honorifics",
        "title_keywords",
        "org_heads",
        "non_actor_words",
        "actor_heads_for_country_modifiers",
        "coref_heads",
        "role_title_words",
        "role_modifiers",
        "role_topic_titles",
        "non_actor_heads",
        "purpose_named_heads",
        "place_like_bodies",
        "post_nominals",
        "regnal_titles",
    }
    mappings = ("addressee_groups", "presiding_vocatives", "default_short_forms")
    fields: dict = {name: dict(raw[name]) for name in mappings}
    for name in Vocab.__dataclass_fields__:
        if name in fields:
            continue
        words = raw[name]
        fields[name] = frozenset(words if name in keep_case else (w.lower() for w in words))
    return Vocab(**fields)
