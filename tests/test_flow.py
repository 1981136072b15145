"""End to end: the real Prefect flow (local ephemeral mode) over real TXT, PDF and DOCX files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from pipeline.tables import TABLE_NAMES
from tests.conftest import CORPUS, GOLD, ROOT

pytestmark = pytest.mark.flow


def _cli(*args: str, home) -> subprocess.CompletedProcess:
    env = dict(os.environ, PREFECT_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=env, cwd=ROOT)


@pytest.fixture(scope="module")
def flow_run(tmp_path_factory, fixture_dir):
    work = tmp_path_factory.mktemp("run")
    inputs = work / "in"
    shutil.copytree(CORPUS, inputs)
    for f in fixture_dir.iterdir():
        shutil.copy(f, inputs / f.name)
    (inputs / "broken.pdf").write_bytes(b"%PDF-1.4 garbage that is not a pdf")
    (inputs / "empty.txt").write_bytes(b"")
    out = work / "out"
    result = _cli("run", str(inputs), "--out", str(out), home=work / "prefect")
    return result, out, work


def test_flow_writes_every_table_in_both_formats(flow_run):
    result, out, _ = flow_run
    assert result.returncode == 0, result.stderr[-3000:]
    for name in TABLE_NAMES:
        assert (out / f"{name}.csv").is_file() and (out / f"{name}.parquet").is_file(), name
    docs = pd.read_parquet(out / "documents.parquet")
    assert len(docs) == 17
    ok = docs[docs.status == "ok"]
    assert len(ok) == 15 and set(ok.file_type) == {"txt", "pdf", "docx"}
    for row in ok.itertuples():
        assert (out / row.text_path).read_text(encoding="utf-8")
    assert "17 files" in result.stdout and "15 processed" in result.stdout


def test_bad_files_are_reported_and_do_not_stop_the_run(flow_run):
    _, out, _ = flow_run
    docs = pd.read_parquet(out / "documents.parquet").set_index("file_name")
    assert docs.loc["broken.pdf", "error_kind"] == "corrupt_pdf"
    assert docs.loc["empty.txt", "error_kind"] == "empty_file"
    errors = pd.read_parquet(out / "errors.parquet")
    assert set(errors.error_kind) == {"corrupt_pdf", "empty_file"}
    assert (errors.stage == "ingest").all()


def test_ids_are_stable_across_runs(flow_run, tmp_path):
    _, out, work = flow_run
    again = tmp_path / "again"
    result = _cli("run", str(work / "in"), "--out", str(again), "--no-prefect", home=work / "prefect")
    assert result.returncode == 0, result.stderr[-2000:]
    for name, key in (
        ("documents", "doc_id"),
        ("dates", "date_id"),
        ("mentions", "mention_id"),
        ("meetings", "meeting_id"),
    ):
        first = pd.read_parquet(out / f"{name}.parquet")
        second = pd.read_parquet(again / f"{name}.parquet")
        assert sorted(first[key]) == sorted(second[key]), name


def test_strict_mode_exits_non_zero_on_errors(flow_run, tmp_path):
    _, _, work = flow_run
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    shutil.copy(CORPUS / "000_b91fc1af8054643d.txt", folder)
    result = _cli("run", str(folder), "--out", str(tmp_path / "o"), "--strict", "--no-prefect", home=work / "prefect")
    assert result.returncode == 1
    assert "empty_file" in result.stdout


def test_evaluate_prints_scores(flow_run):
    _, out, work = flow_run
    result = _cli("evaluate", "--gold", str(GOLD), "--out", str(out), home=work / "prefect")
    assert result.returncode == 0, result.stderr
    for kind in ("dates", "actors", "meetings", "commitments", "doc_type", "doc_date"):
        assert kind in result.stdout
    as_json = _cli("evaluate", "--gold", str(GOLD), "--out", str(out), "--json", home=work / "prefect")
    import json

    report = json.loads(as_json.stdout)
    assert report["metadata_accuracy"]["doc_type"] == 1.0
    assert report["metadata_accuracy"]["doc_date"] == 1.0
