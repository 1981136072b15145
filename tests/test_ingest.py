"""Readers, cleaning, structure and metadata on real files (no Prefect)."""

from __future__ import annotations

import json
import re

import pytest
from rapidfuzz import fuzz

from pipeline.ingest import ingest_file
from pipeline.ingest.layout import Line, lines_to_blocks
from tests.conftest import GOLD, UN_PDFS


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_seed_metadata_matches_gold(seed_files):
    for path in seed_files:
        gold = json.loads((GOLD / f"{path.name}.gold.json").read_text(encoding="utf-8"))
        meta = ingest_file(path).metadata
        assert meta.doc_type == gold["doc_type"], path.name
        assert meta.doc_date == gold["doc_date"], path.name
        assert (meta.location or None) == gold["location"], path.name
        assert fuzz.token_set_ratio(meta.title or "", gold["title"]) >= 85, (meta.title, gold["title"])


def test_clean_text_has_no_markdown_and_offsets_hold(seed_files):
    for path in seed_files:
        doc = ingest_file(path)
        assert doc.status == "ok"
        assert "**" not in doc.text and "\r" not in doc.text
        assert doc.doc_id == doc.sha256[:16]
        for block in doc.blocks:
            piece = doc.text[block.start : block.end]
            assert piece == piece.strip() and piece
        # blocks tile the text: only blank-line separators between them
        rebuilt = "\n\n".join(doc.text[b.start : b.end] for b in doc.blocks)
        assert rebuilt == doc.text


def test_structure_of_a_note_with_numbered_paragraphs(seed_files):
    doc = ingest_file(next(p for p in seed_files if p.name.startswith("004")))
    numbered = [b.number for b in doc.blocks if b.kind == "numbered_paragraph"]
    assert numbered[:3] == ["1.", "2.", "22."]
    assert any(b.kind == "list_item" and b.number == "(a)" for b in doc.blocks)
    # hard-wrapped lines inside a paragraph are joined into one line
    first = doc.block_text(doc.blocks[0])
    assert "\n" not in first and "in response to draft General Assembly resolution A/71/L.58" in first


def test_action_points_and_bullets_become_list_items(seed_files):
    doc = ingest_file(next(p for p in seed_files if p.name.startswith("003")))
    items = [doc.block_text(b) for b in doc.blocks if b.kind == "list_item"]
    assert any(t.startswith("Final revisions to UN system common pledge") for t in items)
    assert "Action Points:" in doc.text


@pytest.mark.parametrize(
    "encoding,data",
    [
        ("utf-8-sig", "Geneva, 10 May 2019 – Türkiye’s statement".encode("utf-8-sig")),
        ("utf-16", "Geneva, 10 May 2019 – Türkiye’s statement".encode("utf-16")),
        ("cp1252", "Geneva, 10 May 2019 – Côte d’Ivoire’s statement on migration and development".encode("cp1252")),
    ],
)
def test_text_encodings_are_detected(tmp_path, encoding, data):
    path = tmp_path / f"doc-{encoding}.txt"
    path.write_bytes(data)
    doc = ingest_file(path)
    assert doc.status == "ok", doc.error_message
    assert "10 May 2019 –" in doc.text and "’s statement" in doc.text
    assert doc.metadata.doc_date == "2019-05-10"


def test_hyphenated_words_are_rejoined_and_wrapped_lines_joined():
    lines = [
        Line("The Secretary-General is requested to present a compre-"),
        Line("hensive report on the implementation of the global compact to"),
        Line("the General Assembly."),
        Line(""),
        Line("- A list item"),
        Line("- Another one"),
    ]
    text, blocks = lines_to_blocks(lines)
    assert "comprehensive report" in text
    assert "Secretary-General" in text
    assert [b.kind for b in blocks] == ["paragraph", "list_item", "list_item"]
    assert text[blocks[1].start : blocks[1].end] == "A list item"


def test_pdf_and_docx_versions_match_the_text_version(seed_files, fixture_dir):
    for path in seed_files:
        txt = _squash(ingest_file(path).text)
        for suffix in (".pdf", ".docx"):
            other = ingest_file(fixture_dir / f"{path.stem}{suffix}")
            assert other.status == "ok", (other.file_name, other.error_message)
            assert other.file_type == suffix[1:]
            got = _squash(other.text)
            assert fuzz.ratio(txt, got) >= 97, (other.file_name, fuzz.ratio(txt, got))
            assert "17-01234 (E)" not in other.text and "Running head of the fixture" not in other.text
            gold = json.loads((GOLD / f"{path.name}.gold.json").read_text(encoding="utf-8"))
            assert other.metadata.doc_date == gold["doc_date"]
            assert other.metadata.doc_type == gold["doc_type"]


@pytest.mark.parametrize("name", ["A_RES_79_286.pdf", "A_C.3_80_L.20.pdf", "A_RES_78_1.pdf"])
def test_real_un_pdfs_lose_their_page_furniture(name):
    doc = ingest_file(UN_PDFS / name)
    assert doc.status == "ok", doc.error_message
    assert doc.n_pages and doc.n_pages >= 1
    assert not re.search(r"\b\d{2}-\d{5} \(E\)", doc.text), "job number left in text"
    assert not re.search(r"\*\d{7}\*", doc.text), "barcode left in text"
    assert not re.search(r"^\d+/\d+$", doc.text, re.MULTILINE), "page number left in text"
    numbered = [b for b in doc.blocks if b.kind == "numbered_paragraph"]
    assert len(numbered) >= 3
    for block in numbered[:5]:
        assert doc.text[block.start : block.end].startswith(block.number)


def test_resolution_metadata_from_a_real_pdf():
    doc = ingest_file(UN_PDFS / "A_RES_79_286.pdf")
    assert doc.metadata.doc_type == "resolution"
    assert doc.metadata.doc_date == "2025-04-29"  # adopted on 29 April 2025 (distributed 2 May)
    assert doc.metadata.title and doc.metadata.title.startswith("Modalities, format and organization")
    # a paragraph broken by a page end is one block again
    assert "from within existing resources, on a four-year basis" in doc.text


@pytest.mark.parametrize(
    "name,data,kind",
    [
        ("empty.txt", b"", "empty_file"),
        ("blank.txt", b"   \n\n  ", "empty_file"),
        ("random.pdf", bytes(range(256)) * 8, "corrupt_pdf"),
        ("truncated.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "corrupt_pdf"),
        ("notzip.docx", b"this is not a zip archive at all", "corrupt_docx"),
        ("binary.txt", bytes(range(32)) * 200, "binary_content"),
        ("slides.pptx", b"whatever", "unsupported_type"),
    ],
)
def test_bad_files_become_error_documents(tmp_path, name, data, kind):
    path = tmp_path / name
    path.write_bytes(data)
    doc = ingest_file(path)
    assert doc.status == "error"
    assert doc.error_kind == kind
    assert doc.error_message and len(doc.error_message) > 10


def test_zip_that_is_not_a_docx(tmp_path):
    import zipfile

    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "not word")
    doc = ingest_file(path)
    assert (doc.status, doc.error_kind) == ("error", "corrupt_docx")


def test_manifest_overrides_metadata(tmp_path):
    (tmp_path / "USA_78_2023.txt").write_text(
        "Mr. President,\n\nWe will work with all Member States.\n", encoding="utf-8"
    )
    (tmp_path / "manifest.csv").write_text(
        "file,doc_date,title,doc_type,speaker_or_author,location\nUSA_78_2023.txt,2023-09-19,,speech,,New York\n",
        encoding="utf-8",
    )
    from pipeline.runner import manifests_for

    doc = ingest_file(tmp_path / "USA_78_2023.txt", manifests_for([tmp_path]))
    assert doc.metadata.doc_date == "2023-09-19"
    assert doc.metadata.location == "New York"
    assert doc.metadata.doc_type == "speech"


def test_pdf_line_end_hyphen_mark_and_noncharacters_are_mapped():
    from pipeline.ingest.layout import normalize_chars

    assert normalize_chars("the Secretary\ufffeGeneral and the Inter\ufffeAgency Group") == (
        "the Secretary-General and the Inter-Agency Group"
    )
    assert normalize_chars("a\uffffb\ufdd0c\u0096d\u00ade") == "abcde"
