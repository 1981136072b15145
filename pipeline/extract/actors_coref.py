"""Definite short forms: "the Centre", "the Office", "the Group" refer back to a full name.

Why: resolutions and reports name a body in full once and then write "the Centre"; commitments
addressed to "the Centre" must carry the full-name actor. A capitalised "the <Head>" (head nouns
are data: vocab.json coref_heads) refers to the latest earlier actor whose name has that head
noun, or to the only such actor in the document.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.extract.actors_vocab import Vocab

_CUT = {"of", "for", "on", "in", "to", "at", "against"}


def head_noun(name: str, voc: Vocab) -> str | None:
    """Head of a body's name: the last head noun before the first complement preposition
    ('Subregional Centre for Human Rights ...' -> Centre, 'Open Programme Area Group on ...' -> Group)."""
    words = name.split()
    pre = []
    for w in words:
        if w.lower() in _CUT:
            break
        pre.append(w)
    heads = [w for w in pre if w in voc.coref_heads]
    return heads[-1] if heads else None


@lru_cache(maxsize=4)
def _pattern(voc: Vocab) -> re.Pattern[str]:
    heads = "|".join(sorted((re.escape(h) for h in voc.coref_heads), key=len, reverse=True))
    # Not followed by another capitalised word or by "of/for/on <Capital>" (then it is a full name).
    return re.compile(rf"\b[Tt]he\s+(?P<head>{heads})\b(?!\s+[A-Z])(?!\s+(?:of|for|on|in)\s+(?:the\s+)?[A-Z])(?!-)")


def find_short_forms(text: str, voc: Vocab) -> list[tuple[int, int, str]]:
    """(start_char, end_char, head) of each capitalised 'the <Head>' short form."""
    return [(m.start("head"), m.end("head"), m.group("head")) for m in _pattern(voc).finditer(text)]


@lru_cache(maxsize=4)
def _addressee_pattern(voc: Vocab) -> re.Pattern[str]:
    verbs = "|".join(sorted((re.escape(v) for v in voc.addressee_verbs), key=len, reverse=True))
    word = r"[\w\-’']+"
    return re.compile(
        rf"\b(?i:{verbs})\b(?:\s+(?:upon|on|to))?\s+(?P<np>(?:(?:the|all|relevant|other|those|its|their)\s+)*"
        rf"(?P<words>{word}(?:\s+{word}){{0,3}}?))\s+to\s+[a-z]"
    )


def find_addressees(text: str, voc: Vocab) -> list[tuple[int, int, str]]:
    """(start_char, end_char, type) of generic groups addressed by a directive: 'Urges Member States
    to', 'calls upon the international community to', 'ACTION on TC Officers to'. The group's last
    word (or last two) must be listed in vocab addressee_groups."""
    out = []
    for m in _addressee_pattern(voc).finditer(text):
        words = m.group("words").split()
        low = [w.lower() for w in words]
        kind = voc.addressee_groups.get(" ".join(low[-2:])) if len(low) > 1 else None
        kind = kind or voc.addressee_groups.get(low[-1])
        if kind is None:
            continue
        out.append((m.start("words"), m.end("words"), kind))
    return out


_PARTIES = re.compile(
    r"(?<![\w\-])(?P<who>States\s+[Pp]arties|High\s+Contracting\s+Parties|[Ss]ignatories|[Ss]tates\s+[Pp]arty)\s+"
    r"(?:to|of)\s+the\s+(?P<inst>[A-Z][\w\-]*(?:\s+(?:(?:of|on|the|and|for|against|to|in)\s+)*[A-Z][\w\-]*)*"
    r"(?:\s+(?:agreements?|accords?|conventions?|treaty|treaties|protocols?))?)"
)


def find_party_collectives(text: str, voc: Vocab) -> list[tuple[int, int, str]]:
    """'States Parties to the Treaty on the Non-Proliferation of Nuclear Weapons', 'signatories of the
    Minsk agreements': the parties to a named instrument (its head word an instrument word,
    vocab non_actor_words) are a collective actor. Footnote marks glued to the name are dropped."""
    out = []
    instruments = {w.lower() for w in voc.non_actor_words}
    for m in _PARTIES.finditer(text):
        inst = re.sub(r"(?<=[A-Za-z])\d{1,3}\b", "", m.group("inst"))
        words = inst.split()
        if len(words) < 2 or re.search(r"\b(?:Conference|Meeting|Session|Assembly)\s+of\s+$", text[: m.start()]):
            continue  # 'the Treaty' alone names no instrument; 'Conference of States Parties' is a meeting
        cut = next((i for i, w in enumerate(words) if w in {"of", "on", "for", "against", "to", "in"}), len(words))
        head = words[cut - 1] if cut else words[-1]
        if head.lower().rstrip("s") not in {w.rstrip("s") for w in instruments} and words[-1].lower().rstrip(
            "s"
        ) not in {w.rstrip("s") for w in instruments}:
            continue
        name = re.sub(r"\s+", " ", f"{m.group('who')} {text[m.end('who') : m.start('inst')].strip()} {inst}")
        out.append((m.start(), m.start("inst") + len(m.group("inst").rstrip()), name))
    return out
