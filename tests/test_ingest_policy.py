"""One character policy for every reader, checked on every real document we have.

No clean text of the 42 UN PDFs, the office files (DOCX and PDF) or the gold-dev documents may
contain a noncharacter, a C0/C1 control other than newline and tab, or a soft hyphen; PDF
line-end hyphens keep real compounds ("Secretary-General") and offsets stay exact.
"""

from __future__ import annotations

import re

import pytest

from pipeline.ingest import ingest_file
from pipeline.ingest.layout import Line, lines_to_blocks, normalize_chars
from tests.conftest import SHARED, UN_PDFS

_BAD = re.compile(
    "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u00ad\\ufdd0-\\ufdef\\ud800-\\udfff"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
    + "]"
)


def _real_files():
    dirs = [UN_PDFS, SHARED / "bench" / "office", SHARED / "gold-dev" / "docs"]
    return sorted(
        p for d in dirs if d.is_dir() for p in d.iterdir() if p.suffix.lower() in (".pdf", ".docx", ".txt", ".md")
    )


@pytest.mark.slow
def test_no_real_document_keeps_a_forbidden_character():
    files = _real_files()
    assert len([p for p in files if p.parent == UN_PDFS]) >= 42
    bad = {}
    for path in files:
        doc = ingest_file(path)
        assert doc.status == "ok", (path.name, doc.error_message)
        found = {f"U+{ord(c):04X}" for c in _BAD.findall(doc.text)}
        if found:
            bad[path.name] = sorted(found)
        for block in doc.blocks:  # offsets stay exact
            assert doc.text[block.start : block.end] == doc.text[block.start : block.end].strip()
    assert not bad, bad


def test_real_un_compounds_keep_their_hyphen():
    doc = ingest_file(UN_PDFS / "A_RES_79_286.pdf")
    assert "Inter-Agency Coordination Group" in doc.text
    assert "Secretary-General" in doc.text
    assert "high-level meeting" in doc.text
    assert "\ufffe" not in doc.text


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("Secretary\ufffeGeneral", "Secretary-General"),
        ("a\uffffb\ufdd0c\U0001fffed\U0010ffffe", "abcde"),
        ("x\u0096y\u0099z\u009fw", "xyzw"),
        ("soft\u00adhyphen", "softhyphen"),
        ("bell\x07 and null\x00", "bell and null"),
        ("keep\ttab\nand newline", "keep tab\nand newline"),
        ("line\u2028sep", "line\nsep"),
    ],
)
def test_normalize_chars_policy(raw, clean):
    assert normalize_chars(raw) == clean


def test_line_end_hyphenation_is_joined_or_kept():
    lines = [
        Line("The Secretary-"),
        Line("General will report on the imple-"),
        Line("mentation of a decision-"),
        Line("making process, on pre- and"),
        Line("post-conflict self-"),
        Line("reliance and on COVID-"),
        Line("19 at its twenty-"),
        Line("ninth session in a compre-"),
        Line("hensive manner."),
    ]
    text, blocks = lines_to_blocks(lines)
    assert text == (
        "The Secretary-General will report on the implementation of a decision-making process, "
        "on pre- and post-conflict self-reliance and on COVID-19 at its twenty-ninth session in a comprehensive manner."
    )
    assert text[blocks[0].start : blocks[0].end] == text


def test_the_documents_own_spelling_decides_a_hyphen():
    lines = [
        Line("The work-"),
        Line("plan is adopted; the workplan is published and"),
        Line("the co-"),
        Line("chairs met the co-chairs of the group."),
    ]
    text, _ = lines_to_blocks(lines)
    assert "The workplan is adopted" in text and "the co-chairs met" in text
