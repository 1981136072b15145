"""The review ledger: one JSON line per analyst decision, appended, never rewritten.

Being append-only makes the ledger its own audit trail and safe to share between the CLI, the
browser page and every run; "a later decision wins" is decided by file order when it is read.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.ids import stable_id

LEDGER_NAME = "ledger.jsonl"
ACTIONS = ("accept", "reject", "edit", "add")


def ledger_path(review_dir: Path) -> Path:
    return Path(review_dir) / LEDGER_NAME


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_entry(
    table: str,
    item_id: str,
    action: str,
    *,
    field: str | None = None,
    old_value: object = None,
    new_value: object = None,
    reviewer: str = "",
    comment: str = "",
    anchor: dict | None = None,
    source: str = "",
) -> dict:
    """A ledger line; ``anchor`` holds what re-attachment needs once ``item_id`` no longer exists."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    timestamp = now_iso()
    return {
        "entry_id": stable_id(
            table, item_id, action, field, json.dumps(new_value, sort_keys=True), timestamp, os.urandom(4).hex()
        ),
        "table": table,
        "id": item_id,
        "action": action,
        "field": field,
        "old_value": old_value,
        "new_value": new_value,
        "reviewer": reviewer,
        "comment": comment,
        "timestamp": timestamp,
        "source": source,
        "anchor": anchor or {},
    }


def append(review_dir: Path, entries: list[dict]) -> None:
    """Append all entries in one locked write, so an import lands whole or (on a crash) as a torn last line."""
    if not entries:
        return
    path = ledger_path(review_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entries).encode("utf-8")
    with open(path, "ab") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            fh.seek(0, os.SEEK_END)
            if fh.tell() > 0 and not _ends_with_newline(path):
                fh.write(b"\n")  # never glue a new decision onto a torn line
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


@dataclass
class LedgerProblem:
    """A ledger line no run can apply, and why; ``entry`` is what could be read of it (for the orphan list)."""

    line: int
    message: str
    entry: dict | None = None


def read(review_dir: Path) -> tuple[list[dict], list[LedgerProblem]]:
    """Every applicable entry in file order, plus the lines that cannot be applied (never silently skipped).

    A line is read on its own bytes, so one invalid byte, one torn line or one value outside the table
    contract makes that line a problem and never stops a run or a review command.
    """
    path = ledger_path(review_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [LedgerProblem(0, f"the ledger could not be read ({exc.strerror or exc})")]
    entries, problems = [], []
    for n, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(LedgerProblem(n, f"ledger line is not UTF-8 text (byte {raw[exc.start]:#04x})"))
            continue
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError) as exc:  # bad JSON, an integer too long, nesting too deep
            problems.append(LedgerProblem(n, f"unreadable ledger line: {exc}"))
            continue
        why = problem_of(entry)
        if why:
            problems.append(LedgerProblem(n, why, entry if isinstance(entry, dict) else None))
            continue
        entry["_line"] = n
        entries.append(entry)
    return entries, problems


def problem_of(entry: object) -> str | None:
    """Why a parsed ledger line cannot be applied, or None; canonicalizes the values it checks in place."""
    from pipeline.review.fields import FieldError  # the table contract (pandas, pyarrow) only when a ledger exists

    if not isinstance(entry, dict):
        return "ledger line is not a decision (a JSON object)"
    if entry.get("action") not in ACTIONS or not entry.get("table") or not isinstance(entry["table"], str):
        return "ledger line is not a decision (table/action missing)"
    if not isinstance(entry.get("id"), str) or not entry["id"]:
        return "decision without an id"
    if not isinstance(entry.get("anchor") or {}, dict):
        return "decision with an anchor that is not a JSON object"
    if not isinstance(entry.get("timestamp") or "", str):
        entry["timestamp"] = str(entry["timestamp"])
    try:
        _check_values(entry)
    except FieldError as exc:
        return f"value outside the table contract: {exc}"
    return None


def _check_values(entry: dict) -> None:
    """Check an edit's field and value, or an add's row, against the table contract (FieldError)."""
    from pipeline.review.fields import (
        DERIVED,
        ID_COLUMN,
        OFFSET_BOUND,
        REVIEW_TABLES,
        FieldError,
        check_field,
        columns,
        is_blank,
        parse_value,
    )

    table = entry["table"]
    if table not in REVIEW_TABLES:
        return  # reported per item by ``apply`` as an unknown table
    if entry["action"] == "edit":
        if not isinstance(entry.get("field"), str) or not entry["field"]:
            raise FieldError("an edit without a field")
        col = check_field(table, entry["field"])
        entry["new_value"] = parse_value(col, entry.get("new_value"), f"{table}.{entry['field']}")
    elif entry["action"] == "add":
        values = entry.get("new_value")
        if not isinstance(values, dict):
            raise FieldError("an add whose new_value is not the new row (a JSON object)")
        free = {ID_COLUMN[table], "review_status", "event_id", *DERIVED, *OFFSET_BOUND}
        for name, col in columns(table).items():
            value = values.get(name)
            if is_blank(value) and (name in free or not col.required):
                continue
            if name in OFFSET_BOUND or name in DERIVED:
                ok = isinstance(value, int) if name in ("start_char", "end_char") else isinstance(value, str)
                if not ok and name not in ("n_mentions", "n_documents"):
                    raise FieldError(f"{table}.{name}: {value!r} is not a valid {name}")
                continue
            values[name] = parse_value(col, value, f"{table}.{name}")


@dataclass
class ItemState:
    """Where the decisions on one item leave it; built by folding entries in ledger order."""

    decision: str | None = None  # accepted | rejected | None
    edits: dict = field(default_factory=dict)
    added: dict | None = None
    entries: list[dict] = field(default_factory=list)

    def step(self, entry: dict) -> None:
        action = entry["action"]
        self.entries.append(entry)
        if action == "add":
            self.added = dict(entry.get("new_value") or {})
            self.decision = None
        elif action == "accept":
            self.decision = "accepted"
        elif action == "reject":
            self.decision = "rejected"
        elif action == "edit":
            self.edits[entry["field"]] = entry.get("new_value")  # checked by ``read``
            self.decision = None

    @property
    def status(self) -> str:
        """review_status of the row, or 'rejected' when it leaves the tables."""
        if self.decision == "rejected":
            return "rejected"
        if self.added is not None:
            return "added"
        if self.edits:
            return "edited"
        return self.decision or "unreviewed"


def fold(entries: list[dict]) -> dict[tuple[str, str], ItemState]:
    """State per (table, id) after every decision, a later one winning."""
    states: dict[tuple[str, str], ItemState] = {}
    for entry in entries:
        states.setdefault((entry["table"], entry["id"]), ItemState()).step(entry)
    return states
