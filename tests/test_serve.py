"""A scheduled deployment served against a real Prefect server, triggered twice.

Starts ``prefect server start`` on a free local port (SQLite in a temporary PREFECT_HOME),
serves the flow with ``python -m pipeline serve`` in a subprocess, triggers runs with
``prefect deployment run`` and checks that the second run processes only the added file.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT

pytestmark = pytest.mark.flow
PREFECT = str(Path(sys.executable).parent / "prefect")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout: float, what: str, procs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"{what}: process exited early with {p.returncode}")
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _summary(out: Path) -> dict | None:
    try:
        return json.loads((out / "run_summary.json").read_text())
    except (OSError, ValueError):
        return None


def test_served_deployment_runs_incrementally(tmp_path):
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "home"), PREFECT_API_URL=api)
    server_env = dict(env)
    server_env.pop("PREFECT_API_URL")
    inputs, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(CORPUS, inputs)
    logs = tmp_path / "logs"
    logs.mkdir()
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=server_env,
        stdout=open(logs / "server.log", "w"),
        stderr=subprocess.STDOUT,
    )
    serve = None
    try:
        _wait(lambda: _healthy(api), 180, "the Prefect server", [server])
        serve = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pipeline",
                "serve",
                str(inputs),
                "--out",
                str(out),
                "--cron",
                "0 0 1 1 *",
                "--name",
                "test",
            ],
            env=env,
            cwd=ROOT,
            stdout=open(logs / "serve.log", "w"),
            stderr=subprocess.STDOUT,
        )

        def trigger() -> bool:
            r = subprocess.run(
                [PREFECT, "deployment", "run", "un-documents-to-tables/test"], env=env, capture_output=True, text=True
            )
            return r.returncode == 0

        _wait(trigger, 120, "the deployment to be registered", [server, serve])
        _wait(lambda: (_summary(out) or {}).get("processed") == 5, 300, "the first run", [server, serve])
        first = _summary(out)
        assert first["files_seen"] == 5 and first["failed"] == 0
        (inputs / "added.txt").write_text(
            "Statement by Ms. Amina Mohammed\n\nNew York, 5 May 2021\n\nThe Network will meet in June 2021.\n",
            encoding="utf-8",
        )
        assert trigger()
        _wait(lambda: (_summary(out) or {}).get("files_seen") == 6, 300, "the second run", [server, serve])
        second = _summary(out)
        assert (second["processed"], second["skipped_unchanged"]) == (1, 5)
    finally:
        for proc in (serve, server):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
