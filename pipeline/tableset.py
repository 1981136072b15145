"""Publish the output tables as one set: all of this run's tables, or all of the previous run's.

Each table file is replaced atomically, but a run writes sixteen of them, so a crash between two
renames would leave a mix of old and new tables. Instead every file is first written and fsynced
into ``<out>/.staging/``; then a small journal (``<out>/.commit.json``) naming the files is written
atomically; then the files are renamed into place and the journal is removed. A crash before the
journal leaves the old set (the staging folder is discarded by the next run); a crash after it is
rolled forward by the next run (``recover``). ``.tables.json``, renamed last, lists every file of
the set with its SHA-256 so a reader can check it is looking at one complete set (``verify``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from pipeline.tables import TABLE_NAMES, atomic_write_text, to_arrow, write_table

STAGING = ".staging"
JOURNAL = ".commit.json"
MANIFEST = ".tables.json"
# Present while the analyst outputs (DuckDB, timeline, report) are older than the tables: written
# before a set is published and removed once they are rebuilt from it.
ANALYST_STALE = ".analyst-outputs-stale"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_temporaries(folder: Path) -> None:
    """Temporary files of atomic writes interrupted by a crash (``.NAME.XXXX.tmp``)."""
    if folder.is_dir():
        for tmp in folder.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)


def recover(out_dir: Path) -> bool:
    """Finish or discard what a crashed run left behind; True when an interrupted publish was completed.

    Call it only while holding the output lock (``pipeline.lock``).
    """
    out_dir = Path(out_dir)
    completed = False
    if (out_dir / JOURNAL).is_file():
        _roll_forward(out_dir)
        completed = True
    elif (out_dir / STAGING).exists():
        shutil.rmtree(out_dir / STAGING, ignore_errors=True)
    for folder in (out_dir, out_dir / "texts", out_dir / ".state", out_dir / ".state" / "results"):
        _remove_temporaries(folder)
    return completed


def _roll_forward(out_dir: Path) -> None:
    names = json.loads((out_dir / JOURNAL).read_text(encoding="utf-8"))["files"]
    stage = out_dir / STAGING
    for name in names:
        if (stage / name).exists():
            os.replace(stage / name, out_dir / name)
    _fsync_dir(out_dir)
    (out_dir / JOURNAL).unlink()
    shutil.rmtree(stage, ignore_errors=True)


class TableSet:
    """Files staged for one publish; nothing in ``out_dir`` changes until ``commit``."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        recover(self.out_dir)
        self.dir = self.out_dir / STAGING
        self.dir.mkdir(parents=True, exist_ok=True)
        self.names: list[str] = []

    def add_tables(self, tables: dict[str, list[dict]]) -> dict[str, int]:
        """Validate every table first (a contract error stages nothing), then write CSV and Parquet."""
        arrow = {name: to_arrow(name, tables.get(name, [])) for name in TABLE_NAMES}
        for name, table in arrow.items():
            write_table(name, table, self.dir)
            self.names += [f"{name}.parquet", f"{name}.csv"]
        return {name: table.num_rows for name, table in arrow.items()}

    def add_text(self, name: str, text: str) -> None:
        atomic_write_text(self.dir / name, text)
        self.include(name)

    def include(self, name: str) -> None:
        """A file already written into ``self.dir`` by someone else (e.g. review_orphans.csv)."""
        if name not in self.names:
            self.names.append(name)

    def commit(self) -> None:
        # the stale mark is published with the tables but not part of the set: it goes once the
        # analyst outputs are rebuilt from them
        manifest = {"files": {name: _sha256(self.dir / name) for name in self.names if name != ANALYST_STALE}}
        atomic_write_text(self.dir / MANIFEST, json.dumps(manifest, indent=1))
        _fsync_dir(self.dir)
        atomic_write_text(self.out_dir / JOURNAL, json.dumps({"files": [*self.names, MANIFEST]}))
        _fsync_dir(self.out_dir)
        _roll_forward(self.out_dir)


def verify(out_dir: Path) -> list[str]:
    """Problems that show ``out_dir`` does not hold one complete set of tables (empty when it does)."""
    out_dir = Path(out_dir)
    if (out_dir / JOURNAL).exists():
        return ["a publish was interrupted; the next run completes it"]
    try:
        files = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):
        return [f"no readable {MANIFEST}"]
    problems = []
    if (out_dir / ANALYST_STALE).exists():
        problems.append("the analyst outputs (pipeline.duckdb, timeline, report) are older than the tables")
    for name, digest in files.items():
        path = out_dir / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif _sha256(path) != digest:
            problems.append(f"{name} is not the file of this set")
    return problems
