"""The Prefect flow: a thin orchestration of ``pipeline.runner``'s plain functions.

Documents are processed in coarse batches (one task per batch) so Prefect's per-task cost stays
small next to the work. Unchanged files are answered from the incremental state without a task.
With the default runner two batches at a time run in threads of this process, feeding one pool of
extraction workers; with ``task_runner="dask"`` they are submitted to a Dask cluster, local or
existing.
"""

from __future__ import annotations

import errno
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from flows import local_api
from pipeline import runner

LOCAL_BATCHES_IN_FLIGHT = 2


_NO_RETRY_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT}


def worth_retrying(task, task_run, state) -> bool:
    """Retry a batch after a passing failure (a worker lost, a file briefly locked), not when the
    disk is full, read-only or forbidden: waiting 12 s would not change that."""
    exc = state.data if isinstance(state.data, BaseException) else None
    return not (isinstance(exc, OSError) and exc.errno in _NO_RETRY_ERRNOS)


@task(name="process-batch", retries=2, retry_delay_seconds=[2, 10], retry_condition_fn=worth_retrying)
def process_batch(paths: list[str], manifest: dict, out_dir: str, version: str) -> list[dict]:
    return runner.process_files([Path(p) for p in paths], manifest, Path(out_dir), version=version)


@flow(name="un-documents-to-tables", log_prints=True)
def corpus_flow(
    inputs: list[str],
    out_dir: str = "outputs",
    batch_size: int = 32,
    show_progress: bool = False,
    full: bool = False,
    distributed: bool = False,
    review_dir: str | None = None,
) -> dict:
    """Process new or changed files under ``inputs`` and (re)write all tables in ``out_dir``: the
    library's run sequence (``runner.run``) with its processing step done by Prefect tasks."""
    logger = get_run_logger()

    def process(plan: runner.RunPlan) -> Iterator[dict]:
        logger.info(
            "%d files, %d unchanged, %d to process; pipeline %s",
            len(plan.files),
            len(plan.reused),
            len(plan.todo),
            plan.version,
        )
        yield from _batched_tasks(plan, batch_size, show_progress, distributed)

    summary = runner.run(
        [Path(p) for p in inputs],
        Path(out_dir),
        full=full,
        review_dir=Path(review_dir) if review_dir else None,
        process=process,
    )
    publish(summary)
    logger.info(
        "processed %d, unchanged %d, failed %d", summary["processed"], summary["skipped_unchanged"], summary["failed"]
    )
    return summary


def _batched_tasks(plan: runner.RunPlan, batch_size: int, show_progress: bool, distributed: bool) -> Iterator[dict]:
    """One ``process-batch`` task per batch of files, results in file order. Locally two batches
    are in flight (threads) so the extraction workers, which both feed, never idle while one batch
    is read or waits for its slowest document; on Dask every batch is submitted at once."""
    todo = [str(p) for p in plan.todo]
    batches = [todo[i : i + batch_size] for i in range(0, len(todo), batch_size)]
    in_flight = len(batches) if distributed else LOCAL_BATCHES_IN_FLIGHT
    queued: deque = deque()
    with Progress(
        TextColumn("[bold]documents"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not show_progress,
    ) as bar:
        job = bar.add_task("documents", total=len(todo))
        for batch in batches:
            queued.append((batch, process_batch.submit(batch, plan.manifest, str(plan.out_dir), plan.version)))
            while len(queued) >= in_flight:
                done, future = queued.popleft()
                yield from future.result()
                bar.advance(job, len(done))
        while queued:
            done, future = queued.popleft()
            yield from future.result()
            bar.advance(job, len(done))


def publish(summary: dict) -> None:
    """The run summary as Prefect artifacts (visible in the UI when a server is used)."""
    counts = {k: summary[k] for k in ("files_seen", "processed", "skipped_unchanged", "removed", "failed")}
    create_table_artifact(
        key="run-rows",
        table=[{"table": k, "rows": v} for k, v in summary["rows"].items()],
        description="Rows per table",
    )
    lines = ["# Run summary", "", *(f"- **{k}**: {v}" for k, v in counts.items()), "", "## Seconds per stage", ""]
    lines += [f"- {k}: {v}" for k, v in summary["seconds"].items()]
    if summary["errors"]:
        lines += ["", "## Files that failed", ""]
        lines += [f"- `{e['file']}`: {e['kind']}: {e['message']}" for e in summary["errors"][:50]]
    create_markdown_artifact(key="run-summary", markdown="\n".join(lines), description="What this run did")


def flow_with_runner(task_runner: str = "default", dask_address: str | None = None, n_workers: int = 2):
    """The flow bound to a task runner: Prefect's default, or prefect-dask's DaskTaskRunner."""
    if task_runner == "default":
        return corpus_flow
    if task_runner != "dask":
        raise ValueError(f"unknown task runner {task_runner!r} (use 'default' or 'dask')")
    from prefect_dask import DaskTaskRunner

    local_api.ready()  # one temporary server for the flow and the Dask workers
    if dask_address:
        dask_runner = DaskTaskRunner(address=dask_address)
    else:
        dask_runner = DaskTaskRunner(
            cluster_kwargs={"n_workers": n_workers, "threads_per_worker": 1, "processes": True}
        )
    return corpus_flow.with_options(task_runner=dask_runner)
