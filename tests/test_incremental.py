"""Incremental runs: only new or changed files are processed; removed files leave the tables."""

from __future__ import annotations

import json
import shutil

import pandas as pd

from pipeline import settings
from pipeline.runner import run_library
from tests.conftest import CORPUS


def _corpus(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(CORPUS, folder)
    return folder


def test_unchanged_rerun_processes_nothing_and_gives_the_same_tables(tmp_path):
    folder, out = _corpus(tmp_path), tmp_path / "out"
    first = run_library([folder], out)
    assert (first["processed"], first["skipped_unchanged"]) == (5, 0)
    tables = {n: pd.read_parquet(out / f"{n}.parquet") for n in ("dates", "mentions", "actors")}
    second = run_library([folder], out)
    assert (second["processed"], second["skipped_unchanged"], second["removed"]) == (0, 5, 0)
    for name, before in tables.items():
        pd.testing.assert_frame_equal(before, pd.read_parquet(out / f"{name}.parquet"))
    summary = json.loads((out / "run_summary.json").read_text())
    for key in ("files_seen", "processed", "skipped_unchanged", "removed", "failed"):
        assert isinstance(summary[key], int)
    assert set(summary["rows"]) >= {"documents", "dates", "commitments"}
    assert {"plan", "process", "write", "total"} <= set(summary["seconds"])


def test_changed_added_and_removed_files(tmp_path):
    folder, out = _corpus(tmp_path), tmp_path / "out"
    run_library([folder], out)
    changed = folder / "000_b91fc1af8054643d.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA new paragraph added on 3 March 2017.\n")
    (folder / "new.txt").write_text("Statement by Ms. Amina Mohammed\n\nNew York, 5 May 2021\n\nThank you.\n")
    (folder / "004_743dbb93f0ffdb69.txt").unlink()
    summary = run_library([folder], out)
    assert (summary["processed"], summary["skipped_unchanged"], summary["removed"]) == (2, 3, 1)
    docs = pd.read_parquet(out / "documents.parquet")
    assert "004_743dbb93f0ffdb69.txt" not in set(docs.file_name)
    assert len(docs) == 5
    live = set(docs.doc_id)
    assert {p.stem for p in (out / "texts").glob("*.txt")} == live
    assert set(pd.read_parquet(out / "mentions.parquet").doc_id) <= live


def test_a_rule_change_reprocesses_everything(tmp_path, monkeypatch):
    folder, out = _corpus(tmp_path), tmp_path / "out"
    models = tmp_path / "models"
    shutil.copytree(settings.MODELS_DIR, models)
    monkeypatch.setattr(settings, "MODELS_DIR", models)
    run_library([folder], out)
    places = models / "metadata" / "places.txt"
    places.write_text(places.read_text(encoding="utf-8") + "Marrakech-Menara\n", encoding="utf-8")
    summary = run_library([folder], out)
    assert (summary["processed"], summary["skipped_unchanged"]) == (5, 0)


def test_nothing_changed_means_nothing_is_rewritten_but_a_correction_is(tmp_path):
    from pipeline.review.ledger import append, make_entry

    folder, out, review = _corpus(tmp_path), tmp_path / "out", tmp_path / "review"
    run_library([folder], out, review_dir=review)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.parquet")}
    again = run_library([folder], out, review_dir=review)
    assert again["tables_rewritten"] is False and again["skipped_unchanged"] == 5
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.parquet")} == stamps
    assert again["rows"] == json.loads((out / "run_summary.json").read_text())["rows"]

    date_id = pd.read_parquet(out / "dates.parquet").date_id.iloc[0]
    append(review, [make_entry("dates", date_id, "reject", reviewer="test")])
    corrected = run_library([folder], out, review_dir=review)
    assert corrected["tables_rewritten"] is True and corrected["processed"] == 0
    assert date_id not in set(pd.read_parquet(out / "dates.parquet").date_id)

    (out / "dates.parquet").unlink()  # a damaged output set is rebuilt even when nothing changed
    rebuilt = run_library([folder], out, review_dir=review)
    assert rebuilt["tables_rewritten"] is True and (out / "dates.parquet").is_file()
