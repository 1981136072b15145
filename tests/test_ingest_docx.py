"""DOCX reading on files written with python-docx: every table cell once, content controls,
text boxes, footnotes and endnotes, in reading order."""

from __future__ import annotations

import re
import zipfile

import docx
import pytest
from docx.oxml import parse_xml

from pipeline.ingest import ingest_file
from pipeline.ingest.docx_reader import read_docx

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
V = 'xmlns:v="urn:schemas-microsoft-com:vml"'


def _body_xml(document, xml: str, before_last: bool = True) -> None:
    body = document.element.body
    el = parse_xml(xml)
    body.insert(len(body) - 1 if before_last else len(body), el)  # before sectPr


def _texts(path) -> list[str]:
    return [ln.text for ln in read_docx(path.read_bytes())]


def test_every_cell_once_with_grid_spans_vertical_merges_and_nested_tables(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=4, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Caption across the table"
    for c, value in enumerate(("Action", "Owner", "Due")):
        table.cell(1, c).text = value
    table.cell(2, 0).text = "Circulate the workplan"
    table.cell(2, 1).merge(table.cell(3, 1)).text = "Secretariat"
    table.cell(2, 2).text = "15 March 2024"
    table.cell(3, 0).text = "Book the room"
    table.cell(3, 2).text = "1 April 2024"
    inner = table.cell(3, 0).add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "inner left", "inner right"
    wide = document.add_table(rows=2, cols=4)
    wide.cell(0, 0).merge(wide.cell(0, 1)).text = "Two columns"
    wide.cell(0, 2).text, wide.cell(0, 3).text = "c", "d"
    for c in range(4):
        wide.cell(1, c).text = f"r{c}"
    path = tmp_path / "tables.docx"
    document.save(path)
    lines = _texts(path)
    assert lines[:4] == [
        "| Caption across the table |",
        "| Action | Owner | Due |",
        "| Circulate the workplan | Secretariat | 15 March 2024 |",
        "| Book the room |  | 1 April 2024 |",
    ]
    assert lines[4] == "| inner left | inner right |"  # a nested table follows its outer table
    assert lines[5:] == ["| Two columns |  | c | d |", "| r0 | r1 | r2 | r3 |"]
    text = ingest_file(path).text
    for word in ("Secretariat", "Caption across the table", "inner left", "Two columns"):
        assert text.count(word) == 1, word


def test_many_distinct_cells_are_all_kept(tmp_path):
    """The old reader keyed merged cells on id() of lxml proxies, which are reused once freed."""
    document = docx.Document()
    for t in range(9):
        table = document.add_table(rows=6, cols=4)
        for r in range(6):
            for c in range(4):
                table.cell(r, c).text = f"t{t}r{r}c{c}"
    path = tmp_path / "many.docx"
    document.save(path)
    text = ingest_file(path).text
    assert all(f"t{t}r{r}c{c}" in text for t in range(9) for r in range(6) for c in range(4))
    assert len(re.findall(r"^\| t\d", text, re.M)) == 54


def test_one_column_table_stays_one_line_per_cell(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=1)
    table.cell(0, 0).text, table.cell(1, 0).text = "First item", "Second item"
    path = tmp_path / "one.docx"
    document.save(path)
    assert _texts(path) == ["First item", "Second item"]


def test_content_controls_text_boxes_and_revisions_in_reading_order(tmp_path):
    document = docx.Document()
    document.add_paragraph("Opening paragraph.")
    _body_xml(
        document,
        f"<w:sdt {W}><w:sdtPr><w:alias w:val='Summary'/></w:sdtPr><w:sdtContent>"
        "<w:p><w:r><w:t>Block content control text.</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Action</w:t></w:r></w:p></w:tc>"
        "<w:sdt><w:sdtContent><w:tc><w:p><w:r><w:t>Owner</w:t></w:r></w:p></w:tc></w:sdtContent></w:sdt></w:tr>"
        "<w:tr><w:tc><w:p><w:r><w:t>Send the report</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:sdt><w:sdtContent><w:r><w:t>IOM</w:t></w:r></w:sdtContent></w:sdt></w:p></w:tc></w:tr>"
        "</w:tbl></w:sdtContent></w:sdt>",
    )
    _body_xml(
        document,
        f"<w:p {W} {MC} {V}><w:r><w:t xml:space='preserve'>Anchored here, date </w:t></w:r>"
        "<w:sdt><w:sdtContent><w:r><w:t>12 May 2024</w:t></w:r></w:sdtContent></w:sdt>"
        "<w:del w:id='1' w:author='x'><w:r><w:delText>deleted words</w:delText></w:r></w:del>"
        "<w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing><w:txbxContent>"
        "<w:p><w:r><w:t>Text box content.</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>Text box content.</w:t></w:r>"
        "</w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
        "<w:r><w:t>.</w:t></w:r></w:p>",
    )
    document.add_paragraph("Closing paragraph.")
    path = tmp_path / "controls.docx"
    document.save(path)
    assert _texts(path) == [
        "Opening paragraph.",
        "Block content control text.",
        "| Action | Owner |",
        "| Send the report | IOM |",
        "Anchored here, date 12 May 2024.",
        "Text box content.",
        "Closing paragraph.",
    ]


def _add_notes(path, footnotes: list[str], endnotes: list[str]) -> None:
    """Add footnotes.xml and endnotes.xml parts (python-docx cannot write notes) to a saved file."""

    def part(kind: str, notes: list[str]) -> str:
        body = "".join(
            f'<w:{kind} w:id="{i}"><w:p><w:r><w:{kind}Ref/></w:r><w:r><w:t xml:space="preserve"> {t}</w:t></w:r>'
            f"</w:p></w:{kind}>"
            for i, t in enumerate(notes, start=1)
        )
        sep = f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
        return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind}s {W}>{sep}{body}</w:{kind}s>'

    with zipfile.ZipFile(path) as zf:
        items = {n: zf.read(n) for n in zf.namelist()}
    ct = items["[Content_Types].xml"].decode()
    ct = ct.replace(
        "</Types>",
        '<Override PartName="/word/footnotes.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>'
        '<Override PartName="/word/endnotes.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml"/></Types>',
    )
    rels = items["word/_rels/document.xml.rels"].decode()
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdFn" Type="{base}/footnotes" Target="footnotes.xml"/>'
        f'<Relationship Id="rIdEn" Type="{base}/endnotes" Target="endnotes.xml"/></Relationships>',
    )
    items["[Content_Types].xml"] = ct.encode()
    items["word/_rels/document.xml.rels"] = rels.encode()
    items["word/footnotes.xml"] = part("footnote", footnotes).encode()
    items["word/endnotes.xml"] = part("endnote", endnotes).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items.items():
            zf.writestr(name, data)


def test_footnotes_and_endnotes_go_to_the_end(tmp_path):
    document = docx.Document()
    _body_xml(
        document,
        f"<w:p {W}><w:r><w:t>The Network will report by 2026.</w:t></w:r>"
        "<w:r><w:footnoteReference w:id='2'/></w:r><w:r><w:t xml:space='preserve'> Second sentence.</w:t></w:r>"
        "<w:r><w:footnoteReference w:id='1'/></w:r></w:p>",
    )
    _body_xml(
        document, f"<w:p {W}><w:r><w:t>Last paragraph.</w:t></w:r><w:r><w:endnoteReference w:id='1'/></w:r></w:p>"
    )
    path = tmp_path / "notes.docx"
    document.save(path)
    _add_notes(path, ["See A/RES/73/195.", "First cited note."], ["An endnote."])
    doc = ingest_file(path)
    assert doc.status == "ok", doc.error_message
    assert doc.text == (
        "The Network will report by 2026. Second sentence.\n\nLast paragraph.\n\n"
        "1 First cited note.\n\n2 See A/RES/73/195.\n\n1 An endnote."
    )


@pytest.mark.parametrize("bad", ["\u0096", "\u0099", "\u00ad", "\ufdd0", "\u200b"])
def test_docx_text_follows_the_character_policy(tmp_path, bad):
    """(U+FFFE, U+FFFF and C0 controls cannot be stored in XML at all.)"""
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = f"Inter{bad}Agency"
    table.cell(0, 1).text = "Group"
    document.add_paragraph(f"soft{bad}ware")
    path = tmp_path / "chars.docx"
    document.save(path)
    text = ingest_file(path).text
    assert text == "| InterAgency | Group |\n\nsoftware"
