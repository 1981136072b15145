"""The events table: one row per real meeting, aggregated from its mentions in all documents.

Shared by a fresh run (``pipeline.extraction.build_events``) and by the review ledger, which
re-aggregates after analysts correct meetings, so both follow one rule.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from pipeline.ids import stable_id


def event_id_for(key: str) -> str:
    """The events-table id of the real meeting that ``key`` (from meetings.event_key) names."""
    return "ev-" + stable_id(key, length=12)


STATUS_ORDER = ("held", "ongoing", "planned")


def _status(rows: list[dict]) -> str | None:
    """Once any document reports the meeting held (or sitting), that is its state: a later
    report outranks an earlier announcement, whatever order the documents were read in."""
    found = {r.get("status") for r in rows}
    return next((s for s in STATUS_ORDER if s in found), rows[-1].get("status"))


def aggregate_events(meetings: list[dict]) -> list[dict]:
    """One events row per ``event_id`` of the meeting rows: most common name, widest dates."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in meetings:
        groups[row["event_id"]].append(row)
    events = []
    for event_id, rows in sorted(groups.items()):
        names = Counter(r["name"] for r in rows)
        dated = [r for r in rows if r.get("start")]
        events.append(
            {
                "event_id": event_id,
                "name": max(names, key=lambda n: (names[n], len(n))),
                "type": Counter(r.get("type") for r in rows).most_common(1)[0][0],
                "start": min((str(r["start"]) for r in dated), default=None),
                "end": max((str(r.get("end") or r["start"]) for r in dated), default=None),
                "location": next((r["location"] for r in rows if r.get("location")), None),
                "status": _status(rows),
                "n_documents": len({r["doc_id"] for r in rows}),
            }
        )
    return events
