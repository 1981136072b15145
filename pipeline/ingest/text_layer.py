"""Is a PDF's text layer text? A font without a usable character map gives glyph numbers instead.

A CID font embedded without a ToUnicode table gives PDFium the glyph ids as control characters,
pdfminer ``(cid:NN)`` tokens; a symbol font maps into the private-use area; a broken map gives
U+FFFD. Such a text layer reads as a few stray letters, which the extractors would take for a
short valid document: it is refused as ``no_text_layer`` (OCR the rendered pages instead).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.ingest.errors import IngestError

# Private use (BMP and planes 15-16), the replacement character, and C0/C1 controls other than
# tab, newline and PDFium's own hyphen marks (U+0002 and U+FFFE are real hyphens).
_UNMAPPED = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff\ufffd\x00\x01\x03-\x08\x0b-\x1f\x7f-\x9f]")
_CID = re.compile(r"\(cid:\d+\)")
_SPACE = re.compile(r"\s+")
MOSTLY = 0.5  # share of unmapped characters above which the layer is not text


def unmapped_share(texts: Iterable[str]) -> float:
    """Share of the non-space characters that are glyph numbers, private-use or replacement marks."""
    total = bad = 0
    for text in texts:
        text = _SPACE.sub("", text)
        cids = _CID.findall(text)
        text = _CID.sub("", text)
        total += len(text) + len(cids)
        bad += len(_UNMAPPED.findall(text)) + len(cids)
    return bad / total if total else 0.0


def check_text_layer(texts: Iterable[str]) -> None:
    """Raise ``no_text_layer`` when most characters of the raw page text are unmapped glyphs."""
    share = unmapped_share(texts)
    if share > MOSTLY:
        raise IngestError(
            "no_text_layer",
            f"the PDF's text layer is not readable text: {share:.0%} of its characters are unmapped glyphs "
            "(a font without a character map, or private-use symbols); OCR the rendered pages first",
        )
