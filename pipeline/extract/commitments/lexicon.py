"""Cue lexicons and dependency patterns of ``models/commitments/``, read once."""

from __future__ import annotations

import json
from typing import Any

from pipeline.extract.cues import (
    load_lexicon,
)
from pipeline.settings import MODELS_DIR


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

    out = []
    with open(MODELS_DIR / "commitments" / "patterns.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                out.append((rec["id"], expand(rec["pattern"])))
    return out
