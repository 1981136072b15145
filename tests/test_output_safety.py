"""Outputs an analyst opens are safe to open: CSV cells are not formulas, HTML labels are not markup,
and the timeline draws whatever the tables accept (issue 17 items 2, 3, 7; issue 18's timeline.png).

Everything runs on real outputs: a real run of the library over hostile text files, real Parquet
rewritten with hostile values and the analyst outputs rebuilt from it, as ``pipeline report`` does.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.analyst import build_analyst_outputs
from pipeline.analyst.timeline import timeline_figure, timeline_frame
from pipeline.csv_cells import neutralize, restore
from pipeline.review import ledger, write_orphans
from pipeline.runner import run_library
from pipeline.tables import TABLE_NAMES, write_tables
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.test_review import NOTE

HOSTILE_NAME = "=1+2+cmd|'calc'!A0.txt"
TITLE = '=HYPERLINK("http://x","click") Note by the Secretariat'
EVIDENCE = "=1+1 Member States will submit a report to the General Assembly by 30 June 2018."
HOSTILE_TEXT = "\n\n".join(
    [
        f"{TITLE}\nNew York, 12 March 2018",
        EVIDENCE,
        "The Secretary-General is requested to submit a report on the implementation of the global compact"
        " to the General Assembly by 30 June 2019.",
        "The intergovernmental conference will take place in Marrakech, Morocco, on 10 and 11 December 2018.",
        "The second informal thematic session will take place in Geneva on 22 and 23 May 2018.",
        "The third informal thematic session will take place in Vienna on 5 and 6 July 2018.\n",
    ]
)
EVIL_LINK = '<a href="http://evil.example">x</a>'
EVIL_SCRIPT = "<script>alert(1)</script> submit a report"
MATH_NAME = r"Fund ($\frac{$) of the Secretariat"  # "$...$" is math to matplotlib; this one does not parse


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A real run over the hostile file and an ordinary note; returns the project root."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "in").mkdir()
    (root / "in" / HOSTILE_NAME).write_text(HOSTILE_TEXT, encoding="utf-8")
    (root / "in" / "note.txt").write_text(NOTE, encoding="utf-8")
    run_library([root / "in"], root / "out", review_dir=root / "review")
    return root


def csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def hostile_doc(out: Path) -> dict:
    return next(d for d in pq.read_table(out / "documents.parquet").to_pylist() if d["file_name"] == HOSTILE_NAME)


# --- CSV -------------------------------------------------------------------------------------


def test_table_csvs_quote_formula_cells_and_parquet_keeps_the_raw_value(run):
    out = run / "out"
    doc = hostile_doc(out)
    assert doc["title"] == TITLE and doc["file_name"] == HOSTILE_NAME  # Parquet: raw
    row = next(r for r in csv_rows(out / "documents.csv") if r["doc_id"] == doc["doc_id"])
    assert row["title"] == "'" + TITLE and row["file_name"] == "'" + HOSTILE_NAME
    assert row["n_chars"].isdigit() and row["doc_date"] == "2018-03-12"  # numbers and dates as they are

    commitment = next(c for c in pq.read_table(out / "commitments.parquet").to_pylist() if c["evidence"] == EVIDENCE)
    cells = next(r for r in csv_rows(out / "commitments.csv") if r["commitment_id"] == commitment["commitment_id"])
    assert cells["evidence"] == "'" + EVIDENCE
    assert cells["deadline"] == "2018-06-30" and cells["start_char"] == str(commitment["start_char"])
    for name in TABLE_NAMES:  # no cell of any table starts a formula
        for r in csv_rows(out / f"{name}.csv"):
            bad = {k: v for k, v in r.items() if v[:1] in ("=", "+", "-", "@", "\t", "\r")}
            assert not bad, (name, bad)


def test_review_queue_quotes_formula_cells_and_a_filled_in_queue_reads_back_raw(run, tmp_path):
    from typer.testing import CliRunner

    from pipeline.review.cli import review_app

    out, review = run / "out", run / "review"
    queue = tmp_path / "queue.csv"
    args = ["--out", str(out), "--review-dir", str(review)]
    result = CliRunner().invoke(review_app, ["export", "--to", str(queue), *args])
    assert result.exit_code == 0, result.output
    rows = csv_rows(queue)
    mine = [r for r in rows if r["document"] == "'" + HOSTILE_NAME]
    assert mine and not [r for r in rows if r["document"] == HOSTILE_NAME]
    target = next(r for r in mine if r["table"] == "commitments" and r["evidence"] == "'" + EVIDENCE)
    # The analyst changes one cell of the row in place and marks it "edit" (the spreadsheet way):
    # the quoted evidence cell must read back as the raw evidence, so only the deadline changes.
    target["deadline"], target["action"], target["reviewer"] = "2018-07-31", "edit", "tester"
    with open(queue, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = CliRunner().invoke(review_app, ["apply", str(queue), *args])
    assert result.exit_code == 0, result.output
    lines = ledger.ledger_path(review).read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines if target["id"] in line]
    assert [(e["action"], e["field"], e["new_value"]) for e in entries] == [("edit", "deadline", "2018-07-31")]


def test_orphans_csv_quotes_formula_cells(tmp_path):
    path = write_orphans([{"table": "dates", "id": "x", "text": "=1+1", "file_name": HOSTILE_NAME}], tmp_path)
    (row,) = csv_rows(path)
    assert row["text"] == "'=1+1" and row["file_name"] == "'" + HOSTILE_NAME and row["table"] == "dates"


def test_neutralize_is_undone_exactly_by_restore():
    for raw in ("=1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "'=1", "''=1", "'quoted'", "plain", "", "a=b", "'"):
        cell = neutralize(raw)
        assert restore(cell) == raw, raw
        assert cell.lstrip("'")[:1] not in ("=", "+", "-", "@", "\t", "\r") or cell.startswith("'"), raw
    assert neutralize(-5) == -5 and neutralize(None) is None


# --- HTML and PNG on hostile values the tables accept ------------------------------------------


@pytest.fixture(scope="module")
def hostile_outputs(run, tmp_path_factory) -> Path:
    """The run's tables rewritten with values a review edit can produce, then the analyst outputs rebuilt."""
    out = tmp_path_factory.mktemp("rebuilt") / "out"
    shutil.copytree(run / "out", out)
    tables = {name: pq.read_table(out / f"{name}.parquet").to_pylist() for name in TABLE_NAMES}
    actors = {a["actor_id"]: a for a in tables["actors"]}
    actors["member-states"]["name"] = EVIL_LINK
    actors["secretary-general"]["name"] = MATH_NAME
    for c in tables["commitments"]:
        if c["evidence"] == EVIDENCE:
            c["action"] = EVIL_SCRIPT
        elif c["deadline"] and c["deadline"].year == 2019:
            c["deadline"] = dt.date(9999, 12, 31)
    events = sorted(tables["events"], key=lambda e: e["start"] or dt.date.max)
    assert len(events) >= 3, [e["name"] for e in events]
    events[0]["start"] = dt.date(1, 1, 1)
    events[1]["end"] = events[1]["start"] - dt.timedelta(days=40)
    events[2]["end"] = dt.date(9999, 12, 31)
    write_tables(tables, out)
    build_analyst_outputs(out)  # what `python -m pipeline report` does; it must not raise
    return out


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.scripts_with_alert = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script and data.strip().startswith("alert("):
            self.scripts_with_alert += 1


def test_html_outputs_show_hostile_labels_as_text(hostile_outputs):
    for name in ("timeline.html", "report.html"):
        html = (hostile_outputs / name).read_text(encoding="utf-8")
        parser = _Links()
        parser.feed(html)
        assert not [h for h in parser.hrefs if "evil.example" in h], name
        assert parser.scripts_with_alert == 0, name
        assert EVIL_LINK not in html and "<script>alert(1)</script>" not in html, name
    timeline = (hostile_outputs / "timeline.html").read_text(encoding="utf-8")
    # plotly gets the label escaped, so it draws the characters instead of a link
    escaped = '&lt;a href=\\"http:\\u002f\\u002fevil.example\\"&gt;'  # as plotly's JSON spells it
    assert timeline.count("evil.example") == timeline.count(escaped) > 0


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_timeline_lane_label_is_text_in_a_real_browser(hostile_outputs):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
            page.goto((hostile_outputs / "timeline.html").as_uri())
            page.wait_for_selector(".ytick text", timeout=15000)
            ticks = page.eval_on_selector_all(".ytick text", "els => els.map(e => e.textContent)")
            assert EVIL_LINK + " (member_state)" in ticks, ticks
            links = page.eval_on_selector_all(
                "a", "els => els.map(e => e.getAttribute('href') || e.getAttribute('xlink:href'))"
            )
            assert not [h for h in links if h and "evil.example" in h], links
        finally:
            browser.close()


def test_timeline_leaves_out_or_clips_extreme_dates_and_says_so(hostile_outputs):
    frame = timeline_frame(hostile_outputs / "pipeline.duckdb")
    notes = " / ".join(frame.attrs["notes"])
    assert "0001-01-01" in notes and "9999-12-31" in notes
    assert "end before they start" in notes and "end after 2199-12-31" in notes
    assert frame["start"].min().year >= 1900 and frame["end"].max().year <= 2199
    assert (frame["end"] >= frame["start"]).all()
    png = (hostile_outputs / "timeline.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert "9999-12-31" in (hostile_outputs / "timeline.html").read_text(encoding="utf-8")  # the note


def test_timeline_png_names_every_marker_kind_and_each_marker(hostile_outputs):
    import matplotlib.pyplot as plt

    frame = timeline_frame(hostile_outputs / "pipeline.duckdb")
    fig = timeline_figure(frame)
    try:
        ax = fig.axes[0]
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        kinds = set(frame.loc[frame["item"] == "deadline", "color_key"])
        assert {f"deadline of a {k}" for k in kinds} <= set(legend), legend
        assert any(t.startswith("meeting") for t in legend), legend
        assert ax.get_legend().get_title().get_text() == "what each marker is"
        named = [t.get_text() for t in ax.texts]
        assert any(t.startswith("take place in Marrakech") or "conference" in t for t in named), named
        lanes = [t.get_text() for t in ax.get_yticklabels()]
        assert any(EVIL_LINK in lane for lane in lanes) and any("\\$" in lane for lane in lanes), lanes
        fig.canvas.draw()  # the "$" names draw as text instead of failing as math
    finally:
        plt.close(fig)


def test_timeline_with_every_item_out_of_range_still_draws_both_pictures(hostile_outputs, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(hostile_outputs, out)
    tables = {name: pq.read_table(out / f"{name}.parquet").to_pylist() for name in TABLE_NAMES}
    for c in tables["commitments"]:
        c["deadline"] = dt.date(9999, 12, 31) if c["deadline"] else None
    for e in tables["events"]:
        e["start"], e["end"] = dt.date(1, 1, 1), dt.date(1, 1, 2)
    write_tables(tables, out)
    paths = build_analyst_outputs(out)
    assert paths["timeline_png"].read_bytes().startswith(b"\x89PNG")
    assert "not drawn" in paths["timeline_html"].read_text(encoding="utf-8")
