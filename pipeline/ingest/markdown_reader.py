"""Markdown through markdown-it-py (CommonMark plus GFM pipe tables): headings, paragraphs, list
items and table rows become physical lines; emphasis, links and inline code are reduced to their words.

Choices:
- A paragraph keeps its source lines (soft and hard breaks) as physical lines, so layout.py joins
  wrapped lines exactly as it does for plain text and a minutes line such as ``ACTION: ...``
  written right under another stays a line of its own.
- A list item is one line (its wrapped lines joined), marked as a list item; an ordered item
  keeps its number ("3. ...") as a plain-text numbered paragraph would.
- A table row is one pipe row ``| cell | cell |`` (header row first, no separator row), the
  contract the extractors read (minutes Action / Owner / Due tables).
- Code blocks are kept as text, one line per code line: minutes paste chat logs and action
  lists into fences ("ACTION: ..."), and ingestion must not lose words.
- Raw HTML blocks keep their text without tags; comments are dropped.
- A YAML front-matter block (``---`` ... ``---`` at the very top) is not text; its ``title``,
  ``date`` and ``author`` keys are returned as metadata hints.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.ingest.errors import IngestError
from pipeline.ingest.layout import Line, normalize_chars
from pipeline.ingest.text_reader import decode, looks_binary

_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\n(?P<body>(?:[A-Za-z_][\w-]*[ \t]*:.*\n|[ \t]+.*\n|#.*\n|[ \t]*\n)*?)(?:---|\.\.\.)[ \t]*(?:\n|\Z)"
)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HTML_TAG = re.compile(r"<[^>]*>")
_META_KEYS = {"title": "title", "date": "doc_date", "author": "speaker_or_author", "speaker": "speaker_or_author"}

_PARSER: MarkdownIt | None = None


def _parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        _PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return _PARSER


def cell_text(text: str) -> str:
    """A table cell as one line without pipes, so a row keeps its number of cells."""
    return " ".join(text.replace("|", "/").split())


def pipe_row(cells: list[str]) -> Line:
    return Line("| " + " | ".join(cell_text(c) for c in cells) + " |", break_before=True, hard=True, kind="table_cell")


def front_matter(text: str) -> tuple[str, dict[str, str]]:
    """The text without a leading YAML front-matter block, and its title/date/author values."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return text, {}
    meta: dict[str, str] = {}
    for line in m.group("body").splitlines():
        key, sep, value = line.partition(":")
        field = _META_KEYS.get(key.strip().lower())
        value = value.strip().strip("\"'").strip()
        if sep and field and value and field not in meta:
            meta[field] = value
    # Keep the line count (blank lines) so nothing after it moves in the source.
    return "\n" * m.group(0).count("\n") + text[m.end() :], meta


def normalize_source(text: str) -> str:
    """normalize_chars line by line, keeping each line's indentation (it nests lists and marks code)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    out = []
    for line in text.split("\n"):
        body = line.lstrip(" \t")
        out.append(line[: len(line) - len(body)].expandtabs(4) + normalize_chars(body))
    return "\n".join(out)


def _inline_lines(token: Token) -> list[str]:
    """The words of an inline token, split at soft and hard line breaks."""
    lines = [""]
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            lines.append("")
        elif child.type in ("text", "code_inline"):
            lines[-1] += child.content
        elif child.type == "html_inline":
            continue  # tags only; the text between them is its own token
        elif child.type == "image":
            lines[-1] += "".join(c.content for c in child.children or []) or child.content
    return [ln.strip() for ln in lines]


def _html_lines(content: str) -> list[str]:
    text = _HTML_COMMENT.sub("", content)
    text = _HTML_TAG.sub(" ", text)
    return [" ".join(ln.split()) for ln in text.split("\n")]


def markdown_lines(text: str) -> list[Line]:
    """Physical lines of a (normalized) Markdown text."""
    tokens = _parser().parse(text)
    out: list[Line] = []
    list_stack: list[dict] = []  # one per open list: {"ordered", "n"}
    item_first: list[bool] = []  # per open list item: is the next paragraph its first?
    row: list[str] | None = None
    cell_open = False
    heading = False

    for tok in tokens:
        t = tok.type
        if t == "heading_open":
            heading = True
        elif t == "heading_close":
            heading = False
        elif t in ("bullet_list_open", "ordered_list_open"):
            start = tok.attrGet("start")
            list_stack.append({"ordered": t == "ordered_list_open", "n": int(start) if start is not None else 1})
        elif t in ("bullet_list_close", "ordered_list_close"):
            if list_stack:
                list_stack.pop()
        elif t == "list_item_open":
            item_first.append(True)
            if list_stack and list_stack[-1]["ordered"]:
                number = tok.info or str(list_stack[-1]["n"])
                list_stack[-1]["current"] = f"{number}{tok.markup or '.'}"
                list_stack[-1]["n"] += 1
        elif t == "list_item_close":
            if item_first:
                item_first.pop()
        elif t == "tr_open":
            row = []
        elif t == "tr_close":
            if row is not None and any(c.strip() for c in row):
                out.append(pipe_row(row))
            row = None
        elif t in ("th_open", "td_open"):
            cell_open = True
            if row is not None:
                row.append("")
        elif t in ("th_close", "td_close"):
            cell_open = False
        elif t == "inline":
            words = _inline_lines(tok)
            if cell_open and row is not None:
                row[-1] = " ".join(w for w in words if w)
            elif heading:
                joined = " ".join(w for w in words if w)
                if joined:
                    out.append(Line(joined, break_before=True, hard=True, kind="heading"))
            elif item_first and item_first[-1]:
                item_first[-1] = False
                joined = " ".join(w for w in words if w)
                if not joined:
                    continue
                current = list_stack[-1].get("current") if list_stack and list_stack[-1]["ordered"] else None
                if current:
                    out.append(Line(f"{current} {joined}", break_before=True, hard=True))
                else:
                    out.append(Line(joined, break_before=True, hard=True, kind="list_item"))
            else:
                first = True
                for w in words:
                    if w:
                        out.append(Line(w, break_before=first))
                        first = False
        elif t in ("fence", "code_block"):
            first = True
            for w in tok.content.split("\n"):
                if w.strip():
                    out.append(Line(w.strip(), break_before=first, hard=True))
                    first = False
        elif t == "html_block":
            first = True
            for w in _html_lines(tok.content):
                if w:
                    out.append(Line(w, break_before=first))
                    first = False
        elif t == "hr":
            out.append(Line(""))
    return out


def read_markdown(data: bytes) -> tuple[list[Line], dict[str, str]]:
    """Lines of a Markdown file and the metadata its front matter gives (title, doc_date, speaker_or_author)."""
    text = decode(data)
    if looks_binary(text):
        raise IngestError("binary_content", "the file holds binary data, not text")
    text, meta = front_matter(normalize_source(text))
    lines = markdown_lines(text)
    if not any(ln.text.strip() for ln in lines):
        raise IngestError("no_text", "the Markdown file contains no readable text")
    return lines, meta
