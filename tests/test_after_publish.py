"""Once a run has published its tables, nothing after that can fail it: analyst outputs that
cannot be rebuilt (a full disk while writing timeline.html) are marked stale, `verify` says so,
and the next run rebuilds them."""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.analyst import timeline
from pipeline.runner import run_library
from pipeline.tableset import verify

ROOT = Path(__file__).resolve().parent.parent


def test_a_failure_after_publishing_marks_the_analyst_outputs_stale_until_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = sorted(p for p in (ROOT / "corpus").iterdir() if p.is_file())
    docs, out, review = tmp_path / "docs", tmp_path / "out", tmp_path / "review"
    docs.mkdir()
    for path in seeds[:2]:
        shutil.copy(path, docs / path.name)
    run_library([docs], out, review_dir=review)
    assert verify(out) == []
    old_report = (out / "report.html").read_text(encoding="utf-8")

    shutil.copy(seeds[2], docs / seeds[2].name)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "timeline.html")

    monkeypatch.setattr(timeline, "write_timeline_html", disk_full)
    summary = run_library([docs], out, review_dir=review)  # does not raise: the tables are out
    assert summary["processed"] == 1 and summary["tables_rewritten"] is True
    assert any("analyst outputs not rebuilt" in p and "No space left" in p for p in summary["after_publish_problems"])
    assert len(pd.read_parquet(out / "documents.parquet")) == 3  # the new tables are published
    assert json.loads((out / "run_summary.json").read_text())["after_publish_problems"]
    problems = verify(out)
    assert any("analyst outputs" in p for p in problems)  # the set does not claim to be whole
    assert (out / "report.html").read_text(encoding="utf-8") == old_report

    monkeypatch.undo()
    again = run_library([docs], out, review_dir=review)  # not "unchanged": the outputs are rebuilt
    assert again["tables_rewritten"] is True and again["after_publish_problems"] == []
    assert verify(out) == []
    assert (out / "report.html").read_text(encoding="utf-8") != old_report
    assert run_library([docs], out, review_dir=review)["tables_rewritten"] is False  # and now it is unchanged
