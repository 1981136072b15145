"""The review page in a real headless Chromium, served by the real `python -m pipeline review serve`."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from pipeline.review import ledger
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT
from tests.test_review import fresh_run

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"
)


@pytest.fixture
def served(project):
    """The CLI's server on a free port; yields its URL and stops the process it started."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "COLUMNS": "300"}
    cmd = [sys.executable, "-m", "pipeline", "review", "serve", "--port", "0", "--out", str(project.out)]
    proc = subprocess.Popen(
        [*cmd, "--review-dir", str(project.review)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://[\d.]+:\d+/", line)
        assert match, f"no URL in {line!r}; stderr: {proc.stderr.read() if proc.poll() is not None else ''}"
        yield match.group(0)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def page(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            tab.goto(served)
            tab.wait_for_selector("body[data-ready='1']", timeout=15000)
            yield tab
        finally:
            browser.close()


FOCUS_TEXT = (
    "m => { const c = m.cloneNode(true); c.querySelectorAll('.label').forEach(l => l.remove()); return c.textContent; }"
)


def wait_recorded(page, item_id: str, action: str) -> None:
    page.wait_for_selector(f"body[data-last-recorded='{item_id}:{action}']", timeout=10000)


def test_page_lists_the_queue_and_highlights_the_extraction(project, served, page):
    assert served.startswith("http://127.0.0.1:")
    total = sum(len(project.rows(t)) for t in ("dates", "mentions", "meetings", "commitments", "actors"))
    assert page.locator("#queue li").count() == total
    first_id = page.get_attribute("#detail", "data-id")
    first = next(
        r for t in ("dates", "mentions", "meetings", "commitments") for r in project.rows(t) if first_id in r.values()
    )
    mark = page.locator("#doc mark.focus")
    assert mark.evaluate(FOCUS_TEXT) == project.text(first["doc_id"])[first["start_char"] : first["end_char"]]
    sg = next(r for r in project.rows("commitments") if r["actor_id"] == "secretary-general")
    page.click(f"#queue li[data-id='{sg['commitment_id']}']")
    focus = page.locator("#doc mark.focus")
    assert focus.evaluate(FOCUS_TEXT) == sg["evidence"]
    assert focus.locator(".focus-label").inner_text() == "REQUEST"
    assert "30 June 2018" in focus.locator("mark.DATE").all_inner_texts()[0]  # displaCy-style nested entity
    assert "Secretary-GeneralACTOR" in [t.replace("\n", "") for t in focus.locator("mark.ACTOR").all_inner_texts()]
    assert page.locator("#doc").inner_text().count("global compact") >= 1  # text around it is shown


def test_decisions_from_the_page_reach_the_tables(project, served, page):
    page.fill("#reviewer", "pia")
    page.dispatch_event("#reviewer", "change")
    sg = next(r for r in project.rows("commitments") if r["actor_id"] == "secretary-general")
    september = project.one("dates", "text", "September 2018")
    march = project.one("dates", "text", "12 March 2018")
    may = project.one("dates", "text", "22 and 23 May 2018")

    page.click(f"#queue li[data-id='{sg['commitment_id']}']")
    page.keyboard.press("e")
    page.fill("#edit-form input[name='deadline']", "2018-07-15")
    page.click("#save")
    wait_recorded(page, sg["commitment_id"], "edit")

    page.click(f"#queue li[data-id='{september['date_id']}']")
    page.keyboard.press("r")
    wait_recorded(page, september["date_id"], "reject")
    assert page.get_attribute(f"#queue li[data-id='{september['date_id']}']", "data-status") == "rejected"

    page.click(f"#queue li[data-id='{march['date_id']}']")
    page.click("#accept")
    wait_recorded(page, march["date_id"], "accept")

    before = project.ledger_bytes()
    page.click(f"#queue li[data-id='{may['date_id']}']")
    page.click("#edit")
    page.fill("#edit-form input[name='start']", "next Tuesday")
    page.click("#save")
    # (a selector, not wait_for_function: the page's CSP refuses evaluating strings, as it should)
    page.locator("#message", has_text="not a date").wait_for(timeout=10000)
    assert project.ledger_bytes() == before, "a refused edit writes nothing"

    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert page.get_attribute(f"#queue li[data-id='{september['date_id']}']", "data-status") == "rejected"
    assert page.get_attribute(f"#queue li[data-id='{sg['commitment_id']}']", "data-status") == "edited"

    entries = ledger.read(project.review)[0]
    assert [(e["action"], e["field"], e["new_value"], e["reviewer"], e["source"]) for e in entries] == [
        ("edit", "deadline", "2018-07-15", "pia", "page"),
        ("reject", None, None, "pia", "page"),
        ("accept", None, None, "pia", "page"),
    ]
    fresh_run(project)
    commitment = project.one("commitments", "commitment_id", sg["commitment_id"])
    assert (commitment["deadline"], commitment["review_status"]) == ("2018-07-15", "edited")
    assert not [r for r in project.rows("dates") if r["text"] == "September 2018"]
    assert project.one("dates", "text", "12 March 2018")["review_status"] == "accepted"
