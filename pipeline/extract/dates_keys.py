"""Where the patterns' start keys (see ``dates_resources.start_keys``) occur in a text.

All keys are found in one vectorized pass instead of one ``str.find`` loop per key: each
offset gets a code from its next three (lower-cased) characters, and a table built once
per resource set maps a code to the key sets that begin there (one bit per key set).
A ``str.find`` loop per key costs about the same whether the key occurs or not (~10 us on
a 12k-character statement), and the patterns have ~80 keys.

A second table narrows the offsets by the word after the next whitespace (``lead_keys``:
"the first", "the past", "5 years"): "the" alone starts ~50 regex attempts per statement
in each of a dozen patterns, and a failed attempt costs ~0.8 us.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache

import numpy
import regex

DIGIT_KEY = "#"  # start key meaning "any decimal digit"
KEY_LEN = 3
PLACEHOLDER = "\x00"  # stands for any non-ASCII character in the lower-cased copy; never in a key
_DIGITS = "0123456789"
_BITS = 6  # per character class: the table has 2 ** (3 * _BITS) entries
_MAX_SETS = 64  # one bit each in a uint64; further key sets fall back to str.find
_NON_ASCII = regex.compile(r"[^\x00-\x7f]")
_DIGIT = regex.compile(r"\d")
_SPACE = regex.compile(r"\s")
# whitespace for the second-word check: a superset of what a pattern's whitespace may match
WS_ASCII = frozenset(c for c in map(chr, range(128)) if c.isspace() or _SPACE.match(c))
_IS_WS = numpy.zeros(256, dtype=bool)
_IS_WS[[ord(c) for c in WS_ASCII]] = True
_HASH_BITS = 18  # buckets of (first-word code, second-word code); collisions only keep more
_MAX_PAIRS = 1 << 16  # a lead whose code pairs would exceed this is checked on its first word only
Leads = frozenset[tuple[str, tuple[str, ...] | None]]  # see dates_resources.lead_keys (hash is cached)
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
_IS_WORD = numpy.zeros(256, dtype=bool)
_IS_WORD[[ord(c) for c in _ASCII_WORD | set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")]] = True


@lru_cache(maxsize=4096)
def _folds_apart(ch: str) -> bool:
    """A non-ASCII character that case-insensitive matching may equate with an ASCII one
    (K sign, long s, dotted I): lower-casing would not show it as the ASCII letter."""
    return any(c.isascii() for c in ch.lower() + ch.upper() + ch.casefold())


def _flatten(m: regex.Match) -> str:
    """A non-ASCII character in the ASCII copy: a space if it may be whitespace, else the placeholder."""
    ch = m.group()
    return " " if ch.isspace() or _SPACE.match(ch) else PLACEHOLDER


class KeyTable:
    """Code -> key sets lookup for a fixed collection of key sets (built once per resources)."""

    def __init__(self, keysets: Iterable[frozenset[str]], leadsets: Iterable[Leads] = ()) -> None:
        distinct = list(dict.fromkeys(keysets))
        leads = list(dict.fromkeys(leadsets))
        words = {w for lead in leads for w1, w2s in lead for w in (w1[:KEY_LEN], *(w2s or ()))}
        chars = {c for ks in distinct for k in ks for c in k} | {c for w in words for c in w}
        chars = sorted((chars - {DIGIT_KEY}) | set(_DIGITS))
        self.bit: dict[frozenset[str], numpy.uint64] = {}
        self.lead_bit: dict[Leads, numpy.uint64] = {}
        self.charmap = numpy.zeros(256, dtype=numpy.uint32)  # class 0: any character in no key
        self.table = numpy.zeros(1 << (3 * _BITS), dtype=numpy.uint64)
        self.first_only = numpy.zeros(1 << (3 * _BITS), dtype=numpy.uint64)  # lead bit by first word
        self.pairs = numpy.zeros(1 << _HASH_BITS, dtype=numpy.uint64)  # lead bit by hashed word pair
        if len(chars) >= 1 << _BITS or any(len(k) > KEY_LEN for ks in distinct for k in ks):
            return  # not representable: every key set falls back to str.find
        for i, c in enumerate(chars, 1):
            self.charmap[ord(c)] = i
        for j, ks in enumerate(distinct[:_MAX_SETS]):
            mask = numpy.uint64(1 << j)
            for key in ks:
                for lo, hi in self._ranges(key):
                    self.table[lo:hi] |= mask
            self.bit[ks] = mask
        for j, lead in enumerate(leads[:_MAX_SETS]):
            mask = numpy.uint64(1 << j)
            for w1, w2s in lead:
                firsts = self._codes(w1[:KEY_LEN] if w1 != DIGIT_KEY else w1)
                seconds = None if w2s is None else numpy.concatenate([self._codes(w) for w in w2s])
                if seconds is None or len(firsts) * len(seconds) > _MAX_PAIRS:
                    self.first_only[firsts] |= mask
                else:
                    self.pairs[pair_hash(firsts[:, None], seconds[None, :]).ravel()] |= mask
            self.lead_bit[lead] = mask

    def _codes(self, key: str) -> numpy.ndarray:
        return numpy.concatenate([numpy.arange(lo, hi, dtype=numpy.int64) for lo, hi in self._ranges(key)])

    def _ranges(self, key: str) -> list[tuple[int, int]]:
        """Code ranges of the offsets where ``key`` begins (shorter keys leave the rest free)."""
        if key == DIGIT_KEY:
            return [r for d in _DIGITS for r in self._ranges(d)]
        code = 0
        for c in key:
            code = (code << _BITS) | int(self.charmap[ord(c)])
        if not key:
            return [(0, 1 << (_BITS * KEY_LEN))]
        free = _BITS * (KEY_LEN - len(key))
        return [(code << free, (code + 1) << free)]


def pair_hash(first: numpy.ndarray, second: numpy.ndarray) -> numpy.ndarray:
    """Bucket of a (first-word code, second-word code) pair."""
    return (first * 40503 + second * 7919) & ((1 << _HASH_BITS) - 1)


class KeyIndex:
    """Offsets of a text where the key sets of a ``KeyTable`` begin.

    Only used when lower-casing keeps offsets, no character folds onto ASCII differently
    and no non-ASCII digit occurs (``usable``); otherwise the matcher scans as before.
    """

    def __init__(self, text: str, table: KeyTable) -> None:
        self.text = text
        self.table = table
        low = text.lower()
        self.low = low
        self.usable = len(low) == len(text)
        if self.usable and not low.isascii():
            odd = set(_NON_ASCII.findall(text))
            self.usable = not any(_folds_apart(c) or _DIGIT.match(c) for c in odd)
            low = _NON_ASCII.sub(_flatten, low)
        self._merged: dict[tuple[frozenset[str], bool, Leads | None], list[int]] = {}
        if not self.usable:
            return
        chars = numpy.frombuffer(low.encode("ascii"), dtype=numpy.uint8)
        cls = table.charmap[chars]
        code = cls << (2 * _BITS)
        code[:-1] |= cls[1:] << _BITS
        code[:-2] |= cls[2:]
        bits = table.table[code]
        self._at = numpy.flatnonzero(bits)
        self._bits = bits[self._at]
        prev = chars[self._at - 1]  # offset 0 wraps around; fixed below
        self._word_start = ~_IS_WORD[prev] | (self._at == 0)
        self._code = code
        self._chars = chars
        self._leads: numpy.ndarray | None = None

    def _lead_bits(self) -> numpy.ndarray:
        """Per key offset, the lead sets whose (first word, second word) codes occur there:
        the second word starts after the first whitespace run at or after the offset (where
        a lead's first word, which holds no whitespace, must end)."""
        if self._leads is None:
            code, at = self._code, self._at
            n = len(code)
            is_ws = numpy.append(_IS_WS[self._chars], True)
            ws = numpy.flatnonzero(is_ws)  # ends with n
            other = numpy.append(numpy.flatnonzero(~is_ws), n)
            run = ws[numpy.searchsorted(ws, at)]
            second = other[numpy.searchsorted(other, run)]
            seconds = numpy.append(code, 0)[second].astype(numpy.int64)
            firsts = code[at].astype(numpy.int64)
            self._leads = self.table.first_only[firsts] | self.table.pairs[pair_hash(firsts, seconds)]
        return self._leads

    def starts(self, keys: frozenset[str], lo: int, hi: int, word_start: bool, leads: Leads | None = None) -> list[int]:
        """Sorted offsets in ``[lo, hi)`` where one of ``keys`` begins; with ``word_start``,
        not right after an ASCII word character (no pattern can start there: its left edge);
        with ``leads``, only where one of those first words is followed by its second word."""
        merged = self._merged.get((keys, word_start, leads))
        if merged is None:
            mask = self.table.bit.get(keys)
            if mask is None:
                merged = self._find(keys, word_start)
            else:
                sel = (self._bits & mask) != 0
                if word_start:
                    sel &= self._word_start
                lead = self.table.lead_bit.get(leads) if leads is not None else None
                if lead is not None:
                    sel &= (self._lead_bits() & lead) != 0
                merged = self._at[sel].tolist()
            self._merged[(keys, word_start, leads)] = merged
        return merged[bisect_left(merged, lo) : bisect_left(merged, hi)]

    def _find(self, keys: frozenset[str], word_start: bool) -> list[int]:
        """The same offsets with one ``str.find`` loop per key (key sets the table lacks)."""
        low = self.low
        found: list[int] = []
        for key in keys:
            if key == DIGIT_KEY:
                found.extend(m.start() for m in _DIGIT.finditer(self.text))
                continue
            i = low.find(key)
            while i >= 0:
                found.append(i)
                i = low.find(key, i + 1)
        if word_start:
            found = [q for q in found if q == 0 or low[q - 1] not in _ASCII_WORD]
        return sorted(set(found))
