"""Ruled tables in PDFs, read as rows with their cells kept apart.

pdfplumber finds a table from the ruling lines drawn on the page and tells which words sit in
which cell; without it a table's cells come out as one line per visual line, mixing columns, and
an Action / Owner / Due table can no longer be read as rows. Its table finder costs about 125 ms
a page, forty times PDFium's text pass, so it runs only on pages whose drawing has both
horizontal and vertical rules (or filled cell boxes), which PDFium tells for about 1 ms a page.
Borderless tables (columns kept apart by white space only, as in UN budget annexes) are left to
the line reader: a text-alignment table finder splits their words between cells.
"""

from __future__ import annotations

import ctypes
import io
import re
from dataclasses import dataclass

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.ingest.markdown_reader import cell_text

_THIN = 3.0  # points: a path thinner than this is a rule
_MIN_RULE = 8.0  # points: shorter strokes are glyph decoration, bullets, underlines of one letter
_LINE_END_HYPHEN = re.compile(r"(?<=\w)-[ \t]*\n\s*(?=\w)")  # "Secretary-|General" in a narrow cell stays one word


@dataclass(frozen=True)
class TableRows:
    """One table on one page: its box (top-down coordinates, like the line records) and its rows
    of cell texts, the header row first, one entry per column."""

    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[tuple[float, float, list[str]]]  # (top, bottom, cells)


def has_ruling(page: pdfium.PdfPage) -> bool:
    """Whether the page draws at least two horizontal and two vertical rules, or two boxes: the
    least a ruled table needs. Page-number rules and letterhead lines have no vertical partner."""
    raw = page.raw
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    horizontal = vertical = boxes = 0
    for k in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, k)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        width, height = right.value - left.value, top.value - bottom.value
        if height < _THIN and width > _MIN_RULE:
            horizontal += 1
        elif width < _THIN and height > _MIN_RULE:
            vertical += 1
        elif width > _MIN_RULE and height > _MIN_RULE:
            boxes += 1
        if (horizontal >= 2 and vertical >= 2) or boxes >= 2:
            return True
    return False


def find_tables(data: bytes, pages: list[int]) -> dict[int, list[TableRows]]:
    """The ruled tables of the given pages (0-based), by page. A page pdfplumber cannot read keeps
    its plain lines: tables are a refinement of the text, never a reason to lose it."""
    found: dict[int, list[TableRows]] = {}
    if not pages:
        return found
    try:
        pdf = pdfplumber.open(io.BytesIO(data), password="")
    except Exception:  # noqa: BLE001 - PDFium read the file; the table pass is optional
        return found
    with pdf:
        for number in pages:
            try:
                found[number] = table_rows(pdf.pages[number])
            except Exception:  # noqa: BLE001 - see above
                continue
    return found


def table_rows(page) -> list[TableRows]:
    """The ruled tables of one pdfplumber page (the reference reader's path): the finder runs
    only when the page draws rules at all."""
    if not page.edges:
        return []
    return [t for t in (_rows_of(table) for table in page.find_tables()) if t is not None]


def _rows_of(table) -> TableRows | None:
    """A table's rows with clean cell texts; None unless it has two rows and two columns with text
    (a ruled box around one paragraph is a frame, not a table)."""
    texts = table.extract()
    rows: list[tuple[float, float, list[str]]] = []
    for row, cells in zip(table.rows, texts, strict=False):
        clean = [cell_text(_LINE_END_HYPHEN.sub("-", c or "")) for c in cells]
        if any(clean):
            rows.append((row.bbox[1], row.bbox[3], clean))
    width = max((sum(1 for c in cells if c) for _t, _b, cells in rows), default=0)
    if len(rows) < 2 or width < 2:
        return None
    x0, top, x1, bottom = table.bbox
    return TableRows(x0, top, x1, bottom, rows)


def merge_rows(lines: list[dict], tables: list[TableRows]) -> list[dict]:
    """The page's line records with each table's lines replaced by one record per table row
    (``row`` holds the cells). A line belongs to a table when its middle lies inside the box."""
    if not tables:
        return lines

    def inside(ln: dict, t: TableRows) -> bool:
        middle = (ln["top"] + ln["bottom"]) / 2
        return t.top <= middle <= t.bottom and ln["x0"] >= t.x0 - 2 and ln["x0"] <= t.x1

    kept = [ln for ln in lines if not any(inside(ln, t) for t in tables)]
    for t in tables:
        for top, bottom, cells in t.rows:
            kept.append(
                {"text": " ".join(c for c in cells if c), "x0": t.x0, "top": top, "bottom": bottom, "row": cells}
            )
    kept.sort(key=lambda ln: (round(ln["top"]), ln["x0"]))
    return kept
