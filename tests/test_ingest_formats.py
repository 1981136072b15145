"""Markdown, AsciiDoc and HTML files the tests write: their blocks, their tables as pipe rows that the
minutes grammar reads as action points, their stated metadata, and bad input as error rows."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pipeline import runner
from pipeline.extract.commitments import find_commitments
from pipeline.ingest import ingest_file
from pipeline.ingest.asciidoc_reader import read_asciidoc
from pipeline.ingest.errors import IngestError
from pipeline.ingest.html_reader import read_html
from pipeline.ingest.markdown_reader import read_markdown
from pipeline.ingest.reader import discover_files
from pipeline.nlp import shared_nlp


@pytest.fixture(scope="module")
def nlp() -> spacy.Language:
    return shared_nlp()


MARKDOWN_MINUTES = """\
---
title: Coordination Group, 12th meeting
date: 2024-05-14
---
# Minutes of the **Coordination Group**, 14 May 2024

Participants: representatives of the [International Organization for Migration](https://www.iom.int),
the Office of the United Nations High Commissioner for Refugees and the Secretariat.

## Discussion

- The group *reviewed* the workplan
  for the second half of the year.
- Members asked for a shorter `template`.

1. Opening of the meeting
2. Adoption of the agenda

## Action items

| Action | Owner | Due |
|--------|-------|-----|
| Share the mapping of pilot countries | International Organization for Migration | 30 June 2024 |
| Draft the terms of reference \\| annex | Secretariat | 31 July 2024 |
| Circulate the revised workplan | Office of the United Nations High Commissioner for Refugees | 15 September 2024 |

```
chat log kept as text
```
"""

ASCIIDOC_MINUTES = """\
= Minutes of the Coordination Group
Ana Silva <ana.silva@example.org>
v1.2, 14 May 2024
:revdate: 14 May 2024
:toc:
// drafting note: not for circulation

== Discussion

The group _reviewed_ the workplan for the second half of the year
and asked for a shorter *template*.

* Opening of the meeting
* Adoption of the agenda
** nested point

.Action items
[options="header"]
|===
|Action |Owner |Due
|Share the mapping of pilot countries
|International Organization for Migration
|30 June 2024
|Draft the terms of reference |Secretariat |31 July 2024
|===

----
literal block kept as text
----
"""

SPEECH_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Statement by the Secretary-General at the International Migration Review Forum | United Nations</title>
<meta name="author" content="Ant\u00f3nio Guterres">
<meta property="article:published_time" content="2022-05-17">
<meta name="description" content="Remarks at the opening of the International Migration Review Forum">
<script>window.analytics = {track: function () {}};</script>
<style>body { font-family: sans-serif; }</style>
</head>
<body>
<header>
  <div class="logo">United Nations - Peace, dignity and equality on a healthy planet</div>
  <nav><ul><li><a href="/">Home</a></li><li><a href="/news">News and media</a></li>
  <li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li></ul></nav>
  <form class="search"><input type="text" placeholder="Search the United Nations"></form>
</header>
<main>
<article>
<h1>Statement by the Secretary-General at the International Migration Review Forum</h1>
<p>Mr. President of the General Assembly, Excellencies, ladies and gentlemen, I thank you for convening
this first International Migration Review Forum four years after the adoption of the Global Compact.</p>
<p>Migration is a powerful driver of economic growth, dynamism and understanding. It allows millions of
people to seek new opportunities, benefiting communities of origin, transit and destination.</p>
<p>The United Nations Network on Migration will report to Member States on progress by December 2023,
and I call on all States to expand regular pathways for migration.</p>
<table>
<tr><th>Action</th><th>Owner</th><th>Due</th></tr>
<tr><td>Publish the progress report</td><td>United Nations Network on Migration</td><td>31 December 2023</td></tr>
<tr><td>Convene the regional reviews</td><td>International Organization for Migration</td><td>30 June 2024</td></tr>
</table>
<p>Thank you.</p>
</article>
</main>
<footer>
  <p>Copyright United Nations 2022. All rights reserved.</p>
  <ul><li><a href="/terms">Terms of use</a></li><li><a href="/privacy">Privacy notice</a></li></ul>
  <p>Follow us on social media</p>
</footer>
</body>
</html>
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _action_points(doc, nlp) -> list[dict]:
    records = find_commitments(doc.text, doc.metadata.doc_date, nlp, doc_type="meeting_summary")
    return [r for r in records if r["kind"] == "action_point" and r["evidence"].startswith("|")]


def _lines(doc) -> list[str]:
    return [doc.block_text(b) for b in doc.blocks]


# --- Markdown -------------------------------------------------------------------------------------


def test_markdown_blocks_lists_and_inline_markup(tmp_path: Path) -> None:
    doc = ingest_file(_write(tmp_path, "minutes.md", MARKDOWN_MINUTES))
    assert doc.status == "ok" and doc.file_type == "md"
    kinds = {doc.block_text(b): b.kind for b in doc.blocks}
    assert kinds["Minutes of the Coordination Group, 14 May 2024"] == "heading"
    assert kinds["Action items"] == "heading"
    # list items are their own blocks, wrapped lines joined, markup reduced to words
    assert kinds["The group reviewed the workplan for the second half of the year."] == "list_item"
    assert kinds["Members asked for a shorter template."] == "list_item"
    assert kinds["1. Opening of the meeting"] == "numbered_paragraph"
    # a link is its words; the paragraph's wrapped lines are one block
    assert any(
        t.startswith("Participants: representatives of the International Organization for Migration, the")
        for t in kinds
    )
    assert "chat log kept as text" in kinds  # code blocks are kept as text
    for markup in ("**", "](", "```", "---", "title:", "|---"):
        assert markup not in doc.text, markup
    # front matter: metadata, not text
    assert doc.metadata.title == "Coordination Group, 12th meeting"
    assert doc.metadata.doc_date == "2024-05-14"


def test_markdown_pipe_table_rows_are_action_points(tmp_path: Path, nlp: spacy.Language) -> None:
    doc = ingest_file(_write(tmp_path, "minutes.md", MARKDOWN_MINUTES))
    rows = [t for t in _lines(doc) if t.startswith("|")]
    assert rows[0] == "| Action | Owner | Due |"
    assert rows[2] == "| Draft the terms of reference / annex | Secretariat | 31 July 2024 |"  # an escaped pipe
    assert all(r.count("|") == 4 for r in rows)
    points = _action_points(doc, nlp)
    assert [p["actor"] for p in points] == [
        "International Organization for Migration",
        "Secretariat",
        "Office of the United Nations High Commissioner for Refugees",
    ]
    assert [p["deadline"] for p in points] == ["2024-06-30", "2024-07-31", "2024-09-15"]
    assert points[0]["action"] == "Share the mapping of pilot countries"


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("minutes.md", MARKDOWN_MINUTES, ("Secretariat", "2024-07-31")),
        ("minutes.adoc", ASCIIDOC_MINUTES, ("Secretariat", "2024-07-31")),
        ("speech.html", SPEECH_PAGE, ("United Nations Network on Migration", "2023-12-31")),
    ],
)
def test_markup_files_through_the_whole_run(tmp_path: Path, nlp: spacy.Language, name, text, expected) -> None:
    path = _write(tmp_path, name, text)
    (result,) = runner.process_files([path], {}, tmp_path / "out", nlp=nlp)
    assert result["document"]["status"] == "ok"
    text = (tmp_path / "out" / result["document"]["text_path"]).read_text(encoding="utf-8")
    table = [r for r in result["rows"]["commitments"] if r["kind"] == "action_point" and r["evidence"].startswith("|")]
    assert expected in {(r["actor"], r["deadline"]) for r in table}
    for r in table:
        assert text[r["start_char"] : r["end_char"]].startswith("| ")
    from pipeline.tables import to_arrow

    for table_name, rows in runner.assemble_tables([result]).items():
        to_arrow(table_name, rows)  # the rows honour the table contract


# --- AsciiDoc -------------------------------------------------------------------------------------


def test_asciidoc_blocks_comments_and_attributes(tmp_path: Path) -> None:
    doc = ingest_file(_write(tmp_path, "minutes.adoc", ASCIIDOC_MINUTES))
    assert doc.status == "ok" and doc.file_type == "adoc"
    kinds = {doc.block_text(b): b.kind for b in doc.blocks}
    assert kinds["Minutes of the Coordination Group"] == "heading"
    assert kinds["Discussion"] == "heading"
    assert kinds["Action items"] == "heading"  # a block title
    assert kinds["Opening of the meeting"] == "list_item" and kinds["nested point"] == "list_item"
    assert "The group reviewed the workplan for the second half of the year and asked for a shorter template." in kinds
    assert "literal block kept as text" in kinds
    for gone in ("drafting note", ":revdate:", ":toc:", "|===", "----", "options=", "ana.silva@"):
        assert gone not in doc.text, gone
    assert doc.metadata.doc_date == "2024-05-14"
    assert doc.metadata.speaker_or_author == "Ana Silva"
    assert doc.metadata.title == "Minutes of the Coordination Group"


def test_asciidoc_table_rows_are_action_points(tmp_path: Path, nlp: spacy.Language) -> None:
    doc = ingest_file(_write(tmp_path, "minutes.adoc", ASCIIDOC_MINUTES))
    rows = [t for t in _lines(doc) if t.startswith("|")]
    assert rows == [
        "| Action | Owner | Due |",
        "| Share the mapping of pilot countries | International Organization for Migration | 30 June 2024 |",
        "| Draft the terms of reference | Secretariat | 31 July 2024 |",
    ]
    points = _action_points(doc, nlp)
    assert [(p["actor"], p["deadline"]) for p in points] == [
        ("International Organization for Migration", "2024-06-30"),
        ("Secretariat", "2024-07-31"),
    ]


@pytest.mark.parametrize(
    "table, expected",
    [
        # header by a blank line after the first row; cells spread over lines; a spanning cell padded
        (
            "|===\n|Action |Owner\n\n|Book the room\n|Tom Berg\n2+|Note across both columns\n|===\n",
            ["| Action | Owner |", "| Book the room | Tom Berg |", "| Note across both columns |  |"],
        ),
        # the number of columns from cols=, every cell on its own line
        (
            '[cols="1,1,1",%header]\n|===\n|Action\n|Owner\n|Due\n|Send the list\n|Secretariat\n|1 May 2024\n|===\n',
            ["| Action | Owner | Due |", "| Send the list | Secretariat | 1 May 2024 |"],
        ),
    ],
)
def test_asciidoc_table_layouts(tmp_path: Path, table: str, expected: list[str]) -> None:
    doc = ingest_file(_write(tmp_path, "t.adoc", "= Minutes\n\n" + table))
    assert [t for t in _lines(doc) if t.startswith("|")] == expected


# --- HTML -----------------------------------------------------------------------------------------


def test_html_speech_page_main_content_and_metadata(tmp_path: Path) -> None:
    doc = ingest_file(_write(tmp_path, "sg-imrf-2022.html", SPEECH_PAGE))
    assert doc.status == "ok" and doc.file_type == "html"
    assert doc.metadata.title == "Statement by the Secretary-General at the International Migration Review Forum"
    assert doc.metadata.doc_date == "2022-05-17"
    assert doc.metadata.speaker_or_author == "Ant\u00f3nio Guterres"
    assert doc.metadata.doc_type == "speech"
    blocks = _lines(doc)
    assert blocks[0] == doc.metadata.title
    paragraphs = [doc.block_text(b) for b in doc.blocks if b.kind == "paragraph"]
    assert paragraphs[0].startswith("Mr. President of the General Assembly, Excellencies")
    assert paragraphs[0].endswith("four years after the adoption of the Global Compact.")  # one block, not lines
    assert any(p.startswith("Migration is a powerful driver") for p in paragraphs)
    assert "Thank you." in paragraphs
    for boilerplate in (
        "Home",
        "About us",
        "Search the United Nations",
        "Copyright",
        "Privacy",
        "social media",
        "analytics",
    ):
        assert boilerplate not in doc.text, boilerplate
    assert [t for t in blocks if t.startswith("|")] == [
        "| Action | Owner | Due |",
        "| Publish the progress report | United Nations Network on Migration | 31 December 2023 |",
        "| Convene the regional reviews | International Organization for Migration | 30 June 2024 |",
    ]


def test_html_manifest_still_overrides_the_page_metadata(tmp_path: Path) -> None:
    path = _write(tmp_path, "speech.htm", SPEECH_PAGE)
    doc = ingest_file(path, {"speech.htm": {"speaker_or_author": "Secretary-General", "doc_date": "2022-05-18"}})
    assert doc.metadata.speaker_or_author == "Secretary-General" and doc.metadata.doc_date == "2022-05-18"
    assert doc.metadata.title.startswith("Statement by the Secretary-General")


def test_html_date_is_the_stated_one_never_a_date_from_the_text(tmp_path: Path) -> None:
    page = SPEECH_PAGE.replace('<meta property="article:published_time" content="2022-05-17">', "")
    _, stated = read_html(page.encode("utf-8"))
    assert "doc_date" not in stated  # not the deadline "31 December 2023" of its table
    dated = page.replace("<article>", '<article><time datetime="2022-05-17">17 May 2022</time>')
    assert ingest_file(_write(tmp_path, "dated.html", dated)).metadata.doc_date == "2022-05-17"


def test_html_table_rows_are_action_points(tmp_path: Path, nlp: spacy.Language) -> None:
    doc = ingest_file(_write(tmp_path, "page.html", SPEECH_PAGE))
    points = _action_points(doc, nlp)
    assert [(p["actor"], p["deadline"]) for p in points] == [
        ("United Nations Network on Migration", "2023-12-31"),
        ("International Organization for Migration", "2024-06-30"),
    ]


def test_small_html_page_without_main_content_is_read_from_its_body(tmp_path: Path) -> None:
    page = "<html><head><title>Note</title></head><body><nav>Home</nav><h2>Agenda</h2><p>Item one.</p></body></html>"
    doc = ingest_file(_write(tmp_path, "small.html", page))
    assert doc.status == "ok"
    assert "Item one." in doc.text and "Home" not in doc.text


# --- discovery and bad input ----------------------------------------------------------------------


def test_new_suffixes_are_discovered(tmp_path: Path) -> None:
    for name in ("a.adoc", "b.asciidoc", "c.html", "d.htm", "e.markdown", "f.xml"):
        _write(tmp_path, name, "= x\n")
    assert [p.name for p in discover_files([tmp_path])] == ["a.adoc", "b.asciidoc", "c.html", "d.htm", "e.markdown"]


@pytest.mark.parametrize(
    "name, data, kinds",
    [
        ("empty.md", b"", {"empty_file"}),
        ("blank.adoc", b"  \n\n", {"empty_file"}),
        ("markup-only.md", b"---\n\n***\n\n<!-- nothing -->\n", {"no_text"}),
        ("comments-only.adoc", b"// a comment\n:author: X\n////\nblock\n////\n", {"no_text"}),
        ("binary.html", bytes(range(256)) * 8, {"binary_content"}),
        ("binary.md", b"\x00\x01\x02\x03" * 500, {"binary_content"}),
        ("empty-page.html", b"<html><head><title></title></head><body><script>x()</script></body></html>", {"no_text"}),
        ("not-html.html", b"plain words with no markup at all", {"no_text"}),
    ],
)
def test_bad_input_is_an_error_row(tmp_path: Path, name: str, data: bytes, kinds: set[str]) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    doc = ingest_file(path)
    assert doc.status == "error" and doc.error_kind in kinds and doc.error_message
    assert doc.text == "" and doc.blocks == []


def test_broken_html_is_read_without_a_crash(tmp_path: Path) -> None:
    page = "<html><body><div><p>The Secretariat will circulate the <b>draft report <table><tr><td>by 1 May"
    doc = ingest_file(_write(tmp_path, "broken.html", page))
    assert doc.status == "ok"
    assert "The Secretariat will circulate the draft report" in doc.text


@hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.text(alphabet=st.sampled_from(list("|=*-.#:/[]<>`_+ \nabAB12\t")), max_size=400).map(str.encode),
        st.text(max_size=1000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
def test_markup_readers_never_let_an_exception_escape(data: bytes) -> None:
    for reader in (read_markdown, read_asciidoc, read_html):
        try:
            lines, meta = reader(data)
        except IngestError as exc:
            assert exc.kind and exc.message
            continue
        assert all("\n" not in ln.text for ln in lines)
        assert all(isinstance(v, str) for v in meta.values())
