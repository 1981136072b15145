"""What an everyday run costs, whole processes, with and without the Prefect flow.

Prints, for a folder (default: the bundled corpus), the median of ``--reps`` paired runs of:
full run and unchanged re-run, each through the README's main command (Prefect flow) and with
``--no-prefect``; the fixed cost the flow adds; and a profile of that cost (importing Prefect,
starting its temporary server, one empty flow run). With ``--statements N`` it also measures an
unchanged re-run against a full run on N General Debate statements from the bench archive.

    python benchmarks/everyday_run.py [--reps 3] [--statements 120]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = ROOT.parent / "shared" / "bench" / "ungdc-sessions-70-78.tar.gz"

_PROFILE = """
import time
t0 = time.perf_counter()
from pipeline import settings
settings.prefect_defaults()
import prefect
t1 = time.perf_counter()
from prefect.server.api.server import SubprocessASGIServer
t2 = time.perf_counter()
server = SubprocessASGIServer()
server.start()
t3 = time.perf_counter()
from prefect import flow
from prefect.settings import PREFECT_API_URL, temporary_settings

@flow
def empty():
    return 1

with temporary_settings({PREFECT_API_URL: server.api_url}):
    empty()
t4 = time.perf_counter()
server.stop()
t5 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.3f} {t4 - t3:.3f} {t5 - t4:.3f}")
"""


REPO = ROOT  # the checkout whose code runs (--repo: an older one, for a before/after in one command)


def timed(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=env, cwd=REPO)
    return time.perf_counter() - t0


def env_for(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "UNGOV_REVIEW"))}
    env["UNGOV_REVIEW_DIR"] = str(tmp / "review")  # no ledger: the runs measure extraction and publishing
    return env


def run_pairs(folder: Path, tmp: Path, reps: int) -> dict[str, list[float]]:
    env = env_for(tmp)
    times: dict[str, list[float]] = {k: [] for k in ("full_prefect", "full_direct", "rerun_prefect", "rerun_direct")}
    for i in range(reps):
        for mode, extra in (("prefect", []), ("direct", ["--no-prefect"])):
            out = tmp / f"out-{mode}-{i}"
            cmd = [sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(out), *extra]
            times[f"full_{mode}"].append(timed(cmd, env))
            times[f"rerun_{mode}"].append(timed(cmd, env))
    return times


def profile(reps: int) -> list[float]:
    rows = []
    for _ in range(reps):
        done = subprocess.run([sys.executable, "-c", _PROFILE], check=True, capture_output=True, text=True, cwd=ROOT)
        rows.append([float(x) for x in done.stdout.split()[-5:]])
    return [statistics.median(col) for col in zip(*rows, strict=True)]


@contextlib.contextmanager
def running_server():
    """A Prefect server in its own process for the duration of the block; yields its API URL."""
    code = (
        "from pipeline import settings; settings.prefect_defaults()\n"
        "from prefect.server.api.server import SubprocessASGIServer\n"
        "import sys, time\n"
        "s = SubprocessASGIServer(); s.start(); print(s.api_url, flush=True)\n"
        "sys.stdin.read()\n"
        "s.stop()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        yield proc.stdout.readline().strip()  # type: ignore[union-attr]
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(timeout=60)


def statements(n: int, dest: Path) -> Path:
    folder = dest / f"statements-{n}"
    folder.mkdir(parents=True)
    with tarfile.open(ARCHIVE) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".txt")][:n]
        for m in members:
            data = tar.extractfile(m).read()  # type: ignore[union-attr]
            (folder / Path(m.name).name).write_bytes(data)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", default=str(ROOT / "corpus"))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--statements", type=int, default=0)
    parser.add_argument("--repo", default=str(ROOT), help="run the code of this checkout (e.g. a git worktree)")
    args = parser.parse_args()
    global REPO
    REPO = Path(args.repo).resolve()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        times = run_pairs(Path(args.folder), tmp, args.reps)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"code {REPO}; folder {args.folder}, median of {args.reps} paired whole-process runs (seconds)")
        for key, value in med.items():
            print(f"  {key:<14} {value:7.2f}   runs: {' '.join(f'{t:.2f}' for t in times[key])}")
        print(f"  fixed cost of the flow, full run:        {med['full_prefect'] - med['full_direct']:6.2f} s")
        print(f"  unchanged re-run, flow / --no-prefect:   {med['rerun_prefect'] / med['rerun_direct']:6.2f}")
        imports, server_import, start, flow, stop = profile(args.reps)
        print("profile of Prefect's own cost (median, seconds):")
        print(
            f"  import prefect {imports:.2f}, import its server {server_import:.2f}, start the temporary server "
            f"{start:.2f}, one empty flow run {flow:.2f}, stop {stop:.2f}"
        )
        print("with a Prefect server already running (PREFECT_API_URL), as a scheduled deployment has:")
        with running_server() as url:
            env = dict(env_for(tmp), PREFECT_API_URL=url)
            cmd = [sys.executable, "-m", "pipeline", "run", args.folder]
            served = statistics.median(timed([*cmd, "--out", str(tmp / f"served-{i}")], env) for i in range(args.reps))
        print(f"  full_prefect   {served:7.2f}   fixed cost of the flow: {served - med['full_direct']:.2f} s")
        if args.statements:
            folder = statements(args.statements, tmp)
            env = env_for(tmp)
            cmd = [sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(tmp / "gd-out")]
            full = timed(cmd, env)
            rerun = statistics.median(timed(cmd, env) for _ in range(args.reps))
            print(
                f"{args.statements} statements: full {full:.2f} s, unchanged re-run {rerun:.2f} s "
                f"= {rerun / full:.3f} of the full run"
            )


if __name__ == "__main__":
    main()
