"""Turn intergovernmental documents into analyst-ready tables.

The library in three lines::

    import pipeline
    nlp = pipeline.load()                      # the trained pipeline plus the rule components
    tables = pipeline.extract(["corpus/"])     # every table as a pandas DataFrame, nothing written

``nlp(text)`` gives a Doc with ``doc.spans["dates"|"actors"|"meetings"|"commitments"]`` and the
records on ``span._.date_value``, ``span._.actor``, ``span._.meeting`` and ``span._.commitment``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:  # imported lazily: ``import pipeline`` stays cheap for the CLI
    from spacy.language import Language

__all__ = ["__version__", "extract", "load"]


def load(model: str | None = None, rules_dir: str | Path | None = None) -> Language:
    """The trained English pipeline (``UNGOV_SPACY_MODEL``) with the rule components, like
    ``spacy.load``. ``rules_dir`` is a models folder to use instead of the bundled rules."""
    from pipeline.nlp import build_nlp

    return build_nlp(model, rules_dir=str(rules_dir) if rules_dir else None)


# ``pipeline.extract(paths)``: the extractors package is callable (see its docstring); importing it
# costs nothing, and Python would bind the subpackage over a function of the same name anyway.
from pipeline import extract  # noqa: E402
