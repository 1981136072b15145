"""Ruled PDF tables reach the extractors as rows with their header, like Word and Markdown tables.

The PDFs are written here with fpdf2's table layout (ruled cells, a header row, cells that wrap
onto several lines) the way a secretariat exports minutes from a word processor.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from fpdf import FPDF

from pipeline.extract.commitments import find_commitments
from pipeline.ingest import ingest_file
from pipeline.ingest.pdf_reader import read_pdf
from pipeline.nlp import shared_nlp

ACTIONS = [
    ("Action", "Owner", "Due"),
    (
        "Share the mapping of pilot countries with all members of the group",
        "International Organization for Migration",
        "30 June 2024",
    ),
    ("Draft the terms of reference", "Secretariat", "31 July 2024"),
    (
        "Circulate the revised workplan",
        "Office of the United Nations High Commissioner for Refugees",
        "15 September 2024",
    ),
]


@pytest.fixture(scope="module")
def nlp() -> spacy.Language:
    return shared_nlp()


def _minutes_pdf(path: Path, rows=ACTIONS, borders: str = "ALL", rule_only_page: bool = False) -> Path:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    if rule_only_page:  # a page whose only drawing is a rule under the heading: no table finder
        pdf.add_page()
        pdf.multi_cell(0, 6, "Annex\n\nThe group met on 14 May 2024 and reviewed its workplan.")
        pdf.line(10, 40, 200, 40)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Minutes of the Coordination Group, 14 May 2024\n\nThe group agreed on the following actions.")
    pdf.ln(4)
    with pdf.table(borders_layout=borders, col_widths=(60, 70, 40), first_row_as_headings=True) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(4)
    pdf.multi_cell(0, 6, "The next meeting will be held in Geneva.")
    pdf.output(str(path))
    return path


def _pipe_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def test_ruled_table_is_one_pipe_row_per_row_with_the_header_first(tmp_path: Path) -> None:
    doc = ingest_file(_minutes_pdf(tmp_path / "minutes.pdf"))
    assert doc.status == "ok"
    rows = _pipe_rows(doc.text)
    assert rows == [
        "| Action | Owner | Due |",
        "| Share the mapping of pilot countries with all members of the group | "
        "International Organization for Migration | 30 June 2024 |",
        "| Draft the terms of reference | Secretariat | 31 July 2024 |",
        "| Circulate the revised workplan | Office of the United Nations High Commissioner for Refugees | "
        "15 September 2024 |",
    ]
    # the text around the table is still there, once, and no cell text is left outside the rows
    assert doc.text.count("The group agreed on the following actions.") == 1
    assert "The next meeting will be held in Geneva." in doc.text
    assert doc.text.count("Draft the terms of reference") == 1


def test_pdf_table_rows_are_action_points_with_owner_and_due_date(tmp_path: Path, nlp: spacy.Language) -> None:
    doc = ingest_file(_minutes_pdf(tmp_path / "minutes.pdf"))
    records = find_commitments(doc.text, doc.metadata.doc_date, nlp, doc_type="meeting_summary")
    points = [r for r in records if r["kind"] == "action_point" and r["evidence"].startswith("|")]
    assert [p["actor"] for p in points] == [
        "International Organization for Migration",
        "Secretariat",
        "Office of the United Nations High Commissioner for Refugees",
    ]
    assert [p["deadline"] for p in points] == ["2024-06-30", "2024-07-31", "2024-09-15"]
    assert points[1]["action"] == "Draft the terms of reference"


def test_both_pdf_engines_read_the_same_rows(tmp_path: Path) -> None:
    data = _minutes_pdf(tmp_path / "minutes.pdf", rule_only_page=True).read_bytes()
    fast, pages = read_pdf(data)
    reference, _ = read_pdf(data, engine="pdfplumber")
    assert pages == 2
    assert _pipe_rows("\n".join(ln.text for ln in fast)) == _pipe_rows("\n".join(ln.text for ln in reference))
    assert len(_pipe_rows("\n".join(ln.text for ln in fast))) == 4


def test_a_table_without_rules_and_a_lone_rule_stay_plain_lines(tmp_path: Path) -> None:
    """Borderless tables are not guessed at (a text-alignment finder splits words between cells),
    and a rule under a heading is not a table."""
    doc = ingest_file(_minutes_pdf(tmp_path / "plain.pdf", borders="NONE", rule_only_page=True))
    assert doc.status == "ok"
    assert _pipe_rows(doc.text) == []
    assert "Draft the terms of reference" in doc.text
    assert "The group met on 14 May 2024 and reviewed its workplan." in doc.text


def test_a_ruled_box_around_one_paragraph_is_not_a_table(tmp_path: Path) -> None:
    rows = [("A note framed in a box, as secretariats do for a summary of the discussion.",)]
    doc = ingest_file(_minutes_pdf(tmp_path / "framed.pdf", rows=rows))
    assert _pipe_rows(doc.text) == []
    assert "A note framed in a box" in doc.text
