"""PDF via pdfplumber: lines with their positions, so page furniture can be found by where it sits.

Running heads and footers are recognised by position (top/bottom band of the page) together with
repetition across pages or UN furniture patterns (job numbers ``25-20088 (E)``, barcodes
``*2520088*``, page numbers ``2/4``, document symbols). Footnotes (below the ``____`` rule) are
moved to the end of the text so that paragraphs broken by a page end join up again. Superscript
footnote markers are dropped by font size.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError

from pipeline.ingest.errors import IngestError
from pipeline.ingest.layout import Line, normalize_chars

_HEAD_BAND = 0.085
_FOOT_BAND = 0.91
_FURNITURE = re.compile(
    r"^(?:\d{2}-\d{5}\s*\([A-Z]\).*|\*\d{6,}\*|\d{1,4}|\d{1,4}\s*/\s*\d{1,4}(?:\s+\d{2}-\d{5}.*)?|"
    r"\d{2}-\d{5}\s+\d{1,4}\s*/\s*\d{1,4}|page \d+(?: of \d+)?|-\s*\d+\s*-)$",
    re.IGNORECASE,
)
_SYMBOL = re.compile(r"\b[A-Z]{1,6}(?:/[A-Z0-9.]+){2,}\b")
_FOOTNOTE_RULE = re.compile(r"^_{5,}$")


def _digits_as_hash(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def _page_lines(page) -> list[dict]:
    chars = page.chars
    if not chars:
        return []
    body_size = statistics.median(c.get("size", 10) for c in chars)
    top, bottom = _HEAD_BAND * page.height, _FOOT_BAND * page.height

    def keep(obj: dict) -> bool:
        """Drop superscript footnote markers: much smaller digits inside the body area."""
        if obj.get("object_type") != "char" or not obj.get("text", "").isdigit():
            return True
        small = obj.get("size", body_size) < 0.72 * body_size
        return not (small and top < obj.get("top", 0) and obj.get("bottom", 0) < bottom)

    page = page.filter(keep)
    return page.extract_text_lines(layout=False, strip=True, return_chars=False)


def read_pdf(data: bytes) -> tuple[list[Line], int]:
    """Return the lines of the PDF's body text and its page count."""
    try:
        pdf = pdfplumber.open(io.BytesIO(data), password="")
    except PDFPasswordIncorrect as exc:
        raise IngestError("encrypted", "the PDF is encrypted with a password; it cannot be read") from exc
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many types for broken files
        if "password" in repr(exc).lower() or type(exc).__name__ == "PDFPasswordIncorrect":
            raise IngestError("encrypted", "the PDF is encrypted with a password; it cannot be read") from exc
        raise IngestError("corrupt_pdf", f"the PDF could not be opened ({type(exc).__name__}: {exc})") from exc
    with pdf:
        try:
            pages = list(pdf.pages)
        except Exception as exc:
            raise IngestError("corrupt_pdf", f"the PDF's page tree is broken ({type(exc).__name__})") from exc
        if not pages:
            raise IngestError("empty_pdf", "the PDF has no pages")
        try:
            raw = [(page.height, _page_lines(page)) for page in pages]
        except PDFPasswordIncorrect as exc:
            raise IngestError("encrypted", "the PDF is encrypted with a password; it cannot be read") from exc
        except Exception as exc:
            raise IngestError(
                "corrupt_pdf", f"the PDF's content could not be parsed ({type(exc).__name__}: {exc})"
            ) from exc
    if not any(lines for _, lines in raw):
        raise IngestError(
            "no_text_layer", f"the PDF has {len(pages)} page(s) but no text layer (scanned image?); OCR it first"
        )
    return _remove_furniture(raw), len(pages)


def _remove_furniture(raw: list[tuple[float, list[dict]]]) -> list[Line]:
    band_counts: Counter[str] = Counter()
    for height, lines in raw:
        seen = set()
        for ln in lines:
            if ln["top"] < _HEAD_BAND * height or ln["bottom"] > _FOOT_BAND * height:
                seen.add(_digits_as_hash(ln["text"]))
        band_counts.update(seen)
    repeated = {k for k, n in band_counts.items() if n >= 2 and len(raw) >= 2}

    body: list[Line] = []
    footnotes: list[Line] = []
    for page_no, (height, lines) in enumerate(raw):
        left_margins = Counter(round(ln["x0"]) for ln in lines)
        left = left_margins.most_common(1)[0][0] if left_margins else 0
        in_footnotes = False
        prev_bottom: float | None = None
        gaps = [b["top"] - a["bottom"] for a, b in zip(lines, lines[1:], strict=False) if b["top"] > a["bottom"]]
        usual_gap = statistics.median(gaps) if gaps else 3.0
        for ln in lines:
            text = normalize_chars(ln["text"]).strip()
            in_band = ln["top"] < _HEAD_BAND * height or ln["bottom"] > _FOOT_BAND * height
            if in_band and (
                _FURNITURE.match(text)
                or _digits_as_hash(text) in repeated
                or (page_no > 0 and ln["top"] < _HEAD_BAND * height and _SYMBOL.search(text))
            ):
                continue
            if _FOOTNOTE_RULE.match(text):
                in_footnotes = True
                continue
            gap = (ln["top"] - prev_bottom) if prev_bottom is not None else 0.0
            indented = ln["x0"] > left + 12
            brk = prev_bottom is not None and (gap > max(usual_gap * 1.8, usual_gap + 4) or indented)
            prev_bottom = ln["bottom"]
            target = footnotes if in_footnotes else body
            target.append(Line(text, break_before=brk or (in_footnotes and bool(re.match(r"^\d{1,3} ", text)))))
    if footnotes:
        body.append(Line(""))
        body.extend(footnotes)
    return body
