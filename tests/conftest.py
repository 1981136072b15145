"""Shared fixtures: an isolated Prefect home, the real trained pipeline, and real fixture files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Prefect keeps state in PREFECT_HOME; tests must never touch the user's ~/.prefect.
_PREFECT_HOME = tempfile.mkdtemp(prefix="prefect-home-")
os.environ.setdefault("PREFECT_HOME", _PREFECT_HOME)
os.environ.setdefault("PREFECT_API_URL", "")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
from pipeline.settings import prefect_defaults  # noqa: E402

prefect_defaults()

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
# The read-only shared material sits next to the project root (in CI: beside the clean clone).
SHARED = next(
    (
        p
        for p in (Path(os.environ.get("UNGOV_SHARED", "")), ROOT.parent / "shared", Path("/work/shared"))
        if (p / "gold").is_dir()
    ),
    ROOT.parent / "shared",
)
GOLD = SHARED / "gold"
UN_PDFS = SHARED / "bench" / "un-pdfs"

# Debian's chromium, started headless without any background network traffic (this machine has none).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))


@pytest.fixture(scope="session")
def fixture_dir(tmp_path_factory, seed_files) -> Path:
    """PDF and DOCX versions of every seed document, written by real writers."""
    from tests.fixtures import write_docx, write_pdf

    folder = tmp_path_factory.mktemp("seed-formats")
    for path in seed_files:
        write_docx(path, folder / f"{path.stem}.docx")
        write_pdf(path, folder / f"{path.stem}.pdf")
    return folder


@pytest.fixture
def project(tmp_path):
    """A one-document project (input, outputs, review folder) after a fresh run: the review tests' ground."""
    from tests.test_review import NOTE, Project, fresh_run

    p = Project(tmp_path / "in", tmp_path / "out", tmp_path / "review")
    p.inp.mkdir()
    p.doc.write_text(NOTE, encoding="utf-8")
    fresh_run(p)
    return p
