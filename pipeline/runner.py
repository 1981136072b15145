"""The whole job as plain functions: files -> per-document results -> tables on disk.

A per-document result (``DocResult``) is a JSON-able dict: the documents row, its extraction rows
and the actor descriptions its mentions use. Corpus-level work (one canonical actor row, one
event per real meeting) happens only in ``assemble_tables``, so per-document results can be
computed in any order, on any worker, and cached.
"""

from __future__ import annotations

import json
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd

from pipeline import settings
from pipeline.analyst import build_analyst_outputs, mark_stale
from pipeline.document import Document
from pipeline.extract.actors_table import build_actor_table, count_mentions
from pipeline.extract.meetings import event_key
from pipeline.extraction import (
    EXTRACTION_TABLES,
    Extraction,
    build_events,
    default_n_process,
    iter_extractions,
    shutdown_pool,
    start_workers,
)
from pipeline.ingest import discover_files, ingest_file
from pipeline.ingest import manifest as manifests
from pipeline.ingest.guard import start_reader
from pipeline.lock import output_lock
from pipeline.run_plan import (  # noqa: F401 - re-exported: the planning half of the run sequence
    DocResult,
    RunPlan,
    if_unchanged,
    manifests_for,
    now_utc,
    pipeline_version,
    plan,
    prepare,
    run_fingerprint,
    unchanged_outputs,
    unchanged_summary,
)
from pipeline.state import RunState
from pipeline.tables import atomic_write_text, to_arrow
from pipeline.tableset import TableSet, recover


def document_row(doc: Document, version: str) -> dict:
    m = doc.metadata
    return {
        "doc_id": doc.doc_id or None,
        "source_path": doc.source_path,
        "file_name": doc.file_name,
        "file_type": doc.file_type if doc.file_type in settings.FILE_TYPES else "",
        "sha256": doc.sha256,
        "status": doc.status,
        "error_kind": doc.error_kind,
        "error_message": doc.error_message,
        "title": m.title,
        "doc_type": m.doc_type,
        "doc_date": m.doc_date,
        "speaker_or_author": m.speaker_or_author,
        "location": m.location,
        "n_pages": doc.n_pages,
        "n_chars": len(doc.text),
        "n_words": len(doc.text.split()),
        "text_path": f"texts/{doc.doc_id}.txt" if doc.status == "ok" else None,
        "processed_at": now_utc(),
        "pipeline_version": version,
    }


def process_files(
    paths: list[Path], manifest: dict[str, dict[str, str]], out_dir: Path, nlp=None, version: str | None = None
) -> list[DocResult]:
    """Ingest and extract a batch of files; write each clean text; never raise for a bad file."""
    return list(process_stream(paths, manifest, out_dir, nlp, version))


def process_stream(
    paths: Iterable[Path],
    manifest: dict[str, dict[str, str]],
    out_dir: Path | None,
    nlp=None,
    version: str | None = None,
) -> Iterator[DocResult]:
    """One DocResult per file, in order, as soon as it is extracted; never raises for a bad file.

    Files are ingested here only as fast as the extraction workers take documents, so reading
    the next files overlaps the extraction of the previous ones, and at most a few documents
    wait in memory at any time.
    """
    version = version or pipeline_version()
    waiting: deque[tuple[Document, list[dict]]] = deque()  # ingested, in file order

    def ingested() -> Iterator[Document]:
        for path in paths:
            doc = ingest_file(path, manifest)
            errors: list[dict] = []
            if doc.status == "ok":
                if out_dir is not None:  # None: tables only, for the library call
                    atomic_write_text(Path(out_dir) / "texts" / f"{doc.doc_id}.txt", doc.text)
                errors.extend(_error_row(doc, "ingest", kind, message) for kind, message in doc.warnings)
            else:
                errors.append(_error_row(doc, "ingest", doc.error_kind, doc.error_message))
            waiting.append((doc, errors))
            if doc.status == "ok":
                yield doc

    def on_error(doc: Document, message: str) -> None:
        # A document whose extraction fails is isolated there and reported here.
        row = _error_row(doc, "extract", doc.error_kind or "extractor_error", message)  # kind set by extraction
        next(e for d, e in waiting if d is doc).append(row)

    def result(doc: Document, errors: list[dict], ext: Extraction | None) -> DocResult:
        res = {
            "document": document_row(doc, version),
            "rows": {t: (ext.rows[t] if ext else []) for t in EXTRACTION_TABLES},
            "actors": ext.actors if ext else [],
            "errors": errors,
        }
        return manifests.attach(res, manifest, now_utc())  # the values used, the manifest's error rows

    # nlp=None: the shared pipeline, loaded only where it runs (workers, or here)
    for ext in iter_extractions(ingested(), nlp, default_n_process(), on_error):
        while waiting:  # everything before this document has been answered or failed
            doc, errors = waiting.popleft()
            if doc.doc_id == ext.doc_id and doc.status == "ok":
                yield result(doc, errors, ext)
                break
            yield result(doc, errors, None)
    while waiting:
        doc, errors = waiting.popleft()
        yield result(doc, errors, None)


def pack(result: DocResult) -> bytes:
    """A result as compressed JSON while the run goes on: a few KB instead of a few hundred KB of
    dicts, so the parent's memory during extraction does not grow with the corpus. The JSON form
    is the state cache's, which reused results already come in."""
    return zlib.compress(json.dumps(result, default=str).encode("utf-8"), 1)


def unpack(blob: bytes) -> DocResult:
    return json.loads(zlib.decompress(blob))


def _error_row(doc: Document, stage: str, kind: str | None, message: str | None) -> dict:
    return {
        "source_path": doc.source_path,
        "doc_id": doc.doc_id or None,
        "stage": stage,
        "error_kind": kind or "unknown",
        "message": message or "unknown error",
        "at": now_utc(),
    }


def assemble_tables(results: list[DocResult]) -> dict[str, list[dict]]:
    """Corpus-level tables from per-document results: canonical actors and events."""
    tables: dict[str, list[dict]] = {name: [] for name in ("documents", "actors", "events", "errors")}
    tables.update({t: [] for t in EXTRACTION_TABLES})
    seen: set[str] = set()
    actor_dicts: list[dict] = []
    for res in sorted(results, key=lambda r: r["document"]["source_path"]):
        doc_row = res["document"]
        if doc_row["doc_id"] and doc_row["doc_id"] in seen and doc_row["status"] == "ok":
            # Same bytes under two names: one document, the duplicate is recorded as such.
            dup = dict(doc_row, status="error", error_kind="duplicate", error_message="same content as another file")
            dup["text_path"] = None
            tables["documents"].append(dup)
            continue
        if doc_row["doc_id"]:
            seen.add(doc_row["doc_id"])
        tables["documents"].append(doc_row)
        tables["errors"].extend(res["errors"])
        for t in EXTRACTION_TABLES:
            tables[t].extend(dict(r) for r in res["rows"][t])
        actor_dicts.extend(res["actors"])
    tables["actors"] = _actor_table(actor_dicts, tables["mentions"])
    tables["events"] = build_events(tables["meetings"], event_key)
    for t in ("actors", *EXTRACTION_TABLES):
        for row in tables[t]:
            row.setdefault("review_status", "unreviewed")
    return tables


def _actor_table(actor_dicts: list[dict], mentions: list[dict]) -> list[dict]:
    rows = build_actor_table(actor_dicts)
    count_mentions(rows, mentions)
    return rows


def finish(
    results: list[DocResult],
    files: list[Path],
    out_dir: Path,
    state: RunState,
    version: str,
    n_reused: int,
    seconds: dict[str, float],
    started: float,
    review_dir: Path | None = None,
) -> dict:
    """Cache new results, assemble the tables, apply the analysts' corrections, write everything.

    Results are cached before corrections are applied, so the ledger is re-applied to fresh
    extraction on every run and a correction never depends on an earlier run's output. The
    ``results`` list is emptied once the tables are written, so a large corpus's rows are not
    held while the analyst outputs are built: pass a list nobody else needs.
    """
    from pipeline.review import apply_ledger, load_texts, write_orphans

    review_dir = Path(review_dir or settings.REVIEW_DIR)
    fingerprint = run_fingerprint(results, version, review_dir)
    if n_reused == len(results) and unchanged_outputs(out_dir, state, fingerprint):
        # Same files, same rules, same corrections: the published tables are already this run's.
        return unchanged_summary(files, out_dir, n_reused, seconds, started)
    for res in results:
        state.store(res, version)
    t0 = time.perf_counter()
    tables = assemble_tables(results)
    tables, orphans = apply_ledger(tables, review_dir, load_texts(out_dir, tables["documents"]))
    staged = TableSet(out_dir)  # every table of the run is published as one set, or none is
    staged.include(write_orphans(orphans, staged.dir).name)
    seconds["assemble"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts = staged.add_tables(tables)
    mark_stale(staged)  # until the analyst outputs are rebuilt from the new set, they are marked old
    staged.commit()
    documents = tables["documents"]
    del tables
    results.clear()  # the rows are on disk now; free them before the analyst outputs are built
    # The tables are published: nothing from here on may fail the run. What cannot be done is
    # said in the summary and redone by the next run.
    problems: list[str] = []
    try:
        build_analyst_outputs(out_dir)
    except Exception as exc:  # noqa: BLE001 - e.g. a full disk while writing timeline.html
        problems.append(f"analyst outputs not rebuilt ({type(exc).__name__}: {exc}); the next run rebuilds them")
    seconds["write"] = time.perf_counter() - t0
    keep = {d["doc_id"] for d in documents if d["status"] == "ok"}
    try:
        removed = state.commit([str(f) for f in files], keep, fingerprint)
    except OSError as exc:
        removed = 0
        problems.append(f"incremental state not saved ({exc}); the next run processes every file again")
    seconds["total"] = time.perf_counter() - started
    summary = summarize(files, {"documents": documents}, counts, seconds, n_reused, removed)
    summary["tables_rewritten"] = True
    summary["review_orphans"] = [{k: o.get(k) for k in ("table", "id", "file_name", "text", "reason")} for o in orphans]
    summary["after_publish_problems"] = problems
    try:
        atomic_write_text(Path(out_dir) / "run_summary.json", json.dumps(summary, indent=2))
    except OSError as exc:
        problems.append(f"run_summary.json not written ({exc})")
    return summary


Processor = Callable[[RunPlan], Iterable[DocResult]]


def start_processes() -> None:
    """Start the reading worker and the extraction workers now, side by side, so their imports
    and model loading overlap each other and whatever the caller does next."""
    start_reader()
    start_workers()


def process_here(progress: Callable[[int], None] | None = None) -> Processor:
    """The processing step of a run without Prefect: this process and its extraction workers."""

    def process(run_plan: RunPlan) -> Iterator[DocResult]:
        if run_plan.todo:
            start_processes()
        for result in process_stream(run_plan.todo, run_plan.manifest, run_plan.out_dir, version=run_plan.version):
            if progress:
                progress(1)
            yield result

    return process


def run(
    inputs: list[Path],
    out_dir: Path,
    *,
    full: bool = False,
    review_dir: Path | None = None,
    process: Processor | None = None,
) -> dict:
    """The one run sequence the CLI, the library and the Prefect flow share: take the output lock,
    finish what a crashed run left, plan, process the new and changed files (``process``: here,
    or as Prefect tasks), then cache, assemble, apply the ledger and publish. Returns the summary."""
    out_dir = Path(out_dir)
    with output_lock(out_dir):
        recover(out_dir)
        run_plan = prepare(inputs, out_dir, full, review_dir)
        t0 = time.perf_counter()
        fresh: list[bytes] = []
        try:
            for result in (process or process_here())(run_plan):
                fresh.append(pack(result))
        finally:
            shutdown_pool()  # give the workers' memory back before tables and reports are built
        run_plan.seconds["process"] = time.perf_counter() - t0
        n_reused, results = len(run_plan.reused), run_plan.reused + [unpack(blob) for blob in fresh]
        run_plan.reused, fresh = [], []  # ``finish`` empties ``results`` once the tables are written
        return finish(
            results,
            run_plan.files,
            out_dir,
            run_plan.state,
            run_plan.version,
            n_reused,
            run_plan.seconds,
            run_plan.started,
            review_dir,
        )


def run_library(
    inputs: list[Path],
    out_dir: Path,
    progress: Callable[[int], None] | None = None,
    full: bool = False,
    review_dir: Path | None = None,
) -> dict:
    """Run the whole job without Prefect (incremental unless ``full``); returns the run summary."""
    return run(inputs, out_dir, full=full, review_dir=review_dir, process=process_here(progress))


def extract_tables(paths: Iterable[str | Path]) -> dict[str, pd.DataFrame]:
    """Every table for these files and folders as DataFrames, without writing anything: no
    output folder, no incremental state, no ledger."""
    inputs = [Path(p) for p in paths]
    files = discover_files(inputs)
    try:
        results = list(process_stream(files, manifests_for(inputs), None))
    finally:
        shutdown_pool()
    return {name: to_arrow(name, rows).to_pandas() for name, rows in assemble_tables(results).items()}


def summarize(
    files: list[Path],
    tables: dict[str, list[dict]],
    counts: dict[str, int],
    seconds: dict[str, float],
    skipped: int = 0,
    removed: int = 0,
) -> dict:
    docs = tables["documents"]
    failed = sum(1 for d in docs if d["status"] == "error")
    return {
        "files_seen": len(files),
        "processed": len(docs) - failed - skipped,
        "skipped_unchanged": skipped,
        "removed": removed,
        "failed": failed,
        "rows": counts,
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "errors": [
            {"file": d["file_name"], "kind": d["error_kind"], "message": d["error_message"]}
            for d in docs
            if d["status"] == "error"
        ],
    }
