"""The review queue: every extracted row with its evidence, least certain first.

Tables carry no model scores, so certainty is a transparent heuristic from what the row itself
says (unresolved dates, relative expressions, bare acronyms, commitments without an actor...):
analysts see the rows most likely to be wrong before the ones that are almost surely right.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from pipeline.csv_cells import neutralize
from pipeline.review.context import ReviewContext
from pipeline.review.fields import DERIVED, DOC_TABLES, ID_COLUMN, REVIEW_TABLES, cell, columns

DECISION_COLUMNS = ("action", "field", "value", "reviewer", "comment")
LEAD_COLUMNS = ("table", "id", "review_status", "certainty", "document", "doc_id", "start_char", "end_char", "evidence")
CONTEXT_CHARS = 120
# Field cells whose name would collide with a decision column get a queue-only name.
CELL_NAME = {"action": "commitment_action"}
LABELS = {"dates": "DATE", "mentions": "ACTOR", "meetings": "MEETING", "commitments": "COMMITMENT", "actors": "ACTOR"}


def certainty(table: str, row: dict, actors: dict[str, dict] | None = None) -> float:
    """0..1, how likely the row is right as extracted (a ranking aid, not a probability)."""
    score = 0.9
    if table == "dates":
        score -= 0.4 if not row.get("start") else 0
        score -= {"relative": 0.3, "range": 0.1, "time": 0.1}.get(row.get("kind") or "", 0)
        score -= 0.15 if row.get("granularity") in ("season", "part_of_year", "part_of_month", "week") else 0
    elif table == "mentions":
        text = row.get("text") or ""
        score -= 0.2 if len(text) <= 3 else 0
        score -= 0.2 if text[:1].islower() else 0
        actor = (actors or {}).get(row.get("actor_id")) or {}
        score -= 0.2 if actor.get("type") == "role" else 0
    elif table == "meetings":
        score -= 0.2 if not row.get("type") else 0
        score -= 0.15 if not row.get("start") else 0
        score -= 0.1 if not row.get("status") else 0
        name = row.get("name") or ""
        score -= 0.2 if len(name) > 80 or name == row.get("evidence") or (name[:1].islower()) else 0
    elif table == "commitments":
        score -= 0.3 if not row.get("actor_id") else 0
        score -= 0.3 if not row.get("action") else 0
        score -= 0.1 if row.get("kind") in ("call", "recommendation") else 0
    elif table == "actors":
        score -= 0.2 if (row.get("n_mentions") or 0) <= 1 else 0
        score -= 0.2 if row.get("type") == "role" else 0
    return round(min(1.0, max(0.05, score)), 2)


def field_columns() -> list[str]:
    """Union of the reviewable tables' columns, in declaration order, for the queue's field cells."""
    skip = set(LEAD_COLUMNS) | set(DERIVED)
    out: list[str] = []
    for table in REVIEW_TABLES:
        for c in columns(table):
            if c not in skip and c != ID_COLUMN[table] and CELL_NAME.get(c, c) not in out:
                out.append(CELL_NAME.get(c, c))
    return out


def focus_row(ctx: ReviewContext, table: str, row: dict) -> dict | None:
    """The row whose span shows the item in its document (an actor is shown at its first mention)."""
    if table in DOC_TABLES:
        return row
    mentions = [m for m in ctx.tables["mentions"] if m.get("actor_id") == row.get("actor_id")]
    return min(mentions, key=lambda m: (m["doc_id"], m["start_char"])) if mentions else None


def evidence(ctx: ReviewContext, table: str, row: dict) -> str:
    """The clause for meetings/commitments; for short spans the text around them, the span in «»."""
    if table in ("meetings", "commitments"):
        return row.get("evidence") or ""
    span = focus_row(ctx, table, row)
    text = ctx.texts.get(span["doc_id"], "") if span else ""
    if not text:
        return ""
    s, e = span["start_char"], span["end_char"]
    before = text[max(0, s - CONTEXT_CHARS) : s]
    after = text[e : e + CONTEXT_CHARS]
    return re.sub(r"\s+", " ", f"{before}«{text[s:e]}»{after}").strip()


def queue_items(ctx: ReviewContext) -> list[tuple[str, dict, float]]:
    """(table, row, certainty) for every row, unreviewed ones first, least certain first."""
    actors = ctx.index.get("actors", {})
    items = [(t, r, certainty(t, r, actors)) for t in REVIEW_TABLES for r in ctx.tables[t]]
    order = {t: i for i, t in enumerate(REVIEW_TABLES)}
    items.sort(
        key=lambda x: (
            x[1].get("review_status") != "unreviewed",
            x[2],
            order[x[0]],
            x[1].get("doc_id") or "",
            x[1].get("start_char") or 0,
        )
    )
    return items


def _safe(value: object) -> str:
    """A queue cell: numbers as they are, text neutralized for spreadsheets (``corrections`` restores it)."""
    return cell(value) if isinstance(value, (int, float)) else neutralize(cell(value))


def write_queue(ctx: ReviewContext, path: Path) -> int:
    """Write the queue CSV (UTF-8 with BOM, for spreadsheets); returns the number of rows."""
    fields = field_columns()
    header = [*LEAD_COLUMNS, *fields, *DECISION_COLUMNS]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    items = queue_items(ctx)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for table, row, score in items:
            cols = columns(table)
            lead = [
                table,
                _safe(row[ID_COLUMN[table]]),
                row.get("review_status") or "",
                f"{score:.2f}",
                _safe(ctx.file_name(row.get("doc_id"))),
                _safe(row.get("doc_id")),
                cell(row.get("start_char")),
                cell(row.get("end_char")),
                _safe(evidence(ctx, table, row)),
            ]
            names = {CELL_NAME.get(c, c): c for c in cols}
            values = [_safe(row.get(names[f])) if f in names else "" for f in fields]
            writer.writerow([*lead, *values, *([""] * len(DECISION_COLUMNS))])
    return len(items)
