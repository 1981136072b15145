"""In-document coreference for persons: short names to full names, roles to their holders.

Why: one canonical row per real-world actor. "Guterres" and "Mr. Guterres" are António
Guterres when he is named in full in the document; "the Coordinator" is António Vitorino when the
participant list says "António Vitorino, Director General, IOM, Network Coordinator".
"""

from __future__ import annotations

import re

from pipeline.extract.actors_persons import PersonMention
from pipeline.extract.actors_vocab import Vocab


def canonical_names(persons: list[PersonMention], voc: Vocab) -> dict[str, str]:
    """Map each person name in the doc to the fullest name it abbreviates (itself if none)."""
    names = sorted({p.name for p in persons}, key=lambda n: -len(n.split()))
    out: dict[str, str] = {}
    for name in names:
        words = name.split()
        target = name
        for full in names:
            fw = full.split()
            if len(fw) <= len(words):
                continue
            if fw[-len(words) :] == words or fw[: len(words)] == words:
                target = out.get(full, full)
                break
        out[name] = target
    return out


def _norm_role(text: str) -> str:
    return re.sub(r"[\s\-]+", " ", text.lower()).strip()


def title_holds_role(title: str, role: str, voc: Vocab) -> bool:
    """Does a person's title make them 'the <role>'? Rank modifiers (Assistant, Deputy) block it."""
    role_n = _norm_role(role)
    for seg in title.split(","):
        head = re.split(r"\b(?:of|for|to|on|at)\b", seg, maxsplit=1)[0]
        head_n = _norm_role(head)
        if head_n == role_n:
            return True
        if head_n.endswith(" " + role_n):
            before = head_n[: -len(role_n)].split()
            if before and before[-1] not in voc.rank_modifiers:
                return True
    return False


def role_holder(role_surface: str, persons: dict[str, dict], voc: Vocab) -> str | None:
    """Key of the single person whose title holds this role, else None."""
    role = re.sub(r"^(the|The)\s+", "", role_surface).strip()
    hits = [key for key, actor in persons.items() if actor.get("title") and title_holds_role(actor["title"], role, voc)]
    return hits[0] if len(hits) == 1 else None
