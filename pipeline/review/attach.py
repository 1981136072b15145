"""Re-find the row a decision was made on after re-extraction gave it a new id.

Ids are derived from the document hash and offsets, so editing a file or changing a rule moves
them. An anchor remembers the document (id, path, file name), the row's text, its offsets and a
little surrounding text; re-attachment finds the same document, then the occurrence of that text
whose surroundings match best (nearest offset on ties), then the extracted row at that place.
"""

from __future__ import annotations

import re

from pipeline.review.fields import DOC_TABLES, ID_COLUMN, KEY_COLUMNS, TEXT_COLUMN, plain

CONTEXT_CHARS = 60


def norm(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip()


def anchor_for(table: str, row: dict, texts: dict[str, str], documents: dict[str, dict]) -> dict:
    """What a decision keeps about its row so it can be found again."""
    anchor: dict = {"text": row.get(TEXT_COLUMN[table]), "keys": {k: plain(row.get(k)) for k in KEY_COLUMNS[table]}}
    if table not in DOC_TABLES:
        anchor["aliases"] = plain(row.get("aliases")) or []
        return anchor
    doc_id, start, end = row.get("doc_id"), row.get("start_char"), row.get("end_char")
    doc = documents.get(doc_id) or {}
    text = texts.get(doc_id) or ""
    anchor.update(
        doc_id=doc_id,
        source_path=doc.get("source_path"),
        file_name=doc.get("file_name"),
        start_char=plain(start),
        end_char=plain(end),
        before=text[max(0, start - CONTEXT_CHARS) : start] if text and start is not None else "",
        after=text[end : end + CONTEXT_CHARS] if text and end is not None else "",
    )
    return anchor


def resolve_document(anchor: dict, documents: dict[str, dict]) -> str | None:
    """The doc_id the anchored document has now: same bytes, else same path, else a unique file name."""
    if anchor.get("doc_id") in documents:
        return anchor["doc_id"]
    ok = [d for d in documents.values() if d.get("status") == "ok"]
    same_path = [d for d in ok if anchor.get("source_path") and d.get("source_path") == anchor["source_path"]]
    if len(same_path) == 1:
        return same_path[0]["doc_id"]
    same_name = [d for d in ok if anchor.get("file_name") and d.get("file_name") == anchor["file_name"]]
    if len(same_name) == 1:
        return same_name[0]["doc_id"]
    return None


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def locate(anchor: dict, text: str) -> tuple[int, int] | None:
    """(start, end) of the anchored text in ``text``, chosen by matching surroundings, then nearest offset."""
    needle = anchor.get("text") or ""
    if not needle or not text:
        return None
    hits = [m.start() for m in re.finditer(re.escape(needle), text)]
    if not hits:
        return None
    old = anchor.get("start_char") or 0
    before, after = anchor.get("before") or "", anchor.get("after") or ""

    def score(pos: int) -> tuple[int, int]:
        ctx = _common_suffix(text[max(0, pos - len(before)) : pos], before)
        ctx += _common_prefix(text[pos + len(needle) : pos + len(needle) + len(after)], after)
        return (-ctx, abs(pos - old))

    best = min(hits, key=score)
    return best, best + len(needle)


def reattach(table: str, anchor: dict, tables: dict[str, list[dict]], texts: dict[str, str], documents, taken: set):
    """The current row the anchor points at, or None; ``taken`` holds ids already claimed by other anchors."""
    rows = [r for r in tables.get(table, []) if r[ID_COLUMN[table]] not in taken]
    wanted = norm(anchor.get("text"))
    if table not in DOC_TABLES:
        same = [r for r in rows if norm(r.get("name")) == wanted]
        same = same or [r for r in rows if wanted and wanted in (plain(r.get("aliases")) or [])]
        return same[0] if same else None
    doc_id = resolve_document(anchor, documents)
    if doc_id is None:
        return None
    same = [r for r in rows if r.get("doc_id") == doc_id and norm(r.get(TEXT_COLUMN[table])) == wanted]
    if not same:
        return None
    keys = anchor.get("keys") or {}
    place = locate(anchor, texts.get(doc_id) or "")
    target = place[0] if place else (anchor.get("start_char") or 0)

    def rank(row: dict) -> tuple[int, int]:
        mismatched = sum(1 for k, v in keys.items() if plain(row.get(k)) != v)
        return (abs((row.get("start_char") or 0) - target), mismatched)

    return min(same, key=rank)
