"""The scorer: gold fed back as predictions scores perfectly; a wrong value is counted wrong."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from pipeline.evaluate import locate, score_actors, score_dates
from tests.conftest import CORPUS, GOLD


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


# -- the evaluate command: errors, per-document and per-doc_type reports, the documents filter ---------------

SCORED = ("003_b7641967ad86f8a5.txt", "004_743dbb93f0ffdb69.txt", "000_b91fc1af8054643d.txt")
FAKE_ACTOR = "Standing Committee on Imaginary Matters"


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """A real run on three seeds, and gold for them with one invented actor (a miss) and one date left out
    (its extracted row becomes an extra)."""
    from pipeline.runner import run_library

    root = tmp_path_factory.mktemp("evaluate")
    inp, out, gold = root / "in", root / "out", root / "gold"
    inp.mkdir()
    gold.mkdir()
    for name in SCORED:
        shutil.copy(CORPUS / name, inp / name)
        data = _gold(name)
        if name.startswith("003"):
            data["actors"].append({"name": FAKE_ACTOR, "type": "organization", "aliases": []})
            data["removed_date"] = data["dates"].pop(0)["text"]
        (gold / f"{name}.gold.json").write_text(json.dumps(data), encoding="utf-8")
    run_library([inp], out, review_dir=root / "review")
    return gold, out


def _cli(*args: str):
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["evaluate", *args])
    result.flat = " ".join(result.output.split())  # the message, whatever the terminal width
    return result


def test_a_gold_folder_without_gold_files_exits_2(tmp_path, scored):
    _gold_dir, out = scored
    empty = tmp_path / "gold"
    empty.mkdir()
    (empty / "notes.json").write_text("{}", encoding="utf-8")  # not a *.gold.json
    result = _cli("--gold", str(empty), "--out", str(out))
    assert result.exit_code == 2
    assert "no *.gold.json" in result.flat
    result = _cli("--gold", str(tmp_path / "nowhere"), "--out", str(out))
    assert result.exit_code == 2 and "does not exist" in result.flat


def test_an_out_folder_without_tables_exits_2(tmp_path, scored):
    gold, _out = scored
    result = _cli("--gold", str(gold), "--out", str(tmp_path))
    assert result.exit_code == 2 and "no tables" in result.flat.lower()


def test_gold_documents_absent_from_the_tables_exit_2(tmp_path, scored):
    _gold_dir, out = scored
    other = tmp_path / "gold"
    other.mkdir()
    (other / "elsewhere.txt.gold.json").write_text(json.dumps({"document": "elsewhere.txt"}), encoding="utf-8")
    result = _cli("--gold", str(other), "--out", str(out))
    assert result.exit_code == 2 and "none of the 1 gold documents" in result.flat


def test_by_document_lists_each_document_and_details_list_the_misses_and_extras(scored):
    gold, out = scored
    result = _cli("--gold", str(gold), "--out", str(out), "--by-document", "--details")
    assert result.exit_code == 0, result.output
    for name in SCORED:
        assert name in result.output
    assert "per doc_type" in result.output
    details = result.output.split("== 003_b7641967ad86f8a5.txt", 1)[1].split("==", 1)[0]
    assert "actors missed" in details and FAKE_ACTOR in details
    removed = json.loads((gold / "003_b7641967ad86f8a5.txt.gold.json").read_text())["removed_date"]
    assert "dates extra" in details and removed in details


def test_per_doc_type_totals_add_up_to_the_totals(scored):
    from pipeline.evaluate import KINDS, evaluate

    gold, out = scored
    report = evaluate(gold, out)
    assert set(report["by_doc_type"]) == {"meeting_summary", "note", "speech"}  # doc_type of the gold files
    assert sum(g["documents"] for g in report["by_doc_type"].values()) == len(SCORED)
    for kind in KINDS:
        for count in ("tp", "fp", "fn"):
            parts = sum(g["totals"][kind][count] for g in report["by_doc_type"].values())
            assert parts == report["totals"][kind][count], (kind, count)
    doc = next(d for d in report["documents"] if d["document"].startswith("003"))
    assert FAKE_ACTOR in doc["actors"]["misses"]
    assert doc["doc_type"] == "meeting_summary" and set(doc["metadata"]) >= {"doc_type", "title"}


def test_the_documents_filter_scores_only_those_documents(scored):
    from pipeline.evaluate import EvaluationError, evaluate

    gold, out = scored
    one = evaluate(gold, out, documents=["004_743dbb93f0ffdb69.txt"])
    assert [d["document"] for d in one["documents"]] == ["004_743dbb93f0ffdb69.txt"]
    full = evaluate(gold, out)
    doc = next(d for d in full["documents"] if d["document"].startswith("004"))
    assert one["totals"]["dates"]["tp"] == doc["dates"]["tp"]
    with pytest.raises(EvaluationError):
        evaluate(gold, out, documents=["not_a_gold_document.txt"])
    result = _cli("--gold", str(gold), "--out", str(out), "--json", "-d", "004_743dbb93f0ffdb69.txt")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert {"totals", "by_doc_type", "metadata_accuracy", "documents"} <= set(data)
    assert {"misses", "extras", "value_errors"} <= set(data["documents"][0]["commitments"])


def test_locate_tolerates_line_end_hyphenation_both_ways():
    text = "the Community of Portuguese-speaking Countries at its twenty-ninth meeting"
    assert locate(text, "Portuguesespeaking Countries") == [(17, 46)]
    assert locate(text, "twenty- ninth meeting") == [(54, 74)]
    assert locate("a Portuguesespeaking body", "Portuguese-\nspeaking body") == [(2, 25)]
    assert locate(text, "Portuguese speaking") == [], "a space is not a hyphen"
