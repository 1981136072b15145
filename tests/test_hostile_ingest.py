"""Issue 17 items 5, 10, 11, 12: inputs that blocked a run, were silently lost, or were misread.

Real files on disk, the real readers and the real spaCy pipeline; no wall-clock assertions: work
is counted (characters handed to the layout's regular expressions) instead of timed.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import time
from pathlib import Path

import pypdf
import pytest
from fpdf import FPDF
from spacy.language import Language

from pipeline import settings
from pipeline.extraction import extract_documents
from pipeline.ingest import file_bytes, ingest_file
from pipeline.ingest import layout as layout_module
from pipeline.ingest.layout import lines_to_blocks
from pipeline.ingest.text_reader import read_text
from pipeline.nlp import shared_nlp
from pipeline.runner import run_library
from tests.fixtures import FONT

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SEEDS = sorted(CORPUS.glob("*.txt"))[:3]
DEADLINE_9999 = (
    "Note by the Secretariat\n\nNew York, 3 March 2025\n\n"
    "The Committee shall submit its report by 31 December 9999. The Secretariat will report by 30 June 2026.\n"
)


# ---------------------------------------------------------------- item 5: layout is linear


class _CountingPattern:
    """A compiled pattern that adds the length of every string it is asked to scan to ``seen``."""

    def __init__(self, pattern: re.Pattern[str], seen: list[int]) -> None:
        self._pattern, self._seen = pattern, seen

    def __getattr__(self, name: str):
        method = getattr(self._pattern, name)
        if not callable(method):
            return method

        def counted(*args, **kwargs):
            text = next((a for a in args if isinstance(a, str)), "")
            self._seen.append(len(text))
            return method(*args, **kwargs)

        return counted


class _CountingRe:
    """The ``re`` module as the layout sees it, counting what its module-level functions scan."""

    def __init__(self, seen: list[int]) -> None:
        self._seen = seen

    def __getattr__(self, name: str):
        attr = getattr(re, name)
        if name not in ("search", "match", "sub", "findall", "finditer", "fullmatch"):
            return attr

        def counted(pattern, text, *args, **kwargs):
            self._seen.append(len(text))
            return attr(pattern, text, *args, **kwargs)

        return counted


def _regex_work(monkeypatch, n_lines: int) -> tuple[int, int]:
    """(characters scanned by the layout's regexes, characters of input) for ``n_lines`` wrapped lines."""
    seen: list[int] = []
    for name, value in vars(layout_module).items():
        if isinstance(value, re.Pattern):
            monkeypatch.setattr(layout_module, name, _CountingPattern(value, seen))
    monkeypatch.setattr(layout_module, "re", _CountingRe(seen))
    data = "".join(f"the member states agree on point {i} and\n" for i in range(n_lines)).encode()
    text, blocks = lines_to_blocks(read_text(data))
    assert len(blocks) == 1 and text.startswith("the member states agree on point 0 and the member states")
    return sum(seen), len(data)


def test_layout_work_grows_linearly_with_continuation_lines(monkeypatch):
    work, size = _regex_work(monkeypatch, 3_000)
    # The old layout rescanned the whole paragraph for every joined line: about size**2 / 2.
    assert work < 20 * size


def test_a_40000_line_file_is_one_document(tmp_path):
    path = tmp_path / "many-lines.txt"
    path.write_text("the member states agree\n" * 40_000, encoding="utf-8")
    doc = ingest_file(path)
    assert doc.status == "ok" and len(doc.blocks) == 1
    assert doc.text.count("the member states agree") == 40_000


# ---------------------------------------------------------------- item 5: one time budget per document


def test_reading_time_counts_against_the_budget_and_only_that_document_fails(monkeypatch):
    """A document whose reading used up the whole budget is a timeout; the others are extracted."""
    monkeypatch.setattr(settings, "PER_FILE_TIMEOUT_S", 30.0)
    docs = [ingest_file(p) for p in SEEDS]
    docs[1].seconds_spent = 31.0  # as if reading and layout had taken 31 s
    failed: list[tuple[str, str]] = []
    got = extract_documents(shared_nlp(), docs, on_error=lambda d, m: failed.append((d.doc_id, m)))
    assert [e.doc_id for e in got] == [docs[0].doc_id, docs[2].doc_id]
    assert all(e.rows["dates"] for e in got)
    assert len(failed) == 1 and failed[0][0] == docs[1].doc_id
    assert docs[1].status == "error" and docs[1].error_kind == "timeout"
    assert "UNGOV_PER_FILE_TIMEOUT_S" in failed[0][1]


@Language.component("hostile_slow_component")
def _slow_component(doc):
    """A component that takes 4 s on any document that mentions Geneva (a slow rule on a hostile text)."""
    if "Geneva" in doc.text:
        for _ in range(80):
            time.sleep(0.05)
    return doc


def test_a_slow_component_call_is_stopped_by_the_budget(monkeypatch):
    monkeypatch.setattr(settings, "PER_FILE_TIMEOUT_S", 1.0)
    from pipeline.nlp import build_nlp

    nlp = build_nlp()
    nlp.add_pipe("hostile_slow_component", last=True)
    doc = ingest_file(SEEDS[0])
    doc.text = doc.text + "\n\nMeeting in Geneva."
    failed: list[tuple[str, str]] = []
    got = extract_documents(nlp, [doc], on_error=lambda d, m: failed.append((d.doc_id, m)))
    assert got == [] and doc.error_kind == "timeout"


@pytest.mark.slow
def test_hostile_files_beside_good_ones_leave_the_good_rows_unchanged(tmp_path, monkeypatch):
    """Three good documents alone, then beside a 14 MB file of repeated lines, UTF-8 with a bad byte,
    a deadline in year 9999 and a PDF of unmapped glyphs: the good documents' rows are the same, the
    big file is a row of its own (ok, or a timeout error), the others are what items 11 and 12 ask."""
    monkeypatch.setenv("UNGOV_N_PROCESS", "1")
    monkeypatch.setattr(settings, "PER_FILE_TIMEOUT_S", 20.0)
    good, hostile = tmp_path / "good", tmp_path / "hostile"
    for folder in (good, hostile):
        folder.mkdir()
        for p in SEEDS:
            shutil.copy(p, folder / p.name)
    (hostile / "repeated.txt").write_text("the member states agree\n" * 600_000, encoding="utf-8")
    (hostile / "bad-byte.txt").write_bytes(("Note\n\nCafé in Genève on 12 May 2025. " * 3).encode() + b"\xff.\n")
    (hostile / "deadline-9999.txt").write_text(DEADLINE_9999, encoding="utf-8")
    (hostile / "cid.pdf").write_bytes(cid_font_pdf())
    run_library([good], tmp_path / "out-good", review_dir=tmp_path / "review-good")
    summary = run_library([hostile], tmp_path / "out", review_dir=tmp_path / "review")
    out = tmp_path / "out"
    docs = {r["file_name"]: r for r in _csv(out / "documents.csv")}
    seed_ids = {docs[p.name]["doc_id"] for p in SEEDS}
    assert all(docs[p.name]["status"] == "ok" for p in SEEDS)
    for table in ("dates", "mentions", "meetings", "commitments"):
        alone = [r for r in _csv(tmp_path / "out-good" / f"{table}.csv")]
        beside = [r for r in _csv(out / f"{table}.csv") if r["doc_id"] in seed_ids]
        assert _without_times(beside) == _without_times(alone), table
    errors = _csv(out / "errors.csv")
    big = docs["repeated.txt"]
    assert big["status"] == "ok" or big["error_kind"] == "timeout"
    assert docs["bad-byte.txt"]["status"] == "ok"
    assert [e["error_kind"] for e in errors if e["source_path"].endswith("bad-byte.txt")] == ["invalid_utf8"]
    assert docs["cid.pdf"]["error_kind"] == "no_text_layer"
    nines = docs["deadline-9999.txt"]["doc_id"]
    assert all(r["start"] != "2025-12-31" for r in _csv(out / "dates.csv") if r["doc_id"] == nines)
    assert summary["failed"] == sum(d["status"] == "error" for d in docs.values())


def _without_times(rows: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in r.items() if k not in ("processed_at", "at")} for r in rows), key=repr)


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# ---------------------------------------------------------------- item 10: one block over spaCy's max length


@pytest.mark.slow
def test_one_block_over_spacy_max_length_is_extracted_in_pieces(tmp_path):
    sentence = "The Committee met in Geneva on 12 May 2025 and agreed on the report. "
    n = 1_000_000 // len(sentence) + 200
    path = tmp_path / "one-block.txt"
    path.write_text(sentence * n, encoding="utf-8")  # one line: one block of about 1,014,000 characters
    doc = ingest_file(path)
    assert doc.status == "ok" and len(doc.blocks) == 1 and len(doc.text) > 1_000_000
    failed: list[tuple[str, str]] = []
    (ext,) = extract_documents(shared_nlp(), [doc], on_error=lambda d, m: failed.append((d.doc_id, m)))
    assert failed == [] and doc.status == "ok"
    dates = ext.rows["dates"]
    assert len(dates) >= n * 0.99  # every sentence's date, not zero rows
    last = max(dates, key=lambda r: r["start_char"])
    assert last["start_char"] > 1_000_000 and doc.text[last["start_char"] : last["end_char"]] == last["text"]


# ---------------------------------------------------------------- item 11: UTF-8 with a few invalid bytes


@Language.component("hostile_boom_component")
def _boom_component(doc):
    raise ValueError("boom")


def test_a_document_whose_extraction_fails_is_a_failed_document():
    """Zero rows and status ok was a silent loss: a failed extraction fails the document (--strict counts it)."""
    from pipeline.nlp import build_nlp

    nlp = build_nlp()
    nlp.add_pipe("hostile_boom_component", last=True)
    doc = ingest_file(SEEDS[0])
    failed: list[tuple[str, str]] = []
    assert extract_documents(nlp, [doc], on_error=lambda d, m: failed.append((d.doc_id, m))) == []
    assert failed == [(doc.doc_id, "ValueError: boom")]
    assert (doc.status, doc.error_kind) == ("error", "extractor_error")


def test_utf8_with_an_invalid_byte_stays_utf8_with_a_warning_row(tmp_path):
    text = "Note by the Secretariat\n\nCafé in Genève. مرحبا بكم في جنيف. The Committee met on 12 May 2025.\n"
    data = text.encode("utf-8").replace(b"Committee", b"Comm\xffittee")
    path = tmp_path / "one-bad-byte.txt"
    path.write_bytes(data)
    doc = ingest_file(path)
    assert doc.status == "ok"
    assert "Café in Genève" in doc.text and "مرحبا بكم في جنيف" in doc.text and "Comm\ufffdittee" in doc.text
    assert [kind for kind, _ in doc.warnings] == ["invalid_utf8"]


@pytest.mark.parametrize(
    "encoding,text",
    [
        ("cp1252", "Déclaration de Genève – réunion du Comité, 12 mai 2025.\n"),
        ("latin-1", "Déclaration de Genève, réunion du Comité, 12 mai 2025.\n"),
        ("utf-16", "Déclaration de Genève – مرحبا – 12 May 2025.\n"),
    ],
)
def test_genuine_code_pages_still_decode_right_without_a_warning(tmp_path, encoding, text):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes((text * 5).encode(encoding))
    doc = ingest_file(path)
    assert doc.status == "ok" and text.strip() in doc.text and doc.warnings == []


# ---------------------------------------------------------------- item 12: years, text layers, torn files


def test_a_year_outside_the_range_is_never_replaced_by_the_documents_year(tmp_path):
    path = tmp_path / "deadline-9999.txt"
    path.write_text(DEADLINE_9999, encoding="utf-8")
    doc = ingest_file(path)
    (ext,) = extract_documents(shared_nlp(), [doc])
    values = {(r["text"], r["start"]) for r in ext.rows["dates"]}
    assert ("30 June 2026", "2026-06-30") in values  # the in-range deadline is still read
    assert all(start != "2025-12-31" for _, start in values)
    deadlines = {c["deadline"] for c in ext.rows["commitments"]}
    assert "2025-12-31" not in deadlines


def cid_font_pdf() -> bytes:
    """Real text in an embedded TrueType (CID) font whose ToUnicode map was removed: the glyphs show,
    but the text layer holds glyph numbers only."""
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "The Secretary-General will convene a meeting in Geneva on 12 May 2025. " * 20)
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(bytes(pdf.output()))))
    for page in writer.pages:
        for font in page["/Resources"]["/Font"].values():
            font.get_object().pop("/ToUnicode", None)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_a_text_layer_of_unmapped_glyphs_is_no_text_layer(tmp_path):
    path = tmp_path / "cid-no-tounicode.pdf"
    path.write_bytes(cid_font_pdf())
    doc = ingest_file(path)
    assert doc.status == "error" and doc.error_kind == "no_text_layer"
    assert "unmapped glyphs" in doc.error_message


def test_private_use_text_layer_is_no_text_layer_but_a_few_symbols_are_fine():
    from pipeline.ingest.errors import IngestError
    from pipeline.ingest.text_layer import check_text_layer

    with pytest.raises(IngestError) as err:
        check_text_layer(["\ue001\ue002\ue003 \ue004\ue005", "(cid:12)(cid:13)(cid:14) ab"])
    assert err.value.kind == "no_text_layer"
    check_text_layer(["\uf0b7 The Committee met in Geneva on 12 May 2025."])  # a Wingdings bullet


def _rewrite_during_first_reads(monkeypatch, path: Path, times: int) -> None:
    """Append to ``path`` right after each of its first ``times`` reads, as a copy in progress would."""
    real = file_bytes._read_once
    calls = {"n": 0}

    def reading(p):
        result = real(p)
        calls["n"] += 1
        if calls["n"] <= times:
            with open(p, "ab") as fh:
                fh.write(b" More text was still being copied.")
        return result

    monkeypatch.setattr(file_bytes, "_read_once", reading)


def test_a_file_rewritten_while_read_is_read_again(tmp_path, monkeypatch):
    path = tmp_path / "copy-in-progress.txt"
    path.write_text(DEADLINE_9999, encoding="utf-8")
    _rewrite_during_first_reads(monkeypatch, path, times=1)
    doc = ingest_file(path)
    assert doc.status == "ok" and doc.text.endswith("More text was still being copied.")


def test_a_file_that_keeps_changing_is_reported(tmp_path, monkeypatch):
    path = tmp_path / "still-writing.txt"
    path.write_text(DEADLINE_9999, encoding="utf-8")
    _rewrite_during_first_reads(monkeypatch, path, times=2)
    doc = ingest_file(path)
    assert doc.status == "error" and doc.error_kind == "changed_while_reading"
