"""Validate decisions (from a CSV file or the page) into ledger entries: all of them or none.

Accepts the plain corrections format ``table,id,action,field,value,reviewer,comment`` and the
filled-in review queue (the same decision columns plus the extracted field cells, which an
analyst may overwrite in place for an ``edit``). Every problem is reported with its CSV line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.csv_cells import restore
from pipeline.csv_input import CsvUnreadable, bad_bytes, decode, read_bytes, records
from pipeline.ids import slugify, stable_id
from pipeline.review import ledger
from pipeline.review.attach import anchor_for, norm
from pipeline.review.context import ReviewContext, load_context
from pipeline.review.fields import (
    DERIVED,
    DOC_TABLES,
    ID_COLUMN,
    OFFSET_BOUND,
    REVIEW_TABLES,
    TEXT_COLUMN,
    FieldError,
    check_field,
    columns,
    is_blank,
    parse_value,
    plain,
)
from pipeline.review.queue import CELL_NAME

REQUIRED_HEADER = ("table", "id", "action")
DEFAULTS = {"dates": {"kind": "date"}, "commitments": {"kind": "commitment"}}


@dataclass
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Outcome:
    entries: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0


def read_csv(path: Path) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """(line, record) pairs with lower-cased headers; the line is where the record starts.

    The sheet may come back from a spreadsheet as UTF-16 or with ``;`` between cells; a cell with
    bytes that are not UTF-8 is a problem on its line, and a file that cannot be read at all is one
    problem, never a traceback.
    """
    try:
        header, rows = records(decode(read_bytes(Path(path))))
    except CsvUnreadable as exc:
        return [], [Problem(1, str(exc))]
    missing = [h for h in REQUIRED_HEADER if h not in header]
    if missing:
        return [], [Problem(1, f"missing column(s): {', '.join(missing)}")]
    out, problems = [], []
    for rec in rows:
        raw = dict(zip(header, [*rec.cells, *[""] * (len(header) - len(rec.cells))], strict=False))
        bad = next(((name, why) for name, cell in raw.items() if (why := bad_bytes(cell))), None)
        if bad:
            problems.append(Problem(rec.line, f"column {bad[0]} {bad[1]}"))
            continue
        out.append((rec.line, {k: restore(v) for k, v in raw.items()}))
    return out, problems


def validate(records: list[tuple[int, dict]], ctx: ReviewContext, reviewer: str, source: str) -> Outcome:
    outcome = Outcome()
    added_actors: set[str] = {e["id"] for e in ctx.entries if e["table"] == "actors" and e["action"] == "add"}
    for line, rec in records:
        try:
            entries = _entries_for(rec, ctx, reviewer, source, added_actors)
        except FieldError as exc:
            outcome.problems.append(Problem(line, str(exc)))
            continue
        if entries is None:
            outcome.skipped += 1
        else:
            outcome.entries.extend(entries)
    return outcome


def _text(rec: dict, key: str) -> str:
    value = rec.get(key)
    return "" if is_blank(value) else str(value).strip()


def _entries_for(rec: dict, ctx: ReviewContext, reviewer: str, source: str, added_actors: set) -> list[dict] | None:
    action = _text(rec, "action").lower()
    table, item_id = _text(rec, "table"), _text(rec, "id")
    if not action:
        if _text(rec, "field") or _text(rec, "value"):
            raise FieldError("a field or value is given but the action is empty")
        return None  # an untouched queue row
    if action not in ledger.ACTIONS:
        raise FieldError(f"unknown action '{action}' (accept, reject, edit, add)")
    if table not in REVIEW_TABLES:
        raise FieldError(f"unknown table '{table}' ({', '.join(REVIEW_TABLES)})")
    common = {"reviewer": _text(rec, "reviewer") or reviewer, "comment": _text(rec, "comment"), "source": source}
    if action == "add":
        return [_add_entry(table, item_id, rec, ctx, common, added_actors)]
    if not item_id:
        raise FieldError(f"id is required for {action}")
    if not ctx.known(table, item_id):
        raise FieldError(f"unknown id '{item_id}' in {table}")
    anchor = ctx.anchor(table, item_id)
    if action in ("accept", "reject"):
        return [ledger.make_entry(table, item_id, action, anchor=anchor, **common)]
    row = ctx.row(table, item_id) or {}
    field_name = _text(rec, "field")
    if field_name:
        col = check_field(table, field_name)
        new = parse_value(col, rec.get("value"), f"{table}.{field_name}")
        if table == "mentions" and field_name == "actor_id":
            _check_actor(new, ctx, added_actors)
        return [
            ledger.make_entry(
                table,
                item_id,
                "edit",
                field=field_name,
                old_value=row.get(field_name),
                new_value=new,
                anchor=anchor,
                **common,
            )
        ]
    entries = []
    for name, col in columns(table).items():  # a filled-in queue: cells overwritten in place
        cell_name = CELL_NAME.get(name, name)
        if cell_name not in rec or not row:
            continue
        raw = rec[cell_name]
        new = parse_value(col, raw, f"{table}.{name}") if name not in DERIVED else raw
        if _same(new, row.get(name)):
            continue
        check_field(table, name)
        entries.append(
            ledger.make_entry(
                table, item_id, "edit", field=name, old_value=row.get(name), new_value=new, anchor=anchor, **common
            )
        )
    if not entries:
        raise FieldError("edit without a change: name a field and a value, or overwrite a field cell")
    return entries


def _same(new: object, old: object) -> bool:
    """Equal for review purposes: blanks alike, text compared without layout whitespace."""
    if is_blank(new) or is_blank(old) or new == [] or old == []:
        return (is_blank(new) or new == []) and (is_blank(old) or old == [])
    if isinstance(new, str) and isinstance(old, str):
        return norm(new) == norm(old)
    return plain(new) == plain(old)


def _check_actor(actor_id: object, ctx: ReviewContext, added_actors: set) -> None:
    if actor_id not in ctx.index["actors"] and actor_id not in added_actors:
        raise FieldError(f"unknown actor_id '{actor_id}': add the actor first (table actors)")


def _add_entry(table: str, item_id: str, rec: dict, ctx: ReviewContext, common: dict, added_actors: set) -> dict:
    try:
        values = json.loads(_text(rec, "value") or "null")
    except json.JSONDecodeError as exc:
        raise FieldError(f"value is not valid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(values, dict):
        raise FieldError('value of an add must be a JSON object of the new row\'s fields, e.g. {"doc_id": ...}')
    cols = columns(table)
    row: dict = dict(DEFAULTS.get(table, {}))
    document = values.pop("document", None)
    text_value = values.pop("text", None) if TEXT_COLUMN[table] != "text" else None
    for key, raw in values.items():
        if key not in cols:
            raise FieldError(f"unknown field '{key}' for table {table}")
        if key in DERIVED and key != "doc_id":
            raise FieldError(f"field '{key}' of {table} is derived and cannot be set")
        if key not in OFFSET_BOUND:
            row[key] = parse_value(cols[key], raw, f"{table}.{key}")
    if table in DOC_TABLES:
        _place(table, row, values, document, text_value, ctx)
    else:
        row.setdefault("aliases", [])
        if is_blank(row.get("name")):
            raise FieldError("actors.name is required")
        row["actor_id"] = row.get("actor_id") or slugify(row["name"])
    if table == "meetings" and is_blank(row.get("name")):
        row["name"] = row["evidence"]
    for name, col in cols.items():
        if col.required and name not in (ID_COLUMN[table], "review_status", "event_id") and is_blank(row.get(name)):
            raise FieldError(f"{table}.{name} is required for an added row")
    if table == "mentions":
        _check_actor(row.get("actor_id"), ctx, added_actors)
    id_col = ID_COLUMN[table]
    item_id = (
        item_id
        or row.get(id_col)
        or stable_id("added", table, row.get("doc_id"), row.get("start_char"), row.get("end_char"))
    )
    existing = ctx.row(table, item_id)
    if existing and existing.get("review_status") != "added":
        raise FieldError(f"id '{item_id}' already exists in {table}: use edit")
    row[id_col] = item_id
    if table == "actors":
        added_actors.add(item_id)
    anchor = anchor_for(table, row, ctx.texts, ctx.documents)
    return ledger.make_entry(table, item_id, "add", new_value=row, anchor=anchor, **common)


def _place(table: str, row: dict, values: dict, document: object, text_value: object, ctx: ReviewContext) -> None:
    """Fill doc_id, offsets and text of an added row from what the analyst gave, checked against the text."""
    doc_id = row.get("doc_id")
    if not doc_id and document:
        matches = [d for d in ctx.documents.values() if d.get("file_name") == document]
        doc_id = matches[0]["doc_id"] if len(matches) == 1 else None
    if not doc_id or doc_id not in ctx.documents:
        raise FieldError(f"an added {table} row needs the doc_id (or document file name) of a processed document")
    clean = ctx.texts.get(doc_id, "")
    col = TEXT_COLUMN[table]
    wanted = values.get(col) if values.get(col) is not None else text_value
    start, end = values.get("start_char"), values.get("end_char")
    if start is not None or end is not None:
        cols = columns(table)
        start = parse_value(cols["start_char"], start, f"{table}.start_char")
        end = parse_value(cols["end_char"], end, f"{table}.end_char")
        if not 0 <= start < end <= len(clean):
            raise FieldError(f"offsets {start}:{end} are outside the document ({len(clean)} characters)")
        if wanted is not None and norm(wanted) != norm(clean[start:end]):
            raise FieldError(f"text '{wanted}' does not match the document at {start}:{end} ('{clean[start:end]}')")
    elif wanted:
        start = clean.find(str(wanted))
        if start < 0:
            raise FieldError(f"text '{wanted}' does not occur in document {doc_id}")
        end = start + len(str(wanted))
    else:
        raise FieldError(f"an added {table} row needs its {col} or start_char/end_char")
    row.update(doc_id=doc_id, start_char=start, end_char=end)
    row[col] = clean[start:end]


def import_csv(path: Path, out_dir: Path, review_dir: Path, reviewer: str) -> Outcome:
    """Validate the whole file, then append every decision in one write, or nothing at all."""
    records, problems = read_csv(Path(path))
    if problems:
        return Outcome(problems=problems)
    outcome = validate(records, load_context(out_dir, review_dir), reviewer, f"csv:{Path(path).name}")
    if not outcome.problems:
        ledger.append(review_dir, outcome.entries)
    return outcome
