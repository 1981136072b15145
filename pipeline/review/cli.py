"""``python -m pipeline review export|apply|serve|report``: the analyst's side of the ledger."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from pipeline import settings
from pipeline.cli_errors import CliError, explain_file
from pipeline.cli_help import Command, Group, flag
from pipeline.review import ledger
from pipeline.review.context import NoTables, load_context, read_rows
from pipeline.review.fields import REVIEW_TABLES

review_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    cls=Group,
    help="Review extractions: queue, corrections ledger, page, report.",
)
console = Console()

OUT = typer.Option(settings.OUTPUTS_DIR, "--out", help="Folder holding the tables a run wrote.")
REVIEW_DIR = typer.Option(settings.REVIEW_DIR, "--review-dir", help="Folder of the corrections ledger (ledger.jsonl).")


def _fail(error: CliError) -> typer.Exit:
    """Print a CliError as one unwrapped line on stderr; return the Exit to raise."""
    Console(stderr=True).print(f"[red]Error:[/red] {error}", soft_wrap=True, highlight=False)
    return typer.Exit(error.exit_code)


def _default_reviewer() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "analyst"


def _context(out: Path, review_dir: Path):
    try:
        return load_context(out, review_dir)
    except NoTables as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@review_app.command(cls=Command)
def export(
    to: Path = typer.Option(..., "--to", help="CSV file to write the review queue to."),
    out: Path = OUT,
    review_dir: Path = REVIEW_DIR,
) -> None:
    """Write the review queue: one row per extracted row, least certain first, decision columns empty."""
    from pipeline.review.queue import write_queue

    ctx = _context(out, review_dir)
    try:
        n = write_queue(ctx, to)
    except OSError as exc:
        raise _fail(explain_file(exc, to, "--to")) from None
    console.print(f"{n} rows to review -> {to}")
    console.print("Fill in action (accept|reject|edit|add), field, value, reviewer, comment; then `review apply`.")


@review_app.command("apply", cls=Command)
def apply_cmd(
    file: Path = typer.Argument(..., help="A filled-in queue or a corrections CSV (table,id,action,field,value,...)."),
    out: Path = OUT,
    review_dir: Path = REVIEW_DIR,
    reviewer: str = typer.Option("", "--reviewer", help="Reviewer for rows that leave the reviewer column empty."),
) -> None:
    """Validate every row, then append all decisions to the ledger, or none when any row is bad."""
    from pipeline.review.corrections import import_csv

    if not file.exists():
        console.print(f"[red]No such file:[/red] {file}")
        raise typer.Exit(2)
    try:
        outcome = import_csv(file, out, review_dir, reviewer or _default_reviewer())
    except NoTables as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    except OSError as exc:  # FILE is a folder or unreadable, or the ledger cannot be written
        raise _fail(explain_file(exc, Path(exc.filename) if isinstance(exc.filename, str) else file, "FILE")) from None
    if outcome.problems:
        for problem in outcome.problems:
            typer.echo(f"{file}: {problem}", err=True)
        typer.echo(f"{len(outcome.problems)} bad row(s): nothing from {file} was applied.", err=True)
        raise typer.Exit(1)
    console.print(
        f"{len(outcome.entries)} decision(s) appended to {ledger.ledger_path(review_dir)}"
        f" ({outcome.skipped} row(s) without an action left alone); they apply on the next run."
    )


@review_app.command(cls=Command)
def serve(
    port: int = typer.Option(8765, "--port", help="Port on 127.0.0.1 (0 picks a free one)."),
    out: Path = OUT,
    review_dir: Path = REVIEW_DIR,
    reviewer: str = typer.Option("", "--reviewer", help="Reviewer when the page leaves the name empty."),
) -> None:
    """Open the review page on 127.0.0.1: accept (a), reject (r), edit (e), next/previous (j/k)."""
    from pipeline.review.server import make_server

    try:
        server = make_server(out, review_dir, port, reviewer or _default_reviewer())
    except NoTables as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    except OSError as exc:  # most often: the port is taken
        raise _fail(explain_file(exc, Path(str(port)), "--port")) from None
    console.print(
        f"Review page: {server.url}  (ledger: {ledger.ledger_path(review_dir)}; Ctrl+C to stop)", soft_wrap=True
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@review_app.command(cls=Command)
def report(
    out: Path = OUT,
    review_dir: Path = REVIEW_DIR,
    as_json: bool = flag("--json", "Print the report as JSON."),
) -> None:
    """Reviewed precision per table: accepted / (accepted + edited + rejected)."""
    from pipeline.review.report import precision_by_table

    entries, problems = ledger.read(review_dir)
    totals = {t: len(read_rows(t, out)) for t in REVIEW_TABLES} if (Path(out) / "documents.parquet").exists() else None
    rows = precision_by_table(entries, totals)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    console.print(f"ledger: {ledger.ledger_path(review_dir)}", soft_wrap=True)
    table = Table(title="reviewed precision: accepted / (accepted + edited + rejected)")
    for col in ("table", "accepted", "edited", "rejected", "precision", "added", "rows"):
        table.add_column(col, justify="left" if col == "table" else "right", no_wrap=True, min_width=len(col))
    for r in rows:
        precision = "—" if r["precision"] is None else f"{r['precision']:.3f}"
        rows_now = "" if r["rows"] is None else str(r["rows"])
        table.add_row(
            r["table"], str(r["accepted"]), str(r["edited"]), str(r["rejected"]), precision, str(r["added"]), rows_now
        )
    console.print(table)
    for p in problems:
        console.print(f"[yellow]ledger line {p.line}:[/yellow] {p.message}")
