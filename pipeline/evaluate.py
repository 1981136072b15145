"""Score the output tables against gold annotations (format: shared gold/SCHEMA.md).

Gold texts are exact substrings of the original file; we locate them in the stored clean text with
a whitespace- and markup-tolerant pattern, then match extracted rows by span overlap, one to one.
Gold lists each distinct item once, so extracted rows are deduplicated the same way first
(dates by text and value, meetings by event, actors by canonical row).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz

from pipeline.tables import read_table

KINDS = ("dates", "actors", "meetings", "commitments")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    value_ok: int = 0
    value_n: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

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


def locate(text: str, needle: str) -> list[tuple[int, int]]:
    """All spans of ``needle`` in ``text``, tolerant of whitespace and stripped Markdown markup."""
    words = [w for w in re.split(r"\s+", needle.replace("*", " ").strip()) if w]
    if not words:
        return []
    pattern = r"[\s*]+".join(re.escape(w) for w in words)
    return [(m.start(), m.end()) for m in re.finditer(pattern, text)]


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
                score.misses.append(f"value {g['text']!r}: {got} != {g.get('start')}..{g.get('end')}")
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
            score.value_ok += _day(item.get("start")) == g["start"] and _day(item.get("end")) == g.get("end")
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
                score.misses.append(f"actor {sorted(got)} != {g['actor']!r} in {g['evidence'][:60]!r}")
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


def evaluate(gold_dir: Path, out_dir: Path) -> dict:
    """Score every gold file whose document is in the outputs; returns a JSON-able report."""
    tables = {
        name: read_table(name, out_dir)
        for name in ("documents", "actors", "mentions", "dates", "meetings", "commitments")
    }
    docs = tables["documents"]
    actor_rows = {r["actor_id"]: r for r in tables["actors"].to_dict("records")}
    totals = {k: Score() for k in KINDS}
    meta_hits: dict[str, list[bool]] = {k: [] for k in METADATA_FIELDS}
    per_doc = []
    for gold_path in sorted(Path(gold_dir).glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        match = docs[(docs["file_name"] == gold["document"]) & (docs["status"] == "ok")]
        if match.empty:
            per_doc.append({"document": gold["document"], "missing": True})
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
        for k, v in meta.items():
            meta_hits[k].append(v)
        for k in KINDS:
            totals[k].add(scores[k])
        per_doc.append(
            {
                "document": gold["document"],
                "metadata": meta,
                **{k: _score_dict(s, detail=True) for k, s in scores.items()},
            }
        )
    return {
        "totals": {k: _score_dict(s) for k, s in totals.items()},
        "metadata_accuracy": {k: (sum(v) / len(v) if v else None) for k, v in meta_hits.items()},
        "documents": per_doc,
    }


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
    return out
