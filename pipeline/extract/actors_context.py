"""Syntactic context tests that decide whether a matched name is acting as an actor.

Why: a country named as a venue ("hosted in Mexico", "off the coast of Venezuela") or as a
modifier ("the Morocco summit") is a place, not an actor; a role introduced with "as"
("as Chair of the Group", "with IOM as secretariat") describes a capacity, not a mention.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Span

from pipeline.extract.actors_vocab import Vocab


def _first_conjunct(token):
    """Walk 'Geneva, Vienna and Mexico' back to 'Geneva' so the preposition is found."""
    while token.dep_ == "conj" and token.head is not token:
        token = token.head
    return token


def is_place_use(span: Span, voc: Vocab, known: Callable[[str], bool] | None = None) -> bool:
    """True when a country mention names a location or modifies another noun."""
    if _in_compound_word(span) or _after_city(span, known) or _origin_or_topic(span, voc):
        return True
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


def _in_compound_word(span: Span) -> bool:
    """'Indo-China', 'Syria-based': a country name glued by a hyphen to another word."""
    doc = span.doc
    if span.start > 1 and doc[span.start - 1].text == "-" and not doc[span.start - 2].whitespace_:
        return not doc[span.start - 1].whitespace_
    if span.end + 1 < len(doc) and doc[span.end].text == "-" and not doc[span.end - 1].whitespace_:
        return doc[span.end + 1].is_lower and not doc[span.end].whitespace_
    return False


def _after_city(span: Span, known: Callable[[str], bool] | None) -> bool:
    """'Guangzhou, China', 'in Kintele, Congo, from 12 to 16 January': a country after a comma that
    follows a place name which is not itself a listed actor (so not a list of countries)."""
    doc = span.doc
    if known is None or span.start < 2 or doc[span.start - 1].text != ",":
        return False
    prev = doc[span.start - 2]
    if prev.ent_type_ not in {"GPE", "LOC", "FAC", "NORP"}:
        return False
    first = prev.i
    while first > 0 and doc[first].ent_iob_ == "I":
        first -= 1
    name = doc[first : prev.i + 1].text
    if known(name) or not name[:1].isupper():
        return False
    before = doc[first - 1] if first > 0 else None
    return before is None or before.text != ","


def _origin_or_topic(span: Span, voc: Vocab) -> bool:
    """'refugees from Syria, Iraq and Afghanistan' (origin of people), 'just about Syria' (a topic),
    'countries neighbouring Syria', 'bring peace to Syria' (movement or position verbs)."""
    root = _first_conjunct(span.root)
    if root.dep_ == "dobj" and root.head.lower_ in voc.geo_verbs:
        return True  # 'countries neighbouring Syria', 'fled Myanmar'
    if root.dep_ != "pobj":
        return False
    prep = root.head
    if prep.lower_ in voc.topic_prepositions:
        return True
    if prep.lower_ == "to" and prep.head.lemma_.lower() in voc.geo_verbs:
        return True  # 'bring peace to Syria', 'return to Afghanistan': a destination
    return prep.lower_ == "from" and prep.head.lower_ in voc.origin_nouns
