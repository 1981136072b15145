"""The everyday run: an unchanged folder is answered from the incremental state without a flow
run or a temporary Prefect server; anything that changed still runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows.local_api import configured_without_prefect

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600
    )


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environ["PREFECT_HOME"] = str(tmp_path / "prefect-home")  # no profile naming a server
    environ["UNGOV_REVIEW_DIR"] = str(tmp_path / "review")
    environ["COLUMNS"] = "200"
    return environ


def test_unchanged_rerun_of_the_main_command_starts_no_server(tmp_path: Path, env: dict[str, str]) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in sorted(os.listdir(ROOT / "corpus"))[:2]:
        shutil.copy(ROOT / "corpus" / name, docs / name)
    out = tmp_path / "out"
    first = _cli("run", str(docs), "--out", str(out), "--no-prefect", env=env)
    assert first.returncode == 0, first.stderr
    before = json.loads((out / "run_summary.json").read_text())
    tables = {p.name: p.stat().st_mtime_ns for p in out.glob("*.parquet")}

    again = _cli("run", str(docs), "--out", str(out), env=env)  # the README's command: the flow by default
    assert again.returncode == 0, again.stderr
    said = again.stdout + again.stderr
    assert "Nothing changed: 2 files, 2 unchanged, 0 failed" in said
    assert "temporary server" not in said and "Created flow run" not in said
    after = json.loads((out / "run_summary.json").read_text())
    assert after["tables_rewritten"] is False and after["skipped_unchanged"] == 2 and after["processed"] == 0
    assert after["rows"] == before["rows"]
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.parquet")} == tables  # nothing rewritten

    (docs / "new.txt").write_text(
        "Statement by the Chair, 3 May 2024\n\nThe Network will publish its workplan by June 2024.\n", encoding="utf-8"
    )
    changed = _cli("run", str(docs), "--out", str(out), "--no-prefect", env=env)
    assert changed.returncode == 0, changed.stderr
    assert "Nothing changed" not in changed.stdout
    summary = json.loads((out / "run_summary.json").read_text())
    assert summary["processed"] == 1 and summary["skipped_unchanged"] == 2 and summary["tables_rewritten"] is True


def test_a_configured_server_is_read_from_the_environment_or_the_active_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a real server, every run goes through the flow so the server records it."""
    for name in ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    assert configured_without_prefect() is False  # no profiles file
    (tmp_path / "profiles.toml").write_text(
        'active = "local"\n\n[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n\n[profiles.ephemeral]\n',
        encoding="utf-8",
    )
    assert configured_without_prefect() is True
    monkeypatch.setenv("PREFECT_PROFILE", "ephemeral")
    assert configured_without_prefect() is False
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect.internal:4200/api")
    assert configured_without_prefect() is True
    (tmp_path / "profiles.toml").write_text("not = [toml", encoding="utf-8")
    monkeypatch.delenv("PREFECT_API_URL")
    assert configured_without_prefect() is False  # an unreadable profile is no server


def test_a_batch_is_not_retried_when_the_disk_is_full_or_read_only() -> None:
    import errno

    from prefect.states import Failed

    from flows.corpus_flow import process_batch, worth_retrying

    assert process_batch.retry_condition_fn is worth_retrying
    for code in (errno.ENOSPC, errno.EROFS, errno.EACCES):
        assert worth_retrying(process_batch, None, Failed(data=OSError(code, "no"))) is False
    assert worth_retrying(process_batch, None, Failed(data=BrokenPipeError(errno.EPIPE, "worker lost"))) is True
    assert worth_retrying(process_batch, None, Failed(data=RuntimeError("a worker died"))) is True
