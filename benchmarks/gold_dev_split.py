"""Scores of gold-dev by part: A (develop), B (check) and all 14 documents.

The split lives in benchmarks/gold_dev_split.json (why: see its "_why"). Scoring reuses
pipeline.evaluate.evaluate(..., documents=...), so the figures are those of `python -m pipeline evaluate`.

    python benchmarks/gold_dev_split.py --out /tmp/dev            # score existing tables
    python benchmarks/gold_dev_split.py --out /tmp/dev --run      # run the pipeline into --out first
    python benchmarks/gold_dev_split.py --out /tmp/dev --json     # the three reports as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.evaluate import KINDS, EvaluationError, evaluate  # noqa: E402

SPLIT_PATH = Path(__file__).with_suffix(".json")
GOLD_DEV = ROOT.parent / "shared" / "gold-dev"


def load_split(path: Path = SPLIT_PATH) -> dict[str, list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"A (develop)": data["develop"], "B (check)": data["check"]}


def run_pipeline(docs: Path, out: Path) -> None:
    env = {**os.environ, "UNGOV_N_PROCESS": os.environ.get("UNGOV_N_PROCESS", "1")}
    cmd = [sys.executable, "-m", "pipeline", "run", str(docs), "--out", str(out), "--no-prefect", "--full"]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def part_reports(gold: Path, out: Path, split: dict[str, list[str]]) -> dict[str, dict]:
    reports = {name: evaluate(gold, out, documents=docs) for name, docs in split.items()}
    reports[f"all {sum(len(d) for d in split.values())}"] = evaluate(gold, out)
    return reports


def print_table(reports: dict[str, dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="gold-dev by part: F1 (precision / recall), value or actor accuracy")
    table.add_column("part")
    table.add_column("docs", justify="right")
    for kind in KINDS:
        table.add_column(kind, justify="right")
    table.add_column("metadata: type date title speaker place", justify="right")
    for name, rep in reports.items():
        cells = []
        for kind in KINDS:
            s = rep["totals"][kind]
            acc = "" if s["value_accuracy"] is None else f" acc {s['value_accuracy']:.2f}"
            cells.append(f"{s['f1']:.3f} ({s['precision']:.2f}/{s['recall']:.2f}){acc}")
        meta = " ".join("-" if v is None else f"{v:.2f}" for v in rep["metadata_accuracy"].values())
        n = sum(1 for d in rep["documents"] if not d.get("missing"))
        table.add_row(name, str(n), *cells, meta)
    Console(width=max(160, Console().width)).print(table)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="Folder of the tables (written first with --run).")
    ap.add_argument("--gold", type=Path, default=GOLD_DEV, help="gold-dev folder (default: ../shared/gold-dev).")
    ap.add_argument("--docs", type=Path, default=None, help="Documents to run (default: GOLD/docs).")
    ap.add_argument("--run", action="store_true", help="Run the pipeline into --out before scoring.")
    ap.add_argument("--split", type=Path, default=SPLIT_PATH, help="The split file (default: beside this script).")
    ap.add_argument("--json", action="store_true", help="Print the reports as JSON.")
    args = ap.parse_args()
    if args.run or not (args.out / "documents.parquet").exists():
        run_pipeline(args.docs or args.gold / "docs", args.out)
    try:
        reports = part_reports(args.gold, args.out, load_split(args.split))
    except EvaluationError as exc:
        print(f"Nothing to evaluate: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(reports, indent=2, default=str))
    else:
        print_table(reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
