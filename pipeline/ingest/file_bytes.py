"""A file's bytes, read once whole: regular files only, within the size limit, and not torn.

A file rewritten while it is read (a copy still in progress, an editor saving) would give a
short or mixed document that looks valid. Its size, modification time and identity are
compared before and after the read; if they changed it is read again once, and if it changed
again it is reported instead of being processed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline import settings
from pipeline.ingest.errors import IngestError


def read_limited(path: Path) -> bytes:
    """The file's bytes, refusing non-regular files, files over the size limit and files being rewritten."""
    for _ in range(2):
        data, before = _read_once(path)
        if _signature(before) == _signature(os.stat(path)):
            return data
    raise IngestError(
        "changed_while_reading",
        "the file changed while it was being read, twice (it is probably still being written or copied); "
        "it was not processed: run again once it is complete",
    )


def _signature(info: os.stat_result) -> tuple[int, int, int, int]:
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def _read_once(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes and the file's status when it was opened."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # opening a FIFO must not wait for a writer
    with open(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise IngestError("unreadable", "the path is not a regular file (a pipe, device or socket); skipped")
        if info.st_size > settings.MAX_FILE_BYTES:
            raise IngestError("too_large", _too_large(info.st_size))
        data = fh.read(settings.MAX_FILE_BYTES + 1)  # the file may grow after the stat
    if len(data) > settings.MAX_FILE_BYTES:
        raise IngestError("too_large", _too_large(len(data)))
    return data, info


def _too_large(size: int) -> str:
    return (
        f"the file is {size / 2**20:.0f} MiB, over the {settings.MAX_FILE_BYTES / 2**20:.0f} MiB limit; "
        "it was not read (raise UNGOV_MAX_FILE_BYTES to process it)"
    )
