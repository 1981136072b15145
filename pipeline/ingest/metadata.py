"""Document metadata by rules (title, type, date, speaker/author, place), overridable by a manifest.

The cues live in ``models/metadata/``; this module only reads the header of the clean text
(where UN documents print their masthead) and applies them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path

from pipeline import settings
from pipeline.document import Block, Metadata

HEADER_CHARS = 1500
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH_RE = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DMY = re.compile(rf"\b(\d{{1,2}})\s*{_MONTH_RE},?\s+(\d{{4}})\b", re.IGNORECASE)
_MDY = re.compile(rf"\b{_MONTH_RE}\s+(\d{{1,2}}),\s*(\d{{4}})\b", re.IGNORECASE)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_BY_PERSON = re.compile(
    r"\b(?i:remarks|statement|address|speech|presentation|message|briefing)\s+(?i:delivered\s+)?(?i:by)\s+"
    r"(?:(?:H\.E\.|His Excellency|Her Excellency|Mr\.|Ms\.|Mrs\.|Dr\.|Prof\.|Ambassador)\s+)*"
    r"([A-ZÀ-Ý][\w'’-]+(?:[^\S\n]+(?:de|da|van|von|del|al|bin|[A-ZÀ-Ý]\.|[A-ZÀ-Ý][\w'’-]+)){0,4})"
)
_ROLE_LINE = re.compile(
    r"^(?:the\s+)?((?:deputy\s+)?secretary-general|president of the general assembly|"
    r"(?:united nations\s+)?high commissioner for (?:refugees|human rights)|director[- ]general[\w ,]*|"
    r"special representative[\w ,-]*)$",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^(?:united nations|nations unies|check against delivery|as delivered|embargoed.*|"
    r"(?:final|draft|revised)?\s*(?:summary|minutes)|distr\.?:.*|original:.*|general assembly|"
    r"security council|economic and social council|--+)$",
    re.IGNORECASE,
)
_SYMBOL_LINE = re.compile(r"^[A-Z]{1,6}(?:/[A-Z0-9.]+)+$")


@lru_cache(maxsize=1)
def _type_cues() -> dict:
    path = settings.MODELS_DIR / "metadata" / "doc_types.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        kind: {part: [(re.compile(p, re.IGNORECASE | re.MULTILINE), w) for p, w in cues] for part, cues in spec.items()}
        for kind, spec in data.items()
        if not kind.startswith("_")
    }


@lru_cache(maxsize=1)
def _places() -> tuple[str, ...]:
    path = settings.MODELS_DIR / "metadata" / "places.txt"
    names = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    return tuple(sorted((n for n in names if n and not n.startswith("#")), key=len, reverse=True))


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def find_header_date(text: str) -> str | None:
    """The first full calendar date in the masthead: the day it was delivered, held or issued."""
    header = text[:HEADER_CHARS]
    adopted = re.search(r"\badopted by the [A-Z][\w ]{3,40}?\s+on\s+", header)
    if adopted:  # a resolution is dated by its adoption, not by its distribution
        rest = find_header_date(header[adopted.end() : adopted.end() + 40].split("\n")[0] + "\n")
        if rest:
            return rest
    found: list[tuple[int, str]] = []
    for m in _DMY.finditer(header):
        iso = _valid(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
        if iso:
            found.append((m.start(), iso))
    for m in _MDY.finditer(header):
        iso = _valid(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
        if iso:
            found.append((m.start(), iso))
    for m in _ISO.finditer(header):
        iso = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            found.append((m.start(), iso))
    if not found:
        return None
    # A date that follows "on"/"of" inside a sentence is usually about something else
    # (a resolution of 18 December 2013); prefer one that stands on a line of its own.
    for pos, iso in sorted(found):
        line_start = header.rfind("\n", 0, pos) + 1
        before = header[line_start:pos]
        if not re.search(r"\b(?:of|on|resolutions?|since|until)\s*$", before, re.IGNORECASE):
            return iso
    return sorted(found)[0][1]


def classify_doc_type(text: str) -> str:
    header = text[:HEADER_CHARS]
    scores: dict[str, int] = {}
    for kind, parts in _type_cues().items():
        score = sum(w for rx, w in parts.get("header", []) if rx.search(header))
        score += sum(w for rx, w in parts.get("body", []) if rx.search(text))
        scores[kind] = score
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] > 0 else "other"


def _header_blocks(text: str, blocks: list[Block], limit: int = 8) -> list[str]:
    out = []
    for b in blocks[:limit]:
        if b.start > HEADER_CHARS:
            break
        out.append(text[b.start : b.end])
    return out


def _strip_boilerplate(line: str) -> str:
    line = re.sub(r"^(?:check against delivery|as delivered)\s*", "", line, flags=re.IGNORECASE)
    return line.strip(" -–—:")


def find_title(text: str, blocks: list[Block], doc_type: str) -> str | None:
    if doc_type == "resolution":
        m = re.search(r"^\s*\d+/\d+\.\s+(.{5,300}?)(?:\n\n|$)", text[:4000], re.MULTILINE)
        if m:
            return " ".join(m.group(1).split())
    candidates = []
    for line in _header_blocks(text, blocks):
        line = _strip_boilerplate(line)
        if (
            not line
            or _BOILERPLATE.match(line)
            or _SYMBOL_LINE.match(line)
            or _ROLE_LINE.match(line)
            or find_header_date(line)
            or len(line) > 200
            or line.endswith(",")
        ):
            if candidates:
                break
            continue
        letters = [c for c in line if c.isalpha()]
        caps = letters and sum(c.isupper() for c in letters) / len(letters) > 0.6
        if caps or re.match(r"^(?:opening |closing )?(?:remarks|statement|address|speech)\b", line, re.IGNORECASE):
            candidates.append(line)
            if len(candidates) == 2:
                break
        elif candidates:
            break
        elif len(line.split()) <= 14 and not line.endswith("."):
            candidates.append(line)
            break
    if len(candidates) == 2 and all(c.upper() == c for c in candidates):
        return " ".join(candidates)  # one title wrapped over two lines
    if candidates:
        return ": ".join(candidates)
    m = re.search(r"^(Note by the [A-Z][\w -]{2,60}|Report of the [A-Z][\w -]{2,80})$", text, re.MULTILINE)
    if m:
        return m.group(1).strip()
    return None


def find_speaker(text: str, blocks: list[Block], doc_type: str, title: str | None) -> str | None:
    header = text[:HEADER_CHARS]
    m = _BY_PERSON.search(header)
    if m:
        return m.group(1).strip(" .,")
    for line in _header_blocks(text, blocks):
        rm = _ROLE_LINE.match(line.strip())
        if rm:
            role = rm.group(1).strip()
            return role if not role.isupper() else _title_case_role(role)
    if doc_type == "meeting_summary" and title:
        body = re.split(r"\s+[-–—:]\s+", title)[0].strip()
        if body and len(body.split()) <= 8:
            return body
    m = re.search(r"\bNote by the (Secretariat|Secretary-General)\b", text)
    if m:
        who = m.group(1)
        owners = re.findall(rf"\b([A-Z]{{2,8}}) {who.lower()}\b", text)
        if owners:
            return f"{max(set(owners), key=owners.count)} {who.lower()}"
        return who
    return None


def _title_case_role(role: str) -> str:
    small = {"of", "the", "for", "on", "and"}
    words = re.split(r"(\s+|-)", role.lower())
    return "".join(w if w in small or not w.strip() or w == "-" else w.capitalize() for w in words)


def find_location(text: str) -> str | None:
    header = text[:HEADER_CHARS]
    if re.search(
        r"\(virtual\)|\bvirtual (?:meeting|session)\b|\bvia (?:zoom|teams|webex)\b|\bonline meeting\b", header, re.I
    ):
        return "virtual"
    for place in _places():
        if re.search(rf"(?<!\w){re.escape(place)}(?!\w)", header):
            return place
    for place in _places():
        if re.search(rf"\b(?:here|held|meeting|we are) in {re.escape(place)}(?!\w)", text):
            return place
    return None


def extract_metadata(text: str, blocks: list[Block]) -> Metadata:
    doc_type = classify_doc_type(text)
    title = find_title(text, blocks, doc_type)
    return Metadata(
        title=title,
        doc_type=doc_type,
        doc_date=find_header_date(text),
        speaker_or_author=find_speaker(text, blocks, doc_type, title),
        location=find_location(text),
    )


MANIFEST_COLUMNS = ("doc_date", "title", "doc_type", "speaker_or_author", "location")


def load_manifest(path: Path) -> dict[str, dict[str, str]]:
    """Rows of ``manifest.csv`` keyed by file name; blank cells are left out so they don't override."""
    if not path.is_file():
        return {}
    out: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            name = (row.get("file") or "").strip()
            if not name:
                continue
            values = {k: (row.get(k) or "").strip() for k in MANIFEST_COLUMNS}
            out[Path(name).name] = {k: v for k, v in values.items() if v}
    return out


def apply_manifest(meta: Metadata, overrides: dict[str, str]) -> Metadata:
    for key, value in overrides.items():
        setattr(meta, key, value)
    return meta
