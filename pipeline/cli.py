"""Command line: ``python -m pipeline run|evaluate|report|dictionary`` (also installed as ``ungov``)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from pipeline import settings
from pipeline.cli_errors import CliError, check_model, environment_errors, prepare_out, quiet_prefect_tracebacks
from pipeline.cli_help import Command, Group, flag

settings.prefect_defaults()
app = typer.Typer(add_completion=False, no_args_is_help=True, cls=Group, help="UN documents to analyst-ready tables.")
console = Console()
err_console = Console(stderr=True)
LOCKED_EXIT = 3  # another run holds the output folder


class TaskRunner(StrEnum):
    """Where the flow's batch tasks run (an unknown value is a usage error that lists these)."""

    default = "default"
    dask = "dask"


def fail(error: CliError) -> typer.Exit:
    """Print a CliError as one unwrapped line on stderr; return the Exit to raise."""
    err_console.print(f"[red]Error:[/red] {error}", soft_wrap=True, highlight=False)
    return typer.Exit(error.exit_code)


@app.command(cls=Command)
def run(
    paths: list[Path] = typer.Argument(None, help="Files or folders (default: the bundled corpus/)."),
    out: Path = typer.Option(settings.OUTPUTS_DIR, "--out", help="Folder for the tables."),
    strict: bool = flag("--strict", "Exit 1 when any file failed."),
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Documents per Prefect task."),
    full: bool = flag("--full", "Re-process every file, not only new or changed ones."),
    no_prefect: bool = flag("--no-prefect", "Call the library directly, without a flow run."),
    task_runner: TaskRunner = typer.Option(
        TaskRunner.default, "--task-runner", help="'default' (in process) or 'dask' (local or --dask-address cluster)."
    ),
    dask_address: str = typer.Option(None, "--dask-address", help="Existing Dask scheduler (tcp://host:8786)."),
    review_dir: Path = typer.Option(settings.REVIEW_DIR, "--review-dir", help="Folder of the corrections ledger."),
    lock_wait: float = typer.Option(
        60.0, "--lock-wait", help="Seconds to wait for another run on the same --out folder before giving up."
    ),
) -> None:
    """Process new or changed documents into tables under OUT (CSV and Parquet)."""
    inputs = list(paths or [settings.CORPUS_DIR])
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise fail(CliError(f"No such file or folder: {', '.join(missing)}: give existing files or folders.", 2))
    try:
        check_model(settings.SPACY_MODEL)
        created = prepare_out(out)  # the folder this run made, removed again if the run fails on it
    except CliError as exc:
        raise fail(exc) from None
    from pipeline.lock import OutputsBusy, output_lock

    try:
        with environment_errors(out, created):  # a failure on the folder or the disk: one line, exit 1
            try:
                lock = output_lock(out, lock_wait)
                lock.__enter__()  # held for the whole run; the runner and flow re-enter it
            except OutputsBusy as exc:
                console.print(f"[red]Not started:[/red] {exc}", soft_wrap=True)
                raise typer.Exit(LOCKED_EXIT) from None
            try:
                from flows.local_api import configured_without_prefect
                from pipeline.run_plan import if_unchanged  # no spaCy, no Prefect: a cheap answer

                unchanged = None if full or configured_without_prefect() else if_unchanged(inputs, out, review_dir)
                if unchanged is not None:  # nothing to do: no flow run, no temporary server
                    summary = unchanged
                elif no_prefect:
                    from pipeline import runner

                    summary = runner.run_library(inputs, out, full=full, review_dir=review_dir)
                else:
                    summary = _run_flow(inputs, out, batch_size, full, task_runner, dask_address, review_dir)
            finally:
                lock.__exit__(None, None, None)  # released before a failed run's new folder is removed
    except CliError as exc:
        raise fail(exc) from None
    if unchanged is not None:
        console.print(
            f"[green]Nothing changed[/green]: {summary['files_seen']} files, {summary['skipped_unchanged']} unchanged, "
            f"{summary['failed']} failed; the tables in {out} are current (run_summary.json refreshed).",
            soft_wrap=True,
        )
    else:
        print_summary(summary, out)
    if strict and summary["failed"]:
        raise typer.Exit(1)


def _run_flow(
    inputs: list[Path],
    out: Path,
    batch_size: int,
    full: bool,
    task_runner: TaskRunner,
    dask_address: str | None,
    review_dir: Path,
) -> dict:
    """The Prefect flow run. The temporary server (when no server is configured) and the
    extraction workers start side by side first, so neither waits for the other."""
    flow = _flow(task_runner, dask_address)
    from flows import local_api
    from pipeline.runner import start_processes

    local_api.start_early()
    if task_runner is TaskRunner.default:
        start_processes()
    local_api.ready()
    return flow(
        [str(p) for p in inputs],
        str(out),
        batch_size,
        show_progress=sys.stderr.isatty(),
        full=full,
        distributed=task_runner is not TaskRunner.default,
        review_dir=str(review_dir),
    )


def _flow(task_runner: TaskRunner, dask_address: str | None):
    """The Prefect flow on the chosen task runner; a missing optional package is a CliError."""
    from flows.corpus_flow import flow_with_runner

    quiet_prefect_tracebacks()  # an OSError is said once, in the CLI's own line
    try:
        return flow_with_runner(task_runner.value, dask_address)
    except ImportError as exc:
        raise CliError(
            f"--task-runner {task_runner.value} needs {exc.name or 'an optional package'}: "
            'install it with `pip install -e ".[dask]"`, or leave out --task-runner.'
        ) from None


@app.command(cls=Command)
def serve(
    paths: list[Path] = typer.Argument(None, help="Files or folders to watch (default: corpus/)."),
    cron: str = typer.Option("*/30 * * * *", "--cron", help="When to run (cron syntax)."),
    out: Path = typer.Option(settings.OUTPUTS_DIR, "--out", help="Folder for the tables."),
    name: str = typer.Option("scheduled", "--name", help="Deployment name."),
) -> None:
    """Serve the flow as a scheduled deployment on the Prefect server in PREFECT_API_URL."""
    from flows.corpus_flow import corpus_flow

    inputs = [str(p.resolve()) for p in (paths or [settings.CORPUS_DIR])]
    corpus_flow.serve(name=name, cron=cron, parameters={"inputs": inputs, "out_dir": str(out.resolve())})


def print_summary(summary: dict, out: Path) -> None:
    console.print(
        f"[bold]{summary['files_seen']}[/bold] files: [green]{summary['processed']} processed[/green], "
        f"({summary['skipped_unchanged']} unchanged, {summary['removed']} removed), "
        f"[red]{summary['failed']} failed[/red] in {summary['seconds']['total']:.1f} s -> {out}"
    )
    table = Table(title="rows written", show_header=True)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in summary["rows"].items():
        table.add_row(name, str(n))
    console.print(table)
    for err in summary.get("errors", [])[:10]:
        console.print(f"  [red]✗[/red] {err['file']}: {err['kind']}: {err['message']}")
    for problem in summary.get("after_publish_problems", []):
        console.print(f"  [yellow]after publishing the tables:[/yellow] {problem}", soft_wrap=True)
    for orphan in summary.get("review_orphans", []):
        console.print(
            f"  [yellow]orphaned correction[/yellow] {orphan['table']} {orphan['id']} in {orphan['file_name']}: "
            f"{orphan['reason']} (kept in the ledger; see review_orphans.csv)"
        )
    if len(summary.get("errors", [])) > 10:
        console.print(f"  ... and {len(summary['errors']) - 10} more (see errors.csv)")


@app.command(cls=Command)
def evaluate(
    gold: Path = typer.Option(..., "--gold", help="Folder of *.gold.json files."),
    out: Path = typer.Option(settings.OUTPUTS_DIR, "--out", help="Folder holding the tables to score."),
    as_json: bool = flag("--json", "Print the full report as JSON (everything below included)."),
    by_document: bool = flag(
        "--by-document", "Also print tp/fp/fn F1 of each kind and metadata per document, and per doc_type."
    ),
    details: bool = flag("--details", "List each document's misses, extras and wrong values of each kind."),
    document: list[str] = typer.Option(
        None, "--document", "-d", help="Score only this document file name (repeatable)."
    ),
    kind: list[str] = typer.Option(None, "--kind", "-k", help="With --details: list only this kind (repeatable)."),
) -> None:
    """Score the tables against gold annotations: precision, recall, F1 per kind, metadata accuracy.

    Exits 2 when there is nothing to score (no gold files, no tables, none of the documents).
    """
    from pipeline import evaluate as ev

    bad_kinds = sorted(set(kind or []) - set(ev.KINDS))
    if bad_kinds:
        console.print(f"[red]Unknown --kind[/red] {', '.join(bad_kinds)} (one of {', '.join(ev.KINDS)})")
        raise typer.Exit(2)
    try:
        ev.gold_files(gold)
    except ev.EvaluationError as exc:
        raise fail(
            CliError(f"Nothing to evaluate: {exc}: point --gold at the folder of *.gold.json files.", 2)
        ) from None
    try:
        report = ev.evaluate(gold, out, documents=document or None)
    except ev.EvaluationError as exc:
        console.print(f"[red]Nothing to evaluate:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(report, indent=2, default=str))
        return
    if details:
        print("\n".join(ev.details_lines(report, kind or ev.KINDS)))  # plain: long evidence is not wrapped
    if by_document:
        console.print(ev.documents_table(report))
        console.print(ev.doc_types_table(report))
    console.print(ev.totals_table(report["totals"], f"evaluation against {gold}"))
    console.print(ev.metadata_table(report["metadata_accuracy"]))
    missing = [d["document"] for d in report["documents"] if d.get("missing")]
    if missing:
        console.print(f"[yellow]not in the outputs:[/yellow] {', '.join(missing)}")


@app.command(cls=Command)
def dictionary(
    path: Path = typer.Option(None, "--path", help="Where to write it (default: docs/data_dictionary.md)."),
) -> None:
    """Regenerate the data dictionary from the schema declaration (pipeline/tables.py)."""
    from pipeline.analyst.dictionary import DICTIONARY_PATH, write_dictionary

    console.print(f"wrote {write_dictionary(path or DICTIONARY_PATH)}")


@app.command(cls=Command)
def report(
    out: Path = typer.Option(settings.OUTPUTS_DIR, "--out", help="Folder holding the tables."),
) -> None:
    """Rebuild the analyst outputs (pipeline.duckdb, timeline.html/.png, report.html) from existing tables."""
    from pipeline.analyst import build_analyst_outputs
    from pipeline.lock import output_lock

    if not (out / "documents.parquet").exists():
        console.print(f"[red]No tables in {out}[/red]: run `python -m pipeline run` first.")
        raise typer.Exit(2)
    with output_lock(out):  # never read a half-published set of tables
        paths = build_analyst_outputs(out)
    for kind, path in paths.items():
        console.print(f"{kind:>14}  {path}")


from pipeline.review.cli import review_app  # noqa: E402  (mounted last: `python -m pipeline review ...`)

app.add_typer(review_app, name="review")
