"""The README's worked review example, run as printed: the corrected deadline shows after a re-run.

Commitment ids come from the document's content and offsets, so an extraction change can move
the example's id; this test says so instead of letting the README drift.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import CORPUS, ROOT

pytestmark = pytest.mark.slow


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Review corrections", 1)[1].split("\n## ", 1)[0]


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_the_worked_example_corrects_a_deadline_that_survives_a_rerun(tmp_path):
    section = _section()
    (corrections,) = re.findall(r"```csv\n(.*?)```", section, flags=re.S)
    (sql_block,) = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    query = sql_block.split("\n--", 1)[0]
    expected = [cell.strip() for cell in sql_block.split("\n-- ", 1)[1].strip().split("|")]
    out, review = tmp_path / "outputs", tmp_path / "review"
    where = ["--out", str(out), "--review-dir", str(review)]
    (tmp_path / "corrections.csv").write_text(corrections, encoding="utf-8")

    first = _cli("run", str(CORPUS), *where, "--no-prefect")
    assert first.returncode == 0, first.stderr[-2000:]
    applied = _cli("review", "apply", str(tmp_path / "corrections.csv"), *where)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "1 decision(s) appended" in " ".join(applied.stdout.split())
    for full in ([], ["--full"]):  # the ledger is applied on every run, a full one too
        again = _cli("run", str(CORPUS), *where, "--no-prefect", *full)
        assert again.returncode == 0, again.stderr[-2000:]
        with duckdb.connect(str(out / "pipeline.duckdb"), read_only=True) as con:
            rows = con.execute(query).fetchall()
        assert [[str(v) for v in row] for row in rows] == [expected]
    report = _cli("review", "report", *where, "--json")
    commitments = next(r for r in json.loads(report.stdout) if r["table"] == "commitments")
    assert commitments["edited"] == 1
