"""One run at a time per output folder: an advisory ``fcntl.flock`` on ``<out>/.lock``.

Two runs writing the same tables and texts would interleave their files. The second run waits up
to ``wait_s`` seconds for the first to finish, then refuses with a message naming the holder.
The kernel drops the lock when its holder dies (even by SIGKILL), so a crash never leaves a stale
lock behind. The lock is re-entrant within a process, so the CLI can hold it with the user's
wait and the library functions it calls can take it again without blocking on themselves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = ".lock"
DEFAULT_WAIT_S = float(os.environ.get("UNGOV_LOCK_WAIT_S", 60))

_held: dict[str, tuple[int, int]] = {}  # resolved lock path -> (fd, depth)
_guard = threading.Lock()


class OutputsBusy(RuntimeError):
    """Another run holds the output folder's lock for longer than we were willing to wait."""


def lock_path(out_dir: Path) -> Path:
    return Path(out_dir) / LOCK_NAME


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return "another run"
    return text or "another run"


@contextlib.contextmanager
def output_lock(out_dir: Path, wait_s: float | None = None) -> Iterator[Path]:
    """Hold the lock on ``out_dir`` for the block; raise OutputsBusy after ``wait_s`` seconds of waiting."""
    wait_s = DEFAULT_WAIT_S if wait_s is None else wait_s
    path = lock_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = str(path.resolve())
    with _guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            reentered = True
        else:
            reentered = False
    if not reentered:
        fd = _acquire(path, wait_s)
        with _guard:
            _held[key] = (fd, 1)
    try:
        yield path
    finally:
        with _guard:
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
            else:
                del _held[key]
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)


def _acquire(path: Path, wait_s: float) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + max(0.0, wait_s)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _holder(path)
                os.close(fd)
                raise OutputsBusy(
                    f"the output folder {path.parent} is in use by {holder}; waited {wait_s:g} s. "
                    "Wait for that run to finish, use another --out folder, or raise --lock-wait."
                ) from None
            time.sleep(0.2)
    stamp = dt.datetime.now().isoformat(timespec="seconds")
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"run pid {os.getpid()} started {stamp}\n".encode(), 0)
    return fd
