"""Every user mistake and environment failure the CLI meets ends with one line and a non-zero exit.

Each case runs ``python -m pipeline`` as a real subprocess and checks the message (what is wrong
and what to do), the exit code (2 for a bad command line, 1 for the environment, 3 for a busy
folder), that no traceback is printed and that nothing is left behind.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.lock import output_lock
from pipeline.tables import TABLE_NAMES, write_tables
from tests.conftest import CORPUS, ROOT

# Runs the CLI as if the disk of FULL_DISK were full: every fsync of a file under it fails with
# ENOSPC (as delayed allocation reports it), in the CLI's own process; other files are untouched.
FULL_DISK = """
import errno, os, runpy, sys
full, real_fsync = os.environ["FULL_DISK"], os.fsync
def fsync(fd):
    if os.readlink(f"/proc/self/fd/{fd}").startswith(full):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return real_fsync(fd)
os.fsync = fsync
sys.argv = ["pipeline", *sys.argv[1:]]
runpy.run_module("pipeline", run_name="__main__")
"""


def _cli(*args: str, full_disk: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", FULL_DISK] if full_disk else [sys.executable, "-m", "pipeline"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "UNGOV_N_PROCESS": "1"}
    if full_disk:
        env["FULL_DISK"] = str(full_disk.resolve())
    env.pop("UNGOV_DEBUG", None)
    if not env.get("PREFECT_API_URL"):  # set empty by conftest: Prefect's events worker then logs tracebacks
        env.pop("PREFECT_API_URL", None)
    result = subprocess.run([*command, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    result.output = result.stdout + result.stderr  # type: ignore[attr-defined]
    return result


def _one_line_error(result: subprocess.CompletedProcess, exit_code: int, *phrases: str) -> str:
    """The run ended with ``exit_code``, no traceback, and one ``Error:`` line holding every phrase."""
    assert result.returncode == exit_code, result.output[-3000:]
    assert "Traceback" not in result.output, result.output[-3000:]
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output[-3000:]
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    return lines[0]


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def one_doc(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(sorted(CORPUS.glob("*.txt"))[0], folder)
    return folder


def test_out_naming_an_existing_file_is_a_usage_error(tmp_path, one_doc):
    target = tmp_path / "report.csv"
    target.write_text("an analyst's file", encoding="utf-8")
    before = _listing(tmp_path)
    for out in (target, target / "sub"):
        result = _cli("run", str(one_doc), "--out", str(out), "--no-prefect")
        _one_line_error(result, 2, str(out), "name a folder")
    assert target.read_text(encoding="utf-8") == "an analyst's file"
    assert _listing(tmp_path) == before


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder no write reaches: permissions for a normal user, a read-only tmpfs for root."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("root without the right to mount a read-only tmpfs: no way to make a folder read-only")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_output_folder_is_explained_and_left_alone(read_only_folder, one_doc):
    for out in (read_only_folder, read_only_folder / "new" / "out"):
        result = _cli("run", str(one_doc), "--out", str(out), "--no-prefect")
        _one_line_error(result, 1, "Cannot write to", "writable --out folder")
    assert _listing(read_only_folder) == []


def test_a_full_disk_is_explained_and_the_new_folder_removed(tmp_path, one_doc):
    """ENOSPC is injected in the CLI's process at the file-writing layer (every fsync under the
    folder fails, as on a full disk); a real full disk needs a tiny tmpfs, see the next test."""
    out = tmp_path / "new" / "out"
    result = _cli("run", str(one_doc), "--out", str(out), "--no-prefect", full_disk=tmp_path)
    _one_line_error(result, 1, "No space left", "free some space")
    assert not (tmp_path / "new").exists(), "the folders this run created are removed"

    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "previous.txt").write_text("an earlier run's file", encoding="utf-8")
    result = _cli("run", str(one_doc), "--out", str(kept), "--no-prefect", full_disk=kept)
    _one_line_error(result, 1, "No space left")
    assert (kept / "previous.txt").read_text(encoding="utf-8") == "an earlier run's file"
    assert not (kept / "documents.parquet").exists()


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 48 KiB tmpfs (root with mount rights only)."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tiny tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("no right to mount a tmpfs")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_real_full_disk_is_explained_and_leaves_nothing(tiny_disk):
    result = _cli("run", str(CORPUS), "--out", str(tiny_disk / "out"), "--no-prefect")
    _one_line_error(result, 1, "No space left")
    assert _listing(tiny_disk) == []


@pytest.mark.flow
@pytest.mark.slow
def test_a_full_disk_under_the_prefect_flow_prints_no_traceback(tmp_path, one_doc):
    """Prefect logs a failed flow's traceback to the console; the CLI's one line replaces it."""
    out = tmp_path / "out"
    result = _cli("run", str(one_doc), "--out", str(out), full_disk=out)
    _one_line_error(result, 1, "No space left")
    assert not out.exists()


def test_an_unknown_task_runner_lists_the_choices_and_creates_nothing(tmp_path, one_doc):
    out = tmp_path / "out"
    result = _cli("run", str(one_doc), "--out", str(out), "--task-runner", "daks")
    assert result.returncode == 2, result.output
    assert "Traceback" not in result.output
    flat = " ".join(result.output.split())
    assert "'daks' is not one of 'default', 'dask'" in flat
    assert not out.exists()


def test_missing_inputs_are_named(tmp_path):
    out = tmp_path / "out"
    result = _cli("run", str(tmp_path / "nowhere"), "--out", str(out), "--no-prefect")
    _one_line_error(result, 2, "No such file or folder", "nowhere", "give existing files or folders")
    assert not out.exists()


def test_a_missing_spacy_pipeline_is_named_before_anything_is_created(tmp_path, one_doc, monkeypatch):
    monkeypatch.setenv("UNGOV_SPACY_MODEL", "no_such_pipeline_installed")
    out = tmp_path / "out"
    result = _cli("run", str(one_doc), "--out", str(out), "--no-prefect")
    _one_line_error(result, 1, "'no_such_pipeline_installed' is not installed", "UNGOV_SPACY_MODEL")
    assert not out.exists()


def test_evaluate_without_gold_files_says_where_they_should_be(tmp_path):
    empty = tmp_path / "gold"
    empty.mkdir()
    (empty / "notes.json").write_text("{}", encoding="utf-8")
    result = _cli("evaluate", "--gold", str(empty), "--out", str(tmp_path / "out"))
    _one_line_error(result, 2, "holds no *.gold.json files", "point --gold at")
    result = _cli("evaluate", "--gold", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    _one_line_error(result, 2, "does not exist", "point --gold at")
    assert _listing(tmp_path) == ["gold", "gold/notes.json"]


def test_a_busy_output_folder_is_refused_with_who_holds_it(tmp_path, one_doc):
    out = tmp_path / "out"
    with output_lock(out):
        result = _cli("run", str(one_doc), "--out", str(out), "--no-prefect", "--lock-wait", "0")
    assert result.returncode == 3, result.output
    assert "Traceback" not in result.output
    assert "Not started" in result.output and "--lock-wait" in result.output
    assert _listing(out) == [".lock"], "the refused run wrote nothing"


@pytest.mark.parametrize("command", [["run"], ["evaluate"], ["review", "report"], []])
def test_switches_show_as_switches_in_help(command):
    result = _cli(*command, "--help")
    assert result.returncode == 0, result.output
    assert "<bool>" not in result.output
    if command == ["run"]:
        rows = {line.split()[1]: line for line in result.output.splitlines() if line.startswith("│ --")}
        assert set(rows) >= {"--strict", "--full", "--no-prefect", "--help"}
        assert "<int" in rows["--batch-size"] and "<default|dask>" in rows["--task-runner"]


@pytest.fixture
def tables(tmp_path) -> Path:
    out = tmp_path / "tables"
    write_tables({name: [] for name in TABLE_NAMES}, out)
    return out


def test_review_export_to_a_folder_is_a_usage_error(tmp_path, tables):
    before = _listing(tmp_path)
    result = _cli("review", "export", "--to", str(tables), "--out", str(tables), "--review-dir", str(tmp_path / "rv"))
    _one_line_error(result, 2, "--to", "is a folder: name a file")
    assert _listing(tmp_path) == before


def test_review_apply_of_a_folder_is_a_usage_error(tmp_path, tables):
    folder = tmp_path / "corrections"
    folder.mkdir()
    result = _cli("review", "apply", str(folder), "--out", str(tables), "--review-dir", str(tmp_path / "rv"))
    _one_line_error(result, 2, "is a folder: name a file")
    assert not (tmp_path / "rv" / "ledger.jsonl").exists()


def test_review_serve_on_a_taken_port_says_so(tmp_path, tables):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _cli(
            "review",
            "serve",
            "--port",
            str(port),
            "--out",
            str(tables),
            "--review-dir",
            str(tmp_path / "rv"),
            timeout=120,
        )
    _one_line_error(result, 1, f"--port {port} is in use", "0 picks a free one")
