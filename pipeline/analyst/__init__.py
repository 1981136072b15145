"""Analyst outputs built from the written tables: DuckDB database, timeline, HTML report.

Everything here reads only what ``write_tables`` wrote under ``out_dir`` (Parquet tables and
``texts/``), so the outputs can be rebuilt at any time with ``python -m pipeline report``.
The data dictionary (``docs/data_dictionary.md``) lives in :mod:`pipeline.analyst.dictionary`.
"""

from __future__ import annotations

from pathlib import Path


def mark_stale(staged) -> None:
    """Publish with new tables (a ``TableSet``) the mark that the analyst outputs are older than them."""
    from pipeline.tableset import ANALYST_STALE

    staged.add_text(ANALYST_STALE, "rebuilt by the next run or by `python -m pipeline report`\n")


def build_analyst_outputs(out_dir: Path) -> dict[str, Path]:
    """Build ``pipeline.duckdb``, ``timeline.html``/``.png`` and ``report.html``; returns their
    paths. Once all are written they match the tables, and the stale mark goes."""
    from pipeline.analyst.duckdb_export import build_duckdb
    from pipeline.analyst.report import build_report
    from pipeline.analyst.timeline import build_timeline
    from pipeline.tableset import ANALYST_STALE

    out_dir = Path(out_dir)
    db = build_duckdb(out_dir)
    paths: dict[str, Path] = {"duckdb": db}
    paths.update(build_timeline(out_dir, db))
    paths["report"] = build_report(out_dir)
    (out_dir / ANALYST_STALE).unlink(missing_ok=True)
    return paths
