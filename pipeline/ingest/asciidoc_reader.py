"""AsciiDoc: a small reader of its block syntax (no maintained Python parser fits).

Document title ``= `` and section titles ``== `` are headings, block titles ``.Title`` too;
paragraph lines are physical lines (layout.py joins wrapped ones); list items (``*``, ``-``,
``.``, ``1.``, nested ``**``/``..``) are one line each, ordered items numbered; ``|===`` tables
become pipe rows (header row first: ``[options="header"]``/``%header``, or a first line holding
the whole first row followed by a blank line); ``//`` comments, ``////`` comment blocks,
attribute entries ``:name: value``, block attribute lines ``[...]`` and directives are not text;
listing and literal blocks (``----``, ``....``) are kept as text, one line per line.
``:author:``, ``:revdate:`` (or the header's author and revision lines) and the document title
are returned as metadata hints.
"""

from __future__ import annotations

import re

from pipeline.ingest.errors import IngestError
from pipeline.ingest.layout import Line, normalize_chars
from pipeline.ingest.markdown_reader import pipe_row
from pipeline.ingest.text_reader import decode, looks_binary

_TITLE = re.compile(r"^(={1,6})\s+(\S.*?)\s*(?:\s=+)?$")
_ATTRIBUTE = re.compile(r"^:(!?[\w][\w-]*!?):(?:\s+(.*))?$")
_BLOCK_ATTR = re.compile(r"^\[[^\]]*\]$")
_BLOCK_TITLE = re.compile(r"^\.([^\s.].*)$")
_LIST = re.compile(r"^(\*{1,5}|-|\.{1,5}|\d{1,3}\.|[a-z]\.)\s+(\S.*)$")
_DLIST = re.compile(r"^(\S.*?)(:{2,4}|;;)(?:\s+(.*))?$")
_DIRECTIVE = re.compile(r"^(?:include|ifdef|ifndef|ifeval|endif|toc)::\S*\[.*\]$")
_BLOCK_MACRO = re.compile(r"^(?:image|video|audio)::\S*\[(.*)\]$")
_TABLE = re.compile(r"^([|,:!])===+$")
_VERBATIM = re.compile(r"^(-{4,}|\.{4,}|\+{4,})$")
_COMPOUND = re.compile(r"^(={4,}|\*{4,}|_{4,}|--)$")
_COMMENT_BLOCK = re.compile(r"^/{4,}$")
_CELL_SEP = re.compile(
    r"(?:^|(?<=\s))(?P<spec>(?:(?P<dup>\d+)\*)?(?:(?P<span>\d+)(?:\.\d+)?\+|\.\d+\+)?[<^>]?(?:\.[<^>])?[adehlmsv]?)(?<!\\)\|"
)
_META = {"author": "speaker_or_author", "revdate": "doc_date", "doctitle": "title", "title": "title"}

_INLINE = [
    (re.compile(r"(?:link|xref|mailto):(\S*?)\[([^\]]*)\]"), lambda m: m.group(2) or m.group(1)),
    (re.compile(r"\b((?:https?|ftp)://[^\s\[]+)\[([^\]]*)\]"), lambda m: m.group(2) or m.group(1)),
    (re.compile(r"<<([^,>]+)(?:,\s*([^>]*))?>>"), lambda m: m.group(2) or m.group(1)),
    (re.compile(r"footnote:[\w-]*\[([^\]]*)\]"), lambda m: f" ({m.group(1)})" if m.group(1) else ""),
    (re.compile(r"(?:image|kbd|btn|menu|icon|pass):\S*?\[([^\]]*)\]"), lambda m: m.group(1)),
    (re.compile(r"\[\[[^\]]*\]\]"), lambda m: ""),
    (re.compile(r"\[[.#%][\w.#%-]*\](?=[*_`#])"), lambda m: ""),  # role on a quoted span
    (re.compile(r"(\*\*|__|``|##|\+\+)(.+?)\1"), lambda m: m.group(2)),
    (re.compile(r"(?<![\w*])\*(\S(?:[^*]*?\S)?)\*(?![\w*])"), lambda m: m.group(1)),
    (re.compile(r"(?<![\w_])_(\S(?:[^_]*?\S)?)_(?![\w_])"), lambda m: m.group(1)),
    (re.compile(r"(?<![\w`])`(\S(?:[^`]*?\S)?)`(?![\w`])"), lambda m: m.group(1)),
    (re.compile(r"(?<![\w#])#(\S(?:[^#]*?\S)?)#(?![\w#])"), lambda m: m.group(1)),
    (re.compile(r"(?<![\w+])\+(\S(?:[^+]*?\S)?)\+(?![\w+])"), lambda m: m.group(1)),
]


def inline(text: str, attrs: dict[str, str]) -> str:
    """Words of an AsciiDoc line: attribute references replaced, links and emphasis reduced."""
    text = re.sub(r"\{([\w-]+)\}", lambda m: attrs.get(m.group(1).lower(), m.group(0)), text)
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    text = re.sub(r"\s\+$", "", text)  # hard line break marker
    return " ".join(text.split())


def _n_cols(cols: str | None) -> int | None:
    if not cols:
        return None
    cols = cols.strip().strip("\"'")
    m = re.fullmatch(r"(\d+)\*.*", cols)
    if m:
        return int(m.group(1))
    return len([c for c in re.split(r"[,;]", cols) if c.strip()]) or None


def _split_cells(line: str) -> tuple[str, list[tuple[str, int]]]:
    """(text before the first cell, [(cell text, how many columns it fills)]) of a PSV table line."""
    seps = list(_CELL_SEP.finditer(line))
    if not seps:
        return line, []
    cells = []
    for i, m in enumerate(seps):
        end = seps[i + 1].start() if i + 1 < len(seps) else len(line)
        text = line[m.end() : end].replace("\\|", "|").strip()
        dup = int(m.group("dup") or 1)
        span = int(m.group("span") or 1)
        for _ in range(min(dup, 50)):
            cells.append((text, min(span, 50)))
    return line[: seps[0].start()], cells


class _Table:
    def __init__(self, sep: str, attrs: str) -> None:
        self.sep = sep
        self.header = bool(re.search(r"header", attrs))  # options="header", %header
        self.noheader = bool(re.search(r"noheader", attrs))
        cols = re.search(r"cols\s*=\s*(\"[^\"]*\"|'[^']*'|[^,\]]+)", attrs)
        self.n = _n_cols(cols.group(1) if cols else None)
        self.cells: list[str] = []
        self.first_line_cells: int | None = None
        self.first_line_done = False
        self.blank_after_first = False

    def add(self, raw: str, attrs: dict[str, str]) -> None:
        if not raw.strip():
            if self.first_line_cells is not None and not self.first_line_done:
                self.first_line_done = True
                self.blank_after_first = True
            return
        if self.first_line_cells is not None:
            self.first_line_done = True
        if self.sep in ",:":
            delim = "," if self.sep == "," else ":"
            parts = [p.strip().strip('"') for p in raw.split(delim)]
            if self.first_line_cells is None:
                self.first_line_cells = len(parts)
            self.cells.extend(parts)
            return
        before, cells = _split_cells(raw if self.sep == "|" else raw.replace(self.sep, "|"))
        if before.strip() and self.cells:  # text continuing the previous cell
            self.cells[-1] = f"{self.cells[-1]} {before.strip()}".strip()
        if not cells:
            return
        if self.first_line_cells is None:
            self.first_line_cells = sum(span for _, span in cells)
        for text, span in cells:
            self.cells.append(text)
            self.cells.extend([""] * (span - 1))

    def lines(self, attrs: dict[str, str]) -> list[Line]:
        n = self.n or self.first_line_cells or 1
        rows = [self.cells[i : i + n] for i in range(0, len(self.cells), n)]
        rows = [r + [""] * (n - len(r)) for r in rows]
        # Either way the first row comes first: the extractors read the first row as the header.
        return [pipe_row([inline(c, attrs) for c in r]) for r in rows if any(c.strip() for c in r)]


def asciidoc_lines(text: str) -> tuple[list[Line], dict[str, str]]:
    out: list[Line] = []
    meta: dict[str, str] = {}
    attrs: dict[str, str] = {}
    pending_attrs = ""
    blank = True
    raw_lines = text.split("\n")
    i = 0
    in_header = False
    header_line = 0
    counters: dict[int, int] = {}
    item: Line | None = None  # the list item still taking continuation lines

    def emit(line: Line) -> None:
        out.append(line)

    while i < len(raw_lines):
        raw = raw_lines[i].rstrip()
        line = raw.strip()
        i += 1
        if not line:
            blank, in_header, item = True, False, None
            continue
        if _COMMENT_BLOCK.match(line):
            while i < len(raw_lines) and not _COMMENT_BLOCK.match(raw_lines[i].strip()):
                i += 1
            i += 1
            continue
        if line.startswith("//"):
            continue
        m = _ATTRIBUTE.match(line)
        if m:
            name, value = m.group(1).strip("!").lower(), (m.group(2) or "").strip()
            attrs[name] = value
            if name in _META and value and _META[name] not in meta:
                meta[_META[name]] = inline(value, attrs)
            continue
        if _BLOCK_ATTR.match(line) and not line.startswith("[["):
            pending_attrs = line
            continue
        if line.startswith("[[") and line.endswith("]]"):
            continue
        if _DIRECTIVE.match(line):
            continue
        m = _BLOCK_MACRO.match(line)
        if m:
            if m.group(1).strip():
                emit(Line(inline(m.group(1).split(",")[0], attrs), break_before=True, hard=True))
            blank, item = False, None
            continue
        m = _TABLE.match(line)
        if m:
            table = _Table(m.group(1), pending_attrs)
            pending_attrs = ""
            while i < len(raw_lines) and not _TABLE.match(raw_lines[i].strip()):
                table.add(raw_lines[i].rstrip(), attrs)
                i += 1
            i += 1
            out.extend(table.lines(attrs))
            blank, item, counters = True, None, {}
            continue
        m = _VERBATIM.match(line)
        if m:
            first = True
            while i < len(raw_lines) and raw_lines[i].strip() != line:
                body = raw_lines[i].strip()
                if m.group(1).startswith("+"):
                    body = " ".join(re.sub(r"<[^>]*>", " ", body).split())
                if body:
                    emit(Line(normalize_chars(body), break_before=first, hard=True))
                    first = False
                i += 1
            i += 1
            blank, item, pending_attrs = True, None, ""
            continue
        if _COMPOUND.match(line) or line in ("'''", "---", "***", "<<<", "+"):
            blank, item, pending_attrs = True, None, ""  # the content is ordinary blocks
            if line == "+":
                blank = True
            continue
        pending_attrs = ""
        m = _TITLE.match(line)
        if m and blank or (m and not out):
            words = inline(m.group(2), attrs)
            if len(m.group(1)) == 1 and "title" not in meta:
                meta["title"] = words
                in_header, header_line = True, 0
            emit(Line(words, break_before=True, hard=True, kind="heading"))
            blank, item, counters = False, None, {}
            continue
        if in_header:  # author and revision lines right under the document title
            header_line += 1
            if header_line == 1 and not _LIST.match(line):
                author = re.sub(r"<[^>]*>", "", line).split(";")[0].strip()
                if author and "speaker_or_author" not in meta:
                    meta["speaker_or_author"] = inline(author, attrs)
                emit(Line(inline(author, attrs), break_before=True, hard=True))
                continue
            if header_line == 2:
                rev = re.match(r"^(?:v?[\d.]+\s*,\s*)?([^:]+?)(?::.*)?$", line)
                if rev and "doc_date" not in meta:
                    meta["doc_date"] = rev.group(1).strip()
                emit(Line(inline(line, attrs), break_before=True, hard=True))
                continue
        m = _BLOCK_TITLE.match(line)
        if m and blank:
            emit(Line(inline(m.group(1), attrs), break_before=True, hard=True, kind="heading"))
            item = None
            continue
        m = _LIST.match(line)
        if m:
            marker, words = m.group(1), inline(m.group(2), attrs)
            if marker[0] == "." or marker[0].isdigit() or (len(marker) == 2 and marker[1] == "."):
                level = len(marker) if marker[0] == "." else 1
                counters = {k: v for k, v in counters.items() if k <= level}
                counters[level] = counters.get(level, 0) + 1
                number = marker if marker[0].isdigit() else f"{counters[level]}."
                item = Line(f"{number} {words}", break_before=True, hard=True)
            else:
                item = Line(words, break_before=True, hard=True, kind="list_item")
            emit(item)
            blank = False
            continue
        if item is not None:  # a wrapped list item goes on
            item.text = f"{item.text} {inline(line, attrs)}".strip()
            continue
        m = _DLIST.match(line)
        if m and not line.endswith("::]"):
            words = inline(m.group(1), attrs) + ":" + (" " + inline(m.group(3), attrs) if m.group(3) else "")
            emit(Line(words, break_before=True, hard=True))
            blank = False
            continue
        words = inline(line, attrs)
        if words:
            emit(Line(words, break_before=blank))
            blank = False
    return out, meta


def read_asciidoc(data: bytes) -> tuple[list[Line], dict[str, str]]:
    """Lines of an AsciiDoc file and the metadata its header gives (title, doc_date, speaker_or_author)."""
    text = decode(data)
    if looks_binary(text):
        raise IngestError("binary_content", "the file holds binary data, not text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(normalize_chars(ln) for ln in text.split("\n"))
    lines, meta = asciidoc_lines(text)
    if not any(ln.text.strip() for ln in lines):
        raise IngestError("no_text", "the AsciiDoc file contains no readable text")
    return lines, meta
