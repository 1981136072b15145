"""What can be reviewed, and how a value typed by an analyst becomes a value of the declared type.

Everything is derived from ``pipeline.tables.SCHEMAS`` so a new column is reviewable without
touching this package; only the columns tied to document offsets are locked (a wrong span is
rejected and re-added, never patched, so offsets always point at the right text).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping

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

# Sane ranges for values an analyst types: outside them a value is a typo or an attack, and a year
# like 9999 or 0001 breaks every later run's timeline (pandas, matplotlib) after the tables are out.
YEAR_MIN, YEAR_MAX = 1900, 2100
# One text cell: far above any typed value, and above long extracted clauses that a filled-in queue
# carries back untouched (those cells are parsed too), so only a runaway value is refused.
MAX_TEXT_CHARS = 100_000
MAX_LIST_ITEMS = 200
MAX_INT = 2**63 - 1  # int64 columns (offsets, counts)
INTERVALS = {"dates": ("start", "end"), "meetings": ("start", "end"), "events": ("start", "end")}

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
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise FieldError(f"{where}: '{raw}' is not a date (YYYY-MM-DD)") from None
        return _in_range(day, where).isoformat()
    if col.type == TS:
        text = raw.isoformat() if isinstance(raw, dt.date) else str(raw).strip()
        if not _MOMENT.fullmatch(text):
            raise FieldError(f"{where}: '{raw}' is not a date or date-time (YYYY-MM-DD[THH:MM])")
        try:
            moment = dt.datetime.fromisoformat(text.replace(" ", "T"))
        except ValueError:
            raise FieldError(f"{where}: '{raw}' is not a date or date-time (YYYY-MM-DD[THH:MM])") from None
        return moment_text(_in_range(moment, where))
    if col.type == INT:
        text = str(raw).strip() if not isinstance(raw, bool) else ""
        if len(text) > 20 or not _INT.fullmatch(text) or not 0 <= int(text) <= MAX_INT:
            raise FieldError(f"{where}: '{_short(raw)}' is not a whole number from 0 to {MAX_INT}")
        return int(text)
    if col.type == LIST:
        items = raw if isinstance(raw, list) else str(raw).split("|")
        if len(items) > MAX_LIST_ITEMS:
            raise FieldError(f"{where}: more than {MAX_LIST_ITEMS} items")
        return [text for v in items if (text := _text_value(v, where))]
    if isinstance(raw, (dict, list)):
        raise FieldError(f"{where}: expected text, got {type(raw).__name__}")
    text = _text_value(raw, where)
    if col.allowed is not None and text not in col.allowed:
        raise FieldError(f"{where}: '{text}' is not one of {', '.join(col.allowed)}")
    return text


def _short(raw: object) -> str:
    text = str(raw) if not isinstance(raw, int) or abs(raw) < 10**40 else "a number too long to show"
    return text if len(text) <= 60 else text[:57] + "..."


def _text_value(raw: object, where: str) -> str:
    if isinstance(raw, (dict, list)):
        raise FieldError(f"{where}: expected text, got {type(raw).__name__}")
    text = str(raw).strip()
    if len(text) > MAX_TEXT_CHARS:
        raise FieldError(f"{where}: longer than {MAX_TEXT_CHARS} characters")
    return text


def _in_range(value: dt.date, where: str) -> dt.date:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise FieldError(f"{where}: year {value.year} is outside {YEAR_MIN}-{YEAR_MAX}")
    return value


def _moment(value: object) -> dt.datetime | None:
    """An ISO date or date-time value as a datetime (None when blank or unreadable)."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    try:
        return dt.datetime.fromisoformat(str(value).strip().replace(" ", "T"))
    except ValueError:
        return None


def check_interval(table: str, row: dict) -> None:
    """Refuse a row whose end comes before its start (the timeline and the events cannot draw it).

    A date-only end is the whole day (inclusive), so only whole days are compared unless both carry a time.
    """
    if table not in INTERVALS:
        return
    first, last = INTERVALS[table]
    start, end = _moment(row.get(first)), _moment(row.get(last))
    if start is None or end is None:
        return
    timed = start.time() != dt.time() and end.time() != dt.time()
    if (end < start) if timed else (end.date() < start.date()):
        raise FieldError(f"{table}.{last} {plain(row.get(last))} is before {first} {plain(row.get(first))}")


def interval_problems(entries: list[dict], row_of: Callable[[str, str], dict | None], states: Mapping) -> list[str]:
    """End before start among new ledger ``entries``, judged on each row as it will then stand.

    ``row_of(table, id)`` gives the row as extracted; ``states`` (``ledger.fold`` of the ledger so far)
    its earlier adds and edits. Only adds and edits of a start or end are judged, so an accept or an
    unrelated edit of a row that already reads backwards is not refused.
    """
    rows: dict[tuple[str, str], dict] = {}
    for entry in entries:
        table, action = entry["table"], entry["action"]
        if action not in ("add", "edit") or (action == "edit" and entry["field"] not in INTERVALS.get(table, ())):
            continue
        key = (table, entry["id"])
        if key not in rows:
            rows[key] = dict(row_of(*key) or {})
            state = states.get(key)
            if state is not None:
                rows[key].update(state.added or {})
                rows[key].update(state.edits)
        if action == "add":
            rows[key] = dict(entry.get("new_value") or {})
        else:
            rows[key][entry["field"]] = entry.get("new_value")
    problems = []
    for (table, _), row in rows.items():
        try:
            check_interval(table, row)
        except FieldError as exc:
            problems.append(str(exc))
    return problems


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
