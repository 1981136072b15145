"""The review page's local web server (127.0.0.1 only): the queue as JSON, decisions into the ledger.

Standard library only (``http.server``), so it runs wherever the pipeline runs. Decisions go
through the same validation as CSV imports and land in the same ledger; the tables change on
the next run, the page shows the decision at once.
"""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipeline.review import ledger
from pipeline.review.context import ReviewContext, load_context
from pipeline.review.corrections import validate
from pipeline.review.fields import DOC_TABLES, ID_COLUMN, cell, columns, editable, plain
from pipeline.review.page import PAGE_HTML
from pipeline.review.queue import LABELS, focus_row, queue_items

HOST = "127.0.0.1"
WINDOW = 320
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


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, out_dir: Path, review_dir: Path, port: int = 0, reviewer: str = "") -> None:
        self.out_dir, self.review_dir, self.reviewer = Path(out_dir), Path(review_dir), reviewer
        self.lock = threading.Lock()
        self.ctx = load_context(self.out_dir, self.review_dir)
        self.items = queue_items(self.ctx)
        super().__init__((HOST, port), Handler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"

    def queue(self) -> list[dict]:
        entries, _ = ledger.read(self.review_dir)
        states = ledger.fold(entries)
        return [item_payload(self.ctx, t, r, score, states) for t, r, score in self.items]

    def decide(self, body: dict) -> tuple[int, dict]:
        """Validate one decision (an edit may carry several fields) and append it; the item as it now stands."""
        table, item_id, action = str(body.get("table", "")), str(body.get("id", "")), str(body.get("action", ""))
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
            records = [(1, {**base, "field": body.get("field") or "", "value": body.get("value") or ""})]
        with self.lock:
            self.ctx.entries, _ = ledger.read(self.review_dir)
            for entry in self.ctx.entries:
                if entry.get("anchor"):
                    self.ctx.anchors.setdefault((entry["table"], entry["id"]), entry["anchor"])
            outcome = validate(records, self.ctx, self.reviewer or "browser", "page")
            if outcome.problems or not outcome.entries:
                message = "; ".join(p.message for p in outcome.problems) or "nothing to record"
                return HTTPStatus.BAD_REQUEST, {"error": message}
            ledger.append(self.review_dir, outcome.entries)
        row = self.ctx.row(table, item_id)
        score = next((s for t, r, s in self.items if r is row), 0.0)
        states = ledger.fold(ledger.read(self.review_dir)[0])
        return HTTPStatus.OK, {
            "item": item_payload(self.ctx, table, row, score, states),
            "recorded": len(outcome.entries),
        }


class Handler(BaseHTTPRequestHandler):
    server: ReviewServer

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - keep test and CLI output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: object) -> None:
        self._send(status, json.dumps(data, default=plain).encode("utf-8"), "application/json; charset=utf-8")

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, PAGE_HTML.encode("utf-8"), "text/html; charset=utf-8")
        elif path == "/api/queue":
            self._json(HTTPStatus.OK, {"items": self.server.queue()})
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        if self.path != "/api/decisions":
            self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(body, dict):
                raise ValueError("expected a JSON object")
        except ValueError as exc:
            self._json(HTTPStatus.BAD_REQUEST, {"error": f"bad request: {exc}"})
            return
        status, data = self.server.decide(body)
        self._json(status, data)


def make_server(out_dir: Path, review_dir: Path, port: int = 0, reviewer: str = "") -> ReviewServer:
    """A bound server (port 0 picks a free one); call ``serve_forever`` to run it."""
    return ReviewServer(out_dir, review_dir, port, reviewer)
