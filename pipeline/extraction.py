"""Run the spaCy pipeline over Documents and turn the span groups our components set into rows.

Extractors never read files; this module only maps ``doc.spans[...]`` to table rows with ids and
offsets into the document's clean text. Long documents are cut at block boundaries into chunks
so memory stays bounded; offsets are shifted back to the whole text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.document import Document
from pipeline.ids import stable_id

CHUNK_CHARS = 100_000
EXTRACTION_TABLES = ("dates", "mentions", "meetings", "commitments")


@dataclass
class Extraction:
    """Rows of one document, plus the actor descriptions its mentions point to."""

    doc_id: str
    rows: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in EXTRACTION_TABLES})
    actors: list[dict] = field(default_factory=list)


def chunks(document: Document, limit: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) pieces of the text that end on block boundaries and stay under ``limit``."""
    if len(document.text) <= limit or not document.blocks:
        return [(0, len(document.text))]
    pieces, start, end = [], document.blocks[0].start, document.blocks[0].start
    for block in document.blocks:
        if block.end - start > limit and end > start:
            pieces.append((start, end))
            start = block.start
        end = block.end
    pieces.append((start, end))
    return pieces


def _make_docs(nlp: Language, documents: Iterable[Document]) -> Iterator[tuple[Document, int, Doc]]:
    for document in documents:
        for start, end in chunks(document):
            doc = nlp.make_doc(document.text[start:end])
            meta = document.metadata
            doc.user_data.update(
                {
                    "doc_id": document.doc_id,
                    "doc_date": meta.doc_date,
                    "doc_type": meta.doc_type,
                    "speaker": meta.speaker_or_author,
                    "location": meta.location,
                    "offset": start,
                }
            )
            yield document, start, doc


def extract_documents(nlp: Language, documents: list[Document], batch_size: int = 16) -> list[Extraction]:
    """Extract rows from every ok document; one Extraction per document, in input order."""
    results: dict[str, Extraction] = {d.doc_id: Extraction(d.doc_id) for d in documents}
    stream = ((doc, (document.doc_id, base)) for document, base, doc in _make_docs(nlp, documents))
    for doc, (doc_id, base) in nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
        rows_from_doc(doc, doc_id, base, results[doc_id])
    return [results[d.doc_id] for d in documents]


def rows_from_doc(doc: Doc, doc_id: str, base: int, out: Extraction) -> None:
    """Map span groups of one processed Doc into rows (offsets shifted by ``base``)."""
    spans = doc.spans
    for span in spans.get("dates", []):
        value = span._.date_value or {}
        s, e = base + span.start_char, base + span.end_char
        out.rows["dates"].append(
            {
                "date_id": stable_id(doc_id, "date", s, e),
                "doc_id": doc_id,
                "text": span.text,
                "start_char": s,
                "end_char": e,
                "kind": value.get("kind") or "date",
                "granularity": value.get("granularity"),
                "start": value.get("start"),
                "end": value.get("end"),
            }
        )
    for span in spans.get("actors", []):
        actor = span._.actor
        if not actor:
            continue
        s, e = base + span.start_char, base + span.end_char
        out.actors.append(actor)
        out.rows["mentions"].append(
            {
                "mention_id": stable_id(doc_id, "mention", s, e),
                "doc_id": doc_id,
                "actor_id": actor["key"],
                "text": span.text,
                "start_char": s,
                "end_char": e,
            }
        )
    for span in spans.get("meetings", []):
        meeting = dict(span._.meeting or {})
        s, e = base + span.start_char, base + span.end_char
        out.rows["meetings"].append(
            {
                "meeting_id": stable_id(doc_id, "meeting", s, e, meeting.get("name")),
                "doc_id": doc_id,
                "name": meeting.get("name") or span.text,
                "type": meeting.get("type"),
                "start": meeting.get("start"),
                "end": meeting.get("end"),
                "location": meeting.get("location"),
                "status": meeting.get("status"),
                "evidence": span.text,
                "start_char": s,
                "end_char": e,
                "_event_key": meeting.get("event_key"),
            }
        )
    for span in spans.get("commitments", []):
        item = span._.commitment or {}
        s, e = base + span.start_char, base + span.end_char
        out.rows["commitments"].append(
            {
                "commitment_id": stable_id(doc_id, "commitment", s, e, item.get("kind"), item.get("actor")),
                "doc_id": doc_id,
                "actor_id": item.get("actor_key"),
                "actor": item.get("actor"),
                "kind": item.get("kind") or "commitment",
                "action": item.get("action"),
                "deadline": item.get("deadline"),
                "evidence": span.text,
                "start_char": s,
                "end_char": e,
            }
        )


def build_events(meetings: list[dict], key_for) -> list[dict]:
    """Give each meeting row an event_id and return one events row per real meeting.

    ``key_for(meeting) -> str`` decides which mentions are the same real meeting.
    """
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in meetings:
        key = row.pop("_event_key", None) or key_for(row)
        row["event_id"] = "ev-" + stable_id(key, length=12)
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
                "start": min((r["start"] for r in dated), default=None),
                "end": max((r.get("end") or r["start"] for r in dated), default=None),
                "location": next((r["location"] for r in rows if r.get("location")), None),
                "status": rows[-1].get("status"),
                "n_documents": len({r["doc_id"] for r in rows}),
            }
        )
    return events
