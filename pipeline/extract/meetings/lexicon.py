"""The meetings lexicon (``models/meetings/lexicon.json``) and the number words meeting names
are written with: ordinals ('fifty-second', '50th'), years, months.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.extract.cues import (
    load_lexicon,
)

MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}


STOP = {"the", "a", "an", "of", "on", "for", "to", "and", "in", "with", "towards", "toward"}


UNITS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
}


TENS = {"twent": 20, "thirt": 30, "fort": 40, "fift": 50, "sixt": 60, "sevent": 70, "eight": 80, "ninet": 90}


TENS_RE = "|".join(TENS)


ORDINAL_RE = re.compile(
    rf"\b(?:(?P<tens>{TENS_RE})(?:ieth|y-?\s?(?P<unit>{'|'.join(UNITS)})))\b"
    rf"|\b(?P<small>{'|'.join(UNITS)})\b|\b(?P<num>\d{{1,3}})(?:st|nd|rd|th)\b",
    re.IGNORECASE,
)


YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")


def ordinals(text: str) -> list[int]:
    """The ordinal numbers written in ``text``: 'fifty-second' -> 52, 'seventy- second' -> 72, '50th' -> 50."""
    out = []
    for m in ORDINAL_RE.finditer(text):
        if m["num"]:
            out.append(int(m["num"]))
        elif m["small"]:
            out.append(UNITS[m["small"].lower()])
        else:
            out.append(TENS[m["tens"].lower()] + (UNITS[m["unit"].lower()] if m["unit"] else 0))
    return out


def lexicon() -> dict[str, Any]:
    return load_lexicon("meetings")


def content_words(name: str) -> set[str]:
    words = re.findall(r"[a-z]+", name.lower())
    return {w.rstrip("s") for w in words if w not in STOP and w not in MONTHS}
