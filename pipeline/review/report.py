"""Reviewed precision: of the extracted rows an analyst looked at, how many were right as extracted.

Computed from the ledger (the final decision per item), so it reflects every review ever made,
not only the rows present in the latest run. Added rows are extraction misses (recall), shown
apart; they do not enter precision.
"""

from __future__ import annotations

from pipeline.review import ledger
from pipeline.review.fields import REVIEW_TABLES


def precision_by_table(entries: list[dict], totals: dict[str, int] | None = None) -> list[dict]:
    """One row per table: accepted, edited, rejected, added, reviewed, precision (None when nothing reviewed)."""
    counts = {t: {"accepted": 0, "edited": 0, "rejected": 0, "added": 0} for t in REVIEW_TABLES}
    for (table, _), state in ledger.fold(entries).items():
        if table not in counts:
            continue
        if state.added is not None:  # an analyst's own row says nothing about extraction precision
            counts[table]["added"] += state.status == "added"
        elif state.status in counts[table]:
            counts[table][state.status] += 1
    out = []
    for table, c in counts.items():
        judged = c["accepted"] + c["edited"] + c["rejected"]
        out.append(
            {
                "table": table,
                **c,
                "reviewed": judged,
                "rows": (totals or {}).get(table),
                "precision": round(c["accepted"] / judged, 3) if judged else None,
            }
        )
    return out
