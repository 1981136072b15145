"""Score the output tables against gold annotations (format: shared gold/SCHEMA.md).

Gold texts are exact substrings of the original file; we locate them in the stored clean text with
a whitespace- and markup-tolerant pattern, then match extracted rows by span overlap, one to one.
Gold lists each distinct item once, so extracted rows are deduplicated the same way first
(dates by text and value, meetings by event, actors by canonical row).

The report carries totals, totals per doc_type (the gold file's doc_type), and per document the
counts, the misses (gold items not found), the extras (rows gold does not list), the value errors
(found, but with a wrong date or actor) and the metadata fields that disagree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz

from pipeline.tables import read_table

KINDS = ("dates", "actors", "meetings", "commitments")


class EvaluationError(Exception):
    """Nothing to score: no gold files, no tables, or none of the asked documents (the CLI exits 2)."""


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    value_ok: int = 0
    value_n: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    value_errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def value_accuracy(self) -> float | None:
        return self.value_ok / self.value_n if self.value_n else None

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.value_ok += other.value_ok
        self.value_n += other.value_n
        self.misses += other.misses
        self.extras += other.extras
        self.value_errors += other.value_errors


def locate(text: str, needle: str) -> list[tuple[int, int]]:
    """All spans of ``needle`` in ``text``, tolerant of whitespace and stripped Markdown markup,
    and of line-end hyphenation: a gold text copied as "Portuguesespeaking" or "twenty- ninth"
    still finds "Portuguese-speaking" / "twenty-ninth" (and the other way round)."""
    spans = _find(text, needle)
    if spans or ("-" not in text and "-" not in needle):
        return spans
    view, where = _without_word_hyphens(text)
    plain, _ = _without_word_hyphens(needle)
    return [(where[a], where[b - 1] + 1) for a, b in _find(view, plain)]


def _find(text: str, needle: str) -> list[tuple[int, int]]:
    words = [w for w in re.split(r"\s+", needle.replace("*", " ").strip()) if w]
    if not words:
        return []
    pattern = r"[\s*]+".join(re.escape(w) for w in words)
    return [(m.start(), m.end()) for m in re.finditer(pattern, text)]


def _without_word_hyphens(text: str) -> tuple[str, list[int]]:
    """``text`` without hyphens (and the line break after one) between two letters, with the
    position in ``text`` of every character kept."""
    keep = [True] * len(text)
    for m in re.finditer(r"(?<=[^\W\d_])-\s*(?=[^\W\d_])", text):
        for i in range(m.start(), m.end()):
            keep[i] = False
    where = [i for i, k in enumerate(keep) if k]
    return "".join(text[i] for i in where), where


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def _day(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text[:16] if "T" in text and not text.endswith("T00:00:00") else text[:10]


def _match_spans(items: list[dict], gold: list[dict], text: str, gold_text_key: str) -> list[tuple[dict, dict | None]]:
    """Greedy one-to-one matching of extracted rows to gold items by span overlap."""
    located = [(g, locate(text, g[gold_text_key])) for g in gold]
    used: set[int] = set()
    pairs = []
    for item in sorted(items, key=lambda r: r["start_char"]):
        span = (item["start_char"], item["end_char"])
        hit = None
        for gi, (_gold_item, spans) in enumerate(located):
            if gi not in used and _overlaps(span, spans):
                hit = gi
                break
        if hit is not None:
            used.add(hit)
            pairs.append((item, located[hit][0]))
        else:
            pairs.append((item, None))
    for gi, (g, _spans) in enumerate(located):
        if gi not in used:
            pairs.append(({}, g))
    return pairs


def _score_pairs(pairs, label) -> Score:
    score = Score()
    for item, g in pairs:
        if item and g:
            score.tp += 1
        elif item:
            score.fp += 1
            score.extras.append(label(item))
        else:
            score.fn += 1
            score.misses.append(label(g))
    return score


def score_dates(rows: pd.DataFrame, gold: list[dict], text: str) -> Score:
    items = rows.to_dict("records")
    unique: dict[tuple, dict] = {}
    for r in items:
        unique.setdefault((r["text"].lower(), _day(r["start"]), _day(r["end"])), r)
    pairs = _match_spans(list(unique.values()), gold, text, "text")
    score = _score_pairs(pairs, lambda x: x.get("text", ""))
    for item, g in pairs:
        if item and g:
            score.value_n += 1
            ok = _day(item["start"]) == _day(g.get("start")) and _day(item["end"]) == _day(g.get("end"))
            score.value_ok += ok
            if not ok:
                got = f"{_day(item['start'])}..{_day(item['end'])}"
                score.value_errors.append(f"value {g['text']!r}: {got} != {g.get('start')}..{g.get('end')}")
    return score


def _names(actor: dict) -> set[str]:
    aliases = actor.get("aliases")
    aliases = list(aliases) if aliases is not None and not isinstance(aliases, str) else []
    return {n.lower().strip() for n in [actor.get("name") or "", *aliases] if n}


def score_actors(actors: list[dict], gold: list[dict]) -> Score:
    score = Score()
    used: set[int] = set()
    for a in actors:
        names = _names(a)
        hit = next((i for i, g in enumerate(gold) if i not in used and names & _names(g)), None)
        if hit is None:
            score.fp += 1
            score.extras.append(a["name"])
        else:
            used.add(hit)
            score.tp += 1
    for i, g in enumerate(gold):
        if i not in used:
            score.fn += 1
            score.misses.append(g["name"])
    return score


def score_meetings(rows: pd.DataFrame, gold: list[dict], text: str) -> Score:
    items = list(
        {r["event_id"]: r for r in rows.sort_values("start_char", ascending=False).to_dict("records")}.values()
    )
    pairs = _match_spans(items, gold, text, "evidence")
    score = _score_pairs(pairs, lambda x: x.get("name", ""))
    for item, g in pairs:
        if item and g and g.get("start"):
            score.value_n += 1
            ok = _day(item.get("start")) == g["start"] and _day(item.get("end")) == g.get("end")
            score.value_ok += ok
            if not ok:
                got = f"{_day(item.get('start'))}..{_day(item.get('end'))}"
                score.value_errors.append(f"dates of {g['name']!r}: {got} != {g['start']}..{g.get('end')}")
    return score


def score_commitments(rows: pd.DataFrame, gold: list[dict], text: str, actors: dict[str, dict]) -> Score:
    pairs = _match_spans(rows.to_dict("records"), gold, text, "evidence")
    score = _score_pairs(pairs, lambda x: (x.get("evidence") or "")[:80])
    for item, g in pairs:
        if item and g:
            score.value_n += 1
            gold_names = {n.strip().lower() for n in g["actor"].split(";")}
            got = {n.strip().lower() for n in (item.get("actor") or "").split(";") if n.strip()}
            actor = actors.get(item.get("actor_id") or "")
            if actor and len(got) <= 1:
                got |= _names(actor)
            ok = bool(got) and gold_names <= got
            score.value_ok += ok
            if not ok:
                score.value_errors.append(f"actor {sorted(got)} != {g['actor']!r} in {g['evidence'][:60]!r}")
    return score


METADATA_FIELDS = ("doc_type", "doc_date", "title", "speaker_or_author", "location")


def metadata_matches(doc: dict, gold: dict) -> dict[str, bool]:
    out = {}
    for key in METADATA_FIELDS:
        want, got = gold.get(key), doc.get(key)
        got = _day(got) if key == "doc_date" else got
        if want is None or got is None or (isinstance(got, float) and pd.isna(got)):
            out[key] = want is None and (got is None or (isinstance(got, float) and pd.isna(got)))
        elif key in ("title", "speaker_or_author"):
            out[key] = fuzz.token_set_ratio(str(want).lower(), str(got).lower()) >= 85
        else:
            out[key] = str(want).lower() == str(got).lower()
    return out


def gold_files(gold_dir: Path) -> list[Path]:
    """The gold files of a folder; EvaluationError when the folder is missing or holds none."""
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise EvaluationError(f"the gold folder {gold_dir} does not exist")
    paths = sorted(gold_dir.glob("*.gold.json"))
    if not paths:
        raise EvaluationError(f"the gold folder {gold_dir} holds no *.gold.json files")
    return paths


def evaluate(gold_dir: Path, out_dir: Path, documents: Iterable[str] | None = None) -> dict:
    """Score every gold file whose document is in the outputs; returns a JSON-able report.

    ``documents`` limits the scoring to those document file names (e.g. one part of a dev/check split).
    Raises EvaluationError when there is nothing to score.
    """
    paths = gold_files(gold_dir)
    if not (Path(out_dir) / "documents.parquet").exists():
        raise EvaluationError(f"no tables in {out_dir}: run `python -m pipeline run` first")
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    if documents is not None:
        wanted = {Path(d).name for d in documents}
        unknown = wanted - {g["document"] for g in golds}
        if unknown:
            raise EvaluationError(f"no gold file in {gold_dir} for: {', '.join(sorted(unknown))}")
        golds = [g for g in golds if g["document"] in wanted]
    tables = {
        name: read_table(name, out_dir)
        for name in ("documents", "actors", "mentions", "dates", "meetings", "commitments")
    }
    docs = tables["documents"]
    actor_rows = {r["actor_id"]: r for r in tables["actors"].to_dict("records")}
    totals = {k: Score() for k in KINDS}
    by_type: dict[str, dict] = {}
    meta_hits: dict[str, list[bool]] = {k: [] for k in METADATA_FIELDS}
    per_doc = []
    for gold in golds:
        doc_type = gold.get("doc_type") or "other"
        match = docs[(docs["file_name"] == gold["document"]) & (docs["status"] == "ok")]
        if match.empty:
            per_doc.append({"document": gold["document"], "doc_type": doc_type, "missing": True})
            continue
        doc = match.iloc[0].to_dict()
        text = (Path(out_dir) / doc["text_path"]).read_text(encoding="utf-8")
        doc_id = doc["doc_id"]

        def of(name: str, doc_id: str = doc_id) -> pd.DataFrame:
            frame = tables[name]
            return frame[frame["doc_id"] == doc_id]

        mentioned = set(of("mentions")["actor_id"])
        scores = {
            "dates": score_dates(of("dates"), gold.get("dates", []), text),
            "actors": score_actors(
                [actor_rows[a] for a in sorted(mentioned) if a in actor_rows], gold.get("actors", [])
            ),
            "meetings": score_meetings(of("meetings"), gold.get("meetings", []), text),
            "commitments": score_commitments(of("commitments"), gold.get("commitments", []), text, actor_rows),
        }
        meta = metadata_matches(doc, gold)
        group = by_type.setdefault(
            doc_type, {"scores": {k: Score() for k in KINDS}, "meta": {k: [] for k in METADATA_FIELDS}, "n": 0}
        )
        group["n"] += 1
        for k, v in meta.items():
            meta_hits[k].append(v)
            group["meta"][k].append(v)
        for k in KINDS:
            totals[k].add(scores[k])
            group["scores"][k].add(scores[k])
        per_doc.append(
            {
                "document": gold["document"],
                "doc_type": doc_type,
                "metadata": meta,
                "metadata_errors": {
                    k: {"got": _plain(doc.get(k), k), "gold": gold.get(k)} for k, ok in meta.items() if not ok
                },
                **{k: _score_dict(s, detail=True) for k, s in scores.items()},
            }
        )
    if not any(not d.get("missing") for d in per_doc):
        raise EvaluationError(
            f"none of the {len(per_doc)} gold documents is in the tables of {out_dir} (wrong --out folder?)"
        )
    return {
        "totals": {k: _score_dict(s) for k, s in totals.items()},
        "metadata_accuracy": _accuracy(meta_hits),
        "by_doc_type": {
            t: {
                "documents": g["n"],
                "totals": {k: _score_dict(s) for k, s in g["scores"].items()},
                "metadata_accuracy": _accuracy(g["meta"]),
            }
            for t, g in sorted(by_type.items())
        },
        "documents": per_doc,
    }


def _accuracy(hits: dict[str, list[bool]]) -> dict[str, float | None]:
    return {k: (sum(v) / len(v) if v else None) for k, v in hits.items()}


def _plain(value, key: str):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return _day(value) if key == "doc_date" else value


def _score_dict(s: Score, detail: bool = False) -> dict:
    out = {
        "tp": s.tp,
        "fp": s.fp,
        "fn": s.fn,
        "precision": round(s.precision, 3),
        "recall": round(s.recall, 3),
        "f1": round(s.f1, 3),
        "value_accuracy": None if s.value_accuracy is None else round(s.value_accuracy, 3),
    }
    if detail:
        out["misses"] = s.misses
        out["extras"] = s.extras
        out["value_errors"] = s.value_errors
    return out


# -- terminal rendering (used by `python -m pipeline evaluate` and benchmarks/gold_dev_split.py) ------------


_SHORT_FIELD = {"doc_type": "type", "doc_date": "date", "speaker_or_author": "speaker", "location": "place"}


def _cell(s: dict) -> str:
    """'tp/fp/fn F1' of one kind, compact enough for a per-document table."""
    return f"{s['tp']}/{s['fp']}/{s['fn']} {s['f1']:.2f}"


def totals_table(totals: dict, title: str):
    from rich.table import Table

    table = Table(title=title)
    for col in ("kind", "tp", "fp", "fn", "precision", "recall", "F1", "value/actor acc."):
        table.add_column(col, justify="right" if col != "kind" else "left")
    for kind, s in totals.items():
        acc = "" if s["value_accuracy"] is None else f"{s['value_accuracy']:.3f}"
        table.add_row(
            kind, str(s["tp"]), str(s["fp"]), str(s["fn"]),
            f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}", acc,
        )  # fmt: skip
    return table


def metadata_table(accuracy: dict, title: str = "metadata accuracy"):
    from rich.table import Table

    table = Table(title=title)
    table.add_column("field")
    table.add_column("accuracy", justify="right")
    for key, acc in accuracy.items():
        table.add_row(key, "" if acc is None else f"{acc:.3f}")
    return table


def documents_table(report: dict):
    """One row per document: tp/fp/fn F1 of each kind and the metadata fields that agree."""
    from rich.table import Table

    table = Table(title="per document (tp/fp/fn F1)")
    for col in ("document", "doc_type", *KINDS, "metadata"):
        table.add_column(col, justify="left" if col in ("document", "doc_type", "metadata") else "right")
    for d in report["documents"]:
        if d.get("missing"):
            table.add_row(d["document"], d["doc_type"], *["-"] * len(KINDS), "not in the outputs")
            continue
        meta = d["metadata"]
        wrong = [_SHORT_FIELD.get(k, k) for k, ok in meta.items() if not ok]
        hits = f"{sum(meta.values())}/{len(meta)}" + (f" wrong: {', '.join(wrong)}" if wrong else "")
        table.add_row(d["document"], d["doc_type"], *[_cell(d[k]) for k in KINDS], hits)
    return table


def doc_types_table(report: dict):
    """Totals per doc_type (from the gold files); each kind as tp/fp/fn F1, metadata as mean accuracy."""
    from rich.table import Table

    table = Table(title="per doc_type (tp/fp/fn F1)")
    for col in ("doc_type", "docs", *KINDS, "metadata"):
        table.add_column(col, justify="left" if col == "doc_type" else "right")
    for doc_type, g in report["by_doc_type"].items():
        accs = [a for a in g["metadata_accuracy"].values() if a is not None]
        meta = f"{sum(accs) / len(accs):.2f}" if accs else ""
        table.add_row(doc_type, str(g["documents"]), *[_cell(g["totals"][k]) for k in KINDS], meta)
    return table


def details_lines(report: dict, kinds: Iterable[str] = KINDS) -> list[str]:
    """Plain lines listing, per document and kind, the misses, extras and value errors (and wrong metadata)."""
    lines: list[str] = []
    for d in report["documents"]:
        if d.get("missing"):
            lines += [f"== {d['document']} ({d['doc_type']}): not in the outputs", ""]
            continue
        lines.append(f"== {d['document']} ({d['doc_type']})")
        for key, err in d.get("metadata_errors", {}).items():
            lines.append(f"  metadata {key}: got {err['got']!r}, gold {err['gold']!r}")
        for kind in kinds:
            s = d[kind]
            for label, items in (("missed", s["misses"]), ("extra", s["extras"]), ("wrong value", s["value_errors"])):
                if items:
                    lines.append(f"  {kind} {label} ({len(items)}):")
                    lines += [f"    - {' '.join(str(item).split())}" for item in items]
        lines.append("")
    return lines
