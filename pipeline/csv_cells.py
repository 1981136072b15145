"""Text cells of CSV outputs, safe to open in a spreadsheet (OWASP "CSV injection").

Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage
return as a formula, so a document titled ``=HYPERLINK(...)`` would become a live link in an
analyst's sheet. Such text cells get a leading ``'``; numbers and dates are never passed here.
Parquet and DuckDB keep the raw value. The rule is reversible: :func:`restore` undoes exactly what
:func:`neutralize` did (a text that itself starts with quotes before a formula character gets one
more), so the project reads its own CSVs back (the edited review queue) without a trace of it.
"""

from __future__ import annotations

FORMULA_LEADS = frozenset("=+-@\t\r")
QUOTE = "'"


def _needs_quote(text: str) -> bool:
    return text.lstrip(QUOTE)[:1] in FORMULA_LEADS


def neutralize(value: object) -> object:
    """``'`` + ``value`` when a spreadsheet would read the text as a formula; other values unchanged."""
    if isinstance(value, str) and _needs_quote(value):
        return QUOTE + value
    return value


def restore(value: object) -> object:
    """The raw text of a cell written by :func:`neutralize` (cells it left alone are returned as is)."""
    if isinstance(value, str) and value[:1] == QUOTE and _needs_quote(value[1:]):
        return value[1:]
    return value
