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
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
    line: int
    message: str


def read(review_dir: Path) -> tuple[list[dict], list[LedgerProblem]]:
    """Every readable entry in file order, plus the lines that could not be read (never silently skipped)."""
    path = ledger_path(review_dir)
    if not path.exists():
        return [], []
    entries, problems = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(LedgerProblem(n, f"unreadable ledger line: {exc}"))
            continue
        if not isinstance(entry, dict) or entry.get("action") not in ACTIONS or not entry.get("table"):
            problems.append(LedgerProblem(n, "ledger line is not a decision (table/action missing)"))
            continue
        entry["_line"] = n
        entries.append(entry)
    return entries, problems


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
            self.edits[entry["field"]] = entry.get("new_value")
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
