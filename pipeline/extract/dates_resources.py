"""Load the date resources once: tables, regex macros and patterns live in ``models/dates/``.

Like HeidelTime, the language knowledge is data (month names, number words, part-of-period
day ranges, patterns); this module only expands macros and compiles the patterns, so a
new form is added by editing ``patterns.jsonl``, not code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from pipeline.settings import MODELS_DIR

DATES_DIR = MODELS_DIR / "dates"
_MACRO_REF = regex.compile(r"%([A-Z][A-Z_]*)(?:\{(\d)\})?")
# Every pattern is wrapped so that it neither starts nor ends inside a word, a number,
# a document symbol (A/RES/79/286) or an amount ($2018, 3.2017).
_LEFT_EDGE = r"(?<![\w/$€£#§@]|\d[.,’'])"
_RIGHT_EDGE = r"(?![\w/@]|[.,’']\d)"


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern from ``patterns.jsonl``."""

    id: str
    norm: str
    rx: regex.Pattern
    checks: tuple[str, ...]
    needs: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Resources:
    """Tables (``normalization.json``) plus compiled patterns, shared by all documents."""

    tables: dict[str, Any]
    patterns: tuple[Pattern, ...]
    months: dict[str, int]
    filters: dict[str, frozenset[str]]
    triggers: dict[str, regex.Pattern]  # one regex per macro listed in a pattern's "needs"


def _alternation(words: list[str], case_sensitive: bool, suffix: str = "") -> str:
    """Longest-first alternation; case-sensitive words accept Title and UPPER forms."""
    forms: set[str] = set()
    for w in words:
        if case_sensitive:
            forms.update({w.capitalize(), w.upper()})
        else:
            forms.add(w)
    body = "|".join(regex.escape(f).replace(r"\ ", " ") for f in sorted(forms, key=len, reverse=True))
    if case_sensitive:
        return f"(?-i:(?:{body}){suffix})(?![A-Za-z])"
    return f"(?:{body}){suffix}(?![A-Za-z])"


def _table_macros(t: dict[str, Any]) -> dict[str, str]:
    """Macros generated from the lookup tables, so names are listed in one place only."""
    full = list(t["months"])
    abbr = list(t["month_abbreviations"])
    month_full = _alternation(full, True)
    month_abbr = _alternation(abbr, True, suffix=r"\.?")
    number_words = [w for w in t["number_words"]]
    compound = "(?:{})(?:-| )(?:{})".format("|".join(t["tens_words"]), "|".join(t["unit_words"]))
    return {
        "MONTHF": month_full,
        "MONTH": f"(?:{month_full}|{month_abbr})",
        "WEEKDAY": _alternation(list(t["weekdays"]), True),
        "SEASON": _alternation(list(t["seasons"]), False),
        "NUM": rf"(?:\d{{1,3}}(?!\d)|{compound}(?![A-Za-z])|{_alternation(number_words, False)})",
        "ORD": _alternation(list(t["ordinals"]), False),
        "UNIT": _alternation(list(t["units"]), False),
    }


def _expand(src: str, macros: dict[str, str], depth: int = 0) -> str:
    """Replace ``%NAME`` / ``%NAME{n}`` recursively; spaces and ``~`` become whitespace macros."""
    if depth > 10:
        raise ValueError(f"macro recursion too deep in {src[:60]!r}")
    src = src.replace(" ", "%SP").replace("~", "%OSP")

    def sub(m: regex.Match) -> str:
        name, idx = m.group(1), m.group(2)
        if name not in macros:
            raise KeyError(f"unknown date macro %{name}")
        body = macros[name]
        if idx is not None:
            body = body.replace("{i}", idx)
        return "(?:" + _expand(body, macros, depth + 1) + ")"

    return _MACRO_REF.sub(sub, src)


def _load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=4)
def load_resources(directory: str | None = None) -> Resources:
    """Read and compile everything once per process (cached)."""
    base = Path(directory) if directory else DATES_DIR
    tables = _load_json(base / "normalization.json")
    raw_macros = {k: v for k, v in _load_json(base / "macros.json").items() if not k.startswith("_")}
    # generated macros are already regex (may contain spaces): protect them from space expansion
    generated = _table_macros(tables)
    macros: dict[str, str] = {}
    for k, v in generated.items():
        macros[k] = v.replace(" ", "%SP")
    macros.update(raw_macros)
    patterns = []
    with (base / "patterns.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            spec = json.loads(line)
            source = _LEFT_EDGE + "(?:" + _expand(spec["regex"], macros) + ")" + _RIGHT_EDGE
            patterns.append(
                Pattern(
                    id=spec["id"],
                    norm=spec["norm"],
                    rx=regex.compile(source, regex.IGNORECASE),
                    checks=tuple(spec.get("checks", ())),
                    needs=tuple(spec.get("needs", ())),
                    params=spec.get("params", {}),
                )
            )
    needed = sorted({n for p in patterns for n in p.needs})
    triggers = {n: regex.compile(_expand("%" + n, macros), regex.IGNORECASE) for n in needed}
    months = {**tables["months"], **tables["month_abbreviations"]}
    filters = {k: frozenset(w.lower() for w in v) for k, v in tables["filters"].items()}
    return Resources(tables=tables, patterns=tuple(patterns), months=months, filters=filters, triggers=triggers)
