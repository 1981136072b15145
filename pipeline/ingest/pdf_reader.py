"""PDF: lines with their positions, so page furniture can be found by where it sits.

Characters and their boxes come from PDFium (``pypdfium2``, installed with pdfplumber): it reads
a page in about 3 ms where pdfplumber's pdfminer needs about 125 ms, and its line grouping is
as good on UN documents (benchmarks/bench.py measures both speed and text agreement). The
pdfplumber path is kept as ``engine="pdfplumber"``, the reference the fast one is checked against.

Running heads and footers are recognised by position (top/bottom band of the page) together with
repetition across pages or UN furniture patterns (job numbers ``25-20088 (E)``, barcodes
``*2520088*``, page numbers ``2/4``, document symbols). Footnotes (below the ``____`` rule) are
moved to the end of the text so that paragraphs broken by a page end join up again. Superscript
footnote markers are dropped by font size.
"""

from __future__ import annotations

import ctypes
import io
import re
import statistics
from collections import Counter

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError

from pipeline.ingest.errors import IngestError
from pipeline.ingest.layout import Line, Vocabulary, keeps_hyphen, normalize_chars
from pipeline.ingest.markdown_reader import pipe_row
from pipeline.ingest.pdf_tables import find_tables, has_ruling, merge_rows, table_rows
from pipeline.ingest.text_layer import check_text_layer

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


_LINE_END = re.compile(r"\r\n|\n|\r")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"(?<=\S) (?=\S)")
_SMALL = 0.72  # a digit this much smaller than the body text is a footnote marker
_WORD_GAP = 0.15  # a space PDFium inserts into a narrower gap (in ems) splits a word: "discussio ns"


def _pdfium_page_lines(page: pdfium.PdfPage) -> list[dict]:
    """The same line records as ``_page_lines`` (text, x0, top, bottom; top-down coordinates).

    PDFium already groups characters into lines (CRLF between them). Boxes are the loose
    (font-height) ones, like pdfminer's, so gaps between lines are comparable. Only a few
    characters per line and the digits are looked at one by one: per-character calls through
    ctypes would cost more than the parsing.
    """
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        if n <= 0:
            return []
        text = textpage.get_text_range(0, n)
        if len(text) != n:  # characters outside the BMP: one text unit per character index
            text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i) or 32) for i in range(n))
        height = page.get_height()
        tp = textpage.raw
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        rect = pdfium_c.FS_RECTF()

        def box(i: int) -> tuple[float, float, float]:
            pdfium_c.FPDFText_GetLooseCharBox(tp, i, rect)
            return rect.left, height - rect.top, height - rect.bottom

        step = max(1, n // 400)
        sizes = [pdfium_c.FPDFText_GetFontSize(tp, i) for i in range(0, n, step) if not text[i].isspace()]
        body_size = statistics.median(sizes) if sizes else 10.0
        head, foot = _HEAD_BAND * height, _FOOT_BAND * height
        drop: set[int] = set()
        for m in _DIGITS.finditer(text):
            for i in range(m.start(), m.end()):
                if pdfium_c.FPDFText_GetFontSize(tp, i) < _SMALL * body_size:
                    pdfium_c.FPDFText_GetCharBox(tp, i, left, right, bottom, top)
                    if head < height - top.value and height - bottom.value < foot:
                        drop.add(i)
        for i in _false_spaces(tp, text):
            drop.add(i)
        lines: list[dict] = []
        bounds = [0, *(x for m in _LINE_END.finditer(text) for x in (m.start(), m.end())), n]
        for a, e in zip(bounds[::2], bounds[1::2], strict=True):
            raw = text[a:e]
            if drop and any(a <= i < e for i in drop):
                raw = "".join(ch for k, ch in enumerate(raw, a) if k not in drop)
            line = " ".join(raw.replace("\x02", "-").split())
            if not line:
                continue
            span = text[a:e]
            first = a + len(span) - len(span.lstrip())
            last = a + len(span.rstrip()) - 1
            x0, t0, b0 = box(first)
            _, t1, b1 = box(last)
            lines.append({"text": line, "x0": x0, "top": min(t0, t1), "bottom": max(b0, b1)})
        lines.sort(key=lambda ln: (round(ln["top"]), ln["x0"]))
        return lines
    finally:
        textpage.close()


def _false_spaces(tp, text: str) -> list[int]:
    """Spaces PDFium generated (not in the file) between letters that sit closer than a word gap.

    Justified text is often placed in pieces; PDFium then guesses a space where pdfminer and
    pdftotext do not, cutting words in two. Real word gaps are 0.2 em and wider.
    """
    out = []
    n = len(text)
    before, after = pdfium_c.FS_RECTF(), pdfium_c.FS_RECTF()
    for m in _SPACE.finditer(text):
        i = m.start()
        if 0 < i < n - 1 and pdfium_c.FPDFText_IsGenerated(tp, i):
            pdfium_c.FPDFText_GetLooseCharBox(tp, i - 1, before)
            pdfium_c.FPDFText_GetLooseCharBox(tp, i + 1, after)
            size = pdfium_c.FPDFText_GetFontSize(tp, i - 1) or 10.0
            if after.left - before.right < _WORD_GAP * size:
                out.append(i)
    return out


def read_pdf(data: bytes, engine: str = "pdfium") -> tuple[list[Line], int]:
    """Return the lines of the PDF's body text and its page count."""
    if engine == "pdfium":
        return _read_pdfium(data)
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
            raw = [(page.height, merge_rows(_page_lines(page), table_rows(page))) for page in pages]
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


def _read_pdfium(data: bytes) -> tuple[list[Line], int]:
    try:
        pdf = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise IngestError("encrypted", "the PDF is encrypted with a password; it cannot be read") from exc
        # Files PDFium refuses (no page tree, damaged): pdfminer reads some of them and otherwise
        # tells precisely what is wrong; this path is rare, so its speed does not matter.
        return read_pdf(data, engine="pdfplumber")
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise IngestError("empty_pdf", "the PDF has no pages")
        raw: list[tuple[float, list[dict]]] = []
        ruled: list[int] = []
        try:
            for i in range(n_pages):
                page = pdf[i]
                try:
                    raw.append((page.get_height(), _pdfium_page_lines(page)))
                    if has_ruling(page):
                        ruled.append(i)
                finally:
                    page.close()
        except pdfium.PdfiumError as exc:
            raise IngestError("corrupt_pdf", f"the PDF's content could not be parsed ({exc})") from exc
    finally:
        pdf.close()
    for number, tables in find_tables(data, ruled).items():
        raw[number] = (raw[number][0], merge_rows(raw[number][1], tables))
    if not any(lines for _, lines in raw):
        raise IngestError(
            "no_text_layer", f"the PDF has {n_pages} page(s) but no text layer (scanned image?); OCR it first"
        )
    return _remove_furniture(raw), n_pages


_PDFIUM_HYPHEN = re.compile(r"(?<=[^\W\d_])[\ufffe\x02](?=\w)")


def _resolve_line_end_hyphens(raw: list[tuple[float, list[dict]]]) -> None:
    """PDFium joins a line that ends in a hyphen to the next and marks the hyphen U+FFFE (or
    U+0002). In UN documents such a hyphen is nearly always a real one ("Secretary-General",
    "decision-making"), so it stays, unless the document writes the joined word elsewhere and
    never the hyphenated one ("imple|mentation")."""
    texts = [ln["text"] for _, lines in raw for ln in lines]
    if not any("\ufffe" in t or "\x02" in t for t in texts):
        return
    vocab = Vocabulary.of(_PDFIUM_HYPHEN.sub(" ", t) for t in texts)
    for _, lines in raw:
        for ln in lines:
            text = ln["text"]
            if "\ufffe" not in text and "\x02" not in text:
                continue
            ln["text"] = _PDFIUM_HYPHEN.sub(
                lambda m: "-" if keeps_hyphen(m.string[: m.start()], m.string[m.end() :], vocab, True) else "",
                text,
            )


def _remove_furniture(raw: list[tuple[float, list[dict]]]) -> list[Line]:
    check_text_layer(ln.get("text") or "" for _, lines in raw for ln in lines)  # glyph numbers are no text
    _resolve_line_end_hyphens(raw)
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
            if "row" in ln:
                target.append(pipe_row([normalize_chars(cell) for cell in ln["row"]]))
                continue
            target.append(Line(text, break_before=brk or (in_footnotes and bool(re.match(r"^\d{1,3} ", text)))))
    if footnotes:
        body.append(Line(""))
        body.extend(footnotes)
    return body
