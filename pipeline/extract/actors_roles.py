"""Role phrases with a complement: "High Representative for Disarmament Affairs", "Special
Rapporteur on trafficking in persons", "Regional Representative and Director of the Centre".

Why: a role is identified by its complement; cutting it to "High Representative" merges distinct
roles and loses the body they belong to. The phrase is capitalised title words (modifiers plus a
title word, optionally "and" a second title), then "of"/"for"/"on" and either a capitalised name
("of the Centre", "for Disarmament Affairs") or, after "on", a short lower-case topic up to the
next punctuation ("on trafficking in persons"). Word lists are data (vocab.json).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline import rules
from pipeline.extract.actors_vocab import Vocab

_CAP = r"[A-Z][\w’'\-]*"
_STOP_TOPIC = {"to", "and", "that", "who", "which", "with", "as", "by", "at", "in", "the", "on", "of", "for"}


@dataclass(frozen=True)
class RolePhrase:
    """Chars [start, end) of the whole phrase, where the complement starts, and the role's name."""

    start: int
    end: int
    comp_start: int
    name: str


@lru_cache(maxsize=4)
def _pattern(voc: Vocab) -> re.Pattern[str]:
    titles = "|".join(sorted((re.escape(w) for w in voc.role_title_words), key=len, reverse=True))
    mods = "|".join(sorted((re.escape(w) for w in voc.role_modifiers), key=len, reverse=True))
    title = rf"(?:(?:{mods})[ \-])*(?:{titles})(?![\w\-])"
    link = r"(?:(?:of|for|on|in|to|de|des|du)\s+(?:the\s+)?|and\s+(?!the\b))"
    comp_name = rf"(?:the\s+)?{_CAP}(?:\s+(?:{link})?{_CAP})*"
    return re.compile(
        rf"(?<![\w\-])(?P<title>{title}(?:\s+and\s+{title})?)\s+"
        rf"(?:(?P<prep>of|for)\s+(?P<name>{comp_name})|on\s+(?P<topic>(?:the\s+)?[a-z][\w\-]*(?:\s+[a-z][\w\-]*){{0,5}}))"
    )


def find_role_phrases(text: str, voc: Vocab) -> list[RolePhrase]:
    """All role phrases with an of/for/on complement in the text."""
    out = []
    for m in _pattern(voc).finditer(text):
        if m.group("name") is not None:
            end = m.end("name")
            comp = m.start("name")
            name = text[m.start() : end]
        else:
            last = m.group("title").split()[-1]
            if last not in voc.role_topic_titles:
                continue
            words = m.group("topic").split()
            # A topic ends before a clause word ("on migration to report", "on X and ...").
            while words and words[-1] in _STOP_TOPIC:
                words.pop()
            cut = next((i for i, w in enumerate(words) if w in {"to", "that", "who", "which", "as", "by"}), len(words))
            words = words[:cut]
            while words and words[-1] in _STOP_TOPIC:
                words.pop()
            if not words:
                continue
            comp = m.start("topic")
            end = comp + len(" ".join(words)) if " ".join(words) == text[comp : comp + len(" ".join(words))] else None
            if end is None:
                # Whitespace other than single spaces: find the last word's end.
                pos = comp
                for w in words:
                    pos = text.index(w, pos) + len(w)
                end = pos
            name = text[m.start() : end]
        name = re.sub(r"\s+", " ", name)
        out.append(RolePhrase(m.start(), end, comp, name))
    return out


def title_prefix_key(name: str) -> str:
    """'Regional Representative and Director of the Centre' -> 'regional representative' (the
    part a later bare mention 'the Regional Representative' repeats)."""
    head = re.split(r"\s+(?:and|of|for|on)\s+", name, maxsplit=1)[0]
    return head.lower()


@dataclass(frozen=True)
class Holder:
    """A person (ASCII-folded name key) who held a role from `start` to `end` (ISO dates, end open)."""

    person: str
    start: str
    end: str | None


def load_role_holders(lookup, actor_rules: rules.RuleFiles | None = None) -> dict[str, list[Holder]]:
    """models/actors/role_holders.json keyed by the role's actor key: the slug of its name and, when
    the gazetteer lists the role, that row's key (so aliases such as 'UN Secretary-General' count)."""
    from pipeline.ids import slugify

    raw = (actor_rules or rules.current("actors")).json("role_holders.json")
    out: dict[str, list[Holder]] = {}
    for role, rows in raw.items():
        if role.startswith("_"):
            continue
        holders = [Holder(slugify(r["name"]), r["from"], r.get("to")) for r in rows]
        keys = {slugify(role)}
        entry = lookup(role)
        if entry is not None:
            keys.add(entry.key)
        for key in keys:
            out.setdefault(key, []).extend(holders)
    return out


def holder_on(holders: list[Holder], day: str | None, persons: dict[str, dict]) -> str | None:
    """Key of the person the document names who held the role on `day` (the document's date)."""
    if not day:
        return None
    day = str(day)[:10]
    for h in holders:
        if h.start <= day and (h.end is None or day <= h.end) and h.person in persons:
            return h.person
    return None
