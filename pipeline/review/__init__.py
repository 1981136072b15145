"""Analyst review: corrections kept as data (an append-only ledger) and re-applied on every run.

``ledger`` stores decisions, ``attach`` re-finds their rows after re-extraction, ``apply`` turns
the ledger into corrected tables, ``corrections`` validates CSV imports, ``queue`` orders work
for analysts, ``report`` measures reviewed precision, ``server`` + ``page`` are the browser view.
"""

from pipeline.review.apply import apply_ledger, load_texts, write_orphans

__all__ = ["apply_ledger", "load_texts", "write_orphans"]
