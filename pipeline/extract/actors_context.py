"""Syntactic context tests that decide whether a matched name is acting as an actor.

Why: a country named as a venue ("hosted in Mexico", "off the coast of Venezuela") or as a
modifier ("the Morocco summit") is a place, not an actor; a role introduced with "as"
("as Chair of the Group", "with IOM as secretariat") describes a capacity, not a mention.
"""

from __future__ import annotations

from spacy.tokens import Span

from pipeline.extract.actors_vocab import Vocab


def _first_conjunct(token):
    """Walk 'Geneva, Vienna and Mexico' back to 'Geneva' so the preposition is found."""
    while token.dep_ == "conj" and token.head is not token:
        token = token.head
    return token


def is_place_use(span: Span, voc: Vocab) -> bool:
    """True when a country mention names a location or modifies another noun."""
    root = _first_conjunct(span.root)
    head = root.head
    if root.dep_ == "pobj" and head.lower_ in voc.locative_prepositions:
        return True
    if root.dep_ == "pobj" and head.lower_ == "of" and head.head.lower_ in voc.geo_nouns:
        return True
    if root.dep_ in {"compound", "nmod", "amod"} and head.i > span.end - 1 and _adjacent(span, head):
        return head.text not in voc.actor_heads_for_country_modifiers
    prev = span.doc[span.start - 1] if span.start > 0 else None
    return prev is not None and prev.lower_ in voc.locative_prepositions and root.dep_ != "nsubj"


def _adjacent(span: Span, head) -> bool:
    """'the Morocco summit': only modifiers or punctuation-free words between the name and its head
    (a mis-parsed list 'the Argentine Republic, Barbados, ... Republic of Guyana' is not a modifier)."""
    between = span.doc[span.end : head.i]
    return len(between) <= 3 and not any(t.is_punct or t.lower_ in {"and", "or", "of"} for t in between)


def is_capacity_use(span: Span) -> bool:
    """True for 'as Chair of ...' / 'as Network coordinator': a capacity, not a reference."""
    if span.start == 0:
        return False
    prev = span.doc[span.start - 1]
    if prev.lower_ == "as":
        return True
    if span.start > 1 and prev.lower_ in {"its", "their", "his", "her", "a", "an"}:
        return span.doc[span.start - 2].lower_ == "as"
    return False


def is_vocative(span: Span, voc: Vocab) -> bool:
    """'Mr. President', 'Madam Chair': an address to whoever holds the role in the room."""
    return span.start > 0 and span.doc[span.start - 1].text in voc.honorifics
