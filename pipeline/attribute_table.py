"""The trained pipeline's attribute ruler, applied as table lookups instead of a Matcher pass.

The stock ``attribute_ruler`` of the English pipelines maps tags (and a few words) to POS, MORPH
and LEMMA with about 180 token patterns run through spaCy's Matcher; on General Debate
statements that cost 9% of the whole trained pipeline. Nearly all of those patterns test one
token for equality on TAG, LOWER, DEP or IS_SPACE, so the same result can be had by grouping
a document's tokens by those four values and resolving each group once. Patterns of any other
shape still run through a Matcher. The rules and their order are the stock ruler's own
(``from_ruler``), and a test checks the annotations equal the stock ruler's on real texts.
"""

from __future__ import annotations

from typing import Any

import numpy
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

KEY_ATTRS = (TAG, LOWER, DEP, IS_SPACE)  # the token values a simple pattern may test
_KEY_NAMES = ("TAG", "LOWER", "DEP", "IS_SPACE")
ARRAY_ATTRS = (POS, MORPH, LEMMA)  # written for all tokens at once; anything else token by token

CACHE_KEYS = 20_000
Rule = tuple[int, dict[int, Any]]  # (position in the stock ruler = precedence, attrs to set)


class AttributeTable:
    """spaCy component with the stock AttributeRuler's behaviour (later rules win)."""

    def __init__(self, nlp: Language, name: str = "attribute_table") -> None:
        self.vocab = nlp.vocab
        self.name = name
        self._reset()

    def _reset(self) -> None:
        self.ruler: AttributeRuler | None = None
        self.simple: list[tuple[int, tuple, dict[int, Any]]] = []  # (n, conditions, attrs)
        self.by_lower: dict[int, list[int]] = {}  # LOWER value -> indices into self.simple
        self.by_tag: dict[int, list[int]] = {}  # TAG value (no LOWER test) -> indices
        self.always: list[int] = []  # neither tested
        self.matcher = Matcher(self.vocab, validate=False)
        self.complex: dict[int, tuple[dict[int, Any], int]] = {}  # n -> (attrs, index)
        self._cache: dict[tuple, tuple] = {}

    def from_ruler(self, ruler: AttributeRuler) -> AttributeTable:
        """Take over a loaded AttributeRuler's rules, in its order."""
        self.ruler = ruler  # kept for saving: the rules are the ruler's, in its own format
        for n, p in enumerate(ruler.patterns):
            attrs, index = ruler.attrs[n], p.get("index", 0)
            alternatives = [_simple_conditions(tokens, index, self.vocab) for tokens in p["patterns"]]
            if any(c is None for c in alternatives):
                self.matcher.add(str(n), p["patterns"])
                self.complex[n] = (attrs, index)
                continue
            for conditions in alternatives:
                self._add_simple(n, conditions, attrs)
        return self

    def to_disk(self, path, *, exclude: tuple = ()) -> None:
        """Saved as the stock ruler's files, so a saved pipeline holds the trained rules."""
        if self.ruler is not None:
            self.ruler.to_disk(path, exclude=exclude)

    def from_disk(self, path, *, exclude: tuple = ()) -> AttributeTable:
        ruler = AttributeRuler(self.vocab, name=self.name)
        ruler.from_disk(path, exclude=exclude)
        self._reset()
        return self.from_ruler(ruler)

    def _add_simple(self, n: int, conditions: tuple, attrs: dict[int, Any]) -> None:
        i = len(self.simple)
        self.simple.append((n, conditions, attrs))
        tag, lower = conditions[0], conditions[1]
        if lower is not None and lower[0]:
            for value in lower[1]:
                self.by_lower.setdefault(value, []).append(i)
        elif tag is not None and tag[0]:
            for value in tag[1]:
                self.by_tag.setdefault(value, []).append(i)
        else:
            self.always.append(i)

    def _rules_for(self, key: tuple[int, int, int, int]) -> list[Rule]:
        """The simple rules that match a token with these (TAG, LOWER, DEP, IS_SPACE) values."""
        tag, lower = key[0], key[1]
        found = {}
        for i in (*self.by_lower.get(lower, ()), *self.by_tag.get(tag, ()), *self.always):
            n, conditions, attrs = self.simple[i]
            if all(c is None or (v in c[1]) == c[0] for c, v in zip(conditions, key, strict=True)):
                found[n] = attrs  # two alternatives of one rule count once
        return sorted(found.items(), key=lambda r: r[0])

    def _resolve(self, key: tuple[int, int, int, int]) -> tuple[list[Rule], list[int], list[bool], dict[int, Any]]:
        """Rules for a key, merged: array values, which of them are set, and the other attrs.

        Cached: keys are hashes of strings, stable across documents and memory zones; the cache
        is emptied when it reaches ``CACHE_KEYS`` so a long run's memory stays flat.
        """
        hit = self._cache.get(key)
        if hit is None:
            rules = self._rules_for(key)
            merged: dict[int, Any] = {}
            for _n, attrs in rules:
                merged.update(attrs)
            row = [merged.get(attr, 0) for attr in ARRAY_ATTRS]
            mask = [attr in merged for attr in ARRAY_ATTRS]
            rest = {a: v for a, v in merged.items() if a not in ARRAY_ATTRS}
            if len(self._cache) >= CACHE_KEYS:
                self._cache.clear()
            hit = self._cache[key] = (rules, row, mask, rest)
        return hit

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        keys = doc.to_array(list(KEY_ATTRS))
        unique, inverse = numpy.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        values = doc.to_array(list(ARRAY_ATTRS))
        table = numpy.zeros((len(unique), len(ARRAY_ATTRS)), dtype=values.dtype)
        has = numpy.zeros((len(unique), len(ARRAY_ATTRS)), dtype=bool)
        rules_by_key: list[list[Rule]] = []
        other: list[tuple[int, dict[int, Any]]] = []
        for k, key in enumerate(unique.tolist()):
            rules, row, mask, rest = self._resolve(tuple(key))
            rules_by_key.append(rules)
            table[k], has[k] = row, mask
            if rest:
                other.append((k, rest))
        values = numpy.where(has[inverse], table[inverse], values)
        doc.from_array(list(ARRAY_ATTRS), values)
        for k, attrs in other:
            for i in numpy.flatnonzero(inverse == k).tolist():
                set_token_attrs(doc[i], attrs)
        if self.complex:
            self._apply_complex(doc, inverse, rules_by_key)
        return doc

    def _apply_complex(self, doc: Doc, inverse: numpy.ndarray, rules_by_key: list[list[Rule]]) -> None:
        """Tokens hit by a multi-token (or otherwise complex) rule: replay every rule in order."""
        extra: dict[int, list[Rule]] = {}
        for match_id, start, end in self.matcher(doc, allow_missing=True):
            n = int(self.vocab.strings[match_id])
            attrs, index = self.complex[n]
            token = doc[start:end][index]
            extra.setdefault(token.i, []).append((n, attrs))
        for i, rules in extra.items():
            for _n, attrs in sorted([*rules_by_key[inverse[i]], *rules], key=lambda r: r[0]):
                set_token_attrs(doc[i], attrs)


def _simple_conditions(tokens: list[dict], index: int, vocab) -> tuple | None:
    """Per key attribute, None (any value) or (wanted, values): the token's value must be in
    ``values`` when ``wanted`` is True and must not be when False. None for other patterns."""
    if len(tokens) != 1 or index not in (0, -1) or not set(tokens[0]) <= set(_KEY_NAMES):
        return None
    conditions: list[tuple[bool, frozenset] | None] = []
    for name in _KEY_NAMES:
        value = tokens[0].get(name)
        if value is None:
            conditions.append(None)
        elif isinstance(value, dict):
            if len(value) != 1 or not set(value) <= {"IN", "NOT_IN"}:
                return None
            op, values = next(iter(value.items()))
            conditions.append((op == "IN", frozenset(_key_value(name, v, vocab) for v in values)))
        else:
            conditions.append((True, frozenset({_key_value(name, value, vocab)})))
    return tuple(conditions)


def _key_value(name: str, value: Any, vocab) -> int:
    """The integer ``Doc.to_array`` gives for this attribute value."""
    if name == "IS_SPACE":
        return int(bool(value))
    return vocab.strings.add(value) if value != "" else 0


@Language.factory("attribute_table")
def make_attribute_table(nlp: Language, name: str) -> AttributeTable:
    return AttributeTable(nlp, name)


def use_attribute_table(nlp: Language) -> None:
    """Swap the pipeline's ``attribute_ruler`` for an AttributeTable with the same rules."""
    if "attribute_ruler" not in nlp.pipe_names:
        return
    ruler = nlp.get_pipe("attribute_ruler")
    table = nlp.replace_pipe("attribute_ruler", "attribute_table")
    table.from_ruler(ruler)
