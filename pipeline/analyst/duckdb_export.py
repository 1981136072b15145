"""``pipeline.duckdb``: every table with its declared types and comments, plus views analysts ask for.

Tables are created from ``SCHEMAS`` (not inferred from Parquet), so the database has exactly the
contract's columns, types and NOT NULL constraints, and ``COMMENT ON`` carries each column's
meaning into any SQL client. The file is built under a temporary name in the same folder and
renamed into place, so a reader never sees a half-built database.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.tables import INT, LIST, SCHEMAS, TABLE_NAMES, TS, D, S, arrow_schema

DB_NAME = "pipeline.duckdb"

TABLE_DOCS: dict[str, str] = {
    "documents": "One row per input file: metadata, status, and where its clean text is.",
    "actors": "One row per canonical actor (person, organization, Member State, UN body, role).",
    "mentions": "Each place an actor is mentioned in a document's clean text.",
    "dates": "Each date expression in a document, with its normalized interval.",
    "meetings": "Each mention of a meeting in a document; `event_id` links mentions of the same real meeting.",
    "events": "One row per real meeting, merged across documents.",
    "commitments": "Commitments, decisions, requests, calls and recommendations: who must do what, by when.",
    "errors": "Files or stages that failed, with a message for a person.",
}


@dataclass(frozen=True)
class Extra:
    """A DuckDB-only table or view: not part of the CSV/Parquet contract, documented all the same."""

    name: str
    kind: str  # "table" or "view"
    doc: str
    sql: str


TEXTS = Extra(
    "texts",
    "table",
    "Clean text of every readable document; `substr(text, start_char + 1, end_char - start_char)` "
    "gives back any extracted span.",
    "CREATE TABLE texts (doc_id VARCHAR NOT NULL, text VARCHAR NOT NULL)",
)

VIEWS: tuple[Extra, ...] = (
    Extra(
        "commitment_actors",
        "view",
        "Bridge: every actor a commitment names (a commitment's `actor` may list several, '; '-joined).",
        """
        SELECT DISTINCT c.commitment_id, a.actor_id
        FROM commitments c
        JOIN actors a
          ON a.actor_id = c.actor_id OR list_contains(string_split(coalesce(c.actor, ''), '; '), a.name)
        """,
    ),
    Extra(
        "commitments_detail",
        "view",
        "Commitments with the first actor's details and the document they come from.",
        """
        SELECT c.commitment_id, c.kind, c.actor, c.actor_id,
               a.name AS actor_name, a.type AS actor_type,
               c.action, c.deadline,
               d.doc_date, (c.deadline - d.doc_date) AS days_from_doc_to_deadline,
               c.evidence, c.review_status,
               c.doc_id, d.title AS doc_title, d.doc_type, d.file_name, d.speaker_or_author,
               c.start_char, c.end_char
        FROM commitments c
        LEFT JOIN actors a ON a.actor_id = c.actor_id
        LEFT JOIN documents d ON d.doc_id = c.doc_id
        """,
    ),
    Extra(
        "upcoming_deadlines",
        "view",
        "Commitments due today or later (relative to CURRENT_DATE when queried), soonest first.",
        """
        SELECT (deadline - CURRENT_DATE) AS days_left, *
        FROM commitments_detail
        WHERE deadline >= CURRENT_DATE
        ORDER BY deadline, commitment_id
        """,
    ),
    Extra(
        "meetings_detail",
        "view",
        "Meeting mentions with the merged event and the document they come from.",
        """
        SELECT m.meeting_id, m.event_id, e.name AS event_name, m.name, m.type,
               m."start", m."end", m.location, m.status, e.n_documents AS event_n_documents,
               m.evidence, m.review_status,
               m.doc_id, d.title AS doc_title, d.doc_type, d.doc_date, d.file_name,
               m.start_char, m.end_char
        FROM meetings m
        LEFT JOIN events e ON e.event_id = m.event_id
        LEFT JOIN documents d ON d.doc_id = m.doc_id
        """,
    ),
    Extra(
        "meetings_by_month",
        "view",
        "Real meetings (events) per month of their first day; events without a date are left out.",
        """
        SELECT CAST(date_trunc('month', "start") AS DATE) AS month,
               count(*) AS n_events,
               count(*) FILTER (WHERE status = 'held') AS n_held,
               count(*) FILTER (WHERE status = 'planned') AS n_planned,
               count(*) FILTER (WHERE status = 'ongoing') AS n_ongoing,
               list(name ORDER BY "start", event_id) AS events
        FROM events
        WHERE "start" IS NOT NULL
        GROUP BY ALL
        ORDER BY month
        """,
    ),
    Extra(
        "actors_by_commitments",
        "view",
        "Actors ranked by the number of commitments that name them (any position in `actor`).",
        """
        SELECT a.actor_id, a.name, a.type,
               count(c.commitment_id) AS n_commitments,
               count(c.deadline) AS n_with_deadline,
               min(c.deadline) AS first_deadline,
               max(c.deadline) AS last_deadline,
               list(DISTINCT c.kind ORDER BY c.kind) FILTER (WHERE c.kind IS NOT NULL) AS kinds,
               a.n_mentions, a.n_documents
        FROM actors a
        JOIN commitment_actors ca ON ca.actor_id = a.actor_id
        JOIN commitments c ON c.commitment_id = ca.commitment_id
        GROUP BY ALL
        ORDER BY n_commitments DESC, a.name
        """,
    ),
    Extra(
        "timeline",
        "view",
        "Dated meetings (events) and commitment deadlines on one time axis, one row per (item, actor).",
        """
        SELECT 'meeting' AS item, event_id AS id, name AS label, type AS category, status,
               "start", "end", NULL::VARCHAR AS actor_id, NULL::VARCHAR AS actor_name,
               NULL::VARCHAR AS actor_type, location, NULL::VARCHAR AS doc_id
        FROM events
        WHERE "start" IS NOT NULL
        UNION ALL
        SELECT 'deadline', c.commitment_id, c.action, c.kind, NULL,
               c.deadline, c.deadline, a.actor_id, coalesce(a.name, c.actor), a.type,
               NULL, c.doc_id
        FROM commitments c
        LEFT JOIN commitment_actors ca ON ca.commitment_id = c.commitment_id
        LEFT JOIN actors a ON a.actor_id = ca.actor_id
        WHERE c.deadline IS NOT NULL
        """,
    ),
)


TEXTS_PER_INSERT = 64
# DuckDB's buffer pool defaults to 80% of RAM; the tables here are small, and a bounded pool keeps
# the run's peak memory flat (DuckDB spills to a temporary directory if it ever needs more).
DUCKDB_MEMORY = "256MB"


def duckdb_type(arrow_type: pa.DataType) -> str:
    """The DuckDB type that matches a declared Arrow type."""
    mapping = {S: "VARCHAR", INT: "BIGINT", D: "DATE", TS: "TIMESTAMP", LIST: "VARCHAR[]"}
    return mapping[arrow_type]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Empty tables, comments and views: the database's shape, independent of any data."""
    for name in TABLE_NAMES:
        cols = ", ".join(
            f"{_quote(c.name)} {duckdb_type(c.type)}{' NOT NULL' if c.required else ''}" for c in SCHEMAS[name]
        )
        con.execute(f"CREATE TABLE {_quote(name)} ({cols})")
        con.execute(f"COMMENT ON TABLE {_quote(name)} IS {_literal(TABLE_DOCS.get(name, ''))}")
        for c in SCHEMAS[name]:
            con.execute(f"COMMENT ON COLUMN {_quote(name)}.{_quote(c.name)} IS {_literal(c.doc)}")
    con.execute(TEXTS.sql)
    con.execute(f"COMMENT ON TABLE texts IS {_literal(TEXTS.doc)}")
    for view in VIEWS:
        con.execute(f"CREATE VIEW {_quote(view.name)} AS {view.sql}")
        con.execute(f"COMMENT ON VIEW {_quote(view.name)} IS {_literal(view.doc)}")


def _load(con: duckdb.DuckDBPyConnection, out_dir: Path) -> None:
    for name in TABLE_NAMES:
        table = pq.read_table(out_dir / f"{name}.parquet").select([c.name for c in SCHEMAS[name]])
        table = table.cast(arrow_schema(name))
        con.register("_src", table)
        con.execute(f"INSERT INTO {_quote(name)} SELECT * FROM _src")
        con.unregister("_src")
    docs = con.execute("SELECT doc_id, text_path FROM documents WHERE status = 'ok' AND text_path IS NOT NULL")
    rows: list[tuple[str, str]] = []
    for doc_id, text_path in docs.fetchall():
        path = out_dir / text_path
        if path.exists():
            rows.append((doc_id, path.read_text(encoding="utf-8")))
        if len(rows) >= TEXTS_PER_INSERT:  # a few texts at a time: memory stays flat with the corpus
            con.executemany("INSERT INTO texts VALUES (?, ?)", rows)
            rows = []
    if rows:
        con.executemany("INSERT INTO texts VALUES (?, ?)", rows)


def build_duckdb(out_dir: Path) -> Path:
    """Build ``OUT/pipeline.duckdb`` from the written Parquet tables, atomically."""
    out_dir = Path(out_dir)
    target = out_dir / DB_NAME
    tmp = out_dir / f".{DB_NAME}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        con = duckdb.connect(str(tmp), config={"memory_limit": DUCKDB_MEMORY, "threads": 1})
        try:
            create_schema(con)
            _load(con, out_dir)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        stale_wal = Path(f"{target}.wal")  # a WAL of the old file must not be replayed onto the new one
        if stale_wal.exists():
            stale_wal.unlink()
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            if leftover.exists():
                leftover.unlink()
    return target
