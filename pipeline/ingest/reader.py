"""Read any supported file into a Document; never raise, record what went wrong instead."""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path

from pipeline import settings
from pipeline.document import Document
from pipeline.ingest.bounded_read import read_within_limit
from pipeline.ingest.errors import IngestError
from pipeline.ingest.file_bytes import read_limited
from pipeline.ingest.metadata import apply_manifest, find_header_date


def doc_id_for(data: bytes) -> tuple[str, str]:
    digest = hashlib.sha256(data).hexdigest()
    return digest[:16], digest


def sniff_type(path: Path, data: bytes) -> str:
    """The file type from its suffix, checked against its first bytes (a PDF named .txt is a PDF)."""
    declared = settings.SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04") and declared in (None, "docx", "txt", "md", "adoc", "html"):
        return "docx"
    if declared is None:
        raise IngestError("unsupported_type", f"unsupported file type '{path.suffix or '(none)'}'")
    if declared == "pdf" and data[:1024].find(b"%PDF") < 0:
        raise IngestError("corrupt_pdf", "the file is named .pdf but is not a PDF (no %PDF header)")
    return declared


def discover_files(paths: Iterable[Path]) -> list[Path]:
    """Supported files under the given files and folders, sorted, symlink loops and duplicates skipped."""
    found: dict[str, Path] = {}
    for root in paths:
        root = Path(root)
        if root.is_file() or (not root.exists() and root.suffix):
            found.setdefault(str(root), root)
            continue
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                p = Path(dirpath) / name
                if name.startswith(".") or name == "manifest.csv":
                    continue
                if p.suffix.lower() in settings.SUPPORTED_SUFFIXES:
                    found.setdefault(str(p), p)
    return sorted(found.values(), key=lambda p: str(p))


def display_name(text: str) -> str:
    """A path as valid UTF-8: undecodable bytes of a file name become U+FFFD instead of breaking the writers."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def apply_stated_metadata(meta, stated: dict[str, str]) -> None:
    """Title, date and author a file states in its markup; a date only when it reads as one."""
    for key, value in stated.items():
        if key == "doc_date":
            iso = _ISO_DATE.match(value)
            value = find_header_date(value) or (iso.group(0) if iso else None)
        if value:
            setattr(meta, key, value)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def ingest_file(path: Path, manifest: dict[str, dict[str, str]] | None = None) -> Document:
    """Read one file into a Document. Errors become ``status='error'`` with a kind and message."""
    path, started = Path(path), time.monotonic()
    doc = Document(
        doc_id="",
        source_path=display_name(str(path)),
        file_name=display_name(path.name),
        file_type=path.suffix.lower().lstrip("."),
        sha256="",
    )
    try:
        data = read_limited(path)
    except IngestError as exc:
        return _failed(doc, exc.kind, exc.message)
    except FileNotFoundError:
        return _failed(doc, "missing", "the file disappeared before it could be read (moved or deleted?)")
    except PermissionError:
        return _failed(doc, "unreadable", "permission denied when reading the file")
    except IsADirectoryError:
        return _failed(doc, "unreadable", "the path is a directory, not a file")
    except OSError as exc:
        return _failed(doc, "unreadable", f"the file could not be read ({exc.strerror or exc})")
    doc.doc_id, doc.sha256 = doc_id_for(data)
    try:
        if not data.strip():
            raise IngestError("empty_file", "the file is empty")
        doc.file_type = sniff_type(path, data)
        read = read_within_limit(doc.file_type, data)  # reading and layout: the time-limited part
        doc.text, doc.blocks, doc.n_pages, doc.warnings = read.text, read.blocks, read.n_pages, read.warnings
        if not doc.text.strip():
            raise IngestError("no_text", "the file contains no readable text")
        doc.metadata = read.metadata
        apply_stated_metadata(doc.metadata, read.stated)
    except IngestError as exc:
        return _failed(doc, exc.kind, exc.message)
    except RecursionError:
        return _failed(doc, "reader_error", "the file is nested too deeply to be read")
    except Exception as exc:  # a reader bug must not stop the batch
        return _failed(doc, "reader_error", f"unexpected {type(exc).__name__} while reading: {exc}")
    finally:
        doc.seconds_spent = time.monotonic() - started  # counted against the per-file time budget
    if manifest and path.name in manifest:
        apply_manifest(doc.metadata, manifest[path.name])
    return doc


def _failed(doc: Document, kind: str, message: str) -> Document:
    """An error document; a file with no readable bytes gets an id from its path (doc_id is required)."""
    doc.status, doc.error_kind, doc.error_message = "error", kind, message
    doc.text, doc.blocks = "", []
    doc.n_pages = None
    if not doc.doc_id:
        doc.doc_id = hashlib.sha256(("path:" + doc.source_path).encode("utf-8")).hexdigest()[:16]
    return doc
