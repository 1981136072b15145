"""What can be reviewed, and how a value typed by an analyst becomes a value of the declared type.

Everything is derived from ``pipeline.tables.SCHEMAS`` so a new column is reviewable without
touching this package; only the columns tied to document offsets are locked (a wrong span is
rejected and re-added, never patched, so offsets always point at the right text).
"""

from __future__ import annotations

import datetime as dt
import math
import re

from pipeline.tables import INT, LIST, SCHEMAS, TS, Column, D

REVIEW_TABLES = ("dates", "mentions", "meetings", "commitments", "actors")
DOC_TABLES = ("dates", "mentions", "meetings", "commitments")
ID_COLUMN = {
    "dates": "date_id",
    "mentions": "mention_id",
    "meetings": "meeting_id",
    "commitments": "commitment_id",
    "actors": "actor_id",
}
# The text a row is about: what re-attachment searches for after ids change.
TEXT_COLUMN = {"dates": "text", "mentions": "text", "meetings": "evidence", "commitments": "evidence", "actors": "name"}
# Values that tell two rows with the same text apart (tie-breakers when re-attaching).
KEY_COLUMNS = {
    "dates": ("kind",),
    "mentions": ("actor_id",),
    "meetings": ("name",),
    "commitments": ("kind", "actor_id"),
    "actors": ("type",),
}
OFFSET_BOUND = ("text", "evidence", "start_char", "end_char")
DERIVED = ("doc_id", "review_status", "event_id", "n_mentions", "n_documents")

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?")
_INT = re.compile(r"[+-]?\d+")


class FieldError(ValueError):
    """A field or value an analyst gave that the table contract does not allow."""


def columns(table: str) -> dict[str, Column]:
    return {c.name: c for c in SCHEMAS[table]}


def editable(table: str) -> list[str]:
    """Columns an ``edit`` may change."""
    locked = {ID_COLUMN[table], *DERIVED, *(OFFSET_BOUND if table in DOC_TABLES else ())}
    return [name for name in columns(table) if name not in locked]


def check_field(table: str, field: str) -> Column:
    cols = columns(table)
    if field not in cols:
        raise FieldError(f"unknown field '{field}' for table {table} (fields: {', '.join(editable(table))})")
    if field not in editable(table):
        if field in OFFSET_BOUND:
            raise FieldError(f"field '{field}' is tied to document offsets: reject the row and add a corrected one")
        raise FieldError(f"field '{field}' of {table} is derived and cannot be edited")
    return cols[field]


def is_blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def parse_value(col: Column, raw: object, where: str) -> object:
    """Canonical JSON-able value of ``raw`` for ``col``; raises FieldError naming ``where``."""
    if is_blank(raw):
        if col.required:
            raise FieldError(f"{where} is required and cannot be empty")
        return None
    if col.type == D:
        text = raw.isoformat()[:10] if isinstance(raw, dt.date) else str(raw).strip()
        if not _DATE.fullmatch(text):
            raise FieldError(f"{where}: '{raw}' is not a date (YYYY-MM-DD)")
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise FieldError(f"{where}: '{raw}' is not a date (YYYY-MM-DD)") from None
    if col.type == TS:
        text = raw.isoformat() if isinstance(raw, dt.date) else str(raw).strip()
        if not _MOMENT.fullmatch(text):
            raise FieldError(f"{where}: '{raw}' is not a date or date-time (YYYY-MM-DD[THH:MM])")
        try:
            return moment_text(dt.datetime.fromisoformat(text.replace(" ", "T")))
        except ValueError:
            raise FieldError(f"{where}: '{raw}' is not a date or date-time (YYYY-MM-DD[THH:MM])") from None
    if col.type == INT:
        if isinstance(raw, bool) or not _INT.fullmatch(str(raw).strip()):
            raise FieldError(f"{where}: '{raw}' is not a whole number")
        return int(str(raw).strip())
    if col.type == LIST:
        items = raw if isinstance(raw, list) else str(raw).split("|")
        return [str(v).strip() for v in items if str(v).strip()]
    if isinstance(raw, (dict, list)):
        raise FieldError(f"{where}: expected text, got {type(raw).__name__}")
    text = str(raw).strip()
    if col.allowed is not None and text not in col.allowed:
        raise FieldError(f"{where}: '{text}' is not one of {', '.join(col.allowed)}")
    return text


def moment_text(value: dt.datetime) -> str:
    if value.hour == value.minute == value.second == 0:
        return value.date().isoformat()
    return value.isoformat(timespec="minutes" if value.second == 0 else "seconds")


def plain(value: object) -> object:
    """Row value as JSON-able data (dates as ISO text, lists as lists, NaN as None)."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return moment_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


def cell(value: object) -> str:
    """Row value as a CSV cell, the way ``pipeline.tables`` writes it."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return str(value)
