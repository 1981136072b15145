"""The pipeline as a package: rules that travel with a saved pipeline, validated rule files,
rules found as package data or in ``UNGOV_MODELS_DIR``, and a wheel that works without the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import spacy

from pipeline import rules, settings
from pipeline.extract.dates_match import _Checks as Checks
from pipeline.extract.dates_normalize import Normalizer
from pipeline.extract.dates_resources import load_resources
from pipeline.extraction import extract_documents
from pipeline.ingest import ingest_file
from pipeline.nlp import build_nlp, shared_nlp

ROOT = Path(__file__).resolve().parent.parent
GOLD_DEV_DOCS = ROOT.parent / "shared" / "gold-dev" / "docs"
SEEDS = sorted(p for p in (ROOT / "corpus").iterdir() if p.is_file() and not p.name.startswith("."))

_ROWS_SCRIPT = """
import json, sys
from pathlib import Path
import spacy
from pipeline.extraction import extract_documents
from pipeline.ingest import ingest_file

nlp = spacy.load(sys.argv[1])
docs = [ingest_file(Path(p)) for p in sys.argv[2:]]
out = {e.doc_id: e.rows for e in extract_documents(nlp, [d for d in docs if d.status == "ok"])}
print(json.dumps(out, sort_keys=True, default=str))
"""


def _rows(nlp, paths: list[Path]) -> dict:
    docs = [ingest_file(p) for p in paths]
    out = {e.doc_id: e.rows for e in extract_documents(nlp, [d for d in docs if d.status == "ok"])}
    return json.loads(json.dumps(out, sort_keys=True, default=str))


@pytest.mark.slow
def test_saved_pipeline_gives_identical_rows_in_a_fresh_process(tmp_path: Path) -> None:
    """``nlp.to_disk`` writes the rules; ``spacy.load`` in a process that never imported our code
    finds the factories by entry point and reads the rules back."""
    paths = SEEDS + (sorted(p for p in GOLD_DEV_DOCS.iterdir() if p.suffix != ".csv") if GOLD_DEV_DOCS.is_dir() else [])
    nlp = shared_nlp()
    saved = tmp_path / "un_pipeline"
    nlp.to_disk(saved)
    for component in ("un_dates", "un_actors", "un_meetings", "un_commitments"):
        assert any((saved / component).rglob("*.json*")), f"{component} saved no rules"
    done = subprocess.run(
        [sys.executable, "-c", _ROWS_SCRIPT, str(saved), *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    fresh = json.loads(done.stdout)
    here = _rows(nlp, paths)
    assert set(fresh) == set(here) and len(here) >= len(SEEDS)
    for doc_id, tables in here.items():
        assert fresh[doc_id] == tables, doc_id
    assert sum(len(t["commitments"]) for t in here.values()) > 20


def _copy_models(tmp_path: Path) -> Path:
    models = tmp_path / "models"
    shutil.copytree(settings.MODELS_DIR, models, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return models


def test_unknown_lexicon_key_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    models = _copy_models(tmp_path)
    path = models / "meetings" / "lexicon.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["held_cuez"] = ["took place"]  # a typo of a known key: silently unused before
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if '"held_cuez"' in text)
    with pytest.raises(rules.RuleError, match=rf"meetings/lexicon\.json, line {line}: unknown key 'held_cuez'"):
        rules.load("meetings", models)


@pytest.mark.parametrize(
    "kind, name, field, bad, message",
    [
        ("commitments", "patterns.jsonl", "id", "modal_activ", "unknown id 'modal_activ'"),
        ("dates", "patterns.jsonl", "norm", "calender", "unknown norm 'calender'"),
        ("dates", "patterns.jsonl", "checks", ["ref_before", "not_a_check"], "unknown checks 'not_a_check'"),
        ("actors", "un_system.jsonl", "type", "un_agency", "unknown type 'un_agency'"),
        ("actors", "roles.jsonl", "aliasses", ["SG"], "unknown key 'aliasses'"),
    ],
)
def test_unknown_pattern_ids_and_fields_name_file_and_line(
    tmp_path: Path, kind: str, name: str, field: str, bad, message: str
) -> None:
    models = _copy_models(tmp_path)
    path = models / kind / name
    lines = path.read_text(encoding="utf-8").splitlines()
    number = 3
    record = json.loads(lines[number - 1])
    record[field] = bad
    lines[number - 1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(rules.RuleError, match=rf"{kind}/{name}, line {number}: {message}"):
        rules.load(kind, models)


def test_invalid_json_and_missing_files_are_named(tmp_path: Path) -> None:
    models = _copy_models(tmp_path)
    (models / "dates" / "macros.json").write_text('{"SP": "\\\\s+",\n "DAY": }', encoding="utf-8")
    with pytest.raises(rules.RuleError, match=r"dates/macros\.json, line 2: invalid JSON"):
        rules.load("dates", models)
    (models / "meetings" / "lexicon.json").unlink()
    with pytest.raises(rules.RuleError, match=r"meetings/lexicon\.json: required rule file missing"):
        rules.load("meetings", models)


def test_schema_closed_sets_are_what_the_code_implements() -> None:
    """The schema may only name normalizers and checks the date engine has."""
    res = load_resources()
    schema = rules.bundled_schema()["dates"]["patterns.jsonl"]["fields"]
    assert set(schema["norm"]["enum"]) <= set(Normalizer(res).rules)
    assert all(callable(getattr(Checks(res), name, None)) for name in schema["checks"]["enum"])


def test_two_pipelines_with_different_rules_share_a_process(tmp_path: Path) -> None:
    """Rules are held by each component, not read from one process-wide folder."""
    models = _copy_models(tmp_path)
    path = models / "commitments" / "lexicon.json"
    lex = json.loads(path.read_text(encoding="utf-8"))
    lex["addressee_verbs"] = {k: v for k, v in lex["addressee_verbs"].items() if k != "urge"}
    path.write_text(json.dumps(lex, indent=1), encoding="utf-8")
    text = "The General Assembly urges Member States to ratify the convention by 2026."
    stock = shared_nlp()
    edited = spacy.load(settings.SPACY_MODEL)
    edited.add_pipe("un_line_breaks", before="parser")
    for name in ("un_dates", "un_actors", "un_meetings"):
        edited.add_pipe(name)
    edited.add_pipe("un_commitments", config={"rules_dir": str(models)})

    def actors(nlp) -> list[str]:
        doc = nlp.make_doc(text)
        doc.user_data["doc_type"] = "resolution"
        return [s._.commitment["actor"] for s in nlp(doc).spans["commitments"]]

    assert actors(stock) == ["Member States"]
    assert actors(edited) != ["Member States"]
    assert actors(stock) == ["Member States"]  # the edited pipeline left the stock one alone


def test_models_dir_setting_reaches_every_component(tmp_path: Path) -> None:
    """``UNGOV_MODELS_DIR`` pointing at an edited copy is read by the actor gazetteer too (the actor
    component used to read the checkout's folder whatever the setting said)."""
    models = _copy_models(tmp_path)
    with (models / "actors" / "un_system.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(
            json.dumps({"name": "Migration Data Portal Consortium", "type": "un_body", "aliases": ["MDPC"]}) + "\n"
        )
    script = textwrap.dedent(
        """
        from pipeline.nlp import build_nlp
        doc = build_nlp()("The MDPC will publish the figures.")
        print([s._.actor["name"] for s in doc.spans["actors"]])
        """
    )
    env = dict(os.environ, UNGOV_MODELS_DIR=str(models))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert "Migration Data Portal Consortium" in done.stdout
    assert "Migration Data Portal Consortium" not in str(
        [s._.actor for s in build_nlp()("The MDPC will publish the figures.").spans["actors"]]
    )


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    frames = {}
    for path in sorted(out.glob("*.parquet")):
        frame = pd.read_parquet(path)
        frames[path.stem] = frame.drop(columns=[c for c in ("processed_at", "source_path") if c in frame])
    return frames


@pytest.mark.slow
def test_wheel_installed_non_editable_gives_the_same_tables(tmp_path: Path) -> None:
    """Build the wheel, install it (not editable) into a fresh venv, run the bundled corpus from a
    folder outside the checkout. The fresh venv sees this venv's dependencies through a ``.pth``
    line (so the test needs no network and stays fast); the package itself comes from the wheel."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("ungov_pipeline-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (site / "_ungov_test_deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True
    )
    where = subprocess.check_output(
        [str(python), "-c", "import pipeline, pipeline.settings as s; print(pipeline.__file__); print(s.MODELS_DIR)"],
        text=True,
        cwd=tmp_path,
    ).split()
    assert where[0].startswith(str(site)) and where[1].startswith(str(site))  # code and rules from the wheel
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNGOV_")}
    run = [str(python), "-m", "pipeline", "run", str(corpus), "--no-prefect", "--full"]
    subprocess.run([*run, "--out", str(tmp_path / "wheel-out")], check=True, capture_output=True, cwd=tmp_path, env=env)
    editable = [sys.executable, "-m", "pipeline", "run", str(corpus), "--no-prefect", "--full"]
    subprocess.run(
        [*editable, "--out", str(tmp_path / "editable-out")], check=True, capture_output=True, cwd=ROOT, env=env
    )
    wheel_tables, editable_tables = _tables(tmp_path / "wheel-out"), _tables(tmp_path / "editable-out")
    assert set(wheel_tables) == set(editable_tables) and "commitments" in wheel_tables
    for name, frame in editable_tables.items():
        pd.testing.assert_frame_equal(wheel_tables[name], frame, obj=name)
    assert len(editable_tables["commitments"]) > 10


def test_readme_library_snippet_runs_as_written(tmp_path: Path) -> None:
    """The three lines of the README's "As a library" section, run exactly as printed."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### As a library", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert len([line for line in snippet.splitlines() if line.strip()]) == 3 and "pipeline.extract(" in snippet
    check = snippet + textwrap.dedent(
        """
        import json, pathlib
        doc = nlp("The Secretary-General will report to the General Assembly by June 2026.")
        print(json.dumps({
            "tables": {name: len(frame) for name, frame in tables.items()},
            "commitments": [s._.commitment["actor"] for s in doc.spans["commitments"]],
            "written": sorted(p.name for p in pathlib.Path(".").iterdir() if p.name != "corpus"),
        }))
        """
    )
    work = tmp_path / "work"
    shutil.copytree(ROOT / "corpus", work / "corpus")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=work, check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["tables"]["documents"] == len(SEEDS)
    assert out["tables"]["commitments"] > 10 and out["tables"]["actors"] > 10
    assert out["commitments"] == ["Secretary-General"]
    assert out["written"] == []  # no outputs folder, no state, no texts


def test_an_added_cue_verb_in_edited_rules_is_read(tmp_path: Path) -> None:
    """The commitment component's cue-word test is built from its own rules, not the bundled ones:
    a verb added to ``addressee_verbs`` in an edited copy makes rows."""
    models = _copy_models(tmp_path)
    path = models / "commitments" / "lexicon.json"
    lex = json.loads(path.read_text(encoding="utf-8"))
    lex["addressee_verbs"]["beseech"] = "call"
    path.write_text(json.dumps(lex, indent=1), encoding="utf-8")
    edited = build_nlp(rules_dir=str(models))
    doc = edited.make_doc("The General Assembly beseeches Member States to ratify the convention.")
    doc.user_data["doc_type"] = "resolution"
    assert [(s._.commitment["kind"], s._.commitment["actor"]) for s in edited(doc).spans["commitments"]] == [
        ("call", "Member States")
    ]
