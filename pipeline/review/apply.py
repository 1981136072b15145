"""Turn the ledger into corrected tables: the step every run takes after extraction.

Rejected rows leave, edited rows carry the analyst's values, added rows appear, and
``review_status`` says which. A decision whose row cannot be found again is returned as an
orphan (and stays in the ledger), so nothing an analyst did is ever dropped without a word.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path

from pipeline.csv_cells import neutralize
from pipeline.events import aggregate_events, event_id_for
from pipeline.extract.actors_table import count_mentions
from pipeline.review import ledger
from pipeline.review.attach import locate, norm, reattach, resolve_document
from pipeline.review.fields import DOC_TABLES, ID_COLUMN, REVIEW_TABLES, TEXT_COLUMN, columns
from pipeline.tables import atomic_write_text

ORPHANS_FILE = "review_orphans.csv"
ORPHAN_COLUMNS = ("table", "id", "actions", "doc_id", "file_name", "text", "last_decision_at", "reason")


class TextsOnDisk(Mapping[str, str]):
    """doc_id -> clean text as the run wrote it, read on first use: a run with no corrections (or
    few) reads none of the corpus's texts into memory."""

    def __init__(self, out_dir: Path, documents: list[dict]) -> None:
        self._paths: dict[str, Path] = {}
        for doc in documents:
            path = Path(out_dir) / (doc.get("text_path") or f"texts/{doc.get('doc_id')}.txt")
            if doc.get("status") == "ok" and doc.get("doc_id") and path.exists():
                self._paths[doc["doc_id"]] = path
        self._read: dict[str, str] = {}

    def __getitem__(self, doc_id: str) -> str:
        if doc_id not in self._read:
            self._read[doc_id] = self._paths[doc_id].read_text(encoding="utf-8")
        return self._read[doc_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def load_texts(out_dir: Path, documents: list[dict]) -> Mapping[str, str]:
    """Clean text of every readable document under ``out_dir`` (read when first asked for)."""
    return TextsOnDisk(out_dir, documents)


def apply_ledger(
    tables: dict[str, list[dict]], review_dir: Path, texts: Mapping[str, str]
) -> tuple[dict[str, list[dict]], list[dict]]:
    """Corrected copies of ``tables`` plus orphan records, from every decision in the ledger.

    With an empty ledger the tables come back as they are (no copy of a large corpus's rows).
    """
    entries, problems = ledger.read(review_dir)
    orphans = [_line_orphan(p) for p in problems]
    if not entries:
        out = dict(tables)
        for name in REVIEW_TABLES:
            out.setdefault(name, [])
        return out, orphans
    out = {name: ([dict(r) for r in rows] if name in REVIEW_TABLES else rows) for name, rows in tables.items()}
    for name in REVIEW_TABLES:
        out.setdefault(name, [])
    documents = {d["doc_id"]: d for d in out.get("documents", []) if d.get("doc_id") and d.get("status") == "ok"}
    items: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for entry in entries:
        items[(entry["table"], entry["id"])].append(entry)

    target: dict[tuple[str, str], str] = {}  # ledger item -> id of the row it now lands on
    index = {name: {r[ID_COLUMN[name]]: r for r in out[name]} for name in REVIEW_TABLES}
    pending_anchor = []
    for (table, item_id), group in items.items():
        if table not in REVIEW_TABLES:
            orphans.append(_orphan({"table": table, "id": item_id}, group, f"unknown table {table}"))
            continue
        adds = [e for e in group if e["action"] == "add"]
        if adds:
            try:
                row, reason = _materialize(table, item_id, adds[-1], documents, texts)
            except Exception as exc:  # one decision that cannot be applied never stops a run
                row, reason = None, f"the added row cannot be applied ({type(exc).__name__}: {exc})"
            if row is None:
                orphans.append(_orphan(adds[-1].get("anchor") or {}, group, reason, table, item_id))
                continue
            _drop_duplicate(out, index, table, row)
            index[table][item_id] = row
            out[table].append(row)
            target[(table, item_id)] = item_id
        elif item_id in index[table]:
            target[(table, item_id)] = item_id
        else:
            pending_anchor.append((table, item_id, group))
    taken: set[str] = set()
    for table, item_id, group in pending_anchor:
        anchor = next((e["anchor"] for e in group if e.get("anchor")), {})
        try:
            row = reattach(table, anchor, out, texts, documents, taken)
        except Exception as exc:  # a damaged anchor (offsets as text, ...) makes an orphan, not a failed run
            orphans.append(_orphan(anchor, group, f"its anchor cannot be used ({type(exc).__name__})", table, item_id))
            continue
        if row is None:
            orphans.append(_orphan(anchor, group, _why_not(table, anchor, documents), table, item_id))
            continue
        taken.add(row[ID_COLUMN[table]])
        target[(table, item_id)] = row[ID_COLUMN[table]]

    states: dict[tuple[str, str], ledger.ItemState] = {}
    for entry in entries:
        key = (entry["table"], entry["id"])
        if key in target:
            states.setdefault((entry["table"], target[key]), ledger.ItemState()).step(entry)
    rejected: dict[str, set[str]] = defaultdict(set)
    for (table, row_id), state in states.items():
        row = index[table][row_id]
        cols = columns(table)
        for field_name, value in state.edits.items():
            if field_name in cols:
                row[field_name] = value
        if state.status == "rejected":
            rejected[table].add(row_id)
        else:
            row["review_status"] = state.status
    for table, ids in rejected.items():
        out[table] = [r for r in out[table] if r[ID_COLUMN[table]] not in ids]
    touched = {table for table, _ in states}
    if "meetings" in touched and "events" in out:
        out["events"] = aggregate_events(out["meetings"])
    if touched & {"mentions", "actors"}:
        count_mentions(out["actors"], out["mentions"])
    return out, orphans


def _materialize(table: str, item_id: str, entry: dict, documents: dict, texts: dict) -> tuple[dict | None, str]:
    """The added row as it stands in this run: moved to its document's current id and offsets."""
    values = dict(entry.get("new_value") or {})
    row = {name: None for name in columns(table)}
    row.update({k: v for k, v in values.items() if k in row})
    row[ID_COLUMN[table]] = item_id
    row["review_status"] = "added"
    if table in DOC_TABLES:
        anchor = entry.get("anchor") or {}
        doc_id = resolve_document(anchor, documents)
        if doc_id is None:
            return None, "its document is no longer in the corpus"
        text = texts.get(doc_id)
        start, end = row.get("start_char"), row.get("end_char")
        wanted = row.get(TEXT_COLUMN[table]) or ""
        if text is not None and not (doc_id == anchor.get("doc_id") and text[start:end] == wanted):
            place = locate({**anchor, "text": wanted}, text)
            if place is None:
                return None, "its text no longer occurs in the document"
            start, end = place
        row.update(doc_id=doc_id, start_char=start, end_char=end)
    if table == "meetings":
        if not row.get("event_id"):
            from pipeline.extract.meetings import event_key  # spaCy: only when an added meeting needs it

            row["event_id"] = event_id_for(event_key(row))
    return row, ""


def _drop_duplicate(out: dict, index: dict, table: str, row: dict) -> None:
    """When extraction now finds what an analyst added, keep one row: the analyst's."""
    id_col = ID_COLUMN[table]
    if table in DOC_TABLES:

        def same(r: dict) -> bool:
            return (r["doc_id"], r["start_char"], r["end_char"]) == (row["doc_id"], row["start_char"], row["end_char"])
    else:

        def same(r: dict) -> bool:
            return r[id_col] == row[id_col]

    dupes = {r[id_col] for r in out[table] if same(r) and r.get("review_status") != "added"}
    if dupes:
        out[table][:] = [r for r in out[table] if r[id_col] not in dupes]
        for d in dupes:
            index[table].pop(d, None)


def _why_not(table: str, anchor: dict, documents: dict) -> str:
    if table in DOC_TABLES and resolve_document(anchor, documents) is None:
        return "its document is no longer in the corpus"
    return f"no extracted row with this {TEXT_COLUMN[table]} any more"


def _orphan(anchor: dict, group: list[dict], reason: str, table: str = "", item_id: str = "") -> dict:
    return {
        "table": table or anchor.get("table", ""),
        "id": item_id or anchor.get("id", ""),
        "actions": "|".join(str(e.get("action", "")) for e in group),
        "doc_id": str(anchor.get("doc_id") or ""),
        "file_name": str(anchor.get("file_name") or ""),
        "text": norm(anchor.get("text"))[:300],
        "last_decision_at": str(group[-1].get("timestamp") or "") if group else "",
        "reason": reason,
    }


def _line_orphan(problem: ledger.LedgerProblem) -> dict:
    """A ledger line that cannot be applied, with what could be read of it (table, id, action, anchor)."""
    entry = problem.entry or {}
    anchor = entry.get("anchor") if isinstance(entry.get("anchor"), dict) else {}
    table, item_id = entry.get("table"), entry.get("id")
    return _orphan(
        anchor,
        [entry] if entry else [],
        f"{problem.message} (ledger line {problem.line})",
        table if isinstance(table, str) else "",
        item_id if isinstance(item_id, str) else "",
    )


def write_orphans(orphans: list[dict], out_dir: Path) -> Path:
    """``review_orphans.csv`` in ``out_dir`` (always written, so an old list never lingers)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=ORPHAN_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: neutralize(v) for k, v in row.items()} for row in orphans)
    path = Path(out_dir) / ORPHANS_FILE
    atomic_write_text(path, "\ufeff" + buf.getvalue())
    return path
