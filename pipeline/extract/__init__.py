"""The extractors (one spaCy component per kind) and, called as a function, the library's
``pipeline.extract(paths)``.

``pipeline.extract`` names both this package and the public function: Python binds a subpackage
to its parent's attribute once it is imported, which would shadow a function of that name. So the
package itself is callable and does what the function does, whichever was imported first.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable
from pathlib import Path
from typing import Any


class _CallablePackage(types.ModuleType):
    def __call__(self, paths: Iterable[str | Path]) -> Any:
        """Read the files and folders, extract, and return every table (documents, actors,
        mentions, dates, meetings, events, commitments, errors) as DataFrames; nothing is written."""
        from pipeline.runner import extract_tables

        return extract_tables(paths)


sys.modules[__name__].__class__ = _CallablePackage
