"""Plain text: detect the encoding, strip stray Markdown markup, keep the words.

Markdown files (.md, .markdown) are parsed by markdown_reader; ``decode`` and ``looks_binary`` serve
every text-based reader.
"""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from pipeline.ingest.errors import IngestError, warn
from pipeline.ingest.layout import Line, normalize_chars

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# 8-bit Latin code pages charset-normalizer may pick for a Western European text saved by Windows.
_LATIN_CODEPAGES = frozenset(
    "cp1250 cp1252 cp1254 cp1257 latin_1 iso8859_2 iso8859_3 iso8859_4 iso8859_9 iso8859_10 iso8859_13 "
    "iso8859_14 iso8859_15 iso8859_16 mac_roman mac_latin2 mac_iceland mac_turkish cp850 cp858 cp437".split()
)
_MD_RULE = re.compile(r"^\s*(?:[-*_=]\s*){2,}$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_EMPHASIS = re.compile(r"\*\*|__|~~")
_MD_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when every other byte is NUL, as in Latin-script UTF-16 text saved without a BOM."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _mostly_utf8(data: bytes) -> str | None:
    """The text when ``data`` is UTF-8 with a few invalid bytes, each replaced by U+FFFD (with a
    warning); None when it reads better in another encoding.

    A text saved in a Latin code page has no valid multi-byte UTF-8 sequence (an accented letter
    is one byte, followed by ASCII), so one valid sequence per invalid byte is evidence enough;
    pure-ASCII text with a stray high byte is left to the code-page guess ("Caf\xe9" is cp1252).
    """
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - data.count("\ufffd".encode())
    valid = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")  # non-ASCII characters read
    if invalid <= 0 or valid < invalid:
        return None
    warn(
        "invalid_utf8",
        f"{invalid} byte sequence(s) of this UTF-8 file are not valid UTF-8; they were replaced by "
        "the character \ufffd and the rest of the text was read as UTF-8",
    )
    return text


def decode(data: bytes) -> str:
    """Decode bytes as text: BOMs first, then BOM-less UTF-16, UTF-8 (strict, then with a few bad
    bytes replaced), then charset-normalizer's best guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    best = from_bytes(data, cp_isolation=None).best()
    if best is None:
        raise IngestError("binary_content", "the file is not text in any known encoding (binary data?)")
    if best.encoding in _LATIN_CODEPAGES:
        try:  # short Western texts are easily mistaken for Central European: Windows' default wins
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
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
