"""Stable ids: the same input always gives the same id, across runs and machines."""

from __future__ import annotations

import hashlib
import re
import unicodedata


def stable_id(*parts: object, length: int = 16) -> str:
    raw = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:length]


def slugify(text: str) -> str:
    """The one slug rule (actor ids, reviewer-added actors): ASCII-folded, lower-case, hyphen-separated,
    apostrophes dropped so a possessive stays one word ('António Vitorino' -> 'antonio-vitorino',
    "Côte d'Ivoire" -> 'cote-divoire'); 'unnamed' when nothing is left."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.replace("'", "").replace("’", "")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"
