"""Turn physical lines (from any reader) into logical blocks of clean text.

Every reader reduces its format to a list of ``Line`` records; this module is the one place
that decides where a paragraph starts, which lines were hard-wrapped, which words were
hyphenated across a line end, and what kind of block a paragraph is. Sharing it keeps the
TXT, PDF and DOCX versions of one document producing the same clean text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipeline.document import Block

_BULLET = re.compile(r"^\s*(?:[•●▪◦‣∙·o■□➢►–—-]|\*)\s+(?=\S)")
_NUMBERED = re.compile(r"^\s*(?:\(?[0-9]{1,3}(?:\.[0-9]{1,2})*[.)]|\([a-z]{1,4}\)|[a-z][.)])\s+(?=\S)")
_ENDS_FUNCTION_WORD = re.compile(
    r"\b(?:the|of|and|or|to|in|for|a|an|with|by|on|at|from|as|that|its|their|this|these|"
    r"which|who|under|between|into|than|is|are|be|will|shall|has|have|not)$",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Zero-widths, the soft hyphen, noncharacters (U+FFFF, U+FDD0-FDEF, U+nFFFE/nFFFF of the other
# planes; U+FFFE itself is mapped to a hyphen first) and lone surrogates.
_INVISIBLE = re.compile(
    "[\u200b\u200c\u200d\u2060\ufeff\u00ad\uffff\ufdd0-\ufdef\ud800-\udfff"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(1, 17))
    + "]"
)
# Unicode category Cc is exactly U+0000-001F and U+007F-009F; keep newline and tab.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass
class Line:
    """One physical line. ``break_before`` marks a paragraph break the reader is sure of
    (a blank line in text, a vertical gap in a PDF, a new paragraph in DOCX)."""

    text: str
    break_before: bool = False
    hard: bool = False  # the reader knows this line is a whole paragraph (DOCX)
    kind: str | None = None  # a kind the reader knows (DOCX heading/list style, table cell)


def normalize_chars(text: str) -> str:
    """NFC, no invisible characters, one kind of space, no control characters."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\ufffe", "-")  # PDFium's mark for a hyphen at a line end ("Secretary\ufffeGeneral")
    text = _INVISIBLE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x85", "\n")
    text = _CONTROL.sub("", text)  # one regex pass instead of a category lookup per character
    return _SPACES.sub(" ", text)


_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")  # a Markdown pipe-table row is a line of its own


def _wrap_width(lines: list[Line]) -> int:
    lengths = sorted(len(ln.text) for ln in lines if ln.text.strip())
    if not lengths:
        return 0
    return lengths[int(0.9 * (len(lengths) - 1))]


# What the joining rules read of the paragraph so far: its last characters only. Every pattern
# that reads them is anchored at the end and spans far fewer characters, so the work per line
# does not grow with the paragraph (a paragraph of 40,000 wrapped lines is read in linear time).
_TAIL = 80


def _continues(prev: str, nxt: str, width: int, length: int | None = None) -> bool:
    """Is ``nxt`` the wrapped continuation of ``prev`` (same paragraph)? ``prev`` may be the last
    characters of the paragraph when ``length`` gives the paragraph's whole length."""
    if _BULLET.match(nxt) or _NUMBERED.match(nxt) or _TABLE_ROW.match(nxt):
        return False
    prev = prev.rstrip()
    if not prev or prev.endswith(":"):
        return False
    if nxt[:1].islower():
        return True
    if prev.endswith((",", ";", "-", "–")) or _ENDS_FUNCTION_WORD.search(prev[-_TAIL:]):
        return True
    size = len(prev) if length is None else length
    return width >= 40 and size >= 0.75 * width and not prev.endswith((".", "!", "?"))


# Second halves that make a compound, not a word broken by hyphenation ("decision-making",
# "high-level", "capacity-building"), and first halves that are prefixes kept hyphenated.
_COMPOUND_TAIL = re.compile(
    r"^(?:making|maker|makers|level|building|based|term|related|led|owned|driven|oriented|up|specific|"
    r"sensitive|responsive|friendly|wide|free|bound|sharing|seeking|speaking|generation|income|ended|"
    r"looking|scale|support|in|out|off|by|to|on|induced|resilient|affected|saving|informed)\b"
)
_COMPOUND_HEAD = re.compile(
    r"(?:^|[^\w])(?:self|non|cross|well|ex|all|co|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)$",
    re.IGNORECASE,
)
_HYPHEN_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class Vocabulary:
    """The document's own words, to tell "imple-|mentation" (join) from "decision-|making" (keep)."""

    joined: set[str]
    hyphenated: set[str]

    @classmethod
    def of(cls, texts) -> Vocabulary:
        joined: set[str] = set()
        hyphenated: set[str] = set()
        for text in texts:
            joined.update(w.lower() for w in _WORD.findall(text))
            hyphenated.update(w.lower() for w in _HYPHEN_WORDS.findall(text))
        return cls(joined, hyphenated)


def keeps_hyphen(left: str, right: str, vocab: Vocabulary | None = None, default: bool | None = None) -> bool:
    """Is the hyphen between ``left`` (text before it) and ``right`` (text after the line end) part
    of the word? A capital or digit after it ("Secretary-|General", "COVID-|19") keeps it; a
    lower-case continuation is hyphenation unless the document writes the compound with a hyphen
    elsewhere, the halves form a known compound, or the joined word is not otherwise used while
    the first half ends a known compound. ``default`` decides when the document's words do not."""
    if not right[:1].islower():
        return True
    a = (_WORD.findall(left[-40:]) or [""])[-1].lower()
    m = _WORD.match(right)
    b = m.group(0).lower() if m else ""
    if vocab is not None and a and b:
        if f"{a}-{b}" in vocab.hyphenated and f"{a}{b}" not in vocab.joined:
            return True
        if f"{a}{b}" in vocab.joined and f"{a}-{b}" not in vocab.hyphenated:
            return False
    if default is not None:
        return default
    return bool(_COMPOUND_TAIL.match(right.lower()) or _COMPOUND_HEAD.search(left))


def _join(prev: str, nxt: str, vocab: Vocabulary | None = None) -> str:
    """Join two wrapped lines, rejoining a word hyphenated across the line end ("imple-|mentation")
    and keeping the hyphen of a compound ("Secretary-|General", "decision-|making")."""
    prev = prev.rstrip()
    nxt = nxt.lstrip()
    hyphen = prev.endswith("-") and re.search(r"[^\W\d_]-$", prev[-2:])
    if hyphen and re.match(r"(?:and|or|nor)\b", nxt):
        return f"{prev} {nxt}"  # "pre- and post-conflict"
    if hyphen and nxt[:1].isalnum():
        if not re.search(r"[^\W\d_]{2}-$", prev) or keeps_hyphen(prev[:-1], nxt, vocab):
            return prev + nxt
        return prev[:-1] + nxt
    return f"{prev} {nxt}"


def classify(text: str, hint: str | None = None) -> tuple[str, str | None, str]:
    """Return (kind, number, text without bullet glyph) for one paragraph."""
    if hint == "table_cell":
        return "table_cell", None, text
    m = _BULLET.match(text)
    if m:
        return "list_item", None, text[m.end() :]
    m = _NUMBERED.match(text)
    if m:
        number = m.group(0).strip()
        kind = "numbered_paragraph" if re.match(r"\(?\d", number) else "list_item"
        return kind, number, text
    if hint in ("heading", "list_item"):
        return hint, None, text
    if _looks_like_heading(text):
        return "heading", None, text
    return "paragraph", None, text


def _looks_like_heading(text: str) -> bool:
    if len(text) > 120 or text.endswith((".", ",", ";")):
        return False
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    if sum(c.isupper() for c in letters) / len(letters) > 0.8:
        return True
    words = text.split()
    return len(words) <= 8 and not text.endswith(":") and all(w[:1].isupper() or len(w) <= 3 for w in words)


class _Paragraph:
    """A paragraph being built from wrapped lines: finished text in ``head``, the last characters
    (all the joining rules read) in ``tail``, so joining a line costs its own length only."""

    def __init__(self, text: str, hint: str | None) -> None:
        self.head: list[str] = []
        self.tail = text
        self.length = len(text)
        self.hint = hint

    def join(self, text: str, vocab: Vocabulary | None) -> None:
        before = len(self.tail)
        self.tail = _join(self.tail, text, vocab)
        self.length += len(self.tail) - before
        if len(self.tail) > 2 * _TAIL:
            self.head.append(self.tail[:-_TAIL])
            self.tail = self.tail[-_TAIL:]

    def done(self) -> tuple[str, str | None]:
        return "".join(self.head) + self.tail, self.hint


def lines_to_blocks(lines: list[Line]) -> tuple[str, list[Block]]:
    """Group lines into paragraphs, classify them and lay them out as one clean text.

    Blocks are separated by a blank line in the clean text, so the text reads well on its own
    and ``text[block.start:block.end]`` is exactly the block.
    """
    width = _wrap_width([ln for ln in lines if not ln.hard])
    vocab = Vocabulary.of(ln.text for ln in lines) if any(ln.text.rstrip().endswith("-") for ln in lines) else None
    paragraphs: list[tuple[str, str | None]] = []
    current: _Paragraph | None = None
    for line in lines:
        text = line.text.strip()
        if not text:
            if current is not None:
                paragraphs.append(current.done())
                current = None
            continue
        if (
            current is not None
            and not line.break_before
            and not line.hard
            and _continues(current.tail, text, width, current.length)
        ):
            current.join(text, vocab)
            continue
        if current is not None:
            paragraphs.append(current.done())
        current = _Paragraph(text, line.kind)
        if line.hard:
            paragraphs.append(current.done())
            current = None
    if current is not None:
        paragraphs.append(current.done())

    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for raw, hint in paragraphs:
        kind, number, text = classify(raw.strip(), hint)
        text = text.strip()
        if not text:
            continue
        if parts:
            parts.append("\n\n")
            offset += 2
        blocks.append(Block(kind=kind, start=offset, end=offset + len(text), number=number))  # type: ignore[arg-type]
        parts.append(text)
        offset += len(text)
    return "".join(parts), blocks
