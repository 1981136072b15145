"""Interleaved end-to-end runs of two checkouts against bare ``nlp.pipe``, on the same texts.

On a shared machine the load changes within minutes, so two separate ``bench.py`` runs are not
comparable; alternating the three runs rep by rep is. Usage:
    python benchmarks/compare_versions.py FOLDER OLD_CHECKOUT [--reps 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import _BARE, _LIBRARY, run_child  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("old_checkout", help="folder holding the old pipeline/ and models/")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    folder = Path(args.folder)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in folder.glob("*.txt"))
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    env = dict(os.environ, PREFECT_HOME=str(tmp / "cmp_prefect"), UNGOV_REVIEW_DIR=str(tmp / "cmp_review"))
    env_old = dict(env, PYTHONPATH=args.old_checkout)
    times: dict[str, list[float]] = {"bare": [], "bare_2proc": [], "new": [], "old": []}
    for rep in range(args.reps):
        times["bare"].append(run_child([sys.executable, "-c", _BARE, str(folder), "32", "1"], env)[0])
        times["bare_2proc"].append(run_child([sys.executable, "-c", _BARE, str(folder), "32", "2"], env)[0])
        new = [sys.executable, "-c", _LIBRARY, str(folder), str(tmp / "cmp_new"), "full"]
        times["new"].append(run_child(new, env)[0])
        old = [sys.executable, "-c", _LIBRARY, str(folder), str(tmp / "cmp_old"), "full"]
        times["old"].append(run_child(old, env_old)[0])
        print(rep, {k: round(v[-1], 1) for k, v in times.items()}, flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    print("words", words, {k: round(words / v) for k, v in med.items()})
    for base in ("bare", "bare_2proc"):
        print(f"new_vs_{base}", round(med[base] / med["new"], 2), f"old_vs_{base}", round(med[base] / med["old"], 2))
    print("new_vs_old", round(med["old"] / med["new"], 2))


if __name__ == "__main__":
    main()
