"""Run the spaCy pipeline over Documents and turn the span groups our components set into rows.

Extractors never read files; this module only maps ``doc.spans[...]`` to table rows with ids and
offsets into the document's clean text. Long documents are cut at block boundaries into chunks
so memory stays bounded; offsets are shifted back to the whole text.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.document import Document
from pipeline.events import aggregate_events, event_id_for
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


def default_n_process() -> int:
    """Worker processes for extraction: ``UNGOV_N_PROCESS``, else one per core up to two.

    The trained pipeline is CPU-bound and holds the GIL, so cores are only used by processes;
    two keeps peak memory (one model per process) well under 1 GB.
    """
    if multiprocessing.current_process().daemon:  # e.g. a Dask worker: may not start children
        return 1
    raw = os.environ.get("UNGOV_N_PROCESS")
    if raw:
        return max(1, int(raw))
    return max(1, min(2, os.cpu_count() or 1))


OnError = Callable[[Document, str], None]


def extract_documents(
    nlp: Language | None,
    documents: list[Document],
    batch_size: int = 16,
    n_process: int = 1,
    on_error: OnError | None = None,
) -> list[Extraction]:
    """Extract rows from every ok document; one Extraction per document, in input order.

    With ``nlp=None`` (the shared pipeline) and ``n_process > 1`` the documents go to a pool of
    worker processes that each build that pipeline once (a caller's own ``nlp`` always runs
    here, since a worker could not rebuild it); every worker runs the plain path on its share, so the rows are the same
    as in one process (tests/test_performance_parity.py). Without ``on_error`` an extractor
    failure raises; with it, the failing document is reported as ``on_error(document,
    "Type: message")`` and left out, and the others are still extracted (a small unit of
    documents is retried one by one, not the whole batch). With a pool only the workers hold a
    model; without one, the shared pipeline is loaded here.
    """
    if nlp is None and n_process > 1 and (len(documents) > 1 or _POOL is not None):
        return _extract_in_pool(documents, batch_size, n_process, on_error)
    if nlp is None:
        from pipeline.nlp import shared_nlp

        nlp = shared_nlp()
    if on_error is None:
        return _extract(nlp, documents, batch_size)
    by_id = {d.doc_id: d for d in documents}
    out = []
    for unit in _units(documents, 1):
        extracted, failed = _extract_isolated(nlp, unit, batch_size)
        out.extend(extracted)
        for doc_id, message in failed:
            on_error(by_id[doc_id], message)
    return out


def _extract(nlp: Language, documents: list[Document], batch_size: int) -> list[Extraction]:
    """The plain path: one ``nlp.pipe`` over the documents' chunks."""
    results: dict[str, Extraction] = {d.doc_id: Extraction(d.doc_id) for d in documents}
    stream = ((doc, (document.doc_id, base)) for document, base, doc in _make_docs(nlp, documents))
    for doc, (doc_id, base) in nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
        rows_from_doc(doc, doc_id, base, results[doc_id])
    return [results[d.doc_id] for d in documents]


def _extract_isolated(
    nlp: Language, documents: list[Document], batch_size: int
) -> tuple[list[Extraction], list[tuple[str, str]]]:
    """Extract a unit; if it fails, redo it one document at a time to find the culprit(s)."""
    try:
        return _extract(nlp, documents, batch_size), []
    except Exception as exc:
        if len(documents) == 1:
            return [], [(documents[0].doc_id, f"{type(exc).__name__}: {exc}")]
    ok, failed = [], []
    for document in documents:
        part, bad = _extract_isolated(nlp, [document], batch_size)
        ok.extend(part)
        failed.extend(bad)
    return ok, failed


def _units(documents: list[Document], n_process: int) -> list[list[Document]]:
    """Small ordered work units (1-4 documents) so workers finish together and a failure is cheap."""
    size = max(1, min(4, len(documents) // (4 * n_process)))
    return [documents[i : i + size] for i in range(0, len(documents), size)]


# -- worker pool -------------------------------------------------------------------------------
# Workers are started with "spawn" (no fork of a process that may run Prefect's threads) and live
# for the whole run, so the model is loaded once per worker, not once per batch.

_POOL: tuple[tuple, ProcessPoolExecutor] | None = None
_WORKER_NLP: Language | None = None


def _pipeline_spec() -> tuple[str, tuple[str, ...]]:
    """What a worker needs to build the shared pipeline: the trained model and our components."""
    from pipeline import settings
    from pipeline.nlp import component_names

    return settings.SPACY_MODEL, tuple(component_names())


def _exit_with_parent(parent: int) -> None:
    """A worker blocks on its task queue forever if the run is killed (SIGKILL, OOM): it would
    keep a model in memory as an orphan. Leave as soon as the parent is gone."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _init_worker(model: str, components: tuple[str, ...]) -> None:
    global _WORKER_NLP
    from pipeline.nlp import build_nlp

    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()

    _WORKER_NLP = build_nlp(model, list(components))


def _worker_extract(
    documents: list[Document], batch_size: int, isolate: bool
) -> tuple[list[Extraction], list[tuple[str, str]]]:
    assert _WORKER_NLP is not None, "worker not initialised"
    if isolate:
        return _extract_isolated(_WORKER_NLP, documents, batch_size)
    return _extract(_WORKER_NLP, documents, batch_size), []


def _pool(spec: tuple, n_process: int) -> ProcessPoolExecutor:
    global _POOL
    key = (spec, n_process)
    if _POOL is not None and _POOL[0] == key:
        return _POOL[1]
    shutdown_pool()
    ctx = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(n_process, mp_context=ctx, initializer=_init_worker, initargs=spec)
    _POOL = (key, executor)
    return executor


def shutdown_pool() -> None:
    """Stop the extraction workers (also done at interpreter exit)."""
    global _POOL
    if _POOL is not None:
        _POOL[1].shutdown(wait=True, cancel_futures=True)
        _POOL = None


atexit.register(shutdown_pool)


def _extract_in_pool(
    documents: list[Document], batch_size: int, n_process: int, on_error: OnError | None
) -> list[Extraction]:
    units = _units(documents, n_process)
    isolate = on_error is not None
    try:
        executor = _pool(_pipeline_spec(), n_process)
        parts = list(executor.map(_worker_extract, units, [batch_size] * len(units), [isolate] * len(units)))
    except BrokenProcessPool:  # a worker died (out of memory, killed): finish in this process
        shutdown_pool()
        return extract_documents(None, documents, batch_size, 1, on_error)
    by_id = {d.doc_id: d for d in documents}
    out: list[Extraction] = []
    for extracted, failed in parts:
        out.extend(extracted)
        for doc_id, message in failed:
            on_error(by_id[doc_id], message)  # type: ignore[misc]
    return out


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
    for row in meetings:
        key = row.pop("_event_key", None) or key_for(row)
        row["event_id"] = event_id_for(key)
    return aggregate_events(meetings)
