"""The review server against hostile requests: real HTTP to a real running server, and a real
headless Chromium page from another origin.

Each refusal is checked twice: the answer (a status and a JSON message, never a dropped
connection) and the ledger (nothing recorded). A same-origin control request in each test shows
the refusal is about the attack, not a broken server.
"""

from __future__ import annotations

import http.client
import http.server
import json
import re
import socket
import threading
from pathlib import Path

import pytest

from pipeline.review import ledger
from pipeline.review.context import read_rows
from pipeline.review.server import make_server
from pipeline.runner import run_library
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.test_review import NOTE

CLIENT_TIMEOUT_S = 30  # a guard against hanging the suite, never a measured figure


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> Path:
    """One real run of the note; every test reads these tables and writes its own ledger."""
    root = tmp_path_factory.mktemp("review-security")
    inp, out = root / "in", root / "out"
    inp.mkdir()
    (inp / "note.txt").write_text(NOTE, encoding="utf-8")
    run_library([inp], out, review_dir=root / "unused-review")
    return out


class Served:
    def __init__(self, out: Path, review: Path) -> None:
        self.out, self.review = out, review
        self.server = make_server(out, review, 0)
        self.port = self.server.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def rows(self, table: str) -> list[dict]:
        return read_rows(table, self.out)

    def entries(self) -> list[dict]:
        return ledger.read(self.review)[0]

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """(status, JSON or text) of one request; a dropped connection raises."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=CLIENT_TIMEOUT_S)
        try:
            conn.request(method, path, body=body, headers={"Host": self.host, **(headers or {})})
            resp = conn.getresponse()
            raw = resp.read()
            is_json = resp.getheader("Content-Type", "").startswith("application/json")
            return resp.status, json.loads(raw) if is_json else raw.decode("utf-8", "replace")
        finally:
            conn.close()

    def token(self) -> str:
        """The token the served page carries (what the page's own script sends)."""
        status, page = self.call("GET", "/")
        assert status == 200
        found = re.search(r'<meta name="review-token" content="([^"]+)"', page)
        return found.group(1) if found else ""

    def write(self, decision: dict | bytes, token: str | None = None, **headers: str):
        body = decision if isinstance(decision, bytes) else json.dumps(decision).encode("utf-8")
        sent = {"Content-Type": "application/json"}
        if token is not None:
            sent["X-Review-Token"] = token
        return self.call("POST", "/api/decisions", body, {**sent, **headers})

    def raw(self, head: str, body: bytes = b"", timeout: float = CLIENT_TIMEOUT_S) -> bytes:
        """Send a hand-made request (declared length and real body may differ); everything the server answers."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(head.replace("\n", "\r\n").encode("ascii") + body)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
            return answer

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def served(tables, tmp_path):
    s = Served(tables, tmp_path / "review")
    try:
        yield s
    finally:
        s.stop()


def _date(s: Served, text: str = "12 March 2018") -> dict:
    return next(r for r in s.rows("dates") if r["text"] == text)


def _accept(s: Served) -> dict:
    return {"table": "dates", "id": _date(s)["date_id"], "action": "accept", "reviewer": "mallory"}


def test_a_cross_origin_simple_post_is_refused(served):
    decision = json.dumps(_accept(served)).encode("utf-8")
    # what a page on another site can send without a preflight: text/plain, its Origin, no token
    status, data = served.write(decision, None, **{"Content-Type": "text/plain", "Origin": "http://evil.example"})
    assert status == 403 and "cross-origin" in data["error"]
    token = served.token()
    status, data = served.write(decision, token, Referer="http://evil.example/page.html")
    assert status == 403 and "error" in data
    status, data = served.write(decision, token, **{"Origin": "null"})
    assert status == 403
    status, data = served.write(decision, token, **{"Content-Type": "text/plain"})
    assert status == 415 and "application/json" in data["error"]
    assert served.entries() == []
    origin = f"http://{served.host}"
    assert served.write(decision, token, Origin=origin, Referer=origin + "/")[0] == 200
    assert [e["action"] for e in served.entries()] == ["accept"]


def test_a_rebound_host_name_can_neither_read_nor_write(served):
    token = served.token()
    evil = {"Host": f"evil.example:{served.port}", "X-Review-Token": token}
    status, data = served.call("GET", "/api/queue", headers=evil)
    assert status == 403 and "Host" in data["error"]
    assert "Secretary-General" not in json.dumps(data), "no document text for another host name"
    status, data = served.call("GET", "/", headers=evil)
    assert status == 403 and token not in json.dumps(data)
    status, data = served.write(_accept(served), token, Host=f"evil.example:{served.port}")
    assert status == 403
    assert served.entries() == []
    status, data = served.call(
        "GET", "/api/queue", headers={"Host": f"localhost:{served.port}", "X-Review-Token": token}
    )
    assert status == 200 and data["items"]


def test_reads_and_writes_need_this_sessions_token(served, tables, tmp_path):
    decision = _accept(served)
    assert served.write(decision, None)[0] == 403
    assert served.write(decision, "")[0] == 403
    status, data = served.write(decision, "guessed-token")
    assert status == 403 and "X-Review-Token" in data["error"]
    other = Served(tables, tmp_path / "other-review")
    try:
        assert served.write(decision, other.token())[0] == 403, "another session's token is not this one's"
    finally:
        other.stop()
    assert served.call("GET", "/api/queue")[0] == 403
    assert served.entries() == []
    token = served.token()
    assert served.call("GET", "/api/queue", headers={"X-Review-Token": token})[0] == 200
    assert served.write(decision, token)[0] == 200


def test_a_declared_huge_body_is_refused_without_reading_it(served):
    token = served.token()
    for declared in (10 * 1024**3, 2_000_000):
        answer = served.raw(
            f"POST /api/decisions HTTP/1.1\nHost: {served.host}\nContent-Type: application/json\n"
            f"X-Review-Token: {token}\nContent-Length: {declared}\n\n",
            b'{"comment": "',
        )
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 413"), answer[:200]
        assert "body over" in json.loads(body)["error"]
    assert served.entries() == []


def test_a_stalled_body_times_out_and_frees_the_connection(served):
    served.server.read_timeout = 1.0
    token = served.token()
    body = json.dumps(_accept(served)).encode("utf-8")
    # declares the whole decision, sends ten bytes, then waits: the server answers and closes
    answer = served.raw(
        f"POST /api/decisions HTTP/1.1\nHost: {served.host}\nContent-Type: application/json\n"
        f"X-Review-Token: {token}\nContent-Length: {len(body)}\n\n",
        body[:10],
    )
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 408"), answer[:200]
    assert "did not arrive" in json.loads(rest)["error"]
    assert served.entries() == []
    assert served.write(_accept(served), token)[0] == 200, "the server still answers"


HOSTILE_BODIES = {
    "deep nesting": b'{"comment": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "5000-digit number": b'{"table": "dates", "id": "ID", "action": "accept", "comment": ' + b"7" * 5000 + b".5}",
    "5000-digit number in an added row": json.dumps(
        {"table": "dates", "action": "add", "value": '{"doc_id": "DOC", "text": "x", "start_char": ' + "7" * 5000 + "}"}
    ).encode(),
    "lone surrogate": b'{"table": "dates", "id": "ID", "action": "accept", "comment": "\\ud800"}',
    "unknown key": b'{"table": "dates", "id": "ID", "action": "accept", "run_as": "admin"}',
}


@pytest.mark.parametrize("kind", list(HOSTILE_BODIES))
def test_a_hostile_body_gets_a_400_with_a_message(served, kind):
    date = _date(served)
    body = HOSTILE_BODIES[kind].replace(b"ID", date["date_id"].encode()).replace(b"DOC", date["doc_id"].encode())
    status, data = served.write(body, served.token())
    assert status == 400, (status, data)
    assert isinstance(data, dict) and data["error"]
    assert served.entries() == []


def test_bad_json_and_bad_values_get_a_400_with_a_message(served):
    token = served.token()
    date_id = _date(served)["date_id"]
    cases = [
        b'{"table": "dates", ',
        b"\xff\xfe{}",
        b'{"table": "dates", "id": "' + date_id.encode() + b'", "action": "accept", "comment": NaN}',
        json.dumps(
            {"table": "dates", "id": date_id, "action": "edit", "fields": {"granularity": "fortnight"}}
        ).encode(),
        json.dumps({"table": "dates", "id": date_id, "action": "edit", "fields": {"start": {"$gt": ""}}}).encode(),
        json.dumps({"table": "dates", "id": date_id, "action": "edit", "fields": {"text": "moved"}}).encode(),
    ]
    for body in cases:
        status, data = served.write(body, token)
        assert status == 400 and data["error"], body[:60]
    assert served.entries() == []


def test_a_successful_add_is_answered(served):
    date = _date(served, "30 June 2018")
    added = {"doc_id": date["doc_id"], "text": "the global compact", "kind": "date"}
    status, data = served.write(
        {"table": "dates", "id": "", "action": "add", "value": json.dumps(added)}, served.token()
    )
    assert status == 200, data
    assert data["recorded"] == 1 and data["item"]["status"] == "added"
    assert data["item"]["fields"]["text"] == "the global compact"
    assert [(e["action"], e["new_value"]["text"]) for e in served.entries()] == [("add", "the global compact")]
    status, data = served.write(  # the page's JSON form: the new row as an object
        {"table": "actors", "action": "add", "value": {"name": "Quokka Caucus", "type": "organization"}}, served.token()
    )
    assert status == 200 and data["item"]["id"] == "quokka-caucus", data


def test_out_of_range_and_backwards_values_are_refused(served):
    token = served.token()
    commitment = next(r for r in served.rows("commitments") if r["deadline"])
    meeting = next(r for r in served.rows("meetings") if r["start"])
    date = next(r for r in served.rows("dates") if r["start"])
    refused = [
        ("commitments", commitment["commitment_id"], {"deadline": "9999-12-31"}, "year 9999"),
        ("meetings", meeting["meeting_id"], {"start": "0001-01-01"}, "year 1"),
        ("meetings", meeting["meeting_id"], {"start": "2018-06-02", "end": "2018-06-01"}, "before start"),
        ("meetings", meeting["meeting_id"], {"end": "1999-12-31"}, "before start"),
        ("dates", date["date_id"], {"start": "9999-01-01T10:00"}, "year 9999"),
    ]
    for table, item_id, fields, why in refused:
        status, data = served.write({"table": table, "id": item_id, "action": "edit", "fields": fields}, token)
        assert status == 400 and why in data["error"], (fields, status, data)
    assert served.entries() == []
    status, data = served.write(
        {
            "table": "commitments",
            "id": commitment["commitment_id"],
            "action": "edit",
            "fields": {"deadline": "2031-12-31"},
        },
        token,
    )
    assert status == 200 and data["item"]["fields"]["deadline"] == "2031-12-31"
    assert [e["new_value"] for e in served.entries()] == ["2031-12-31"]


# ---------------------------------------------------------------- a real browser on another origin

ATTACK_PAGE = """<!doctype html>
<html><body>
<iframe name="sink" id="sink"></iframe>
<form id="attack" method="POST" action="TARGET/api/decisions" enctype="text/plain" target="sink">
  <input type="hidden" name='{"table": "dates", "id": "DATE_ID", "action": "reject", "comment": "' value='"}'>
</form>
<script>
const body = JSON.stringify({table: "dates", id: "DATE_ID", action: "reject", reviewer: "mallory"});
const tries = [
  fetch("TARGET/api/decisions", {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body})
    .then(() => "sent", (e) => "failed " + e),
  fetch("TARGET/api/decisions", {method: "POST", headers: {"Content-Type": "application/json"}, body})
    .then(() => "sent", (e) => "failed " + e),
  fetch("TARGET/api/queue").then((r) => r.text(), (e) => "failed " + e),
  new Promise((resolve) => {
    document.getElementById("sink").addEventListener("load", () => resolve("form"), {once: true});
    document.getElementById("attack").submit();
  }),
];
Promise.all(tries).then((done) => { document.body.setAttribute("data-done", JSON.stringify(done)); });
</script>
</body></html>
"""


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"
)
def test_a_page_from_another_origin_records_nothing(served):
    from playwright.sync_api import sync_playwright

    date = _date(served)
    page = ATTACK_PAGE.replace("TARGET", f"http://{served.host}").replace("DATE_ID", date["date_id"]).encode()

    class Attacker(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            pass

    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Attacker)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                tab = browser.new_page()
                tab.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
                tab.wait_for_selector("body[data-done]", timeout=15000)
                done = json.loads(tab.get_attribute("body", "data-done"))
            finally:
                browser.close()
    finally:
        evil.shutdown()
        evil.server_close()
    assert done[3] == "form", done  # the form really was posted
    assert "Secretary-General" not in done[2], "the queue's document text did not reach the other origin"
    assert served.entries() == [], "a page from another origin recorded a decision"
