"""``report.html``: every document's clean text with its extractions highlighted, plus corpus counts.

One self-contained file (inline CSS and JS, no network) that an analyst opens in a browser to see
what was extracted where. Dates and actor mentions are displaCy-style marks; meetings and
commitments (whole clauses) are underlined blocks, so a date inside a commitment's evidence
shows as a mark inside a block. Spans that cross each other are split into fragments that nest
(as a browser does with mis-nested tags), so every span is present and the text is unchanged:
the text content of each document's element is exactly ``texts/<doc_id>.txt``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.tables import atomic_write_chunks

KINDS = ("commitment", "meeting", "actor", "date")  # outer to inner when two spans cover the same text
BLOCK_KINDS = frozenset({"commitment", "meeting"})
COLORS = {"date": "#bfe1d9", "actor": "#ddd6fe", "meeting": "#2b7bba", "commitment": "#e4572e"}


@dataclass(frozen=True)
class Span:
    """One highlighted extraction: offsets into the clean text, what it is, and what to show on hover."""

    start: int
    end: int
    kind: str
    id: str
    label: str
    tip: str


def _open_tag(span: Span, first: bool) -> str:
    tag = "span" if span.kind in BLOCK_KINDS else "mark"
    classes = f"hl {span.kind}" + (" first" if first else "")
    return (
        f'<{tag} class="{classes}" data-kind="{span.kind}" data-id="{escape(span.id)}" '
        f'data-label="{escape(span.label)}" data-tip="{escape(span.tip)}" title="{escape(span.tip)}">'
    )


def _close_tag(span: Span) -> str:
    return "</span>" if span.kind in BLOCK_KINDS else "</mark>"


def render_text(text: str, spans: list[Span]) -> str:
    """HTML for ``text`` with every span wrapped; crossing spans are split so tags always nest.

    The first fragment of a span gets class ``first`` and its last fragment class ``last`` (for
    labels drawn by CSS, which keeps the element's text content equal to the clean text).
    """
    order = {k: i for i, k in enumerate(KINDS)}
    clean = [
        Span(max(0, s.start), min(len(text), s.end), s.kind, s.id, s.label, s.tip)
        for s in spans
        if s.end > s.start and s.start < len(text) and s.end > 0
    ]
    clean.sort(key=lambda s: (s.start, -s.end, order.get(s.kind, len(order)), s.id))
    bounds = sorted({0, len(text), *(s.start for s in clean), *(s.end for s in clean)})
    out: list[str] = []
    stack: list[tuple[Span, int]] = []  # open spans, outermost first, with the index of their open tag
    nxt = 0
    for i, pos in enumerate(bounds):
        ending = [j for j, (s, _) in enumerate(stack) if s.end <= pos]
        if ending:
            cut = ending[0]
            reopen = [s for s, _ in stack[cut:] if s.end > pos]
            for s, tag_index in reversed(stack[cut:]):
                out.append(_close_tag(s))
                if s.end <= pos:
                    out[tag_index] = out[tag_index].replace('class="hl ', 'class="hl last ', 1)
            del stack[cut:]
            for s in reopen:
                stack.append((s, len(out)))
                out.append(_open_tag(s, first=False))
        while nxt < len(clean) and clean[nxt].start == pos:
            s = clean[nxt]
            stack.append((s, len(out)))
            out.append(_open_tag(s, first=True))
            nxt += 1
        if i + 1 < len(bounds):
            out.append(escape(text[pos : bounds[i + 1]], quote=False))
    return "".join(out)


def _day(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.isoformat(timespec="minutes")
    return value.isoformat()


def _interval(start, end) -> str:
    a, b = _day(start), _day(end)
    if not a and not b:
        return "no date"
    return a if a == b or not b else f"{a} → {b}"


def _join(*parts) -> str:
    return " · ".join(str(p) for p in parts if p not in (None, ""))


def document_spans(rows: dict[str, list[dict]], actors: dict[str, dict]) -> list[Span]:
    """Spans of one document from its table rows; the tip carries each row's normalized value."""
    spans: list[Span] = []
    for r in rows.get("dates", []):
        tip = _join("DATE", _interval(r["start"], r["end"]), r["granularity"], r["kind"])
        spans.append(Span(r["start_char"], r["end_char"], "date", r["date_id"], "DATE", tip))
    for r in rows.get("mentions", []):
        actor = actors.get(r["actor_id"], {})
        tip = _join("ACTOR", actor.get("name", r["actor_id"]), actor.get("type"), actor.get("affiliation"))
        spans.append(Span(r["start_char"], r["end_char"], "actor", r["mention_id"], "ACTOR", tip))
    for r in rows.get("meetings", []):
        tip = _join("MEETING", r["name"], r["type"], _interval(r["start"], r["end"]), r["location"], r["status"])
        spans.append(Span(r["start_char"], r["end_char"], "meeting", r["meeting_id"], "MEETING", tip))
    for r in rows.get("commitments", []):
        label = r["kind"].upper().replace("_", " ")
        due = f"due {_day(r['deadline'])}" if r["deadline"] else "no deadline"
        tip = _join(label, r["actor"] or "unknown actor", r["action"], due)
        spans.append(Span(r["start_char"], r["end_char"], "commitment", r["commitment_id"], label, tip))
    return spans


def rows_by_document(rows: dict[str, list[dict]]) -> dict[str, dict[str, list[dict]]]:
    """doc_id -> table -> that document's rows of the span tables, grouped in one pass."""
    grouped: dict[str, dict[str, list[dict]]] = {}
    for table in ("dates", "mentions", "meetings", "commitments"):
        for r in rows[table]:
            grouped.setdefault(r["doc_id"], {}).setdefault(table, []).append(r)
    return grouped


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #222;
  background: #fafafa; }
header, main { max-width: 980px; margin: 0 auto; padding: 0 1.2rem; }
h1 { margin: 1.2rem 0 .3rem; } h2 { margin-top: 2rem; } h3 { margin: .2rem 0; }
.meta { color: #555; font-size: .9rem; }
.cards { display: flex; flex-wrap: wrap; gap: .6rem; margin: .8rem 0; }
.card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .5rem .8rem; min-width: 6.5rem; }
.card b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; background: #fff; font-size: .9rem; margin: .4rem 0 1rem; }
td, th { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; }
.grid { display: flex; flex-wrap: wrap; gap: 1.5rem; }
#legend { position: sticky; top: 0; background: #fafafa; padding: .5rem 0; border-bottom: 1px solid #ddd; z-index: 2; }
#legend label { margin-right: 1rem; cursor: pointer; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border-radius: 3px; vertical-align: middle; }
#info { position: fixed; right: 1rem; bottom: 1rem; max-width: 28rem; background: #fff; border: 1px solid #bbb;
  border-radius: 6px; padding: .5rem .7rem; font-size: .85rem; box-shadow: 0 2px 8px rgba(0,0,0,.15);
  display: none; z-index: 3; }
#info div + div { border-top: 1px solid #eee; margin-top: .3rem; padding-top: .3rem; }
article { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0; }
.doc { white-space: pre-wrap; line-height: 2.1; font-family: Georgia, "Times New Roman", serif; font-size: 1rem; }
mark.hl { padding: .1em .25em; margin: 0 .05em; border-radius: .35em; line-height: 1; color: inherit; }
mark.hl.last::after { content: attr(data-label); font: bold .55em system-ui, sans-serif; margin-left: .35em;
  text-transform: uppercase; vertical-align: middle; opacity: .75; }
mark.date { background: #bfe1d9; } mark.actor { background: #ddd6fe; }
span.hl.meeting { border-bottom: 3px solid #2b7bba; background: rgba(43,123,186,.07); }
span.hl.commitment { border-bottom: 3px solid #e4572e; background: rgba(228,87,46,.08); padding-bottom: 2px; }
span.hl.meeting span.hl.commitment, span.hl.commitment span.hl.meeting { padding-bottom: 5px; }
span.hl.first::before { content: attr(data-label); font: bold .6em system-ui, sans-serif; border-radius: .3em;
  padding: .05em .3em; margin-right: .3em; color: #fff; vertical-align: middle; }
span.hl.meeting.first::before { background: #2b7bba; } span.hl.commitment.first::before { background: #e4572e; }
.hl:hover { outline: 1px dashed #555; }
body.hide-date mark.date, body.hide-actor mark.actor { background: none; }
body.hide-date mark.date::after, body.hide-actor mark.actor::after { content: none; }
body.hide-meeting span.meeting, body.hide-commitment span.commitment { border-bottom: none; background: none; }
body.hide-meeting span.meeting::before, body.hide-commitment span.commitment::before { content: none; }
.error { color: #a40000; }
"""

JS = """
document.querySelectorAll('#legend input').forEach(box => box.addEventListener('change', () => {
  document.body.classList.toggle('hide-' + box.value, !box.checked);
}));
const info = document.getElementById('info');
document.querySelectorAll('.doc').forEach(doc => {
  doc.addEventListener('mouseover', ev => {
    const tips = [];
    for (let el = ev.target; el && el !== doc; el = el.parentElement) {
      if (el.dataset && el.dataset.tip) tips.push(el.dataset.tip);
    }
    info.replaceChildren(...tips.map(t => { const d = document.createElement('div'); d.textContent = t; return d; }));
    info.style.display = tips.length ? 'block' : 'none';
  });
  doc.addEventListener('mouseleave', () => { info.style.display = 'none'; });
});
document.body.dataset.ready = '1';
"""


def _read(out_dir: Path, name: str) -> list[dict]:
    return pq.read_table(Path(out_dir) / f"{name}.parquet").to_pylist()


def _count_table(title: str, counts: Counter) -> str:
    rows = "".join(f"<tr><td>{escape(str(k))}</td><td class='n'>{n}</td></tr>" for k, n in counts.most_common())
    return f"<div><h3>{escape(title)}</h3><table><tr><th>value</th><th>rows</th></tr>{rows}</table></div>"


def render_report(out_dir: Path) -> str:
    """The report's HTML from the tables and texts under ``out_dir``."""
    return "".join(iter_report(out_dir))


def iter_report(out_dir: Path) -> Iterator[str]:
    """The report's HTML in pieces, one per document, so the whole page is never in memory."""
    out_dir = Path(out_dir)
    names = ("documents", "actors", "mentions", "dates", "meetings", "events", "commitments", "errors")
    rows = {name: _read(out_dir, name) for name in names}
    actors = {a["actor_id"]: a for a in rows["actors"]}
    docs = sorted(rows["documents"], key=lambda d: (d["doc_date"] or dt.date.max, d["file_name"], d["doc_id"]))
    ok = [d for d in docs if d["status"] == "ok" and d["text_path"]]
    failed = [d for d in docs if not (d["status"] == "ok" and d["text_path"])]
    per_doc = {
        kind: Counter(r["doc_id"] for r in rows[table])
        for kind, table in (
            ("date", "dates"),
            ("actor", "mentions"),
            ("meeting", "meetings"),
            ("commitment", "commitments"),
        )
    }

    cards = "".join(f"<div class='card'><b>{len(rows[name])}</b>{name}</div>" for name in names if name != "documents")
    cards = (
        f"<div class='card'><b>{len(ok)}</b>documents read</div>"
        + (f"<div class='card error'><b>{len(docs) - len(ok)}</b>documents failed</div>" if len(docs) > len(ok) else "")
        + cards
    )
    index_rows = "".join(
        f"<tr><td><a href='#doc-{escape(d['doc_id'])}'>{escape(d['title'] or d['file_name'])}</a></td>"
        f"<td>{escape(d['doc_type'] or '')}</td><td>{_day(d['doc_date'])}</td>"
        + "".join(f"<td class='n'>{per_doc[k][d['doc_id']]}</td>" for k in ("date", "actor", "meeting", "commitment"))
        + "</tr>"
        for d in ok
    )
    index = (
        "<table><tr><th>document</th><th>type</th><th>date</th><th>dates</th><th>actor mentions</th>"
        f"<th>meetings</th><th>commitments</th></tr>{index_rows}</table>"
    )
    top_actors = Counter({a["name"]: a["n_mentions"] or 0 for a in rows["actors"]})
    breakdowns = "".join(
        [
            _count_table("commitments by kind", Counter(r["kind"] for r in rows["commitments"])),
            _count_table("meetings by status", Counter(r["status"] or "unknown" for r in rows["meetings"])),
            _count_table("actors by type", Counter(a["type"] for a in rows["actors"])),
            _count_table("dates by granularity", Counter(r["granularity"] or "unknown" for r in rows["dates"])),
        ]
    )
    top = "".join(f"<tr><td>{escape(name)}</td><td class='n'>{n}</td></tr>" for name, n in top_actors.most_common(15))
    failed_html = ""
    if failed:
        items = "".join(
            f"<li><b>{escape(d['file_name'])}</b>: {escape(d['error_kind'] or '')} "
            f"{escape(d['error_message'] or '')}</li>"
            for d in failed
        )
        failed_html = f"<h2>Documents that could not be read</h2><ul class='error'>{items}</ul>"

    legend = "".join(
        f"<label><input type='checkbox' value='{k}' checked> <span class='swatch' style='background:{COLORS[k]}'>"
        f"</span> {k}s</label>"
        for k in ("date", "actor", "meeting", "commitment")
    )
    yield f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Extraction report</title><style>{CSS}</style></head>
<body>
<header><h1>Extraction report</h1>
<div class="meta">{len(ok)} documents · hover a highlight to see its normalized value ·
generated from the tables in this folder</div></header>
<main>
<section id="counts"><h2>Corpus</h2><div class="cards">{cards}</div>
<div class="grid">{breakdowns}<div><h3>most-mentioned actors</h3>
<table><tr><th>actor</th><th>mentions</th></tr>{top}</table></div></div>
<h3>Documents</h3>{index}{failed_html}</section>
<section id="documents"><h2>Documents</h2><div id="legend">{legend}</div>"""
    by_doc = rows_by_document(rows)
    for d in ok:
        text = (out_dir / d["text_path"]).read_text(encoding="utf-8")
        body = render_text(text, document_spans(by_doc.get(d["doc_id"], {}), actors))
        meta = _join(d["doc_type"], _day(d["doc_date"]), d["speaker_or_author"], d["location"], d["file_name"])
        yield (
            f"<article id='doc-{escape(d['doc_id'])}' data-doc-id='{escape(d['doc_id'])}'>"
            f"<h3>{escape(d['title'] or d['file_name'])}</h3><div class='meta'>{escape(meta)}</div>"
            f"<div class='doc' data-doc-id='{escape(d['doc_id'])}'>{body}</div></article>"
        )
    yield f"""</section>
</main>
<div id="info"></div>
<script>{JS}</script>
</body></html>
"""


def build_report(out_dir: Path) -> Path:
    """Write ``OUT/report.html`` atomically."""
    path = Path(out_dir) / "report.html"
    atomic_write_chunks(path, iter_report(out_dir))
    return path
