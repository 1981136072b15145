"""The same real meeting across documents: ``event_key`` (strict: type, place, month or name
words) and ``same_event`` (lenient tie-break).
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz

from pipeline.extract.meetings.lexicon import YEAR_RE, content_words, ordinals


def _norm_location(loc: str | None) -> str:
    return re.sub(r"[^a-z; ]", "", (loc or "").lower()).split(";")[0].strip()


def _named(name: str) -> bool:
    """A name that identifies one gathering by itself: an ordinal, a year or a proper name."""
    return bool(ordinals(name) or YEAR_RE.search(name) or re.search(r"\b[A-Z][a-z]|\b[A-Z]{2,}", name[1:]))


def event_key(meeting: dict[str, Any]) -> str:
    """Same key for the same real meeting across documents: type, place and month.

    Without a date the key falls back to the sorted content words of the name, so that
    undated mentions still group by what they are called; a name that does not identify a
    gathering by itself ('meetings', 'the next meeting') keeps its key inside its document,
    since neither time nor name can show that two documents mean the same one. The key is
    strict (a mention without a place gets another key); ``same_event`` is the lenient test.
    """
    month = (meeting.get("start") or "")[:7]
    loc = _norm_location(meeting.get("location"))
    if month:
        return f"{meeting.get('type')}|{loc}|{month}"
    name = meeting.get("name") or ""
    words = sorted(content_words(name))
    scope = "" if _named(name) or not meeting.get("doc_id") else f"|{meeting['doc_id']}"
    return f"{meeting.get('type')}|{loc}|{' '.join(words)}{scope}"


def same_event(a: dict[str, Any], b: dict[str, Any], threshold: int = 70) -> bool:
    """Tie-break for near-identical keys: same type and month, compatible place, similar name."""
    if event_key(a) == event_key(b):
        return True
    if a.get("type") != b.get("type"):
        return False
    la, lb = _norm_location(a.get("location")), _norm_location(b.get("location"))
    if la and lb and la != lb:
        return False
    ma, mb = (a.get("start") or "")[:7], (b.get("start") or "")[:7]
    if ma and mb and ma != mb:
        return False
    return fuzz.token_set_ratio(a.get("name") or "", b.get("name") or "") >= threshold
