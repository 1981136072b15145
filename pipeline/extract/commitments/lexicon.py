"""Cue lexicons and dependency patterns of ``models/commitments/``, read once."""

from __future__ import annotations

from typing import Any

from pipeline import rules
from pipeline.extract.cues import (
    load_lexicon,
)


def lexicon() -> dict[str, Any]:
    return load_lexicon("commitments")


def load_patterns() -> list[tuple[str, list[dict]]]:
    """Read patterns.jsonl, expanding "@name" (or "@a+b") to lexicon word lists."""
    lex = lexicon()

    def expand(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("@"):
            words: list[str] = []
            for key in value[1:].split("+"):
                words.extend(lex[key])
            return words
        if isinstance(value, dict):
            return {k: expand(v) for k, v in value.items()}
        if isinstance(value, list):
            return [expand(v) for v in value]
        return value

    return [(rec["id"], expand(rec["pattern"])) for rec in rules.current("commitments").jsonl("patterns.jsonl")]
