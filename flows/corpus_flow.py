"""The Prefect flow: a thin orchestration of ``pipeline.runner``'s plain functions.

Documents are processed in coarse batches (one task per batch) so Prefect's per-task cost stays
small next to the work; the corpus-level assembly and the atomic write are one final task.
"""

from __future__ import annotations

import time
from pathlib import Path

from prefect import flow, get_run_logger, task
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline import runner
from pipeline.ingest import discover_files
from pipeline.tables import write_tables


@task(name="process-batch", retries=2, retry_delay_seconds=[2, 10])
def process_batch(paths: list[str], manifest: dict, out_dir: str, version: str) -> list[dict]:
    return runner.process_files([Path(p) for p in paths], manifest, Path(out_dir), version=version)


@task(name="write-tables", retries=1, retry_delay_seconds=2)
def write_outputs(results: list[dict], files: list[str], out_dir: str, started: float) -> dict:
    tables = runner.assemble_tables(results)
    counts = write_tables(tables, Path(out_dir))
    return runner.summarize([Path(f) for f in files], tables, counts, time.perf_counter() - started)


@flow(name="un-documents-to-tables", log_prints=True)
def corpus_flow(inputs: list[str], out_dir: str = "outputs", batch_size: int = 32, show_progress: bool = False) -> dict:
    """Read every supported file under ``inputs`` and write all tables to ``out_dir``."""
    logger = get_run_logger()
    started = time.perf_counter()
    files = [str(p) for p in discover_files([Path(p) for p in inputs])]
    manifest = runner.manifests_for([Path(p) for p in inputs])
    version = runner.pipeline_version()
    logger.info("%d files under %s; pipeline %s", len(files), ", ".join(inputs), version)
    batches = [files[i : i + batch_size] for i in range(0, len(files), batch_size)]
    results: list[dict] = []
    with Progress(
        TextColumn("[bold]documents"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), disable=not show_progress
    ) as bar:
        job = bar.add_task("documents", total=len(files))
        for batch in batches:
            results.extend(process_batch(batch, manifest, out_dir, version))
            bar.advance(job, len(batch))
    summary = write_outputs(results, files, out_dir, started)
    logger.info("processed %(processed)d, failed %(failed)d", summary)
    return summary
