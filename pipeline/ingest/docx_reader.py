"""DOCX: the body XML read in order, so nothing the author wrote is left out.

Word files are zip archives of XML; python-docx parses them with lxml configured not to resolve
external entities, and we refuse archives whose parts would expand past a size limit before
parsing (a "zip bomb").

The body is walked element by element rather than through python-docx's ``paragraphs`` and
``tables`` (which only see direct ``p`` and ``tbl`` children of the body): content controls
(``w:sdt``, at block level, around rows and cells, and inside paragraphs), text boxes
(``w:txbxContent``, emitted after the paragraph they are anchored in; of the ``mc:AlternateContent``
variants only the first is read, so a box is not read twice), tables (one pipe row per table row,
every grid cell once: a horizontally merged cell is one cell followed by empty ones for the
columns it spans, a vertically merged continuation is empty, a nested table follows its outer
table), and footnotes and endnotes, which go to the end of the text like PDF footnotes do.
Deleted revisions (``w:del``, ``w:moveFrom``) and field instructions are not text.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import parse_xml
from docx.text.paragraph import Paragraph

from pipeline.ingest.errors import IngestError
from pipeline.ingest.layout import Line, normalize_chars

MAX_EXPANDED_BYTES = 200 * 1024 * 1024

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIP = {
    "pPr",
    "rPr",
    "tblPr",
    "trPr",
    "tcPr",
    "sdtPr",
    "sdtEndPr",
    "del",
    "moveFrom",
    "delText",
    "instrText",
    "delInstrText",
    "fldData",
    "footnoteReference",
    "endnoteReference",
    "annotationRef",
    "commentReference",
    "sectPr",
    "tblGrid",
    "bookmarkStart",
    "bookmarkEnd",
    "proofErr",
    "softHyphen",
    "lastRenderedPageBreak",
}
_BLOCK_WRAPPERS = {"sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag", "txbxContent", "body", "docPartBody"}
_NOTE_SKIP_TYPES = {"separator", "continuationSeparator", "continuationNotice"}


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


def _local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag.rsplit("}", 1)[-1]


def _clean(text: str) -> str:
    return " ".join(normalize_chars(text).split())


class _Walker:
    """Collects lines from block-level XML (body, cell, text box, note) in reading order."""

    def __init__(self, document) -> None:
        self.document = document
        self.lines: list[Line] = []
        self.notes: list[tuple[str, str, bool]] = []  # (footnote|endnote, id, custom mark) in order

    # -- blocks -----------------------------------------------------------------------------
    def blocks(self, parent, out: list[Line]) -> None:
        for child in parent:
            tag = _local(child)
            if tag == "p":
                self.paragraph(child, out)
            elif tag == "tbl":
                self.table(child, out)
            elif tag == "AlternateContent":
                self.blocks(_first_choice(child), out)
            elif tag in _BLOCK_WRAPPERS:
                self.blocks(child, out)

    def paragraph(self, p, out: list[Line], kind_hint: bool = True) -> None:
        boxes: list = []
        text = _clean(self.inline(p, boxes))
        if text:
            kind = _paragraph_kind(Paragraph(p, self.document)) if kind_hint else None
            out.append(Line(text, break_before=True, hard=True, kind=kind))
        for box in boxes:  # a text box follows the paragraph it is anchored in
            self.blocks(box, out)

    def inline(self, el, boxes: list) -> str:
        parts: list[str] = []
        self._inline(el, parts, boxes)
        return "".join(parts)

    def _inline(self, el, parts: list[str], boxes: list) -> None:
        for child in el:
            tag = _local(child)
            if not tag or tag in _SKIP:
                if tag in ("footnoteReference", "endnoteReference"):
                    note_id = child.get(f"{_W}id")
                    if note_id is not None:
                        custom = child.get(f"{_W}customMarkFollows") in ("1", "true", "on")
                        self.notes.append((tag[:-9], note_id, custom))
                continue
            if tag == "t":
                parts.append(child.text or "")
            elif tag in ("tab", "ptab"):
                parts.append("\t")
            elif tag in ("br", "cr"):
                parts.append(" ")
            elif tag == "noBreakHyphen":
                parts.append("-")
            elif tag == "txbxContent":
                boxes.append(child)
            elif tag == "AlternateContent":
                self._inline(_first_choice(child), parts, boxes)
            elif tag in ("p", "tbl"):  # block content where inline was expected (rare): keep its words
                parts.append(" ")
                self._inline(child, parts, boxes)
                parts.append(" ")
            else:
                self._inline(child, parts, boxes)

    # -- tables -----------------------------------------------------------------------------
    def table(self, tbl, out: list[Line]) -> None:
        rows: list[list[str]] = []
        spans: list[list[int]] = []
        nested: list = []
        for tr in _children(tbl, "tr"):
            cells: list[str] = [""] * _row_grid(tr, "gridBefore")
            row_spans: list[int] = []
            for tc in _children(tr, "tc"):
                span = _grid_span(tc)
                if _vmerge_continues(tc):
                    text = ""
                else:
                    text = self.cell_text(tc, nested)
                cells.append(text.replace("|", "/"))
                row_spans.append(span)
                cells.extend([""] * (span - 1))
            if any(cells):
                rows.append(cells)
                spans.append(row_spans)
        width = max((len(r) for r in rows), default=0)
        for cells, row_spans in zip(rows, spans, strict=True):
            filled = [c for c in cells if c]
            if width <= 1:  # a one-column table: one line per cell
                out.extend(Line(c, break_before=True, hard=True, kind="table_cell") for c in filled)
                continue
            if len(row_spans) == 1 and len(filled) == 1:
                # one cell across the table (a caption): a one-cell row, which the extractors do not
                # take for the header of the rows below it
                out.append(Line(f"| {filled[0]} |", break_before=True, hard=True, kind="table_cell"))
                continue
            cells = cells + [""] * (width - len(cells))
            out.append(Line("| " + " | ".join(cells) + " |", break_before=True, hard=True, kind="table_cell"))
        for inner in nested:
            self.table(inner, out)

    def cell_text(self, tc, nested: list) -> str:
        pieces: list[str] = []
        for el in _cell_blocks(tc):
            tag = _local(el)
            if tag == "tbl":
                nested.append(el)
            elif tag == "p":
                boxes: list = []
                pieces.append(_clean(self.inline(el, boxes)))
                for box in boxes:
                    sub: list[Line] = []
                    self.blocks(box, sub)
                    pieces.extend(ln.text for ln in sub)
        return " ".join(p for p in pieces if p)

    # -- notes ------------------------------------------------------------------------------
    def notes_lines(self, parts: dict[str, object]) -> list[Line]:
        out: list[Line] = []
        done: set[tuple[str, str]] = set()
        numbers = {"footnote": 0, "endnote": 0}
        for kind, note_id, custom in self.notes:
            if (kind, note_id) in done or parts.get(kind) is None:
                continue
            done.add((kind, note_id))
            note = parts[kind].get(note_id)  # type: ignore[union-attr]
            if note is None:
                continue
            sub: list[Line] = []
            self.blocks(note, sub)
            if not sub:
                continue
            first = sub[0]
            if not custom:  # Word numbers notes in reference order; a custom mark is typed in the note
                numbers[kind] += 1
                first = Line(f"{numbers[kind]} {first.text}", break_before=True, hard=True)
            out.append(first)
            out.extend(sub[1:])
        return out


def _first_choice(alt):
    for child in alt:
        if _local(child) in ("Choice", "Fallback"):
            return child
    return []


def _children(el, name: str):
    """Direct ``name`` children, looking through content controls and custom XML wrappers."""
    for child in el:
        tag = _local(child)
        if tag == name:
            yield child
        elif tag in ("sdt", "sdtContent", "customXml", "ins", "moveTo"):
            yield from _children(child, name)


def _cell_blocks(tc):
    for child in tc:
        tag = _local(child)
        if tag in ("p", "tbl"):
            yield child
        elif tag in ("sdt", "sdtContent", "customXml", "ins", "moveTo"):
            yield from _cell_blocks(child)
        elif tag == "AlternateContent":
            yield from _cell_blocks(_first_choice(child))


def _grid_span(tc) -> int:
    for pr in tc:
        if _local(pr) == "tcPr":
            for el in pr:
                if _local(el) == "gridSpan":
                    try:
                        return max(1, min(int(el.get(f"{_W}val", "1")), 64))
                    except ValueError:
                        return 1
    return 1


def _row_grid(tr, name: str) -> int:
    """Grid columns skipped before (``gridBefore``) or after (``gridAfter``) a row's cells."""
    for pr in tr:
        if _local(pr) == "trPr":
            for el in pr:
                if _local(el) == name:
                    try:
                        return max(0, min(int(el.get(f"{_W}val", "0")), 64))
                    except ValueError:
                        return 0
    return 0


def _vmerge_continues(tc) -> bool:
    for pr in tc:
        if _local(pr) == "tcPr":
            for el in pr:
                if _local(el) == "vMerge":
                    return el.get(f"{_W}val", "continue") == "continue"
    return False


def _paragraph_kind(par: Paragraph) -> str | None:
    try:
        style = (par.style.name if par.style is not None else "") or ""
    except (KeyError, ValueError, AttributeError):
        style = ""
    if style.startswith("Heading") or style == "Title":
        return "heading"
    if "List" in style or par._p.pPr is not None and par._p.pPr.numPr is not None:
        return "list_item"
    return None


def _note_parts(document) -> dict[str, object]:
    """{'footnote': {id: element}, 'endnote': {...}} from the document's notes parts."""
    out: dict[str, object] = {}
    for kind, reltype in (("footnote", RT.FOOTNOTES), ("endnote", RT.ENDNOTES)):
        for rel in document.part.rels.values():
            if rel.reltype != reltype or rel.is_external:
                continue
            try:
                root = parse_xml(rel.target_part.blob)
            except Exception:  # a broken notes part must not lose the body
                continue
            notes = {}
            for note in root:
                if _local(note) != kind or note.get(f"{_W}type") in _NOTE_SKIP_TYPES:
                    continue
                notes[note.get(f"{_W}id")] = note
            out[kind] = notes
    return out


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
    walker = _Walker(document)
    lines: list[Line] = []
    walker.blocks(document.element.body, lines)
    if walker.notes:
        notes = walker.notes_lines(_note_parts(document))
        if notes:
            lines.append(Line(""))
            lines.extend(notes)
    return lines
