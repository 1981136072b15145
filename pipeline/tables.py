"""The one declaration of the output tables, their validation, and atomic CSV/Parquet writers.

Every other part of the product (writers, the data dictionary, DuckDB views) reads ``SCHEMAS``;
a column exists only if it is declared here, with its type and meaning.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.csv_cells import neutralize
from pipeline.isodate import iso_date
from pipeline.settings import FILE_TYPES


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    doc: str
    required: bool = False  # may not be null
    allowed: tuple[str, ...] | None = None  # closed vocabulary
    example: str = ""


S, INT, D, TS = pa.string(), pa.int64(), pa.date32(), pa.timestamp("s")
LIST = pa.list_(pa.string())
REVIEW = ("unreviewed", "accepted", "edited", "added")

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "documents": (
        Column("doc_id", S, "First 16 hex digits of the SHA-256 of the file's bytes", True, example="b91fc1af8054643d"),
        Column(
            "source_path", S, "Path of the file as given to the run", True, example="corpus/000_b91fc1af8054643d.txt"
        ),
        Column("file_name", S, "File name", True, example="000_b91fc1af8054643d.txt"),
        Column("file_type", S, "Format the file was read as", False, (*FILE_TYPES, "")),
        Column(
            "sha256",
            S,
            "SHA-256 of the file's bytes (empty when unreadable)",
            example="b91fc1af8054643d5541ee64e1a8c8709d3b1b4673e2b271ac38f45fccc063d0",
        ),
        Column("status", S, "ok, or error when the file could not be read", True, ("ok", "error")),
        Column(
            "error_kind",
            S,
            "Machine-readable reason of an error (empty_file, encrypted, no_text_layer, ...)",
            example="no_text_layer",
        ),
        Column("error_message", S, "What went wrong, for a person", example="the PDF has no text layer (scanned?)"),
        Column(
            "title", S, "Title as printed", example="DESA COORDINATION MEETING: Opening Remarks by Ms. Izumi Nakamitsu"
        ),
        Column("doc_type", S, "Kind of document", False, ("speech", "meeting_summary", "note", "resolution", "other")),
        Column("doc_date", D, "Date the document was delivered, held or issued", example="2017-02-16"),
        Column(
            "speaker_or_author", S, "Speaker of a speech, author body of a note or summary", example="Izumi Nakamitsu"
        ),
        Column("location", S, "City where it was delivered or held, or 'virtual'", example="New York"),
        Column("n_pages", INT, "Pages (PDF only)", example="12"),
        Column("n_chars", INT, "Characters of clean text", example="3212"),
        Column("n_words", INT, "Words of clean text", example="495"),
        Column("text_path", S, "Clean text file that all offsets refer to", example="texts/b91fc1af8054643d.txt"),
        Column("processed_at", TS, "When this document was processed (UTC)", example="2024-05-02T09:41:07"),
        Column("pipeline_version", S, "Code and rule-data version that produced the rows", example="0.1.0+3c68e7552e"),
    ),
    "actors": (
        Column(
            "actor_id", S, "Stable slug of the canonical name", True, example="international-organization-for-migration"
        ),
        Column("name", S, "Canonical (fullest) name", True, example="International Organization for Migration"),
        Column(
            "type", S, "Kind of actor", True, ("person", "organization", "member_state", "un_body", "role"), "un_body"
        ),
        Column("aliases", LIST, "Acronyms and short forms seen in the corpus", example="IOM"),
        Column("title", S, "For persons: their post as given", example="Director General"),
        Column(
            "affiliation",
            S,
            "For persons: canonical name of their organization",
            example="International Organization for Migration",
        ),
        Column("n_mentions", INT, "Mentions across the corpus", example="23"),
        Column("n_documents", INT, "Documents that mention the actor", example="5"),
        Column("review_status", S, "Analyst review state", True, REVIEW),
    ),
    "mentions": (
        Column("mention_id", S, "Stable id of the mention", True, example="54ca419a86eae56f"),
        Column("doc_id", S, "Document", True, example="b91fc1af8054643d"),
        Column("actor_id", S, "Actor mentioned", True, example="international-organization-for-migration"),
        Column("text", S, "Surface text", True, example="IOM"),
        Column("start_char", INT, "Start offset in the clean text", True, example="1512"),
        Column("end_char", INT, "End offset (exclusive)", True, example="1515"),
        Column("review_status", S, "Analyst review state", True, REVIEW),
    ),
    "dates": (
        Column("date_id", S, "Stable id of the expression", True, example="dd86a8c01a31bf09"),
        Column("doc_id", S, "Document", True, example="b91fc1af8054643d"),
        Column("text", S, "The expression as written", True, example="late November 2017"),
        Column("start_char", INT, "Start offset in the clean text", True, example="184"),
        Column("end_char", INT, "End offset (exclusive)", True, example="208"),
        Column("kind", S, "Form of the expression", True, ("date", "range", "relative", "time")),
        Column(
            "granularity",
            S,
            "Precision of the value",
            False,
            ("day", "week", "part_of_month", "month", "season", "part_of_year", "year", "time"),
        ),
        Column("start", TS, "First moment of the interval (null when unresolvable)", example="2017-11-21"),
        Column("end", TS, "Last day or moment of the interval (inclusive)", example="2017-11-30"),
        Column("review_status", S, "Analyst review state", True, REVIEW),
    ),
    "meetings": (
        Column("meeting_id", S, "Stable id of this mention of a meeting", True, example="4c33a4d91a740865"),
        Column("event_id", S, "The real meeting; the same across documents", True, example="ev-61ff4bc15675"),
        Column("doc_id", S, "Document", True, example="b91fc1af8054643d"),
        Column("name", S, "Name as the text gives it", True, example="preparatory stock-taking meeting"),
        Column(
            "type",
            S,
            "Kind of meeting",
            False,
            ("meeting", "conference", "session", "negotiation", "summit", "forum", "hearing", "consultation"),
        ),
        Column("start", D, "First day", example="2017-11-21"),
        Column("end", D, "Last day", example="2017-11-30"),
        Column("location", S, "City, or 'virtual'", example="Mexico"),
        Column("status", S, "Held, planned or ongoing as of the document date", False, ("held", "planned", "ongoing")),
        Column(
            "evidence",
            S,
            "Sentence or clause that mentions it",
            True,
            example=(
                'All of those consultations will provide inputs for a preparatory "stock taking" meeting '
                "to be hosted in Mexico in late November 2017."
            ),
        ),
        Column("start_char", INT, "Start offset of the evidence", True, example="1590"),
        Column("end_char", INT, "End offset of the evidence", True, example="1725"),
        Column("review_status", S, "Analyst review state", True, REVIEW),
    ),
    "events": (
        Column("event_id", S, "Stable id of the real meeting", True, example="ev-61ff4bc15675"),
        Column("name", S, "Best-known name", True, example='preparatory "stock taking" meeting'),
        Column("type", S, "Kind of meeting", example="meeting"),
        Column("start", D, "First day", example="2017-11-21"),
        Column("end", D, "Last day", example="2017-11-30"),
        Column("location", S, "City, or 'virtual'", example="Mexico"),
        Column("status", S, "Latest known status", False, ("held", "planned", "ongoing")),
        Column("n_documents", INT, "Documents that mention it", True, example="2"),
    ),
    "commitments": (
        Column("commitment_id", S, "Stable id", True, example="b133fda29a7d919f"),
        Column("doc_id", S, "Document", True, example="b91fc1af8054643d"),
        Column("actor_id", S, "Who must act (first actor when several)", example="secretary-general"),
        Column("actor", S, "Canonical name(s) of who must act, '; '-joined", example="Secretary-General"),
        Column(
            "kind",
            S,
            "Kind of obligation",
            True,
            ("commitment", "decision", "request", "action_point", "recommendation", "call"),
        ),
        Column("action", S, "What is to be done", example="develop a workplan for Member States"),
        Column("deadline", D, "Last day by which it is due", example="2017-03-30"),
        Column(
            "evidence",
            S,
            "Sentence or clause",
            True,
            example="Six weeks from now, the Secretary-General is asked to prepare a note on the organization of work",
        ),
        Column("start_char", INT, "Start offset of the evidence", True, example="956"),
        Column("end_char", INT, "End offset of the evidence", True, example="1100"),
        Column("review_status", S, "Analyst review state", True, REVIEW),
    ),
    "errors": (
        Column("source_path", S, "File", True, example="corpus/scanned.pdf"),
        Column("doc_id", S, "Document (empty when the file could not be read at all)", example="0e1f2a3b4c5d6e7f"),
        Column("stage", S, "Where it failed", True, ("ingest", "extract", "write")),
        Column(
            "error_kind",
            S,
            "Machine-readable reason: a reading or extraction failure of an error document, a manifest cell "
            "refused (manifest_value, manifest_unreadable) or a warning on an ok document (invalid_utf8)",
            True,
            example="no_text_layer",
        ),
        Column("message", S, "What went wrong, for a person", True, example="the PDF has no text layer (scanned?)"),
        Column("at", TS, "When (UTC)", True, example="2024-05-02T09:41:07"),
    ),
}
TABLE_NAMES = tuple(SCHEMAS)


class SchemaError(ValueError):
    """Rows that break the table contract; raised before anything is written."""


def arrow_schema(name: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, c.type, nullable=not c.required) for c in SCHEMAS[name]])


def _to_date(value) -> dt.date | None:
    if isinstance(value, str) and len(value) == 7:  # YYYY-MM: a month, due by its last day
        year, month = int(value[:4]), int(value[5:7])
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    if isinstance(value, str) and len(value) == 4 and value.isdigit():
        return dt.date(int(value), 12, 31)
    return iso_date(value, strict=True)


def _to_timestamp(value) -> dt.datetime | None:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value)
    return dt.datetime.fromisoformat(text[:19]).replace(tzinfo=None)


def to_arrow(name: str, rows: list[dict]) -> pa.Table:
    """Coerce rows to the declared types and check the contract (required, allowed values)."""
    columns = SCHEMAS[name]
    data: dict[str, list] = {}
    for col in columns:
        values = [row.get(col.name) for row in rows]
        try:
            if col.type == D:
                values = [_to_date(v) for v in values]
            elif col.type == TS:
                values = [_to_timestamp(v) for v in values]
            elif col.type == LIST:
                values = [list(v) if v is not None else [] for v in values]
            elif col.type == INT:
                values = [None if v is None or (isinstance(v, float) and pd.isna(v)) else int(v) for v in values]
            else:
                values = [None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in values]
        except (TypeError, ValueError) as exc:
            raise SchemaError(f"{name}.{col.name}: value cannot be read as {col.type}: {exc}") from exc
        if col.required and any(v is None or v == "" for v in values):
            raise SchemaError(f"{name}.{col.name} is required but some rows have no value")
        if col.allowed is not None:
            bad = sorted({v for v in values if v not in (None, "") and v not in col.allowed})
            if bad:
                raise SchemaError(f"{name}.{col.name}: values {bad} are not among {list(col.allowed)}")
        data[col.name] = values
    return pa.Table.from_pydict(data, schema=arrow_schema(name))


def to_csv_frame(table: pa.Table) -> pd.DataFrame:
    """CSV cells: ISO dates, '|'-joined lists, empty for null; text that a spreadsheet would run as a
    formula gets a leading ``'`` (:mod:`pipeline.csv_cells`), numbers and dates are written as they are."""
    frame = {}
    for field in table.schema:
        values = table.column(field.name).to_pylist()
        if field.type == LIST:
            frame[field.name] = [neutralize("|".join(v)) if v else "" for v in values]
        elif field.type == D:
            frame[field.name] = [v.isoformat() if v else "" for v in values]
        elif field.type == TS:
            frame[field.name] = [_iso_moment(v) if v else "" for v in values]
        elif field.type == S:
            frame[field.name] = [neutralize(v) for v in values]
        else:
            frame[field.name] = values
    return pd.DataFrame(frame, columns=[f.name for f in table.schema])


def _iso_moment(value: dt.datetime) -> str:
    if value.hour == value.minute == value.second == 0:
        return value.date().isoformat()
    return value.isoformat(timespec="minutes" if value.second == 0 else "seconds")


_UMASK = os.umask(0)
os.umask(_UMASK)


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are for every analyst on the machine
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_chunks(path, [text])


def atomic_write_chunks(path: Path, chunks: Iterable[str]) -> None:
    """Write text produced piece by piece (a large report) atomically, without joining it first."""

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(chunk)

    _atomic_write(path, write)


def write_table(name: str, rows: list[dict] | pa.Table, out_dir: Path) -> pa.Table:
    """Validate, then write NAME.parquet and NAME.csv (UTF-8 with BOM for spreadsheets), each atomically."""
    table = rows if isinstance(rows, pa.Table) else to_arrow(name, rows)
    out_dir = Path(out_dir)
    _atomic_write(out_dir / f"{name}.parquet", lambda tmp: pq.write_table(table, tmp))
    _atomic_write(
        out_dir / f"{name}.csv", lambda tmp: to_csv_frame(table).to_csv(tmp, index=False, encoding="utf-8-sig")
    )
    return table


def write_tables(tables: dict[str, list[dict]], out_dir: Path) -> dict[str, int]:
    """Validate every table first, so a contract error never leaves a mixed set of outputs."""
    arrow = {name: to_arrow(name, tables.get(name, [])) for name in TABLE_NAMES}
    for name, table in arrow.items():
        write_table(name, table, out_dir)
    return {name: table.num_rows for name, table in arrow.items()}


def read_table(name: str, out_dir: Path) -> pd.DataFrame:
    return pq.read_table(Path(out_dir) / f"{name}.parquet").to_pandas()
