"""What a run will do, decided before anything is processed or any orchestration starts.

The files seen, the rules' version, the manifest values, the incremental state and the ledger
decide which cached results are reused and which files are processed; when nothing changed and
the published set is whole, ``if_unchanged`` answers the run from here. This module imports no
extractor and no spaCy, so that answer costs little more than hashing the files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__, rules, settings
from pipeline.ingest import discover_files
from pipeline.ingest import manifest as manifests
from pipeline.lock import output_lock
from pipeline.state import RunState
from pipeline.tables import atomic_write_text
from pipeline.tableset import recover
from pipeline.tableset import verify as verify_tables

DocResult = dict


def pipeline_version() -> str:
    """Code version plus a digest of every rule file's content, so a rule edit re-processes
    everything; where the rules are installed (checkout or wheel) does not change it."""
    digest = hashlib.sha256(__version__.encode())
    for kind in rules.KINDS:
        digest.update(rules.load(kind).digest.encode())
    return f"{__version__}+{digest.hexdigest()[:10]}"


def manifests_for(paths: Iterable[Path]) -> manifests.Manifest:
    """Merge ``manifest.csv`` files found in the given folders (or beside the given files); never raises."""
    return manifests.read_manifests(paths)


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def plan(
    files: list[Path], state: RunState, version: str, manifest: manifests.Manifest
) -> tuple[list[DocResult], list[Path]]:
    """Split the listing into results reused from the cache and files that need processing.

    A cached result is reused only while its file's manifest values are the ones it was extracted
    with; its manifest error rows are today's.
    """
    reused, todo = [], []
    for path in files:
        hit = state.cached(path, version)
        if hit is None or not manifests.is_current(hit, manifest):
            todo.append(path)
        else:
            reused.append(manifests.attach(hit, manifest, now_utc()))
    return reused, todo


def run_fingerprint(results: list[DocResult], version: str, review_dir: Path) -> str:
    """What the tables depend on: which file holds which content, the rule version, the ledger."""
    digest = hashlib.sha256(version.encode())
    for res in sorted(results, key=lambda r: r["document"]["source_path"]):
        doc = res["document"]
        digest.update(f"{doc['source_path']}\x1f{doc['doc_id']}\x1f{doc['status']}\n".encode())
        digest.update(json.dumps(res.get("manifest"), sort_keys=True).encode())  # manifest values and problems
    ledger = review_dir / "ledger.jsonl"
    if ledger.is_file():
        digest.update(hashlib.sha256(ledger.read_bytes()).digest())
    return digest.hexdigest()


def unchanged_outputs(out_dir: Path, state: RunState, fingerprint: str) -> bool:
    """True when the last run had this fingerprint and its table set is complete and intact."""
    return (
        state.previous_fingerprint == fingerprint
        and (Path(out_dir) / "run_summary.json").is_file()
        and (Path(out_dir) / "pipeline.duckdb").is_file()
        and not verify_tables(out_dir)
    )


def unchanged_summary(files: list[Path], out_dir: Path, n_reused: int, seconds: dict, started: float) -> dict:
    previous = json.loads((Path(out_dir) / "run_summary.json").read_text(encoding="utf-8"))
    seconds.update(assemble=0.0, write=0.0)  # nothing to assemble or write
    seconds["total"] = time.perf_counter() - started
    summary = dict(
        previous,
        files_seen=len(files),
        processed=0,
        skipped_unchanged=n_reused,
        removed=0,
        seconds={k: round(v, 3) for k, v in seconds.items()},
        tables_rewritten=False,
    )
    atomic_write_text(Path(out_dir) / "run_summary.json", json.dumps(summary, indent=2))
    return summary


@dataclass
class RunPlan:
    """What a run will do, decided before any document is processed: the files seen, the results
    reused from the incremental state and the files to process."""

    out_dir: Path
    files: list[Path]
    manifest: manifests.Manifest
    version: str
    state: RunState
    reused: list[DocResult]
    todo: list[Path]
    review_dir: Path | None
    started: float
    seconds: dict[str, float] = field(default_factory=dict)

    def unchanged(self) -> bool:
        """Nothing to process, and the published table set is this run's (files, rules, ledger)."""
        if self.todo:
            return False
        fingerprint = run_fingerprint(self.reused, self.version, Path(self.review_dir or settings.REVIEW_DIR))
        return unchanged_outputs(self.out_dir, self.state, fingerprint)


def prepare(inputs: list[Path], out_dir: Path, full: bool = False, review_dir: Path | None = None) -> RunPlan:
    """List the files, read the manifests and the incremental state, and split the files into
    reused and to-do (all to-do when ``full``). Call it holding the output lock."""
    started = time.perf_counter()
    files = discover_files(inputs)
    manifest = manifests_for(inputs)
    version = pipeline_version()
    state = RunState(out_dir)
    reused, todo = ([], files) if full else plan(files, state, version, manifest)
    run_plan = RunPlan(Path(out_dir), files, manifest, version, state, reused, todo, review_dir, started)
    run_plan.seconds["plan"] = time.perf_counter() - started
    return run_plan


def if_unchanged(inputs: list[Path], out_dir: Path, review_dir: Path | None = None) -> dict | None:
    """When no file, rule, manifest value or ledger line changed and the published set verifies:
    refresh run_summary.json and return it, without starting any orchestration. Else None."""
    out_dir = Path(out_dir)
    if not (out_dir / "run_summary.json").is_file():
        return None
    with output_lock(out_dir):
        recover(out_dir)
        run_plan = prepare(inputs, out_dir, False, review_dir)
        if not run_plan.unchanged():
            return None
        return unchanged_summary(run_plan.files, out_dir, len(run_plan.reused), run_plan.seconds, run_plan.started)
