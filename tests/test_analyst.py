"""Analyst outputs: DuckDB database, data dictionary, timeline, HTML report, README examples."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.analyst import build_analyst_outputs, duckdb_export
from pipeline.analyst.dictionary import DICTIONARY_PATH, render_dictionary
from pipeline.analyst.duckdb_export import TABLE_DOCS, VIEWS, build_duckdb, duckdb_type
from pipeline.analyst.report import Span, render_text
from pipeline.analyst.timeline import timeline_frame
from pipeline.runner import run_library
from pipeline.tables import SCHEMAS, TABLE_NAMES, arrow_schema, write_tables
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, CORPUS, ROOT

SPAN_TABLES = {"dates": "date_id", "mentions": "mention_id", "meetings": "meeting_id", "commitments": "commitment_id"}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    """A real run on the bundled corpus (it builds the analyst outputs itself), in ``ROOT/outputs`` form."""
    root = tmp_path_factory.mktemp("analyst")
    out = root / "outputs"
    run_library([CORPUS], out, review_dir=root / "review")
    return out


def connect(out: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(out / "pipeline.duckdb"), read_only=True)


# --- data dictionary -------------------------------------------------------------------------


def test_committed_dictionary_is_what_the_generator_produces_now():
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == render_dictionary(), (
        "docs/data_dictionary.md is stale: run `python -m pipeline dictionary` and commit it"
    )


def test_dictionary_has_every_table_and_column_with_type_and_meaning():
    text = render_dictionary()
    assert set(TABLE_DOCS) == set(TABLE_NAMES)
    sections = re.split(r"^## ", text, flags=re.M)
    for name in TABLE_NAMES:
        section = next(s for s in sections if s.startswith(f"`{name}`"))
        for col in SCHEMAS[name]:
            row = next(line for line in section.splitlines() if line.startswith(f"| `{col.name}` |"))
            assert duckdb_type(col.type) in row and col.doc.replace("|", "\\|") in row
            if col.example:
                assert col.example in row
    for view in VIEWS:
        assert f"### `{view.name}` (view)" in text


# --- DuckDB ----------------------------------------------------------------------------------


def test_run_writes_every_analyst_output_and_no_temporaries(outputs):
    for name in ("pipeline.duckdb", "timeline.html", "timeline.png", "report.html"):
        assert (outputs / name).stat().st_size > 0, name
    assert not [p.name for p in outputs.iterdir() if p.name.startswith(".pipeline.duckdb")]
    assert not (outputs / "pipeline.duckdb.wal").exists()


def test_duckdb_has_every_table_with_declared_types_rows_and_comments(outputs):
    con = connect(outputs)
    try:
        for name in TABLE_NAMES:
            n_parquet = pq.read_metadata(outputs / f"{name}.parquet").num_rows
            assert con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == n_parquet, name
            described = {r[0]: r[1] for r in con.execute(f'DESCRIBE "{name}"').fetchall()}
            assert described == {c.name: duckdb_type(c.type) for c in SCHEMAS[name]}
            comments = dict(
                con.execute("SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ?", [name]).fetchall()
            )
            assert comments == {c.name: c.doc for c in SCHEMAS[name]}
        n_ok = con.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0]
        assert con.execute("SELECT count(*) FROM texts").fetchone()[0] == n_ok > 0
        bad = con.execute(
            "SELECT count(*) FROM mentions m JOIN texts t USING (doc_id) "
            "WHERE substr(t.text, m.start_char + 1, m.end_char - m.start_char) <> m.text"
        ).fetchone()[0]
        assert bad == 0
    finally:
        con.close()


def test_duckdb_views_answer_the_analysts_questions(outputs):
    con = connect(outputs)
    try:
        for view in VIEWS:
            con.execute(f'SELECT * FROM "{view.name}"').fetchall()
        n_commitments = con.execute("SELECT count(*) FROM commitments").fetchone()[0]
        detail = con.execute("SELECT * FROM commitments_detail").df()
        assert len(detail) == n_commitments > 0
        assert detail["doc_title"].notna().all()
        assert detail.loc[detail["actor_id"].notna(), "actor_name"].notna().all()
        dated = con.execute('SELECT count(*) FROM events WHERE "start" IS NOT NULL').fetchone()[0]
        assert con.execute("SELECT sum(n_events) FROM meetings_by_month").fetchone()[0] == dated > 0
        months = [r[0] for r in con.execute("SELECT month FROM meetings_by_month").fetchall()]
        assert months == sorted(months) and all(m.day == 1 for m in months)
        ranked = con.execute("SELECT name, n_commitments FROM actors_by_commitments").fetchall()
        assert ranked and [n for _, n in ranked] == sorted((n for _, n in ranked), reverse=True)
        sg = dict(ranked)["Secretary-General"]
        n_sg = con.execute("SELECT count(*) FROM commitments WHERE actor LIKE '%Secretary-General%'").fetchone()[0]
        assert 0 < sg <= n_sg
        deadlines = con.execute("SELECT count(DISTINCT id) FROM timeline WHERE item = 'deadline'").fetchone()[0]
        assert deadlines == con.execute("SELECT count(*) FROM commitments WHERE deadline IS NOT NULL").fetchone()[0]
    finally:
        con.close()


def _minimal_tables(deadlines: list[dt.date]) -> dict[str, list[dict]]:
    doc = {"doc_id": "d1", "source_path": "in/a.txt", "file_name": "a.txt", "status": "ok", "title": "A note"}
    commitments = [
        {
            "commitment_id": f"c{i}",
            "doc_id": "d1",
            "kind": "request",
            "actor": "Secretary-General",
            "action": f"act {i}",
            "deadline": day,
            "evidence": "The Secretary-General is requested to act.",
            "start_char": 0,
            "end_char": 10,
            "review_status": "unreviewed",
        }
        for i, day in enumerate(deadlines)
    ]
    return {"documents": [doc], "commitments": commitments}


def test_upcoming_deadlines_are_relative_to_today(tmp_path):
    today = dt.date.today()
    write_tables(_minimal_tables([today - dt.timedelta(days=1), today + dt.timedelta(days=30)]), tmp_path)
    con = duckdb.connect(str(build_duckdb(tmp_path)), read_only=True)
    try:
        rows = con.execute("SELECT commitment_id, days_left, deadline FROM upcoming_deadlines").fetchall()
    finally:
        con.close()
    assert rows == [("c1", 30, today + dt.timedelta(days=30))]


def test_duckdb_is_replaced_atomically_and_a_failed_build_keeps_the_old_file(tmp_path, monkeypatch):
    write_tables(_minimal_tables([dt.date(2030, 1, 1)]), tmp_path)
    db = build_duckdb(tmp_path)
    before = db.read_bytes()

    def broken(con, out_dir):
        con.execute("INSERT INTO errors VALUES ('x', NULL, 'write', 'k', 'half-built', now()::TIMESTAMP)")
        raise RuntimeError("disk full")

    monkeypatch.setattr(duckdb_export, "_load", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build_duckdb(tmp_path)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "duckdb" in p.name) == ["pipeline.duckdb"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM commitments").fetchone()[0] == 1
    finally:
        con.close()


# --- typed files -----------------------------------------------------------------------------


def test_parquet_and_csv_load_without_conversion(outputs):
    for name in TABLE_NAMES:
        stored = pq.read_schema(outputs / f"{name}.parquet")
        for field in arrow_schema(name):  # Parquet has no second unit: timestamp[s] comes back as [ms]
            got = stored.field(field.name).type
            assert got == field.type or (pa.types.is_timestamp(got) and pa.types.is_timestamp(field.type)), field
        raw = (outputs / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), f"{name}.csv has no UTF-8 BOM"
    commitments = pd.read_parquet(outputs / "commitments.parquet")
    assert all(isinstance(v, dt.date) for v in commitments["deadline"].dropna())
    assert pd.api.types.is_integer_dtype(commitments["start_char"])
    documents = pd.read_parquet(outputs / "documents.parquet")
    assert pd.api.types.is_datetime64_any_dtype(documents["processed_at"])
    aliases = pd.read_parquet(outputs / "actors.parquet")["aliases"]
    assert all(all(isinstance(a, str) for a in v) for v in aliases)
    types = {r[0]: r[1] for r in duckdb.sql(f"DESCRIBE FROM read_parquet('{outputs / 'dates.parquet'}')").fetchall()}
    assert types["start"] == "TIMESTAMP" and types["start_char"] == "BIGINT"
    kinds = {r[0]: r[1] for r in duckdb.sql(f"DESCRIBE FROM read_parquet('{outputs / 'actors.parquet'}')").fetchall()}
    assert kinds["aliases"] == "VARCHAR[]"
    csv = pd.read_csv(outputs / "commitments.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in csv["deadline"] if v)


# --- README examples -------------------------------------------------------------------------


def _readme_blocks() -> tuple[list[str], list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## For analysts", 1)[1].split("\n## ", 1)[0]
    sql = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    python = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    return sql, python


def test_readme_examples_run_and_sql_agrees_with_pandas(outputs, monkeypatch):
    sql, python = _readme_blocks()
    assert len(sql) == len(python) == 3
    monkeypatch.chdir(outputs.parent)
    con = connect(outputs)
    try:
        answers = [con.execute(q).df() for q in sql]
    finally:
        con.close()
    scope: dict = {}
    for block in python:
        exec(compile(block, "README.md", "exec"), scope)
    q1, q2, q3 = scope["q1"], scope["q2"], scope["q3"]
    assert len(answers[0]) == len(q1) > 0
    assert [d.date() for d in answers[0]["deadline"]] == list(q1["deadline"])
    assert list(answers[0]["action"]) == list(q1["action"])
    assert set(zip(answers[1]["name"], answers[1]["n_commitments"], strict=True)) == set(
        zip(q2["name"], q2["n_commitments"], strict=True)
    )
    assert list(answers[2]["n_events"]) == list(q3["n_events"])


# --- timeline --------------------------------------------------------------------------------


def test_timeline_is_self_contained_and_has_every_dated_item(outputs):
    html = (outputs / "timeline.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html), "plotly.js must be inlined, never loaded from a CDN"
    assert len(html) > 1_000_000  # plotly.js itself is inside
    png = (outputs / "timeline.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    frame = timeline_frame(outputs / "pipeline.duckdb")
    commitments = pd.read_parquet(outputs / "commitments.parquet")
    dated = set(commitments.loc[commitments["deadline"].notna(), "commitment_id"])
    assert set(frame.loc[frame["item"] == "deadline", "id"]) == dated
    assert frame["lane"].notna().all() and (frame["end"] >= frame["start"]).all()
    for lane in frame["lane"].unique():
        assert lane in html


# --- report ----------------------------------------------------------------------------------


class _Nesting(HTMLParser):
    """Checks tags nest and collects text and span ids."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        self.ids.add(dict(attrs).get("data-id"))

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"mis-nested </{tag}>"

    def handle_data(self, data):
        self.text.append(data)


def test_render_text_escapes_and_splits_crossing_spans_so_they_nest():
    text = 'A <b>&"x" request by 5 May 2018 & more.'
    spans = [
        Span(0, 30, "commitment", "c1", "REQUEST", "REQUEST · due 2018-05-05"),
        Span(20, 40, "meeting", "m1", "MEETING", "crosses the commitment's end"),
        Span(23, 33, "date", "d1", "DATE", "2018-05-05"),
        Span(2, 5, "actor", "a1", "ACTOR", 'A <"tip">'),
        Span(40, 50, "date", "out", "DATE", "beyond the text"),
    ]
    html = render_text(text, spans)
    assert "<b>" not in html and "&lt;b&gt;" in html
    parser = _Nesting()
    parser.feed(html)
    parser.close()
    assert parser.stack == []
    assert "".join(parser.text) == text
    assert {"c1", "m1", "d1", "a1"} <= parser.ids
    assert html.count('data-id="m1"') == 2 and html.count('data-id="d1"') == 2  # split at 30 into two pieces
    classes = re.findall(r'class="([^"]*)"', html)
    assert sum("first" in c.split() for c in classes) == 4 and sum("last" in c.split() for c in classes) == 4


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_report_and_timeline_render_offline_in_headless_chromium(outputs, tmp_path):
    from playwright.sync_api import sync_playwright

    rows = {t: pq.read_table(outputs / f"{t}.parquet").to_pylist() for t in (*SPAN_TABLES, "documents")}
    requests: list[str] = []

    def block_network(route):
        if not route.request.url.startswith("file://"):
            requests.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.route("**/*", block_network)
            page.goto((outputs / "report.html").as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=15000)
            shot = page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
            assert shot.startswith(b"\x89PNG") and len(shot) > 10_000
            ok = [d for d in rows["documents"] if d["status"] == "ok"]
            assert page.locator("article").count() == len(ok)
            for d in ok:
                shown = page.locator(f".doc[data-doc-id='{d['doc_id']}']").evaluate("e => e.textContent")
                assert shown == (outputs / d["text_path"]).read_text(encoding="utf-8")
            in_dom = set(page.eval_on_selector_all("[data-id]", "els => els.map(e => e.dataset.id)"))
            for table, key in SPAN_TABLES.items():
                missing = {r[key] for r in rows[table]} - in_dom
                assert not missing, f"{table} rows not highlighted: {sorted(missing)[:5]}"
            date = next(r for r in rows["dates"] if r["start"] is not None)
            mark = page.locator(f"mark.date[data-id='{date['date_id']}']").first
            mark.scroll_into_view_if_needed()
            mark.hover()
            info = page.locator("#info")
            info.wait_for(state="visible", timeout=5000)
            assert date["start"].date().isoformat() in info.inner_text()
            assert page.locator("mark.actor").first.evaluate("e => getComputedStyle(e).backgroundColor") != (
                page.locator("mark.date").first.evaluate("e => getComputedStyle(e).backgroundColor")
            )

            page.goto((outputs / "timeline.html").as_uri())
            page.wait_for_selector(".main-svg", timeout=15000)
            assert page.locator(".point").count() > 0
        finally:
            browser.close()
    assert requests == [], f"the outputs tried the network: {requests}"


def test_build_analyst_outputs_can_rebuild_from_existing_tables(outputs):
    before = (outputs / "report.html").read_text(encoding="utf-8")
    paths = build_analyst_outputs(outputs)
    assert set(paths) == {"duckdb", "timeline_html", "timeline_png", "report"}
    assert (outputs / "report.html").read_text(encoding="utf-8") == before  # deterministic
