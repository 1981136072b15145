"""The scorer: gold fed back as predictions scores perfectly; a wrong value is counted wrong."""

from __future__ import annotations

import json

import pandas as pd

from pipeline.evaluate import locate, score_actors, score_dates
from tests.conftest import GOLD


def test_locate_tolerates_line_breaks_and_markup():
    text = "the ECE meeting could take place in the first week of November. Bold words"
    assert locate(text, "the first week of \nNovember") == [(36, 62)]
    assert locate(text, "**Bold** words") == [(64, 74)]


def _gold(name: str) -> dict:
    return json.loads((GOLD / f"{name}.gold.json").read_text(encoding="utf-8"))


def test_gold_dates_as_predictions_score_perfectly(seed_files):
    path = next(p for p in seed_files if p.name.startswith("004"))
    gold = _gold(path.name)
    from pipeline.ingest import ingest_file

    text = ingest_file(path).text
    rows = []
    for g in gold["dates"]:
        start, end = locate(text, g["text"])[0]
        rows.append(
            {"text": text[start:end], "start_char": start, "end_char": end, "start": g["start"], "end": g["end"]}
        )
    score = score_dates(pd.DataFrame(rows), gold["dates"], text)
    assert (score.precision, score.recall, score.value_accuracy) == (1.0, 1.0, 1.0)
    rows[0] = dict(rows[0], end="1999-01-01")
    worse = score_dates(pd.DataFrame(rows), gold["dates"], text)
    assert worse.recall == 1.0 and worse.value_accuracy < 1.0


def test_actor_matching_uses_aliases():
    gold = [
        {"name": "International Organization for Migration", "aliases": ["IOM"]},
        {"name": "Chairman", "aliases": []},
    ]
    got = [{"name": "IOM", "aliases": []}, {"name": "Stakeholders", "aliases": []}]
    score = score_actors(got, gold)
    assert (score.tp, score.fp, score.fn) == (1, 1, 1)
