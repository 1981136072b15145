"""Run the spaCy pipeline over Documents and turn the span groups our components set into rows.

Extractors never read files; this module only maps ``doc.spans[...]`` to table rows with ids and
offsets into the document's clean text. Very long documents are cut at block boundaries into
chunks that the rules see one at a time (offsets are shifted back to the whole text); within a
chunk, ``pipeline.pieces`` bounds what the trained networks see at once.
"""

from __future__ import annotations

import atexit
import ctypes
import multiprocessing
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.deadline import BudgetExceeded, Deadline
from pipeline.document import Document
from pipeline.events import aggregate_events, event_id_for
from pipeline.ids import stable_id
from pipeline.pieces import annotate

CHUNK_CHARS = 100_000
EXTRACTION_TABLES = ("dates", "mentions", "meetings", "commitments")


@dataclass
class Extraction:
    """Rows of one document, plus the actor descriptions its mentions point to."""

    doc_id: str
    rows: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in EXTRACTION_TABLES})
    actors: list[dict] = field(default_factory=list)


def chunks(document: Document, limit: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) pieces of the text that end on block boundaries and stay under ``limit``.

    A block longer than ``limit`` is cut inside (``split_long``), so no chunk reaches spaCy's
    ``max_length`` (1,000,000 characters) whatever the document.
    """
    if len(document.text) <= limit:
        return [(0, len(document.text))]
    if not document.blocks:
        return split_long(document.text, 0, len(document.text), limit)
    pieces, start, end = [], document.blocks[0].start, document.blocks[0].start
    for block in document.blocks:
        if block.end - start > limit and end > start:
            pieces.append((start, end))
            start = block.start
        end = block.end
        if end - start > limit:  # this block alone is over the limit
            *whole, (start, end) = split_long(document.text, start, end, limit)
            pieces.extend(whole)
    pieces.append((start, end))
    return pieces


_SENTENCE_END = re.compile(r"[.!?;:]\s+")
_SPACE = re.compile(r"\s+")


def split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most ``limit`` characters, cut after a sentence end,
    else after a space, else (one word of ``limit`` characters) anywhere."""
    pieces = []
    while end - start > limit:
        window = text[start : start + limit]
        cut = _last_end(_SENTENCE_END, window) or _last_end(_SPACE, window) or limit
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, end))
    return pieces


def _last_end(pattern: re.Pattern[str], window: str) -> int | None:
    """End of the last match in the second half of ``window`` (so pieces stay large)."""
    found = None
    for m in pattern.finditer(window, len(window) // 2):
        if m.end() < len(window):
            found = m.end()
    return found


def _make_docs(nlp: Language, documents: Iterable[Document]) -> Iterator[tuple[Document, int, Doc]]:
    for document in documents:
        for start, end in chunks(document):
            yield document, start, _make_doc(nlp, document, start, end)


def _make_doc(nlp: Language, document: Document, start: int, end: int) -> Doc:
    doc = nlp.make_doc(document.text[start:end])
    meta = document.metadata
    doc.user_data.update(
        {
            "doc_id": document.doc_id,
            "doc_date": meta.doc_date,
            "doc_type": meta.doc_type,
            "speaker": meta.speaker_or_author,
            "title": meta.title,
            "file_name": document.file_name,
            "location": meta.location,
            "offset": start,
        }
    )
    return doc


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

# Documents go to the extractor in small units: large enough that per-task overhead is small, small enough
# that the two workers finish together and a failing unit is cheap to redo document by document.
UNIT_DOCS = 4
UNIT_CHARS = 60_000


def extract_documents(
    nlp: Language | None,
    documents: list[Document],
    n_process: int = 1,
    on_error: OnError | None = None,
) -> list[Extraction]:
    """Extract rows from every ok document; one Extraction per document, in input order.

    A list in, a list out: see ``iter_extractions`` for the contract.
    """
    return list(iter_extractions(documents, nlp, n_process, on_error))


def iter_extractions(
    documents: Iterable[Document],
    nlp: Language | None = None,
    n_process: int = 1,
    on_error: OnError | None = None,
) -> Iterator[Extraction]:
    """Yield one Extraction per document, in input order, as soon as it is ready.

    With ``nlp=None`` (the shared pipeline) and ``n_process > 1`` the documents go to a pool of
    worker processes that each build that pipeline once (a caller's own ``nlp`` always runs
    here, since a worker could not rebuild it). Documents are read from ``documents`` only as
    the workers need them: up to two units per worker are queued, so the caller's ingestion of
    the next files overlaps the extraction of the previous ones and the workers never wait at a
    batch boundary. Every unit runs the plain path, so the rows are the same as in one process
    (tests/test_performance_parity.py).

    Without ``on_error`` an extractor failure raises; with it, the failing document is reported
    as ``on_error(document, "Type: message")`` and left out, and the others are still extracted
    (a unit that fails is redone one document at a time).
    """
    units = _units(documents)
    if nlp is None and n_process > 1:
        yield from _stream_pool(units, n_process, on_error)
        return
    for unit in units:
        yield from _extract_here(nlp, unit, on_error)


def _units(documents: Iterable[Document]) -> Iterator[list[Document]]:
    unit: list[Document] = []
    chars = 0
    for document in documents:
        unit.append(document)
        chars += len(document.text)
        if len(unit) >= UNIT_DOCS or chars >= UNIT_CHARS:
            yield unit
            unit, chars = [], 0
    if unit:
        yield unit


# The shared pipeline is not thread-safe; flows may run two batches in threads at once.
_HERE = threading.Lock()


def _extract_here(nlp: Language | None, unit: list[Document], on_error: OnError | None) -> list[Extraction]:
    """Extract one unit in this process (the shared pipeline when ``nlp`` is None)."""
    with _HERE:
        if nlp is None:
            from pipeline.nlp import shared_nlp

            nlp = shared_nlp()
        if on_error is None:
            return _extract(nlp, unit)
        extracted, failed = _extract_isolated(nlp, unit)
    _report(unit, failed, on_error)
    return extracted


def _report(unit: list[Document], failed: list[tuple[str, str]], on_error: OnError | None) -> None:
    """A document whose extraction failed is a failed document (its rows are lost), then reported."""
    by_id = {d.doc_id: d for d in unit}
    for doc_id, message in failed:
        doc = by_id[doc_id]
        kind = "timeout" if message.startswith(f"{BudgetExceeded.__name__}:") else "extractor_error"
        doc.status, doc.error_kind, doc.error_message = "error", kind, message
        on_error(doc, message)  # type: ignore[misc]


def _extract(nlp: Language, documents: list[Document], failed: list[tuple[str, str]] | None = None) -> list[Extraction]:
    """The plain path: each document chunk through ``pieces.annotate``, within its time budget.

    It runs inside a spaCy memory zone: the strings and lexemes the texts add to the vocabulary
    are freed afterwards, so a long run does not grow with the number of distinct words it has
    seen (rows hold plain Python values, never spaCy objects). A document over its budget is
    added to ``failed`` and left out (without ``failed``, BudgetExceeded is raised).
    """
    from pipeline.nlp import component_names

    warm_up(nlp)
    rules = set(component_names())
    results: list[Extraction] = []
    with nlp.memory_zone():
        for document in documents:
            try:
                results.append(_extract_one(nlp, document, rules))
            except BudgetExceeded as exc:
                if failed is None:
                    raise
                failed.append((document.doc_id, f"{type(exc).__name__}: {exc}"))
    return results


def _extract_one(nlp: Language, document: Document, rules: set[str]) -> Extraction:
    """One document's rows; what reading and layout used of its time budget is already spent."""
    deadline = Deadline(document.seconds_spent)
    out = Extraction(document.doc_id)
    with deadline.enforced():
        for start, end in chunks(document):
            doc = _make_doc(nlp, document, start, end)
            rows_from_doc(annotate(nlp, doc, rules, check=deadline.check), document.doc_id, start, out)
    return out


_WARM = "_ungov_warm"
_WARM_TEXT = (
    "On 3 March 2025 the Secretary-General of the United Nations, António Guterres, said in Geneva "
    "that the Network will convene a meeting of Member States by the end of 2026."
)


def warm_up(nlp: Language) -> None:
    """Run the pipeline once outside any memory zone.

    Anything a component builds lazily on its first Doc (matchers, interned labels) must live in
    the permanent vocabulary, not in the first zone, or it would be freed with that zone.
    """
    if not nlp.meta.get(_WARM):
        nlp(_WARM_TEXT)
        nlp.meta[_WARM] = True


def _extract_isolated(nlp: Language, documents: list[Document]) -> tuple[list[Extraction], list[tuple[str, str]]]:
    """Extract a unit; if it fails, redo it one document at a time to find the culprit(s).

    Documents over their time budget are reported as failed at once, never redone."""
    over_budget: list[tuple[str, str]] = []
    try:
        return _extract(nlp, documents, over_budget), over_budget
    except Exception as exc:
        if len(documents) == 1:
            return [], [(documents[0].doc_id, f"{type(exc).__name__}: {exc}")]
    ok, failed = [], list(over_budget)
    done = {doc_id for doc_id, _ in over_budget}
    for document in (d for d in documents if d.doc_id not in done):
        part, bad = _extract_isolated(nlp, [document])
        ok.extend(part)
        failed.extend(bad)
    return ok, failed


# -- worker pool -------------------------------------------------------------------------------
# Workers are started with "spawn" (no fork of a process that may run Prefect's threads) and live
# until the run's extraction is over (``shutdown_pool``), so the model is loaded once per worker
# and per run, and the memory they hold is given back before tables and reports are written.

_POOL: tuple[tuple, ProcessPoolExecutor] | None = None
_POOL_LOCK = threading.Lock()
_WORKER_NLP: Language | None = None
_MALLOC_TRIM = None  # glibc's malloc_trim, looked up on first use (False where there is none)


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
    warm_up(_WORKER_NLP)


def _worker_extract(documents: list[Document], isolate: bool) -> tuple[list[Extraction], list[tuple[str, str]]]:
    assert _WORKER_NLP is not None, "worker not initialised"
    try:
        if isolate:
            return _extract_isolated(_WORKER_NLP, documents)
        return _extract(_WORKER_NLP, documents), []
    finally:
        _release_free_memory()


def _release_free_memory() -> None:
    """Hand the heap pages the last unit freed back to the system (glibc keeps them otherwise,
    so a worker's resident size would creep up over a long run). A no-op off glibc."""
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        try:
            _MALLOC_TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


def _pool(spec: tuple, n_process: int) -> ProcessPoolExecutor:
    global _POOL
    key = (spec, n_process)
    with _POOL_LOCK:
        if _POOL is not None and _POOL[0] == key:
            return _POOL[1]
        _shutdown_locked()
        ctx = multiprocessing.get_context("spawn")
        executor = ProcessPoolExecutor(n_process, mp_context=ctx, initializer=_init_worker, initargs=spec)
        _POOL = (key, executor)
        return executor


def start_workers(n_process: int | None = None) -> None:
    """Start the extraction workers now (each loads the pipeline once), so that their start
    overlaps whatever the caller does next (the Prefect flow's server start, say)."""
    n_process = n_process or default_n_process()
    if n_process <= 1:
        return
    pool = _pool(_pipeline_spec(), n_process)
    for _ in range(n_process):
        pool.submit(int)  # a worker is spawned (and initialized) per waiting task


def shutdown_pool() -> None:
    """Stop the extraction workers and free their memory (also done at interpreter exit)."""
    with _POOL_LOCK:
        _shutdown_locked()


def _shutdown_locked() -> None:
    global _POOL
    if _POOL is not None:
        _POOL[1].shutdown(wait=True, cancel_futures=True)
        _POOL = None


atexit.register(shutdown_pool)


def _stream_pool(units: Iterator[list[Document]], n_process: int, on_error: OnError | None) -> Iterator[Extraction]:
    """Keep ``2 * n_process`` units queued on the workers; yield results in input order.

    If a worker dies (out of memory, killed), the pool is dropped and every unit not yet
    answered is extracted in this process instead, so no document is lost.
    """
    isolate = on_error is not None
    executor: ProcessPoolExecutor | None = _pool(_pipeline_spec(), n_process)
    queued: deque[tuple[list[Document], Future | None]] = deque()

    def collect(keep: int) -> Iterator[Extraction]:
        nonlocal executor
        while len(queued) > keep:
            unit, future = queued.popleft()
            if future is not None:
                try:
                    extracted, failed = future.result()
                except BrokenProcessPool:
                    shutdown_pool()
                    executor = None
                    future = None
                else:
                    _report(unit, failed, on_error)
                    yield from extracted
            if future is None:
                yield from _extract_here(None, unit, on_error)

    for unit in units:
        future = None
        if executor is not None:
            try:
                future = executor.submit(_worker_extract, unit, isolate)
            except BrokenProcessPool:
                shutdown_pool()
                executor = None
        queued.append((unit, future))
        yield from collect(2 * n_process)
    yield from collect(0)


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
