"""HTML pages through trafilatura: the main content (navigation, headers, footers and other
boilerplate left out) as physical lines, and the page's title, date and author as metadata hints.

trafilatura's XML tree is walked in order: ``head`` is a heading, ``p`` a paragraph (``lb``
breaks lines), ``list/item`` list items, ``table/row/cell`` pipe rows with the header row first,
``code`` lines kept as text. A page too small for trafilatura's main-content detection (nothing found, or
only its one-paragraph baseline) is read from its own ``<body>`` with the same walker (scripts,
navigation, headers and footers skipped).
"""

from __future__ import annotations

import re

import lxml.html
import trafilatura
from lxml import etree

from pipeline.ingest.errors import IngestError
from pipeline.ingest.layout import Line, normalize_chars
from pipeline.ingest.markdown_reader import pipe_row
from pipeline.ingest.text_reader import decode, looks_binary

_HEADINGS = {"head", "h1", "h2", "h3", "h4", "h5", "h6", "title"}
_PARAS = {"p", "quote", "blockquote", "dt", "dd", "figcaption", "caption", "address"}
_LISTS = {"list", "ul", "ol", "dl"}
_ITEMS = {"item", "li"}
_TABLES = {"table"}
_ROWS = {"row", "tr"}
_CELLS = {"cell", "td", "th"}
_CODE = {"code", "pre"}
_BREAKS = {"lb", "br"}
_SKIP = {
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "button", "select",
    "template", "svg", "iframe", "graphic", "img", "comments", "menu",
}  # fmt: skip
_CONTAINERS = {"div", "section", "article", "main", "body"}
_BLOCKS = _HEADINGS | _PARAS | _LISTS | _ITEMS | _TABLES | _ROWS | _CELLS | _CODE | _CONTAINERS


def _tag(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


def _text(el, keep_breaks: bool = True) -> str:
    """The words of an element, line breaks as newlines, skipped elements left out."""
    parts: list[str] = [el.text or ""]
    for child in el:
        tag = _tag(child)
        if tag in _BREAKS:
            parts.append("\n" if keep_breaks else " ")
        elif tag in _SKIP or not tag:
            pass
        elif tag in _LISTS | _ITEMS | _ROWS | _TABLES | _PARAS | _HEADINGS:
            parts.append("\n" + _text(child, keep_breaks) + "\n" if keep_breaks else " " + _text(child, False) + " ")
        elif tag in _CELLS:
            parts.append(" " + _text(child, keep_breaks) + " ")
        else:
            parts.append(_text(child, keep_breaks))
        parts.append(child.tail or "")
    return "".join(parts)


class _Walker:
    def __init__(self) -> None:
        self.lines: list[Line] = []

    def para(self, text: str, kind: str | None = None) -> None:
        first = True
        for raw in text.split("\n"):
            words = " ".join(normalize_chars(raw).split())
            if not words:
                continue
            if kind:
                self.lines.append(Line(words, break_before=True, hard=True, kind=kind))
            else:
                self.lines.append(Line(words, break_before=first))
            first = False

    def table(self, el) -> None:
        rows: list[tuple[bool, list[str]]] = []
        for row in el.iter():
            if _tag(row) not in _ROWS:
                continue
            owner = next((a for a in row.iterancestors() if _tag(a) in _TABLES), None)
            if owner is not el:  # a nested table's rows belong to its cell
                continue
            cells, head = [], False
            for cell in row:
                if _tag(cell) not in _CELLS:
                    continue
                head = head or _tag(cell) == "th" or cell.get("role") == "head"
                cells.append(" ".join(normalize_chars(_text(cell, False)).split()))
                try:
                    span = int(cell.get("colspan") or 1)
                except ValueError:
                    span = 1
                cells.extend([""] * (min(max(span, 1), 50) - 1))
            if any(cells):
                rows.append((head, cells))
        if not rows:
            return
        # The header row first (a header found further down moves up); one width for every row.
        heads = [i for i, (head, _) in enumerate(rows) if head]
        if heads and heads[0] > 0:
            rows.insert(0, rows.pop(heads[0]))
        width = max(len(cells) for _, cells in rows)
        for _, cells in rows:
            self.lines.append(pipe_row(cells + [""] * (width - len(cells))))

    def walk(self, el) -> None:
        tag = _tag(el)
        if tag in _SKIP or not tag:
            return
        if tag in _HEADINGS:
            self.para(_text(el, False), kind="heading")
        elif tag in _TABLES:
            self.table(el)
        elif tag in _LISTS:
            for child in el:
                self.walk(child)
        elif tag in _ITEMS:
            nested = [c for c in el if _tag(c) in _LISTS | _TABLES]  # walked after the item's own words
            own = [el.text or ""] + [
                ("" if _tag(c) in _LISTS | _TABLES else (" " + _text(c, False) + " ")) + (c.tail or "") for c in el
            ]
            self.para("".join(own), kind="list_item")
            for c in nested:
                self.walk(c)
        elif tag in _CODE:
            for raw in _text(el).split("\n"):
                words = " ".join(normalize_chars(raw).split())
                if words:
                    self.lines.append(Line(words, break_before=True, hard=True))
        elif tag in _PARAS and not any(_tag(c) in _BLOCKS for c in el):
            self.para(_text(el))
        else:  # a container: its own loose text, then its children in order
            if (el.text or "").strip():
                self.para(el.text)
            for child in el:
                self.walk(child)
                if (child.tail or "").strip():
                    self.para(child.tail)


def _is_baseline(body) -> bool:
    """trafilatura's last resort on a page without main content: all its text in one ``p``."""
    children = [c for c in body if _tag(c)]
    return len(children) == 1 and _tag(children[0]) == "p" and "\n" in (children[0].text or "")


def _fallback(html: str) -> tuple[list[Line], str | None]:
    """A page trafilatura finds no main content in (too short): its body, boilerplate skipped."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return [], None
    title_el = root.find(".//title")
    title = " ".join((title_el.text_content() if title_el is not None else "").split()) or None
    body = root.find(".//body")
    walker = _Walker()
    walker.walk(body if body is not None else root)
    return walker.lines, title


def read_html(data: bytes) -> tuple[list[Line], dict[str, str]]:
    """Lines of an HTML page's main content and the metadata trafilatura finds (title, doc_date, speaker_or_author)."""
    html = decode(data)
    if looks_binary(html):
        raise IngestError("binary_content", "the file holds binary data, not an HTML page")
    html = html.replace("\x00", "")
    if not re.search(r"<[a-zA-Z!/]", html):
        raise IngestError("no_text", "the file named .html holds no HTML markup")
    meta: dict[str, str] = {}
    lines: list[Line] = []
    extracted = None
    try:
        extracted = trafilatura.bare_extraction(
            html,
            include_tables=True,
            include_comments=False,
            with_metadata=True,
            deduplicate=False,
            # the date the page states (meta tags, <time>, bylines), never one guessed from its text
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # noqa: BLE001 - a broken page falls back to its own body below
        extracted = None
    if extracted is not None and extracted.body is not None:
        walker = _Walker()
        for child in extracted.body:
            walker.walk(child)
        lines = walker.lines
        for key, field in (("title", "title"), ("date", "doc_date"), ("author", "speaker_or_author")):
            value = getattr(extracted, key, None)
            if value and str(value).strip():
                meta[field] = " ".join(normalize_chars(str(value)).split())
    baseline = extracted is not None and extracted.body is not None and _is_baseline(extracted.body)
    if baseline or not any(ln.text.strip() for ln in lines):
        found, title = _fallback(html)
        lines = found if any(ln.text.strip() for ln in found) else lines
        if title and "title" not in meta:
            meta["title"] = normalize_chars(title)
    if not any(ln.text.strip() for ln in lines):
        raise IngestError("no_text", "the HTML page has no readable text (no main content found)")
    title = meta.get("title")
    first = next((ln.text for ln in lines if ln.text.strip()), "")
    if title and first.strip().lower() != title.strip().lower():  # the page title heads the clean text
        lines.insert(0, Line(title, break_before=True, hard=True, kind="heading"))
    return lines, meta
