"""``manifest.csv``: metadata an analyst states per file, checked cell by cell and applied after the cache.

A manifest is hand-edited, so every cell is checked against the documents contract (``doc_type`` in
its closed vocabulary, ``doc_date`` a real ISO day, text cells of sane length, UTF-8 or UTF-16). A
bad cell is refused on its own: the file keeps the value read from the document and gets an error
row naming the manifest line and field; the run and every other file go on.

The values a file was extracted with are recorded in its result, and a cached result is reused only
while the file's manifest values are the same (``doc_date`` anchors relative dates, ``doc_type``
picks the grammar, so a changed value means extracting again). The error rows are re-attached on
every run. So an edit reaches unchanged files and a fixed or deleted manifest heals the next run.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from pipeline.csv_input import CsvUnreadable, bad_bytes, decode, read_bytes, records
from pipeline.document import Metadata
from pipeline.tables import SCHEMAS

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("doc_date", "title", "doc_type", "speaker_or_author", "location")
# Longest value a cell may hold: a title is a line or two, a name or a place a few words.
MAX_CHARS = {"title": 1000, "speaker_or_author": 300, "location": 200, "doc_type": 40, "doc_date": 40}
MAX_FILE_NAME = 1024
YEARS = (1900, 2100)  # a document's own date; outside these it is a typo, not a date
DOC_TYPES: tuple[str, ...] = next(c.allowed for c in SCHEMAS["documents"] if c.name == "doc_type") or ()
ERROR_KINDS = ("manifest_value", "manifest_unreadable")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

Problem = tuple[str, str]  # (error_kind, message)


class Manifest(Mapping[str, dict[str, str]]):
    """File name -> the checked values its row states; ``problems`` per file name; ``general`` for all.

    A Mapping, so readers use it like the plain dict they always got (``manifest[path.name]``).
    """

    def __init__(
        self,
        values: dict[str, dict[str, str]] | None = None,
        problems: dict[str, list[Problem]] | None = None,
        general: list[Problem] | None = None,
    ) -> None:
        self.values = values or {}
        self.problems = problems or {}
        self.general = general or []

    def __getitem__(self, name: str) -> dict[str, str]:
        return self.values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def __bool__(self) -> bool:
        return bool(self.values)

    def update(self, other: Manifest) -> None:
        """Merge another folder's manifest: its rows win, problems of both are kept."""
        self.values.update(other.values)
        for name, found in other.problems.items():
            self.problems.setdefault(name, []).extend(found)
        self.general.extend(other.general)

    def for_file(self, name: str) -> dict:
        """What a result records about the manifest: the values applied and the problems to report."""
        found = [*self.general, *self.problems.get(name, [])]
        return {"values": dict(self.values.get(name, {})), "problems": [list(p) for p in found]}


def _shown(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def check_value(field: str, value: str) -> str | None:
    """Why ``value`` cannot be the document's ``field``, or None when it can."""
    if bad := bad_bytes(value):
        return bad
    if len(value) > MAX_CHARS[field]:
        return f"is {len(value)} characters long, over the limit of {MAX_CHARS[field]}"
    if field == "doc_type" and value not in DOC_TYPES:
        hint = f" (did you mean '{value.lower()}'?)" if value.lower() in DOC_TYPES else ""
        return f"{_shown(value)} is not one of {', '.join(DOC_TYPES)}{hint}"
    if field == "doc_date":
        try:
            day = dt.date.fromisoformat(value) if _ISO_DAY.fullmatch(value) else None
        except ValueError:
            return f"{_shown(value)} is not a real date"
        if day is None:
            return f"{_shown(value)} is not a date written YYYY-MM-DD"
        if not YEARS[0] <= day.year <= YEARS[1]:
            return f"{_shown(value)} is outside the years {YEARS[0]}-{YEARS[1]}"
    return None


def load_manifest(path: Path) -> Manifest:
    """One ``manifest.csv``: blank cells are left out (they don't override), bad cells become problems."""
    path = Path(path)
    if not path.is_file():
        return Manifest()
    where = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    try:
        header, rows = records(decode(read_bytes(path)))
    except CsvUnreadable as exc:
        return Manifest(general=[("manifest_unreadable", f"{where} was not applied: {exc}")])
    if "file" not in header:
        wanted = ", ".join(("file", *MANIFEST_COLUMNS))
        message = f"{where} was not applied: its header has no 'file' column (columns: {wanted})"
        return Manifest(general=[("manifest_unreadable", message)])
    out = Manifest()
    columns = {name: header.index(name) for name in ("file", *MANIFEST_COLUMNS) if name in header}
    for rec in rows:
        cells = {name: (rec.cells[i].strip() if i < len(rec.cells) else "") for name, i in columns.items()}
        name = cells.pop("file")
        trouble = bad_bytes(name) or (f"is {len(name)} characters long" if len(name) > MAX_FILE_NAME else None)
        if not name or trouble:
            why = trouble or "is empty"
            out.general.append(("manifest_value", f"{where} line {rec.line}: the file cell {why}; the row was skipped"))
            continue
        name = Path(name).name
        values = {}
        for field, value in cells.items():
            if not value:
                continue
            why = check_value(field, value)
            if why:
                message = f"{where} line {rec.line}, {field}: {why}; the value read from the document is kept"
                out.problems.setdefault(name, []).append(("manifest_value", message))
            else:
                values[field] = value
        out.values[name] = values
    return out


def read_manifests(paths: Iterable[Path]) -> Manifest:
    """Merge the ``manifest.csv`` of each given folder (or of each given file's folder), once each."""
    merged, seen = Manifest(), set()
    for p in paths:
        folder = Path(p) if Path(p).is_dir() else Path(p).parent
        if folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        merged.update(load_manifest(folder / MANIFEST_NAME))
    return merged


def apply_manifest(meta: Metadata, overrides: Mapping[str, str]) -> Metadata:
    for key, value in overrides.items():
        setattr(meta, key, value)
    return meta


def _entry(manifest: Mapping[str, dict[str, str]] | None, name: str) -> dict:
    if isinstance(manifest, Manifest):
        return manifest.for_file(name)
    return {"values": dict((manifest or {}).get(name, {})), "problems": []}


def is_current(result: dict, manifest: Mapping[str, dict[str, str]] | None) -> bool:
    """True when a cached result was extracted with the manifest values its file has now."""
    used = result.get("manifest")
    name = result["document"]["file_name"]
    return isinstance(used, dict) and used.get("values") == _entry(manifest, name)["values"]


def attach(result: dict, manifest: Mapping[str, dict[str, str]] | None, at: str) -> dict:
    """Record the manifest values of ``result``'s file and replace its manifest error rows by today's."""
    doc = result["document"]
    entry = _entry(manifest, doc["file_name"])
    result["manifest"] = entry
    errors = [e for e in result.get("errors", []) if e.get("error_kind") not in ERROR_KINDS]
    for kind, message in entry["problems"]:
        errors.append(
            {
                "source_path": doc["source_path"],
                "doc_id": doc.get("doc_id"),
                "stage": "ingest",
                "error_kind": kind,
                "message": message,
                "at": at,
            }
        )
    result["errors"] = errors
    return result
