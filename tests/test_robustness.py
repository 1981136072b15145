"""Bad inputs from folders nobody controls: each becomes an error row with a clear kind and message.

Every bad file here is a real file made by the test (hand-built PDFs, real zip archives, real
encrypted PDFs from pypdf, a FIFO, symlink loops). The folder test runs all of them together
with good files and checks the good files come out exactly as in a run without the bad ones.
"""

from __future__ import annotations

import http.server
import io
import os
import random
import shutil
import threading
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import docx
import pandas as pd
import pypdf
import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PIL import Image

from pipeline import run_plan, runner, settings
from pipeline.extraction import EXTRACTION_TABLES
from pipeline.ingest import ingest_file
from pipeline.ingest.docx_reader import read_docx
from pipeline.ingest.errors import IngestError
from pipeline.ingest.pdf_reader import read_pdf
from pipeline.ingest.text_reader import read_text
from pipeline.runner import run_library
from tests.conftest import CORPUS
from tests.fixtures import FONT

TEXT = "Statement by the Director General\n\nGeneva, 12 March 2018\n\nThe IOM will report by June 2019.\n"


# ---------------------------------------------------------------- builders of real bad files


def raw_pdf(
    content: bytes, catalog_extra: bytes = b"", page_extra: bytes = b"", extra: tuple = (), pages: int = 1
) -> bytes:
    """A minimal, valid PDF written by hand: ``pages`` pages sharing one Flate-compressed content stream.

    Objects: 1 catalog, 2 page tree, 3 content, 4 font, 5.. the pages, then ``extra`` objects.
    """
    stream = zlib.compress(content, 9)
    first_extra = 5 + pages
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 3 0 R " + page_extra.replace(b"EXTRA", b"%d" % first_extra) + b">>"
    )
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *([page] * pages),
        *extra,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def text_pdf(text: str = "Geneva, 12 March 2018. The IOM will report by June 2019.") -> bytes:
    return raw_pdf(b"BT /F1 12 Tf 72 700 Td (" + text.encode("latin-1") + b") Tj ET")


def parser_loop_pdf() -> bytes:
    """A few KB on disk, 60 pages of 300,000 glyphs each once inflated: about a minute of parsing."""
    return raw_pdf(b"BT /F1 1 Tf 72 700 Td " + b"(abcdefghij) Tj " * 30_000 + b"ET", pages=60)


def encrypted_pdf(user_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(text_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def zero_page_pdf() -> bytes:
    buf = io.BytesIO()
    pypdf.PdfWriter().write(buf)
    return buf.getvalue()


def scanned_pdf() -> bytes:
    """A page that is only a picture of text, as a scanner makes it."""
    image = Image.new("L", (400, 120), 255)
    for x in range(20, 380, 7):  # strokes that look like print, but are pixels
        for y in range(40, 80):
            image.putpixel((x, y), 0)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=180)
    return bytes(pdf.output())


def truncated_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, TEXT * 20)
    data = bytes(pdf.output())
    return data[: len(data) // 3]


def active_content_pdf(url: str) -> bytes:
    """JavaScript on open and a link to ``url``: neither may ever run or be fetched."""
    js = b"app.launchURL('" + url.encode() + b"/js', true);"
    return raw_pdf(
        b"BT /F1 12 Tf 72 700 Td (Geneva, 12 March 2018. Click for the report.) Tj ET",
        catalog_extra=b"/OpenAction << /S /JavaScript /JS (" + js + b") >> ",
        page_extra=b"/Annots [EXTRA 0 R] ",
        extra=(
            b"<< /Type /Annot /Subtype /Link /Rect [72 690 300 712] /A << /S /URI /URI ("
            + url.encode()
            + b"/uri) >> >>",
        ),
    )


def docx_bytes(text: str = "Before PLACEHOLDER after, Geneva 12 March 2018.") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def docx_with_doctype(doctype: str, reference: str) -> bytes:
    """A real DOCX whose document.xml declares ``doctype`` and uses ``reference`` in its text."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                xml = data.decode("utf-8")
                at = xml.index("?>") + 2
                data = (xml[:at] + doctype + xml[at:]).replace("PLACEHOLDER", reference).encode("utf-8")
            zf.writestr(name, data)
    return out.getvalue()


def billion_laughs_docx() -> bytes:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(9)
    )
    return docx_with_doctype(f"<!DOCTYPE w:document [{entities}]>", "&j;")


def write_zip_bomb(path: Path) -> None:
    """A DOCX whose document.xml inflates to 201 MiB from about 200 KB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b" " * 2**20
            for _ in range(201):
                fh.write(chunk)


def plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a word document")
    return buf.getvalue()


def binary_junk() -> bytes:
    return random.Random(7).randbytes(64 * 1024)


def write_huge_text(path: Path) -> None:
    """100 MiB without using 100 MiB: a sparse file of zero bytes."""
    with open(path, "wb") as fh:
        fh.truncate(100 * 2**20)


# name -> (writer, expected error_kind or None for ok, words the message must contain)
Builder = Callable[[Path], None]


def _bytes(data: bytes | Callable[[], bytes]) -> Builder:
    return lambda path: path.write_bytes(data() if callable(data) else data)


BAD_INPUTS: dict[str, tuple[Builder, str | tuple[str, ...] | None, str]] = {
    "empty.txt": (_bytes(b""), "empty_file", "empty"),
    # PDFium (the fast engine) refuses to open a zero-page file; pdfminer said empty_pdf. Either is specific.
    "zero-pages.pdf": (_bytes(zero_page_pdf), ("empty_pdf", "corrupt_pdf"), "PDF"),
    "random-bytes.pdf": (_bytes(lambda: random.Random(1).randbytes(4096)), "corrupt_pdf", "not a PDF"),
    "truncated.pdf": (_bytes(truncated_pdf), "corrupt_pdf", "PDF"),
    "encrypted-empty-password.pdf": (_bytes(lambda: encrypted_pdf("")), None, ""),
    "encrypted-with-password.pdf": (_bytes(lambda: encrypted_pdf("s3cret")), "encrypted", "password"),
    "scanned.pdf": (_bytes(scanned_pdf), "no_text_layer", "no text layer"),
    "parser-loop.pdf": (_bytes(parser_loop_pdf), "timeout", "limit"),
    "not-a-zip.docx": (_bytes(b"this is not a zip archive at all"), "corrupt_docx", "not a zip"),
    "zip-not-docx.docx": (_bytes(plain_zip), "corrupt_docx", "not a Word document"),
    "zip-bomb.docx": (write_zip_bomb, "too_large", "expand"),
    "billion-laughs.docx": (_bytes(billion_laughs_docx), "corrupt_docx", "XML bomb"),
    "utf16-bom.txt": (_bytes(TEXT.encode("utf-16")), None, ""),
    "utf16le-no-bom.txt": (_bytes(TEXT.encode("utf-16-le")), None, ""),
    "cp1252.txt": (
        _bytes("Côte d’Ivoire – Genève, 12 March 2018\n\nThe IOM will report.\n".encode("cp1252")),
        None,
        "",
    ),
    "junk.txt": (_bytes(binary_junk), "binary_content", "binary"),
    "huge-100MB.txt": (write_huge_text, "too_large", "limit"),
    "Déclaration de Genève – copie finale.txt": (_bytes(TEXT.encode("utf-8")), None, ""),
}


def make(folder: Path, name: str) -> Path:
    path = folder / name
    BAD_INPUTS[name][0](path)
    return path


def _kinds(kind: str | tuple[str, ...]) -> tuple[str, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


@pytest.fixture
def short_time_limit(monkeypatch):
    """A 3 s per-file limit (the parser-loop PDF needs minutes); read by the reader on every call."""
    monkeypatch.setattr(settings, "PER_FILE_TIMEOUT_S", 3.0)


# ---------------------------------------------------------------- one bad input at a time


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_each_bad_input_gets_a_specific_kind_and_a_readable_message(tmp_path, name, short_time_limit):
    _, kind, words = BAD_INPUTS[name]
    started = time.monotonic()
    doc = ingest_file(make(tmp_path, name))
    assert time.monotonic() - started < 60
    if kind is None:
        assert doc.status == "ok", (name, doc.error_kind, doc.error_message)
        assert "12 March 2018" in doc.text
        assert doc.text.isprintable() or "\n" in doc.text
    else:
        assert doc.status == "error" and doc.error_kind in _kinds(kind), (name, doc.error_kind, doc.error_message)
        assert words.lower() in doc.error_message.lower(), doc.error_message
        assert len(doc.error_message) > 15 and "Traceback" not in doc.error_message
        assert doc.doc_id and doc.text == ""


def test_encoded_text_reads_as_the_same_words(tmp_path):
    utf8 = ingest_file(make(tmp_path, "Déclaration de Genève – copie finale.txt")).text
    for name in ("utf16-bom.txt", "utf16le-no-bom.txt"):
        assert ingest_file(make(tmp_path, name)).text == utf8
    doc = ingest_file(make(tmp_path, "cp1252.txt"))
    assert doc.text.startswith("Côte d’Ivoire – Genève")


def test_the_100mb_file_is_refused_without_being_read(tmp_path):
    path = make(tmp_path, "huge-100MB.txt")
    from pipeline.state import RunState

    tracemalloc.start()
    doc = ingest_file(path)
    cached = RunState(tmp_path / "out").cached(path, "v")  # the incremental check must not read it either
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (doc.error_kind, cached) == ("too_large", None)
    assert "100 MiB" in doc.error_message and "UNGOV_MAX_FILE_BYTES" in doc.error_message
    assert peak < 5 * 2**20, f"{peak / 2**20:.1f} MiB allocated for a file that is refused"


def test_a_fifo_named_txt_is_refused_instead_of_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    started = time.monotonic()
    doc = ingest_file(fifo)
    assert time.monotonic() - started < 5
    assert (doc.status, doc.error_kind) == ("error", "unreadable")
    assert "not a regular file" in doc.error_message


def test_symlink_loops_are_not_followed(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "note.txt").write_text(TEXT, encoding="utf-8")
    (folder / "sub" / "back").symlink_to(folder)  # a folder loop
    (folder / "self.txt").symlink_to(folder / "self.txt")  # a file that points at itself
    files = runner.discover_files([folder])
    assert [p.name for p in files] == ["self.txt", "note.txt"]
    doc = ingest_file(folder / "self.txt")
    assert (doc.status, doc.error_kind) == ("error", "unreadable")
    assert "symbolic links" in doc.error_message


def test_a_docx_external_entity_is_neither_read_nor_fetched(tmp_path):
    with _RecordingServer() as server:
        doctype = (
            f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
            f'<!ENTITY net SYSTEM "{server.url}/entity">]>'
        )
        path = tmp_path / "external-entity.docx"
        path.write_bytes(docx_with_doctype(doctype, "&xxe;&net;"))
        doc = ingest_file(path)
        assert server.requests == []
    assert doc.status == "ok" and "root:" not in doc.text and "Before" in doc.text


def test_nothing_in_a_pdf_is_executed_or_fetched(tmp_path):
    with _RecordingServer() as server:
        path = tmp_path / "active-content.pdf"
        path.write_bytes(active_content_pdf(server.url))
        doc = ingest_file(path)
        time.sleep(0.2)
        assert server.requests == []
    assert doc.status == "ok" and "12 March 2018" in doc.text


class _RecordingServer:
    """A local HTTP server that records every request it gets (there must be none)."""

    def __enter__(self) -> _RecordingServer:
        self.requests: list[str] = []
        requests = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                requests.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"root:x:0:0:fetched")

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_the_time_limit_stops_a_parser_and_the_next_file_still_reads(tmp_path, short_time_limit):
    slow, good = tmp_path / "parser-loop.pdf", tmp_path / "good.pdf"
    slow.write_bytes(parser_loop_pdf())
    good.write_bytes(text_pdf())
    started = time.monotonic()
    doc = ingest_file(slow)
    assert time.monotonic() - started < 15
    assert doc.error_kind == "timeout" and "UNGOV_PER_FILE_TIMEOUT_S" in doc.error_message
    assert ingest_file(good).status == "ok"  # a fresh worker replaced the stopped one


# ---------------------------------------------------------------- all of them in one run


def _comparable(out: Path, table: str, doc_ids: set[str]) -> pd.DataFrame:
    frame = pd.read_parquet(out / f"{table}.parquet")
    frame = frame[frame.doc_id.isin(doc_ids)].drop(columns=["processed_at"], errors="ignore")
    return frame.sort_values(list(frame.columns[:3])).reset_index(drop=True)


@pytest.mark.slow
def test_a_folder_of_bad_inputs_next_to_good_files(tmp_path, monkeypatch, short_time_limit, fixture_dir):
    good, mixed = tmp_path / "good", tmp_path / "mixed"
    shutil.copytree(CORPUS, good)
    for suffix in (".pdf", ".docx"):
        shutil.copy(fixture_dir / f"003_b7641967ad86f8a5{suffix}", good / f"fixture{suffix}")
    shutil.copytree(good, mixed)
    for name in BAD_INPUTS:
        make(mixed, name)
    (mixed / os.fsdecode(b"bad-\xff-bytes-in-name.txt")).write_text(TEXT + "bytes\n", encoding="utf-8")
    (mixed / "self-loop.txt").symlink_to(mixed / "self-loop.txt")
    (mixed / "sub").mkdir()
    (mixed / "sub" / "up").symlink_to(mixed)
    os.mkfifo(mixed / "fifo.txt")
    (mixed / "vanishes.txt").write_text(TEXT + "gone\n", encoding="utf-8")
    (mixed / "becomes-a-folder.txt").write_text(TEXT + "folder\n", encoding="utf-8")

    real_discover = runner.discover_files

    def listing_then_changes(paths):
        files = real_discover(paths)
        (mixed / "vanishes.txt").unlink()  # deleted between listing and reading
        (mixed / "becomes-a-folder.txt").unlink()
        (mixed / "becomes-a-folder.txt").mkdir()
        return files

    run_library([good], tmp_path / "out-good")
    monkeypatch.setattr(run_plan, "discover_files", listing_then_changes)  # where a run lists its files
    summary = run_library([mixed], tmp_path / "out-mixed")

    docs = pd.read_parquet(tmp_path / "out-mixed" / "documents.parquet").set_index("file_name")
    expected = {name: kind for name, (_, kind, _) in BAD_INPUTS.items()}
    expected |= {
        "bad-\ufffd-bytes-in-name.txt": None,
        "self-loop.txt": "unreadable",
        "fifo.txt": "unreadable",
        "vanishes.txt": "missing",
        "becomes-a-folder.txt": "unreadable",
    }
    for name, kind in expected.items():
        row = docs.loc[name]
        if kind is None:
            assert row.status == "ok", (name, row.error_kind, row.error_message)
        else:
            assert row.status == "error" and row.error_kind in _kinds(kind), (name, row.error_message)
            assert row.error_message and row.doc_id
    report = "\n".join(f"{n}: {docs.loc[n].error_kind or 'ok'}: {docs.loc[n].error_message or ''}" for n in expected)
    (tmp_path / "bad-inputs-report.txt").write_text(report, encoding="utf-8")
    print(report)
    errors = pd.read_parquet(tmp_path / "out-mixed" / "errors.parquet")
    assert set(errors.error_kind) >= {_kinds(k)[-1] for k in expected.values() if k}
    assert summary["failed"] == sum(1 for k in expected.values() if k)

    good_docs = pd.read_parquet(tmp_path / "out-good" / "documents.parquet")
    ids = set(good_docs.doc_id)
    for name in good_docs.file_name:
        assert docs.loc[name].status == "ok"
    for table in ("mentions", "dates", "meetings", "commitments"):
        pd.testing.assert_frame_equal(
            _comparable(tmp_path / "out-good", table, ids), _comparable(tmp_path / "out-mixed", table, ids)
        )
    csv = (tmp_path / "out-mixed" / "documents.csv").read_text(encoding="utf-8-sig")
    assert "Déclaration de Genève – copie finale.txt" in csv


# ---------------------------------------------------------------- properties


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=3000),
        st.binary(max_size=2000).map(lambda b: b"%PDF-1.4\n" + b),
        st.binary(max_size=2000).map(lambda b: b"PK\x03\x04" + b),
        st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
def test_readers_never_let_an_exception_escape(data):
    for reader in (read_text, read_docx, read_pdf):
        try:
            reader(data)
        except IngestError as exc:
            assert exc.kind and exc.message


@pytest.fixture(scope="module")
def nlp():
    from pipeline.nlp import shared_nlp

    return shared_nlp()


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    payload=st.one_of(
        st.text(max_size=1500),
        st.lists(
            st.sampled_from(
                [
                    "Geneva, 12 March 2018",
                    "The IOM will report to the General Assembly by 30 June 2019.",
                    "Member States decided to hold the conference in Marrakech on 10 and 11 December 2018.",
                    "The Secretary-General is requested to",
                    "\n\n",
                    "- ",
                    "22.",
                    "ﬁ\u00ad\u200b",
                    "(a)",
                    " ",
                    "\r\n",
                    "É",
                ]
            ),
            max_size=40,
        ).map("".join),
        st.binary(max_size=1500),
    ),
    suffix=st.sampled_from([".txt", ".md", ".pdf", ".docx"]),
)
def test_whole_extraction_keeps_offsets_inside_the_text(tmp_path_factory, nlp, payload, suffix):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / f"doc{suffix}"
    path.write_bytes(payload if isinstance(payload, bytes) else payload.encode("utf-8", "surrogatepass"))
    (result,) = runner.process_files([path], {}, folder / "out", nlp=nlp)
    doc = result["document"]
    assert doc["status"] in ("ok", "error") and doc["doc_id"]
    if doc["status"] == "error":
        assert doc["error_kind"] and doc["error_message"]
        return
    text = (folder / "out" / doc["text_path"]).read_text(encoding="utf-8")
    assert doc["n_chars"] == len(text)
    for table in EXTRACTION_TABLES:
        for row in result["rows"][table]:
            if row.get("start_char") is None:
                continue
            assert 0 <= row["start_char"] <= row["end_char"] <= len(text), (table, row)
            if table in ("mentions", "dates"):
                assert text[row["start_char"] : row["end_char"]] == row["text"], (table, row)
    tables = runner.assemble_tables([result])
    from pipeline.tables import to_arrow

    for name, rows in tables.items():
        to_arrow(name, rows)  # every row still honours the contract
