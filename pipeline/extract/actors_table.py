"""Corpus-level actor table: merge per-document actor dicts into one row per key.

Why: keys are stable slugs of canonical names (gazetteer names for listed actors, full names for
persons), so merging by key gives one row per real-world actor across documents.
"""

from __future__ import annotations

from collections.abc import Iterable


def _fuller(a: str | None, b: str | None) -> str | None:
    """Keep the longer non-null value (the fullest title or affiliation seen)."""
    if not a:
        return b or None
    if not b:
        return a
    return b if len(b) > len(a) else a


def build_actor_table(actors: Iterable[dict]) -> list[dict]:
    """Rows {actor_id, name, type, aliases, title, affiliation}, sorted by actor_id."""
    rows: dict[str, dict] = {}
    aliases: dict[str, set[str]] = {}
    for actor in actors:
        key = actor["key"]
        row = rows.get(key)
        if row is None:
            row = rows[key] = {
                "actor_id": key,
                "name": actor["name"],
                "type": actor["type"],
                "aliases": [],
                "title": None,
                "affiliation": None,
            }
            aliases[key] = set()
        elif len(actor["name"]) > len(row["name"]):
            aliases[key].add(row["name"])
            row["name"] = actor["name"]
        aliases[key].update(a for a in actor.get("aliases") or [] if a)
        if actor["name"] != row["name"]:
            aliases[key].add(actor["name"])
        row["title"] = _fuller(row["title"], actor.get("title"))
        row["affiliation"] = _fuller(row["affiliation"], actor.get("affiliation"))
    for key, row in rows.items():
        row["aliases"] = sorted(aliases[key] - {row["name"]}, key=lambda a: (a.lower(), a))  # no set-order ties
    return [rows[k] for k in sorted(rows)]


def count_mentions(actors: list[dict], mentions: list[dict]) -> None:
    """Set ``n_mentions`` and ``n_documents`` on actor rows from the mention rows."""
    n_mentions: dict[str, int] = {}
    docs: dict[str, set[str]] = {}
    for m in mentions:
        n_mentions[m["actor_id"]] = n_mentions.get(m["actor_id"], 0) + 1
        docs.setdefault(m["actor_id"], set()).add(m["doc_id"])
    for row in actors:
        row["n_mentions"] = n_mentions.get(row["actor_id"], 0)
        row["n_documents"] = len(docs.get(row["actor_id"], ()))
