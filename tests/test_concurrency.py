"""Two runs on the same output folder: the second waits for the first, or refuses with a clear message."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from pipeline import tableset
from pipeline.lock import OutputsBusy, output_lock
from tests.conftest import CORPUS, ROOT
from tests.test_crash_safety import assert_same_tables


def _cli(inp, out, review, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(inp), "--out", str(out), "--review-dir", str(review)]
        + ["--no-prefect", *extra],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_second_run_refuses_after_waiting_and_says_who_holds_the_folder(tmp_path):
    inp, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(CORPUS, inp)
    with output_lock(out):
        started = time.monotonic()
        proc = _cli(inp, out, tmp_path / "review", "--lock-wait", "1")
        output, _ = proc.communicate(timeout=300)
        assert proc.returncode == 3, output
    assert time.monotonic() - started >= 1
    assert "Not started" in output and f"run pid {os.getpid()}" in output and "--lock-wait" in output
    assert not (out / "documents.parquet").exists(), "the refused run wrote nothing"


def test_the_lock_is_reentrant_in_one_process_and_exclusive_across_processes(tmp_path):
    out = tmp_path / "out"
    with output_lock(out, 0), output_lock(out, 0):  # the CLI holds it, the runner takes it again
        child = subprocess.run(
            [sys.executable, "-c", f"from pipeline.lock import output_lock\nwith output_lock({str(out)!r}, 0.5): pass"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert child.returncode != 0 and "OutputsBusy" in child.stderr and "in use by" in child.stderr
    with output_lock(out, 0):  # released on exit
        pass


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nfrom pipeline.lock import output_lock\n"
            f"with output_lock({str(out)!r}, 0):\n    print('held', flush=True)\n    time.sleep(600)",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(OutputsBusy):
        with output_lock(out, 0.3):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    holder.stdout.close()
    with output_lock(out, 5):
        pass


@pytest.mark.slow
def test_two_runs_at_once_both_finish_one_after_the_other_and_nothing_is_corrupt(tmp_path):
    inp, review = tmp_path / "in", tmp_path / "review"
    shutil.copytree(CORPUS, inp)
    clean = tmp_path / "clean"
    solo = _cli(inp, clean, review)
    assert solo.wait(timeout=600) == 0
    solo.stdout.close()
    shared = tmp_path / "shared"
    first, second = _cli(inp, shared, review, "--full"), _cli(inp, shared, review, "--full")
    outputs = [p.communicate(timeout=600)[0] for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert all("5 files" in o for o in outputs)
    assert tableset.verify(shared) == []
    assert_same_tables(clean, shared)
