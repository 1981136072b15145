"""Throughput, overhead, memory and PDF benchmarks, each as a ratio against a baseline run here.

Absolute times on a shared machine are noisy, so every figure is a ratio against a baseline run
in the same command on the same texts (medians of ``--reps`` repetitions). Every timed run is a
fresh subprocess, so model loading, worker start-up and memory are those a user sees.

    python benchmarks/bench.py [--docs N] [--reps R] [--json FILE] [--memory-sizes 100,500,1746]

Material: ../shared/bench/ungdc-sessions-70-78.tar.gz (General Debate statements, the first
``--docs`` by file name) and ../shared/bench/un-pdfs. ``pdftotext`` (poppler-utils) is only a
baseline; without it that line is printed as skipped. With ``PYTHONPATH=<old checkout>`` the same
script measures an older version of the package (the "before" column of the report).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GD_TAR = SHARED / "bench" / "ungdc-sessions-70-78.tar.gz"
UN_PDFS = SHARED / "bench" / "un-pdfs"
warnings.filterwarnings("ignore")

# Timed bodies run in a child interpreter: (setup code, timed code); the child prints seconds.
_BARE = """
import spacy, sys, time
from pathlib import Path
from pipeline import settings
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
nlp = spacy.load(settings.SPACY_MODEL)
t0 = time.perf_counter()
for _ in nlp.pipe(texts, batch_size=int(sys.argv[2]), n_process=int(sys.argv[3])):
    pass
print(time.perf_counter() - t0)
"""
_LIBRARY = """
import sys, time
from pathlib import Path
from pipeline.runner import run_library
t0 = time.perf_counter()  # includes loading the model (in each worker): pessimistic against bare
run_library([Path(sys.argv[1])], Path(sys.argv[2]), full=sys.argv[3] == "full")
print(time.perf_counter() - t0)
"""


def emit(results: dict, key: str, value, note: str = "") -> None:
    """One figure per line, and into the JSON."""
    results[key] = value
    print(f"{key}: {value}{'  ' + note if note else ''}", flush=True)


def gd_folder(n: int, dest: Path) -> tuple[Path, int]:
    """Write the first ``n`` General Debate statements (by name) to ``dest``; return it and the word count."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(GD_TAR) as tar:
        members = sorted((m for m in tar if m.isfile() and m.name.endswith(".txt")), key=lambda m: m.name)
        for member in members[:n]:
            (dest / Path(member.name).name).write_bytes(tar.extractfile(member).read())
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in dest.glob("*.txt"))
    return dest, words


def child_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ, PREFECT_HOME=str(tmp / "prefect"), PYTHONWARNINGS="ignore")
    env.setdefault("UNGOV_REVIEW_DIR", str(tmp / "review"))
    return env


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run a child; return (its printed seconds or wall time, peak RSS of its process tree in MB).

    The tree's RSS is sampled every 50 ms and summed over the parent and its workers, since
    one model per worker process is what the machine has to hold.
    """
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [ps, *ps.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])} failed:\n{err[-3000:]}")
    lines = out.strip().splitlines()
    try:
        seconds = float(lines[-1])
    except (IndexError, ValueError):
        seconds = wall
    return seconds, peak // 2**20


def median_of(reps: int, fn: Callable[[], float]) -> float:
    return statistics.median(fn() for _ in range(reps))


def bench_throughput(folder: Path, words: int, tmp: Path, reps: int, results: dict) -> None:
    """End-to-end (ingest + extraction + tables) against bare ``nlp.pipe``, both as words/s."""
    env = child_env(tmp)
    py = sys.executable
    bare1 = median_of(reps, lambda: run_child([py, "-c", _BARE, str(folder), "32", "1"], env)[0])
    bare2 = median_of(reps, lambda: run_child([py, "-c", _BARE, str(folder), "32", "2"], env)[0])
    out = tmp / "out_e2e"
    e2e = median_of(reps, lambda: run_child([py, "-c", _LIBRARY, str(folder), str(out), "full"], env)[0])
    emit(results, "words", words)
    emit(results, "bare_nlp_pipe_words_per_s", round(words / bare1), "(trained pipeline, all components, 1 process)")
    emit(results, "bare_nlp_pipe_2proc_words_per_s", round(words / bare2), "(same, n_process=2)")
    emit(results, "end_to_end_words_per_s", round(words / e2e), "(ingest + extraction + tables)")
    emit(results, "end_to_end_vs_bare_nlp_pipe", round(bare1 / e2e, 2), "(>= 1 means at least as fast)")
    emit(results, "end_to_end_vs_bare_nlp_pipe_2proc", round(bare2 / e2e, 2))


def bench_rerun(folder: Path, tmp: Path, reps: int, results: dict) -> None:
    """An unchanged re-run against a full run, both through the CLI as a user runs them."""
    env = child_env(tmp)
    out = tmp / "out_rerun"
    cli = [sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(out), "--no-prefect"]
    full = median_of(reps, lambda: run_child([*cli, "--full"], env)[0])
    again = median_of(reps, lambda: run_child(cli, env)[0])
    emit(results, "full_run_s", round(full, 2))
    emit(results, "unchanged_rerun_s", round(again, 2))
    emit(results, "unchanged_rerun_vs_full", round(again / full, 3), "(target <= 0.03)")


def bench_prefect(folder: Path, tmp: Path, reps: int, results: dict) -> None:
    """The Prefect flow against calling the library directly (same CLI, same files, full runs)."""
    env = child_env(tmp)
    out = tmp / "out_flow"
    cli = [sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(out), "--full"]
    direct = median_of(reps, lambda: run_child([*cli, "--no-prefect"], env)[0])
    flow = median_of(reps, lambda: run_child(cli, env)[0])
    emit(results, "prefect_flow_s", round(flow, 2))
    emit(results, "library_direct_s", round(direct, 2))
    emit(results, "prefect_flow_vs_library", round(flow / direct, 3), "(orchestration overhead, incl. server start)")


def bench_memory(sizes: list[int], tmp: Path, results: dict) -> None:
    """Peak RSS of a full run (process tree) at several corpus sizes: it must stay flat."""
    env = child_env(tmp)
    peaks = {}
    for n in sizes:
        folder, _ = gd_folder(n, tmp / f"gd_{n}")
        _, peak = run_child([sys.executable, "-c", _LIBRARY, str(folder), str(tmp / f"out_mem_{n}"), "full"], env)
        peaks[n] = peak
        emit(results, f"peak_rss_mb_{n}_docs", peak, "(parent + workers)")
    if len(peaks) > 1:
        first, last = peaks[min(peaks)], peaks[max(peaks)]
        emit(results, "peak_rss_growth", round(last / first, 2), f"({max(peaks)} vs {min(peaks)} docs; flat is 1.0)")


def bench_dates(n: int, reps: int, results: dict) -> None:
    """un_dates against dateparser.search_dates: speed on statements and F1 on the gold seeds."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_dates import gd_texts, gold_f1, search_dates_spans

    from pipeline.ingest import ingest_file
    from pipeline.nlp import build_nlp

    nlp = build_nlp(components=["un_dates"])
    seeds = {p.name: ingest_file(p) for p in sorted((ROOT / "corpus").glob("*.txt"))}
    ours = {}
    for name, d in seeds.items():
        doc = nlp.make_doc(d.text)
        doc.user_data["doc_date"] = d.metadata.doc_date
        ours[name] = [(s.start_char, s.end_char) for s in nlp(doc).spans["dates"]]
    texts = {k: d.text for k, d in seeds.items()}
    theirs = {name: search_dates_spans(t) for name, t in texts.items()}
    corpus = gd_texts(n)
    words = sum(len(t.split()) for t in corpus)
    with nlp.select_pipes(disable=["un_dates"]):
        parsed = list(nlp.pipe(corpus, batch_size=32))
    tagger = nlp.get_pipe("un_dates")

    def ours_t() -> float:
        t0 = time.perf_counter()
        for doc in parsed:
            tagger(doc)
        return time.perf_counter() - t0

    def theirs_t() -> float:
        t0 = time.perf_counter()
        for t in corpus:
            search_dates_spans(t)
        return time.perf_counter() - t0

    a, b = median_of(reps, ours_t), median_of(reps, theirs_t)
    emit(results, "dates_words_per_s_un_dates", round(words / a))
    emit(results, "dates_words_per_s_search_dates", round(words / b))
    emit(results, "dates_speedup_vs_search_dates", round(b / a, 1), "(target >= 50)")
    emit(results, "dates_f1_un_dates", round(gold_f1(ours, texts), 3))
    emit(results, "dates_f1_search_dates", round(gold_f1(theirs, texts), 3))


def _words(text: str) -> list[str]:
    return text.split()


def bench_pdf(reps: int, results: dict, reference: bool) -> None:
    """PDF pages/s against pdftotext, and word-level agreement of the texts."""
    from pipeline.ingest import pdf_reader
    from pipeline.ingest.layout import lines_to_blocks

    pdfs = sorted(UN_PDFS.glob("*.pdf"))
    data = [p.read_bytes() for p in pdfs]

    def read(engine: str | None) -> tuple[float, list[str], int]:
        texts, pages = [], 0
        t0 = time.perf_counter()
        for blob in data:
            lines, n = pdf_reader.read_pdf(blob) if engine is None else pdf_reader.read_pdf(blob, engine=engine)
            texts.append(lines_to_blocks(lines)[0])
            pages += n
        return time.perf_counter() - t0, texts, pages

    runs = [read(None) for _ in range(reps)]
    ours_s = statistics.median(r[0] for r in runs)
    _, ours_texts, pages = runs[0]
    emit(results, "pdf_pages", pages)
    emit(results, "pdf_pages_per_s_ours", round(pages / ours_s, 1), "(text + positions + furniture + layout)")
    if shutil.which("pdftotext"):

        def poppler() -> tuple[float, list[str]]:
            t0 = time.perf_counter()
            out = [subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True).stdout for p in pdfs]
            return time.perf_counter() - t0, out

        pruns = [poppler() for _ in range(reps)]
        pt_s = statistics.median(r[0] for r in pruns)
        agree = statistics.median(
            difflib.SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()
            for a, b in zip(ours_texts, pruns[0][1], strict=True)
        )
        emit(results, "pdf_pages_per_s_pdftotext", round(pages / pt_s, 1))
        emit(results, "pdf_speed_vs_pdftotext", round(pt_s / ours_s, 2), "(target >= 0.5)")
        emit(
            results,
            "pdf_word_agreement_vs_pdftotext",
            round(agree, 3),
            "(median per file; pdftotext keeps page furniture)",
        )
    else:
        print("pdf_speed_vs_pdftotext: skipped (pdftotext not installed: apt-get install poppler-utils)")
    if reference and "engine" in pdf_reader.read_pdf.__code__.co_varnames:
        ref_s, ref_texts, _ = read("pdfplumber")
        agree = statistics.median(
            difflib.SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()
            for a, b in zip(ours_texts, ref_texts, strict=True)
        )
        emit(results, "pdf_pages_per_s_pdfplumber", round(pages / ref_s, 1))
        emit(results, "pdf_word_agreement_vs_pdfplumber", round(agree, 3), "(same furniture removal, other engine)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=200, help="General Debate statements (1746 = all)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions; medians are reported")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--memory-sizes", default="100,500", help="corpus sizes for peak RSS, e.g. 100,500,1746")
    ap.add_argument("--only", default="throughput,rerun,prefect,dates,pdf,memory", help="comma-separated parts")
    ap.add_argument("--no-pdfplumber", action="store_true", help="skip the slow pdfplumber reference engine")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    results: dict = {"docs": args.docs, "reps": args.reps, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="ungov-bench-") as tmp_name:
        tmp = Path(tmp_name)
        folder, words = gd_folder(args.docs, tmp / "gd")
        if "throughput" in parts:
            bench_throughput(folder, words, tmp, args.reps, results)
        if "rerun" in parts:
            bench_rerun(folder, tmp, args.reps, results)
        if "prefect" in parts:
            bench_prefect(folder, tmp, args.reps, results)
        if "dates" in parts:
            bench_dates(min(args.docs, 100), args.reps, results)
        if "pdf" in parts:
            bench_pdf(args.reps, results, reference=not args.no_pdfplumber)
        if "memory" in parts:
            bench_memory([int(x) for x in args.memory_sizes.split(",") if x], tmp, results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
