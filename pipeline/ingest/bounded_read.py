"""Read bytes of any format into clean text and blocks inside the per-file time limit.

Reading, layout and the metadata rules together are the first part of a document's time budget, for every format:
a crafted PDF can loop in its parser, and a plain text file can hold millions of short lines.
Both run in the reader worker (``guard.call_with_limit``), which is stopped when the limit
passes; warnings the readers record (``errors.warn``) come back with the result.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from pipeline import settings
from pipeline.document import Block, Metadata
from pipeline.ingest.errors import collect_warnings
from pipeline.ingest.guard import call_with_limit
from pipeline.ingest.layout import Line, lines_to_blocks
from pipeline.ingest.metadata import extract_metadata

# The parsers are imported where they run (the reader worker imports them all when it starts,
# see guard._PRELOAD), not by every process that only lists or hashes files.
# Readers of marked-up text give lines plus the metadata the markup states (front matter, AsciiDoc
# header, HTML meta tags), which wins over the rules and yields to the manifest.
MARKUP_READERS = {
    "md": ("pipeline.ingest.markdown_reader", "read_markdown"),
    "adoc": ("pipeline.ingest.asciidoc_reader", "read_asciidoc"),
    "html": ("pipeline.ingest.html_reader", "read_html"),
}


@dataclass
class Read:
    """What reading one file gives: the clean text, its blocks, and what the reader learnt on the way."""

    text: str
    blocks: list[Block]
    n_pages: int | None = None
    metadata: Metadata = field(default_factory=Metadata)  # found by the rules; the markup's is in ``stated``
    stated: dict[str, str] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def _lines(file_type: str, data: bytes) -> tuple[list[Line], int | None, dict[str, str]]:
    if file_type == "pdf":
        from pipeline.ingest.pdf_reader import read_pdf

        lines, n_pages = read_pdf(data)
        return lines, n_pages, {}
    if file_type == "docx":
        from pipeline.ingest.docx_reader import read_docx

        return read_docx(data), None, {}
    if file_type in MARKUP_READERS:
        module, name = MARKUP_READERS[file_type]
        lines, stated = getattr(importlib.import_module(module), name)(data)
        return lines, None, stated
    from pipeline.ingest.text_reader import read_text

    return read_text(data), None, {}


def read_document(file_type: str, data: bytes) -> Read:
    """Bytes -> lines -> clean text, blocks and the metadata rules' findings, with the warnings
    recorded meanwhile."""
    with collect_warnings() as found:
        lines, n_pages, stated = _lines(file_type, data)
        text, blocks = lines_to_blocks(lines)
        metadata = extract_metadata(text, blocks) if text.strip() else Metadata()
    return Read(text, blocks, n_pages, metadata, stated, found)


def read_within_limit(file_type: str, data: bytes) -> Read:
    """``read_document`` in the reader worker under ``settings.PER_FILE_TIMEOUT_S`` (here when it is 0)."""
    timeout = float(settings.PER_FILE_TIMEOUT_S)
    if timeout <= 0:
        return read_document(file_type, data)
    return call_with_limit(read_document, file_type, data, timeout=timeout)
