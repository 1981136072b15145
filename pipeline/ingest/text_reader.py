"""Plain text and Markdown: detect the encoding, strip Markdown markup, keep the words."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from pipeline.ingest.errors import IngestError
from pipeline.ingest.layout import Line, normalize_chars

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_MD_RULE = re.compile(r"^\s*(?:[-*_=]\s*){2,}$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_EMPHASIS = re.compile(r"\*\*|__|~~")
_MD_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def decode(data: bytes) -> str:
    """Decode bytes as text: BOMs first, then strict UTF-8, then charset-normalizer's best guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=None).best()
    if best is None:
        raise IngestError("binary_content", "the file is not text in any known encoding (binary data?)")
    return str(best)


def looks_binary(text: str) -> bool:
    """Text full of control characters or replacement marks is binary data named .txt."""
    if not text:
        return False
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    return bad / len(sample) > 0.02


def strip_markdown(text: str) -> str:
    """Remove emphasis markers, rules, heading hashes and link targets; keep the words."""
    text = _MD_EMPHASIS.sub("", text)
    text = _MD_ITALIC.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    out = []
    for line in text.split("\n"):
        if _MD_RULE.match(line):
            out.append("")
            continue
        out.append(_MD_HEADING.sub("", line))
    return "\n".join(out)


def read_text(data: bytes) -> list[Line]:
    text = decode(data)
    if looks_binary(text):
        raise IngestError("binary_content", "the file holds binary data, not text")
    text = normalize_chars(text)
    text = re.sub(r"(\S) {2,}\n(?=[^\S\n]*\S)", r"\1 ", text)  # Markdown hard line break: same paragraph
    text = strip_markdown(text)
    lines: list[Line] = []
    blank = True
    for raw in text.split("\n"):
        if not raw.strip():
            blank = True
            lines.append(Line(""))
            continue
        lines.append(Line(raw, break_before=blank))
        blank = False
    return lines
