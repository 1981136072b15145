"""Prefect's temporary local server, started once per process and early.

Without ``PREFECT_API_URL`` Prefect starts a temporary server in a subprocess the first time a
flow needs its API: about 3-4 s of a child importing the server, during which this process only
waits. Started here, in a thread, before the extraction workers load spaCy, the child's boot
overlaps theirs. The Dask task runner uses the same server for its worker processes (through
``PREFECT_API_URL`` in the environment) instead of each worker starting its own.
"""

from __future__ import annotations

import os
import threading
import tomllib
from pathlib import Path

_STATE: dict[str, object] = {}
_LOCK = threading.Lock()


def configured() -> bool:
    """A real Prefect server is configured: runs must go through it (and be recorded there).
    Asked of Prefect's own settings, so every place Prefect reads them counts."""
    from prefect.settings import PREFECT_API_URL

    return bool(PREFECT_API_URL.value() or os.environ.get("PREFECT_API_URL"))


def configured_without_prefect() -> bool:
    """``configured`` for the CLI's "nothing changed" answer: ``PREFECT_API_URL`` in the
    environment or in the active Prefect profile, read without importing Prefect (which alone
    costs most of an unchanged re-run). With a server, every run goes through the flow so the
    server records it."""
    if os.environ.get("PREFECT_API_URL"):
        return True
    home = Path(os.environ.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    active = os.environ.get("PREFECT_PROFILE") or data.get("active") or "ephemeral"
    profile = data.get("profiles", {}).get(active, {})
    return bool(isinstance(profile, dict) and profile.get("PREFECT_API_URL"))


def start_early() -> None:
    """Begin starting the temporary server in the background (no-op with a configured server)."""
    with _LOCK:
        if "thread" in _STATE or configured():
            return
        thread = threading.Thread(target=_start, name="prefect-temporary-server", daemon=True)
        _STATE["thread"] = thread
        thread.start()


def _start() -> None:
    try:
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()
        server.start()
        _STATE["url"] = server.api_url
    except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread by ready()
        _STATE["error"] = exc


def ready() -> str | None:
    """Wait for the server started by ``start_early`` (starting it now if needed) and point this
    process and its children at it. Returns its API URL (None with a configured server)."""
    start_early()
    thread = _STATE.get("thread")
    if thread is None:
        return None
    thread.join()  # type: ignore[attr-defined]
    if "error" in _STATE:
        raise _STATE["error"]  # type: ignore[misc]
    url = str(_STATE["url"])
    if "settings" not in _STATE:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        os.environ["PREFECT_API_URL"] = url  # inherited by Dask worker processes
        context = temporary_settings({PREFECT_API_URL: url})
        context.__enter__()  # this process talks to the same server for the rest of its life
        _STATE["settings"] = context
    return url
