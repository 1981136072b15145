"""The review page's local web server (127.0.0.1 only): the queue as JSON, decisions into the ledger.

Standard library only (``http.server``), so it runs wherever the pipeline runs. Decisions go
through the same validation as CSV imports and land in the same ledger; the tables change on
the next run, the page shows the decision at once.

Only the page it serves may use it: the Host header must name the server itself (no DNS
rebinding), Origin/Referer/Sec-Fetch-Site must be same-origin when sent, and every API call
carries the per-session token written into the page (``X-Review-Token``); writes must be
``application/json`` (so a cross-site "simple" POST is refused before the body is read).
Bodies are bounded (size, read time, nesting, number length, valid Unicode) and every request
gets an answer, a JSON message for every refusal.
"""

from __future__ import annotations

import hmac
import json
import math
import secrets
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.review import ledger
from pipeline.review.context import ReviewContext, load_context
from pipeline.review.corrections import validate
from pipeline.review.fields import (
    DOC_TABLES,
    ID_COLUMN,
    cell,
    columns,
    editable,
    interval_problems,
    plain,
)
from pipeline.review.page import page_html
from pipeline.review.queue import LABELS, focus_row, queue_items

HOST = "127.0.0.1"
WINDOW = 320
MAX_BODY_BYTES = 1_000_000  # a decision is a few hundred bytes; this bounds what one request can store
READ_TIMEOUT_S = 10.0  # per socket read, and for the whole body
MAX_NUMBER_CHARS = 20  # int64 fits; a 5,000-digit number is refused before Python converts it
MAX_REVIEWER_CHARS = 200
MAX_NOTE_CHARS = 10_000  # table, id, action, field and the comment: short by nature
TOKEN_HEADER = "X-Review-Token"
DECISION_KEYS = ("table", "id", "action", "reviewer", "comment", "fields", "field", "value")
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
}
OTHER_SPANS = ("dates", "mentions")


def _kind(col) -> str:
    from pipeline.tables import INT, LIST, TS, D

    return {D: "date", TS: "datetime", INT: "int", LIST: "list"}.get(col.type, "text")


def _by_doc(ctx: ReviewContext, table: str) -> dict[str, list[dict]]:
    """Rows of ``table`` per document, built once per context (the page asks for every item)."""
    cache = ctx.__dict__.setdefault("_by_doc", {})
    if table not in cache:
        groups: dict[str, list[dict]] = {}
        for r in ctx.tables[table]:
            groups.setdefault(r["doc_id"], []).append(r)
        cache[table] = groups
    return cache[table]


def segments(ctx: ReviewContext, table: str, row: dict) -> list[dict]:
    """The text around the item cut into pieces: plain, other extracted spans (labelled), the item itself."""
    span = focus_row(ctx, table, row)
    if span is None:
        return []
    text = ctx.texts.get(span["doc_id"], "")
    s, e = span["start_char"], span["end_char"]
    lo, hi = max(0, s - WINDOW), min(len(text), e + WINDOW)
    others = []
    for name in OTHER_SPANS:
        for r in _by_doc(ctx, name).get(span["doc_id"], ()):
            if lo <= r["start_char"] and r["end_char"] <= hi and r is not span:
                if not (r["start_char"] < s < r["end_char"] or r["start_char"] < e < r["end_char"]):
                    if (r["start_char"], r["end_char"]) != (s, e):
                        others.append((r["start_char"], r["end_char"], LABELS[name]))
    others.sort()
    chosen, last = [], lo
    for o in others:
        if o[0] >= last:
            chosen.append(o)
            last = o[1]
    cuts = sorted({lo, hi, s, e, *(p for o in chosen for p in o[:2])})
    pieces = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        other = next((o for o in chosen if o[0] <= a and b <= o[1]), None)
        pieces.append({"text": text[a:b], "label": other[2] if other else None, "focus": s <= a and b <= e})
    return pieces


def item_payload(ctx: ReviewContext, table: str, row: dict, score: float, states: dict) -> dict:
    item_id = row[ID_COLUMN[table]]
    state = states.get((table, item_id))
    values = dict(row)
    if state:
        values.update(state.edits)
    status = state.status if state and state.entries else row.get("review_status") or "unreviewed"
    cols = columns(table)
    label = LABELS[table] if table != "commitments" else str(row.get("kind") or "commitment").upper()
    return {
        "table": table,
        "id": item_id,
        "status": status,
        "certainty": score,
        "document": ctx.file_name(row.get("doc_id")) if table in DOC_TABLES else "",
        "label": label,
        "fields": {name: cell(values.get(name)) for name in cols if name != "review_status"},
        "editable": [
            {
                "name": name,
                "kind": _kind(cols[name]),
                "allowed": list(cols[name].allowed) if cols[name].allowed else None,
                "required": cols[name].required,
            }
            for name in editable(table)
        ],
        "segments": segments(ctx, table, row),
    }


class Refused(Exception):
    """A request answered with a 4xx status and a JSON message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, out_dir: Path, review_dir: Path, port: int = 0, reviewer: str = "") -> None:
        self.out_dir, self.review_dir, self.reviewer = Path(out_dir), Path(review_dir), reviewer
        self.lock = threading.Lock()
        self.token = secrets.token_urlsafe(32)
        self.read_timeout = READ_TIMEOUT_S
        self.max_body = MAX_BODY_BYTES
        self.ctx = load_context(self.out_dir, self.review_dir)
        self.items = queue_items(self.ctx)
        super().__init__((HOST, port), Handler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"

    @property
    def hosts(self) -> set[str]:
        """Host header values that name this server (anything else is DNS rebinding or a proxy)."""
        port = self.server_address[1]
        return {f"{HOST}:{port}", f"localhost:{port}"}

    def queue(self) -> list[dict]:
        entries, _ = ledger.read(self.review_dir)
        states = ledger.fold(entries)
        return [item_payload(self.ctx, t, r, score, states) for t, r, score in self.items]

    def decide(self, body: dict) -> tuple[int, dict]:
        """Validate one decision (an edit may carry several fields) and append it; the item as it now stands."""
        body = decision(body)
        table, item_id, action = body.get("table", ""), body.get("id", ""), body.get("action", "")
        base = {
            "table": table,
            "id": item_id,
            "action": action,
            "reviewer": body.get("reviewer") or "",
            "comment": body.get("comment") or "",
        }
        if action == "edit" and isinstance(body.get("fields"), dict):
            records = [
                (n, {**base, "field": k, "value": "" if v is None else v})
                for n, (k, v) in enumerate(body["fields"].items(), 1)
            ]
        else:
            value = body.get("value")
            value = json.dumps(value) if isinstance(value, dict) else ("" if value is None else value)
            records = [(1, {**base, "field": body.get("field") or "", "value": value})]
        with self.lock:
            self.ctx.entries, _ = ledger.read(self.review_dir)
            for entry in self.ctx.entries:
                if entry.get("anchor"):
                    self.ctx.anchors.setdefault((entry["table"], entry["id"]), entry["anchor"])
            outcome = validate(records, self.ctx, self.reviewer or "browser", "page")
            problems = [p.message for p in outcome.problems]
            if not problems:
                problems = interval_problems(outcome.entries, self.ctx.row, ledger.fold(self.ctx.entries))
            if problems or not outcome.entries:
                return HTTPStatus.BAD_REQUEST, {"error": "; ".join(problems) or "nothing to record"}
            ledger.append(self.review_dir, outcome.entries)
        entry = outcome.entries[0]
        item_id = entry["id"]
        states = ledger.fold(ledger.read(self.review_dir)[0])
        row = self.ctx.row(table, item_id)
        if row is None:  # an added row: it joins the tables on the next run
            row = dict(entry.get("new_value") or {}) if entry["action"] == "add" else {ID_COLUMN[table]: item_id}
        score = next((s for t, r, s in self.items if r is row), 0.0)
        return HTTPStatus.OK, {
            "item": item_payload(self.ctx, table, row, score, states),
            "recorded": len(outcome.entries),
        }


def _text(body: dict, key: str, limit: int) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Refused(HTTPStatus.BAD_REQUEST, f"'{key}' must be text")
    if len(value) > limit:
        raise Refused(HTTPStatus.BAD_REQUEST, f"'{key}' is longer than {limit} characters")
    return value


def _scalar(value: object, where: str) -> None:
    if value is None or isinstance(value, (str, int, float)):
        return
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return
    raise Refused(HTTPStatus.BAD_REQUEST, f"{where} must be text, a number or a list of text")


def decision(body: object) -> dict:
    """The request body as a decision with known keys and plain values, or ``Refused`` (400)."""
    if not isinstance(body, dict):
        raise Refused(HTTPStatus.BAD_REQUEST, "expected a JSON object")
    unknown = sorted(k for k in body if k not in DECISION_KEYS)
    if unknown:
        raise Refused(HTTPStatus.BAD_REQUEST, f"unknown key(s) {unknown} (allowed: {', '.join(DECISION_KEYS)})")
    clean = {key: _text(body, key, MAX_NOTE_CHARS) for key in ("table", "id", "action", "comment", "field")}
    clean["reviewer"] = _text(body, "reviewer", MAX_REVIEWER_CHARS)
    fields = body.get("fields")
    if fields is not None:
        if clean["action"] != "edit" or not isinstance(fields, dict) or not fields:
            raise Refused(HTTPStatus.BAD_REQUEST, "'fields' is an object of field: value, for an edit only")
        for name, value in fields.items():
            _scalar(value, f"fields.{name}")
        clean["fields"] = fields
    value = body.get("value")
    if clean["action"] == "add" and isinstance(value, str) and value.strip().startswith("{"):
        value = parse_body(value.encode("utf-8"))  # the CSV form of a new row, held to the body's limits
    if isinstance(value, dict):
        if clean["action"] != "add":
            raise Refused(HTTPStatus.BAD_REQUEST, "an object 'value' is the new row of an add")
        for name, inner in value.items():
            _scalar(inner, f"value.{name}")
    else:
        _scalar(value, "value")
    clean["value"] = value
    _valid_unicode(clean)
    return clean


def _number(text: str) -> int | float:
    """json's number hook: refuse numbers no column can hold before Python converts them."""
    if len(text) > MAX_NUMBER_CHARS:
        raise Refused(HTTPStatus.BAD_REQUEST, f"a number longer than {MAX_NUMBER_CHARS} characters")
    if text.lstrip("-").isdigit():
        return int(text)
    number = float(text)
    if not math.isfinite(number):
        raise Refused(HTTPStatus.BAD_REQUEST, f"{text} is not a finite number")
    return number


def _constant(name: str) -> None:
    raise Refused(HTTPStatus.BAD_REQUEST, f"{name} is not a number JSON allows")


def _valid_unicode(value: object) -> None:
    """Refuse lone surrogates ("\\ud800" is valid JSON but not text the ledger can write as UTF-8).

    Called on a decision already checked for shape, so the recursion is two levels deep at most.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Refused(HTTPStatus.BAD_REQUEST, "text with a lone surrogate (not valid Unicode)") from None
    elif isinstance(value, dict):
        for key, inner in value.items():
            _valid_unicode(key)
            _valid_unicode(inner)
    elif isinstance(value, list):
        for inner in value:
            _valid_unicode(inner)


def parse_body(raw: bytes) -> object:
    """The JSON of a request body, or ``Refused`` (400) for anything that is not plain, valid JSON text."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(HTTPStatus.BAD_REQUEST, "the body is not UTF-8") from None
    try:
        data = json.loads(text or "{}", parse_int=_number, parse_float=_number, parse_constant=_constant)
    except RecursionError:
        raise Refused(HTTPStatus.BAD_REQUEST, "JSON nested too deeply") from None
    except ValueError as exc:
        raise Refused(HTTPStatus.BAD_REQUEST, f"bad JSON: {exc}") from None
    return data


class Handler(BaseHTTPRequestHandler):
    server: ReviewServer

    def setup(self) -> None:
        self.timeout = self.server.read_timeout  # a stalled client frees its thread (socket timeout)
        super().setup()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - keep test and CLI output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: object) -> None:
        self._send(status, json.dumps(data, default=plain).encode("utf-8"), "application/json; charset=utf-8")

    def _answer(self, work) -> None:
        """Run ``work``; a refusal or an unexpected error is still answered, with a JSON message."""
        try:
            work()
        except Refused as exc:
            self._json(exc.status, {"error": exc.message})
        except (TimeoutError, ConnectionError):
            self.close_connection = True  # the client is gone or stalled past the read timeout
        except Exception as exc:  # noqa: BLE001 - one request must not kill the answer
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"internal error: {type(exc).__name__}"})

    def _same_origin(self) -> None:
        """Refuse requests for another host name (DNS rebinding) and requests made by another site's page."""
        hosts = self.server.hosts
        if (self.headers.get("Host") or "").strip().lower() not in hosts:
            raise Refused(HTTPStatus.FORBIDDEN, f"wrong Host: this server answers only {self.server.url}")
        origin = self.headers.get("Origin")
        if origin is not None and origin.strip().lower() not in {f"http://{h}" for h in hosts}:
            raise Refused(HTTPStatus.FORBIDDEN, "cross-origin request refused")
        referer = self.headers.get("Referer")
        if referer is not None:
            parts = urlsplit(referer.strip())
            if parts.scheme != "http" or parts.netloc.lower() not in hosts:
                raise Refused(HTTPStatus.FORBIDDEN, "request from another site's page refused")
        if (self.headers.get("Sec-Fetch-Site") or "same-origin") not in ("same-origin", "none"):
            raise Refused(HTTPStatus.FORBIDDEN, "cross-site request refused")

    def _token(self) -> None:
        given = (self.headers.get(TOKEN_HEADER) or "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.server.token.encode("ascii")):
            raise Refused(HTTPStatus.FORBIDDEN, f"missing or wrong {TOKEN_HEADER}: use the page this server serves")

    def _body(self) -> bytes:
        """The declared body, read within the size limit and the read time, else ``Refused``."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise Refused(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
        declared = (self.headers.get("Content-Length") or "").strip()
        if not declared.isdigit() or len(declared) > 15:
            self.close_connection = True
            raise Refused(HTTPStatus.LENGTH_REQUIRED, "a Content-Length is required")
        length = int(declared)
        if length > self.server.max_body:
            self.close_connection = True  # the body is never read
            raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {self.server.max_body} bytes")
        chunks, got = [], 0
        deadline = time.monotonic() + self.server.read_timeout
        try:
            while got < length:
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunk = self.rfile.read1(min(65536, length - got))
                if not chunk:
                    self.close_connection = True
                    raise Refused(HTTPStatus.BAD_REQUEST, "the body is shorter than its Content-Length")
                chunks.append(chunk)
                got += len(chunk)
        except TimeoutError:
            self.close_connection = True
            message = f"the body did not arrive within {self.server.read_timeout:g} s"
            raise Refused(HTTPStatus.REQUEST_TIMEOUT, message) from None
        return b"".join(chunks)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(self._get)

    def do_POST(self) -> None:  # noqa: N802
        self._answer(self._post)

    def do_PUT(self) -> None:  # noqa: N802 - no other method changes anything; say so in JSON
        self.close_connection = True
        self._json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "only GET and POST"})

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT  # noqa: N815

    def _get(self) -> None:
        self._same_origin()
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, page_html(self.server.token).encode("utf-8"), "text/html; charset=utf-8")
        elif path == "/api/queue":
            self._token()
            self._json(HTTPStatus.OK, {"items": self.server.queue()})
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})

    def _post(self) -> None:
        self.close_connection = True  # one write per connection: an unread body never leaks into the next request
        self._same_origin()
        if self.path != "/api/decisions":
            raise Refused(HTTPStatus.NOT_FOUND, "not found")
        self._token()
        if self.headers.get_content_type() != "application/json":
            raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send the decision as Content-Type: application/json")
        charset = self.headers.get_content_charset()
        if charset not in (None, "utf-8", "utf8"):
            raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "the body must be UTF-8")
        status, data = self.server.decide(parse_body(self._body()))
        self._json(status, data)


def make_server(out_dir: Path, review_dir: Path, port: int = 0, reviewer: str = "") -> ReviewServer:
    """A bound server (port 0 picks a free one); call ``serve_forever`` to run it."""
    return ReviewServer(out_dir, review_dir, port, reviewer)
