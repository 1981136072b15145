"""Run a parser under a time limit in a reusable worker process, because a thread cannot be stopped.

PDF and DOCX parsers are large C/Python stacks that a crafted file can send into a very long
loop (or crash), and the layout of a plain text file of millions of short lines takes time too:
reading and layout of every format run here (``bounded_read``), as the first part of the
document's time budget. Each call runs in one long-lived worker process per reading process, so the
cost of starting Python is paid once, not per file; when a call overruns the limit or the worker
dies, the worker is killed and a fresh one is started for the next file.
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import os
import threading
from collections.abc import Callable
from typing import Any

from pipeline.ingest.errors import IngestError

_CTX = mp.get_context("spawn")  # never fork a process that runs threads (Prefect, Dask)


_PRELOAD = (  # every reader and the layout, before the first file's time starts
    "pipeline.ingest.bounded_read",
    "pipeline.ingest.pdf_reader",
    "pipeline.ingest.docx_reader",
    "pipeline.ingest.markdown_reader",
    "pipeline.ingest.asciidoc_reader",
    "pipeline.ingest.html_reader",
    "pipeline.ingest.text_reader",
)
_START_TIMEOUT_S = 120.0  # importing the parsers is not part of any file's time


def _serve(conn) -> None:
    """Worker loop: call what the parent sends, answer with ("ok", result) or an error description."""
    import importlib

    for name in _PRELOAD:
        importlib.import_module(name)
    conn.send(("ready",))
    while True:
        try:
            func, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple = ("ok", func(*args))
        except IngestError as exc:
            reply = ("ingest", exc.kind, exc.message)
        except BaseException as exc:  # noqa: BLE001 - any failure is reported, the worker lives on
            reply = ("exc", type(exc).__name__, str(exc)[:500])
        try:
            conn.send(reply)
        except Exception as exc:  # an unpicklable result
            conn.send(("exc", type(exc).__name__, str(exc)[:500]))


class _Worker:
    def __init__(self) -> None:
        self.conn, child = _CTX.Pipe()
        self.proc = _CTX.Process(target=_serve, args=(child,), daemon=True, name="ungov-reader")
        self.proc.start()
        child.close()
        self.pid = os.getpid()
        self.ready = False

    def wait_ready(self) -> None:
        """The worker imports every parser before its first file; that is nobody's time budget."""
        if self.ready:
            return
        if not (self.conn.poll(_START_TIMEOUT_S) and self.conn.recv() == ("ready",)):
            self.stop()
            raise IngestError("reader_crashed", "the worker process that reads the files did not start")
        self.ready = True

    def stop(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


_lock = threading.Lock()
_worker: _Worker | None = None


def _get_worker() -> _Worker:
    global _worker
    if _worker is None or _worker.pid != os.getpid() or not _worker.proc.is_alive():
        _worker = _Worker()
    return _worker


def start_reader() -> None:
    """Start the reading worker now without waiting for it, so that its start (importing every
    parser, about a second) overlaps whatever comes next (the extraction workers' start)."""
    if _CTX.current_process().daemon:
        return
    with _lock:
        _get_worker()


def _discard_worker() -> None:
    global _worker
    if _worker is not None:
        if _worker.pid == os.getpid():
            _worker.stop()
        _worker = None


atexit.register(_discard_worker)


def call_with_limit(func: Callable[..., Any], *args: Any, timeout: float) -> Any:
    """``func(*args)`` in the worker; IngestError ``timeout`` when it takes longer than ``timeout`` seconds.

    ``func`` must be a module-level function (it is sent to the worker by name). An IngestError
    raised by ``func`` comes back as itself; any other exception as ``reader_error``. A daemonic
    process (a Dask worker) may not start the worker: there ``func`` runs in place, unlimited.
    """
    if _CTX.current_process().daemon:  # e.g. a Dask worker: may not start a child; no hard limit here
        return func(*args)
    with _lock:  # one file at a time per process: the worker is single-threaded
        worker = _get_worker()
        try:
            worker.wait_ready()
        except IngestError:
            _discard_worker()
            raise
        try:
            worker.conn.send((func, args))
            ready = worker.conn.poll(timeout)
            reply = worker.conn.recv() if ready else None
        except (EOFError, OSError, BrokenPipeError):
            _discard_worker()
            raise IngestError(
                "reader_crashed", "the parser crashed on this file (the file is probably corrupt)"
            ) from None
        if reply is None:
            _discard_worker()
            raise IngestError(
                "timeout",
                f"reading and laying out the file took longer than the {timeout:g} s limit per file "
                "(the parser may loop on it); "
                "it was stopped. Raise UNGOV_PER_FILE_TIMEOUT_S to allow more time.",
            )
    if reply[0] == "ok":
        return reply[1]
    if reply[0] == "ingest":
        raise IngestError(reply[1], reply[2])
    raise IngestError("reader_error", f"unexpected {reply[1]} while reading: {reply[2]}")
