"""How much of each DOCX and PDF reaches the clean text: share of its distinct words kept.

The reference is the file's own full text from an independent extractor: for DOCX,
python-docx's paragraphs plus every table cell (nested tables too); for PDF, ``pdftotext``
(poppler-utils) or, if it is not installed, pdfplumber's ``extract_text`` (the output says which).
A word is a run of two or more letters or digits, lower-cased; page furniture (running heads,
job numbers) is meant to be dropped, so a PDF rarely reaches 100%.

    .venv/bin/python benchmarks/ingest_coverage.py [--all] [--target 0.95] [PATH ...]

Prints one line per file (kept share, words in the reference, missing words as a sample) and
exits 1 when a file is below the target.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.ingest import ingest_file  # noqa: E402

SHARED = next(
    (
        p
        for p in (Path(os.environ.get("UNGOV_SHARED", "")), ROOT.parent / "shared", Path("/work/shared"))
        if (p / "bench").is_dir()
    ),
    ROOT.parent / "shared",
)
DEFAULT_DIRS = [SHARED / "bench" / "office", SHARED / "gold-dev" / "docs"]
_WORD = re.compile(r"[^\W_]{2,}")


def words(text: str) -> set[str]:
    text = text.replace("\u00ad", "").replace("\ufffe", "-")
    # a word hyphenated across a line end in the reference counts in both halves and whole
    return {w.lower() for w in _WORD.findall(text)}


def docx_reference(path: Path) -> str:
    import docx
    from docx.table import Table

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]

    def table_text(table: Table) -> None:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
                for inner in cell.tables:
                    table_text(inner)

    for table in document.tables:
        table_text(table)
    return "\n".join(parts)


def pdf_reference(path: Path) -> tuple[str, str]:
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False)
        return out.stdout.decode("utf-8", "replace"), "pdftotext"
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages), "pdfplumber"


def coverage(path: Path) -> tuple[float, int, list[str], str]:
    if path.suffix.lower() == ".docx":
        reference, source = docx_reference(path), "python-docx"
    else:
        reference, source = pdf_reference(path)
    ref = words(reference)
    doc = ingest_file(path)
    got = words(doc.text) if doc.status == "ok" else set()
    # a word the reference splits at a line-end hyphen ("imple-" + "mentation") is kept if the
    # clean text has the joined word; count a reference word as kept if it is part of a kept word
    missing = sorted(w for w in ref if w not in got)
    if missing:
        joined = " ".join(sorted(got))
        missing = [w for w in missing if not (len(w) >= 4 and not w.isdigit() and w in joined)]
    share = 1.0 - len(missing) / len(ref) if ref else 1.0
    return share, len(ref), missing, source


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--all", action="store_true", help="also the 42 UN PDFs in ../shared/bench/un-pdfs")
    ap.add_argument("--target", type=float, default=0.95)
    args = ap.parse_args(argv)
    dirs = args.paths or DEFAULT_DIRS + ([SHARED / "bench" / "un-pdfs"] if args.all else [])
    files: list[Path] = []
    for d in dirs:
        files.extend(sorted(p for p in d.iterdir() if p.suffix.lower() in (".docx", ".pdf")) if d.is_dir() else [d])
    if not shutil.which("pdftotext"):
        print("note: pdftotext (poppler-utils) is not installed; PDF reference text is pdfplumber's extract_text")
    below = 0
    for path in files:
        share, n, missing, source = coverage(path)
        flag = "ok " if share >= args.target else "LOW"
        below += share < args.target
        sample = " ".join(missing[:8])
        print(f"{flag} {share:6.1%}  {n:5d} words  {source:11s}  {path.parent.name}/{path.name}  missing: {sample}")
    print(f"{len(files) - below}/{len(files)} files at or above {args.target:.0%}")
    return 1 if below else 0


if __name__ == "__main__":
    raise SystemExit(main())
