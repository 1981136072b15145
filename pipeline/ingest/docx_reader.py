"""DOCX via python-docx: paragraphs in body order, list items, headings and table cells.

Word files are zip archives of XML; python-docx parses them with lxml configured not to resolve
external entities, and we refuse archives whose parts would expand past a size limit before
parsing (a "zip bomb").
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from pipeline.ingest.errors import IngestError
from pipeline.ingest.layout import Line, normalize_chars

MAX_EXPANDED_BYTES = 200 * 1024 * 1024


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            total = sum(info.file_size for info in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise IngestError("corrupt_docx", "the file is not a valid DOCX (not a zip archive)") from exc
    if "word/document.xml" not in names:
        raise IngestError("corrupt_docx", "the zip archive is not a Word document (no word/document.xml)")
    if total > MAX_EXPANDED_BYTES:
        raise IngestError(
            "too_large", f"the DOCX would expand to {total // 2**20} MiB (limit {MAX_EXPANDED_BYTES // 2**20} MiB)"
        )


def _paragraph_kind(par: Paragraph) -> str | None:
    style = (par.style.name if par.style is not None else "") or ""
    if style.startswith("Heading") or style == "Title":
        return "heading"
    if "List" in style or par._p.pPr is not None and par._p.pPr.numPr is not None:
        return "list_item"
    return None


def _iter_body(document: DocxDocument):
    """Paragraphs and tables in the order they appear in the body."""
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield Paragraph(child, document)
        elif tag == "tbl":
            yield Table(child, document)


def read_docx(data: bytes) -> list[Line]:
    _check_archive(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise IngestError("corrupt_docx", f"the DOCX could not be parsed ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # lxml XMLSyntaxError and friends
        if "amplification" in str(exc) or "entity" in str(exc).lower():
            raise IngestError(
                "corrupt_docx", "the DOCX declares XML entities that would expand enormously (an 'XML bomb'); not read"
            ) from exc
        raise IngestError("corrupt_docx", f"the DOCX's XML is broken ({type(exc).__name__}: {exc})") from exc
    lines: list[Line] = []
    for item in _iter_body(document):
        if isinstance(item, Paragraph):
            text = normalize_chars(item.text).replace("\n", " ").replace("\t", " ").strip()
            if text:
                lines.append(Line(text, break_before=True, hard=True, kind=_paragraph_kind(item)))
        else:
            lines.extend(_table_lines(item))
    return lines


def _table_lines(table: Table) -> list[Line]:
    """One line per row, cells kept apart as a pipe-table row ("| Action | Owner | Due |") so the
    extractors can read columns; a one-column table stays one line per cell. A merged cell is
    read once: python-docx repeats it in every grid position it spans (the elements are kept in
    the set, so their identity cannot be reused by a later cell)."""
    seen: set = set()
    rows: list[list[str]] = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            cells.append(normalize_chars(cell.text).replace("\n", " ").replace("\t", " ").replace("|", "/").strip())
        if any(cells):
            rows.append(cells)
    width = max((len(r) for r in rows), default=0)
    if width <= 1:
        return [Line(r[0], break_before=True, hard=True, kind="table_cell") for r in rows if r and r[0]]
    return [Line("| " + " | ".join(r) + " |", break_before=True, hard=True, kind="table_cell") for r in rows]
