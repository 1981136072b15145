"""Hand-edited CSV files (the manifest, a corrections sheet) read without ever raising on their content.

Analysts save these from Excel or LibreOffice, so they come as UTF-8 with or without a BOM, as
UTF-16 ("Unicode Text", tab-separated), with ``;`` as the delimiter in European locales, or with a
few bytes in another code page. Reading them is one idea: bytes -> records with the line each one
starts on, plus a clear message for what could not be decoded, instead of a traceback.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_CSV_BYTES = 64 * 1024 * 1024  # a manifest or corrections sheet; never a whole disk image
DELIMITERS = (",", ";", "\t")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class CsvUnreadable(ValueError):
    """The file as a whole cannot be read as text (a message for a person, no traceback)."""


@dataclass
class Record:
    line: int  # physical line the record starts on (1 = header)
    cells: list[str]


def read_bytes(path: Path, limit: int = MAX_CSV_BYTES) -> bytes:
    """The file's bytes; a pipe, a directory or an oversized file is refused without being read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise CsvUnreadable(f"{path} could not be opened ({exc.strerror or exc})") from None
    with open(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise CsvUnreadable(f"{path} is not a regular file")
        if info.st_size > limit:
            raise CsvUnreadable(f"{path} is {info.st_size} bytes, over the {limit} byte limit for a CSV sheet")
        return fh.read(limit + 1)[:limit]


def decode(data: bytes) -> str:
    """Text of a CSV file: by its BOM, as BOM-less UTF-16 when every other byte is NUL, else as UTF-8.

    Bytes that are not UTF-8 stay in the text as lone surrogates (``surrogateescape``), so the cell
    that holds them can be refused on its own with :func:`bad_bytes` while the rest of the file is read.
    """
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None and len(data) >= 4:
        head = data[:2000]
        if head[1::2].count(0) > len(head) // 4 and not head[0::2].count(0):
            encoding = "utf-16-le"
        elif head[0::2].count(0) > len(head) // 4 and not head[1::2].count(0):
            encoding = "utf-16-be"
    if encoding is None:
        return data.decode("utf-8", "surrogateescape")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise CsvUnreadable(
            f"the file starts like {encoding.upper()} text but byte {exc.start} is not; save it as 'CSV UTF-8'"
        ) from None
    return text.lstrip("\ufeff")


def bad_bytes(cell: str) -> str | None:
    """A message when ``cell`` holds bytes that were not UTF-8 (see :func:`decode`), else None."""
    raw = [hex(ord(c) - 0xDC00) for c in cell if 0xDC80 <= ord(c) <= 0xDCFF]
    if not raw:
        return None
    return f"is not UTF-8 text (byte {raw[0]}); save the file as 'CSV UTF-8'"


def records(text: str) -> tuple[list[str], list[Record]]:
    """Lower-cased header and the records after it, each with the line it starts on; blank lines skipped.

    The delimiter is the one of ``,``, ``;`` and tab that splits the header into the most columns.
    Cells of any length are read (length limits are the caller's, per field).
    """
    first = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, len(text) + 1))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        out: list[Record] = []
        header: list[str] | None = None
        start = 1
        try:
            for cells in reader:
                if header is None:
                    header = [c.strip().lower() for c in cells]
                elif any(c.strip() for c in cells):
                    out.append(Record(start, cells))
                start = reader.line_num + 1
        except csv.Error as exc:
            raise CsvUnreadable(f"line {start}: the CSV cannot be parsed ({exc})") from None
    finally:
        csv.field_size_limit(old_limit)
    return header or [], out
