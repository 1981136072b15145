"""What the review commands work on: the tables a run wrote, their clean texts, and the ledger so far."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.review import ledger
from pipeline.review.apply import load_texts
from pipeline.review.attach import anchor_for
from pipeline.review.fields import ID_COLUMN, REVIEW_TABLES, plain


class NoTables(FileNotFoundError):
    """The output folder holds no tables yet."""


def read_rows(name: str, out_dir: Path) -> list[dict]:
    """Rows of a written table as plain JSON-able dicts (ISO dates, lists, None)."""
    path = Path(out_dir) / f"{name}.parquet"
    if not path.exists():
        return []
    return [{k: plain(v) for k, v in row.items()} for row in pq.read_table(path).to_pylist()]


@dataclass
class ReviewContext:
    out_dir: Path
    review_dir: Path
    tables: dict[str, list[dict]]
    documents: dict[str, dict]
    texts: Mapping[str, str]
    entries: list[dict]
    index: dict[str, dict[str, dict]] = field(default_factory=dict)
    anchors: dict[tuple[str, str], dict] = field(default_factory=dict)

    def row(self, table: str, item_id: str) -> dict | None:
        return self.index.get(table, {}).get(item_id)

    def known(self, table: str, item_id: str) -> bool:
        return item_id in self.index.get(table, {}) or (table, item_id) in self.anchors

    def anchor(self, table: str, item_id: str) -> dict:
        """The first anchor the ledger holds for the item (the row as extracted), else one from the row now."""
        if (table, item_id) in self.anchors:
            return self.anchors[(table, item_id)]
        row = self.row(table, item_id)
        return anchor_for(table, row, self.texts, self.documents) if row else {}

    def file_name(self, doc_id: str | None) -> str:
        return (self.documents.get(doc_id) or {}).get("file_name") or ""


def load_context(out_dir: Path, review_dir: Path) -> ReviewContext:
    out_dir = Path(out_dir)
    if not (out_dir / "documents.parquet").exists():
        raise NoTables(f"no tables in {out_dir}: run `python -m pipeline run` first")
    documents_rows = read_rows("documents", out_dir)
    tables = {name: read_rows(name, out_dir) for name in REVIEW_TABLES}
    entries, _ = ledger.read(review_dir)
    ctx = ReviewContext(
        out_dir=out_dir,
        review_dir=Path(review_dir),
        tables=tables,
        documents={d["doc_id"]: d for d in documents_rows if d.get("doc_id") and d.get("status") == "ok"},
        texts=load_texts(out_dir, documents_rows),
        entries=entries,
    )
    ctx.index = {name: {r[ID_COLUMN[name]]: r for r in rows} for name, rows in tables.items()}
    for entry in entries:
        if entry.get("anchor"):
            ctx.anchors.setdefault((entry["table"], entry["id"]), entry["anchor"])
    return ctx
