"""The dependency patterns matched from token arrays (same matches as spaCy's DependencyMatcher)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from spacy.attrs import DEP, HEAD, LEMMA, LOWER, NORM, ORTH, POS, TAG
from spacy.strings import get_string_id
from spacy.tokens import Doc

MATCH_ATTRS = {
    "LEMMA": LEMMA,
    "LOWER": LOWER,
    "TAG": TAG,
    "POS": POS,
    "DEP": DEP,
    "ORTH": ORTH,
    "TEXT": ORTH,
    "NORM": NORM,
}
MATCH_OPS = {">", ">>"}


@dataclass
class Node:
    """One pattern node: attribute tests (column, allowed ids), its parent node and relation."""

    tests: list[tuple[int, np.ndarray]]
    parent: int
    op: str


class TreeMatcher:
    """The DependencyMatcher's matches for patterns.jsonl, read from token arrays.

    spaCy's DependencyMatcher runs a token Matcher for every pattern node over every token and
    walks each hit's ancestors in Python: it cost half of this component. Our patterns only test
    token attributes for equality or membership and link nodes by '>' (child) or '>>'
    (descendant), so each node is a vectorised test and a match is grown from its root node
    along the head array. Matches come per pattern as position tuples in ascending order, the
    DependencyMatcher's own order within a sentence (and a segment's matches are all in one).
    Patterns using anything else keep the DependencyMatcher (``supports``).
    """

    def __init__(self, patterns: dict[str, list[dict]]) -> None:
        self.attrs = sorted({a for p in patterns.values() for node in p for a in node["RIGHT_ATTRS"]})
        self.patterns = [(pid, [self._node(p, node) for node in p]) for pid, p in patterns.items()]

    @staticmethod
    def supports(patterns: dict[str, list[dict]]) -> bool:
        for pattern in patterns.values():
            ids = [node["RIGHT_ID"] for node in pattern]
            for j, node in enumerate(pattern):
                if j and (node.get("REL_OP") not in MATCH_OPS or node.get("LEFT_ID") not in ids[:j]):
                    return False
                for attr, value in node["RIGHT_ATTRS"].items():
                    values = value["IN"] if isinstance(value, dict) and list(value) == ["IN"] else [value]
                    if attr not in MATCH_ATTRS or not all(isinstance(v, str) for v in values):
                        return False
        return True

    def _node(self, pattern: list[dict], node: dict) -> Node:
        tests = []
        for attr, value in node["RIGHT_ATTRS"].items():
            values = value["IN"] if isinstance(value, dict) else [value]
            tests.append((self.attrs.index(attr), np.array([get_string_id(v) for v in values], dtype=np.uint64)))
        ids = [n["RIGHT_ID"] for n in pattern]
        parent = ids.index(node["LEFT_ID"]) if "LEFT_ID" in node else -1
        return Node(tests, parent, node.get("REL_OP", ""))

    def __call__(self, doc: Doc) -> list[tuple[str, list[int]]]:
        """(pattern id, token index per node) for every match."""
        n = len(doc)
        if not n:
            return []
        table = doc.to_array([MATCH_ATTRS[a] for a in self.attrs] + [HEAD]).reshape(n, -1)
        columns = [np.ascontiguousarray(table[:, k]) for k in range(len(self.attrs))]
        here = np.arange(n)
        heads = here + table[:, -1].astype(np.int64)
        child = heads != here
        tested: dict[tuple[int, bytes], np.ndarray] = {}
        out: list[tuple[str, list[int]]] = []
        for pid, nodes in self.patterns:
            masks = [self._mask(columns, node, tested) for node in nodes]
            for j in range(len(nodes) - 1, 0, -1):  # a node needs a candidate for each '>' child
                if nodes[j].op == ">":
                    has = np.zeros(n, bool)
                    has[heads[masks[j] & child]] = True
                    masks[nodes[j].parent] &= has
            kids: list[Any] = [None]
            for j in range(1, len(nodes)):
                if nodes[j].op != ">":
                    kids.append(masks[j])
                    continue
                masks[j] &= child & masks[nodes[j].parent][heads]  # ... and a '>' child a parent
                found = np.flatnonzero(masks[j]).tolist()
                by_head: dict[int, list[int]] = {}
                for t, h in zip(found, heads[found].tolist(), strict=True):
                    by_head.setdefault(h, []).append(t)
                kids.append(by_head)
            for root in np.flatnonzero(masks[0]).tolist():
                out.extend((pid, ids) for ids in self._grow(doc, nodes, kids, [root]))
        return out

    @staticmethod
    def _mask(columns: list[np.ndarray], node: Node, tested: dict[tuple[int, bytes], np.ndarray]) -> np.ndarray:
        """Tokens passing the node's tests; a test shared by several nodes is computed once."""
        mask = np.ones(len(columns[0]), bool)
        for col, ids in node.tests:
            key = (col, ids.tobytes())
            if key not in tested:
                hit = columns[col] == ids[0]
                for value in ids[1:]:
                    hit |= columns[col] == value
                tested[key] = hit
            mask &= tested[key]
        return mask

    def _grow(self, doc: Doc, nodes: list[Node], kids: list[Any], pos: list[int]) -> Iterator[list[int]]:
        """Extend a partial match node by node, each node's candidates in ascending order."""
        j = len(pos)
        if j == len(nodes):
            yield list(pos)
            return
        node, at = nodes[j], pos[nodes[j].parent]
        if node.op == ">":
            cands = kids[j].get(at, ())
        else:
            mask = kids[j]
            cands = sorted(t.i for t in doc[at].subtree if t.i != at and mask[t.i])
        for c in cands:
            pos.append(c)
            yield from self._grow(doc, nodes, kids, pos)
            pos.pop()
