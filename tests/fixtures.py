"""Write real PDF (fpdf2) and DOCX (python-docx) versions of a text document, as a person would.

Paragraphs come from blank-line separated blocks of the text; list lines become Word list items
and PDF lines with a bullet; the PDF gets a running head, page numbers and a UN job number so
furniture removal is exercised.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
from fpdf import FPDF

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def paragraphs(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8").replace("**", "")
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip() and not re.fullmatch(r"-{2,}", ln.strip())]
        if not lines:
            continue
        current: list[str] = []
        for ln in lines:
            if re.match(r"^[•\-]\s", ln) and current:
                out.append(" ".join(current))
                current = []
            current.append(ln)
        out.append(" ".join(current))
    return out


def write_docx(src: Path, dest: Path) -> Path:
    document = docx.Document()
    for par in paragraphs(src):
        if re.match(r"^[•\-]\s", par):
            document.add_paragraph(par[2:].strip(), style="List Bullet")
        else:
            document.add_paragraph(par)
    document.save(dest)
    return dest


class _UNPdf(FPDF):
    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font("DejaVu", size=8)
            self.cell(0, 5, "A/FIX/1   Running head of the fixture", align="R")
            self.ln(10)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("DejaVu", size=8)
        self.cell(0, 5, f"17-01234 (E)    {self.page_no()}/{{nb}}", align="C")


def write_pdf(src: Path, dest: Path) -> Path:
    pdf = _UNPdf(format="A4")
    pdf.add_font("DejaVu", fname=FONT)
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(auto=True, margin=25)
    pdf.add_page()
    for par in paragraphs(src):
        pdf.set_font("DejaVu", size=11)
        bullet = re.match(r"^[•\-]\s", par)
        pdf.multi_cell(0, 6, ("• " + par[2:].strip()) if bullet else par)
        pdf.ln(4)
    pdf.output(str(dest))
    return dest
