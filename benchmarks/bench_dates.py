"""Date tagging: our un_dates component against dateparser.search_dates on the same texts.

Prints F1 on the gold seeds for both, and words/s of each over General Debate statements
(the component timed alone, on Docs the trained pipeline already processed, since that is its
cost inside the product). Usage: python benchmarks/bench_dates.py [--docs N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tarfile
import time
import warnings
from pathlib import Path

import dateparser.search

from pipeline.evaluate import locate
from pipeline.ingest import ingest_file
from pipeline.nlp import build_nlp

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
warnings.filterwarnings("ignore")


def gold_f1(found_by_doc: dict[str, list[tuple[int, int]]], texts: dict[str, str]) -> float:
    tp = fp = fn = 0
    for name, text in texts.items():
        gold = json.loads((SHARED / "gold" / f"{name}.gold.json").read_text(encoding="utf-8"))["dates"]
        spans = [locate(text, g["text"]) for g in gold]
        found = sorted(set(found_by_doc[name]))
        used = set()
        for s, e in found:
            hit = next((i for i, sp in enumerate(spans) if i not in used and any(s < b and a < e for a, b in sp)), None)
            if hit is None:
                fp += 1
            else:
                used.add(hit)
                tp += 1
        fn += len(gold) - len(used)
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return 2 * p * r / max(p + r, 1e-9)


def search_dates_spans(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for found, _ in dateparser.search.search_dates(text, languages=["en"]) or []:
        i = text.find(found, pos)
        if i < 0:
            i = text.find(found)
        if i >= 0:
            out.append((i, i + len(found)))
            pos = i
    return out


def gd_texts(n: int) -> list[str]:
    texts = []
    with tarfile.open(SHARED / "bench" / "ungdc-sessions-70-78.tar.gz") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".txt"):
                texts.append(tar.extractfile(member).read().decode("utf-8", "replace"))
                if len(texts) >= n:
                    break
    return texts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    nlp = build_nlp(components=["un_dates"])
    seeds = {p.name: ingest_file(p) for p in sorted((ROOT / "corpus").glob("*.txt"))}
    texts = {k: d.text for k, d in seeds.items()}
    ours = {}
    for name, d in seeds.items():
        doc = nlp.make_doc(d.text)
        doc.user_data["doc_date"] = d.metadata.doc_date
        doc = nlp(doc)
        ours[name] = [(s.start_char, s.end_char) for s in doc.spans["dates"]]
    theirs = {name: search_dates_spans(t) for name, t in texts.items()}
    corpus = gd_texts(args.docs)
    words = sum(len(t.split()) for t in corpus)
    with nlp.select_pipes(disable=["un_dates"]):
        parsed = list(nlp.pipe(corpus, batch_size=8))
    tagger = nlp.get_pipe("un_dates")
    ours_t, theirs_t = [], []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        for doc in parsed:
            tagger(doc)
        ours_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for t in corpus:
            search_dates_spans(t)
        theirs_t.append(time.perf_counter() - t0)
    result = {
        "docs": len(corpus),
        "words": words,
        "f1_un_dates": round(gold_f1(ours, texts), 3),
        "f1_search_dates": round(gold_f1(theirs, texts), 3),
        "words_per_s_un_dates": round(words / statistics.median(ours_t)),
        "words_per_s_search_dates": round(words / statistics.median(theirs_t)),
    }
    result["speedup"] = round(result["words_per_s_un_dates"] / result["words_per_s_search_dates"], 1)
    for k, v in result.items():
        print(f"{k}: {v}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
