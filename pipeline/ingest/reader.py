"""Read any supported file into a Document; never raise, record what went wrong instead."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from pipeline import settings
from pipeline.document import Document
from pipeline.ingest.docx_reader import read_docx
from pipeline.ingest.errors import IngestError
from pipeline.ingest.layout import lines_to_blocks
from pipeline.ingest.metadata import apply_manifest, extract_metadata
from pipeline.ingest.pdf_reader import read_pdf
from pipeline.ingest.text_reader import read_text


def doc_id_for(data: bytes) -> tuple[str, str]:
    digest = hashlib.sha256(data).hexdigest()
    return digest[:16], digest


def sniff_type(path: Path, data: bytes) -> str:
    """The file type from its suffix, checked against its first bytes (a PDF named .txt is a PDF)."""
    declared = settings.SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04") and declared in (None, "docx", "txt", "md"):
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


def ingest_file(path: Path, manifest: dict[str, dict[str, str]] | None = None) -> Document:
    """Read one file into a Document. Errors become ``status='error'`` with a kind and message."""
    path = Path(path)
    doc = Document(
        doc_id="", source_path=str(path), file_name=path.name, file_type=path.suffix.lower().lstrip("."), sha256=""
    )
    try:
        size = path.stat().st_size
        if size > settings.MAX_FILE_BYTES:
            raise IngestError(
                "too_large",
                f"the file is {size / 2**20:.0f} MiB, over the {settings.MAX_FILE_BYTES / 2**20:.0f} MiB limit "
                "(raise UNGOV_MAX_FILE_BYTES to process it)",
            )
        data = path.read_bytes()
    except IngestError as exc:
        return _failed(doc, exc.kind, exc.message)
    except FileNotFoundError:
        return _failed(doc, "missing", "the file disappeared before it could be read")
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
        if doc.file_type == "pdf":
            lines, doc.n_pages = read_pdf(data)
        elif doc.file_type == "docx":
            lines = read_docx(data)
        else:
            lines = read_text(data)
        doc.text, doc.blocks = lines_to_blocks(lines)
        if not doc.text.strip():
            raise IngestError("no_text", "the file contains no readable text")
        doc.metadata = extract_metadata(doc.text, doc.blocks)
    except IngestError as exc:
        return _failed(doc, exc.kind, exc.message)
    except Exception as exc:  # a reader bug must not stop the batch
        return _failed(doc, "reader_error", f"unexpected {type(exc).__name__} while reading: {exc}")
    if manifest and path.name in manifest:
        apply_manifest(doc.metadata, manifest[path.name])
    return doc


def _failed(doc: Document, kind: str, message: str) -> Document:
    doc.status, doc.error_kind, doc.error_message = "error", kind, message
    doc.text, doc.blocks = "", []
    return doc
