"""Hand-edited inputs never block a run: a manifest with bad rows, and ledger lines that cannot be applied.

Real seed documents, real manifest files (UTF-8, UTF-16, cells of 200,000 characters), a real ledger
file with damaged lines, real runs of the library and the real review CLI.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.review import ledger
from pipeline.runner import run_library
from tests.conftest import CORPUS
from tests.test_review import Project, fresh_run, review

SEEDS = ("000_b91fc1af8054643d.txt", "001_591c7e872ffa32c8.txt", "002_df49d2222da18875.txt")
HEADER = "file,doc_type,doc_date,title,location\n"


def _seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in SEEDS:
        shutil.copy(CORPUS / name, folder / name)
    return folder


def _documents(out: Path) -> dict[str, dict]:
    frame = pd.read_parquet(out / "documents.parquet").astype(object)
    rows = frame.to_dict("records")
    return {r["file_name"]: {k: (None if pd.isna(v) else str(v)) for k, v in r.items()} for r in rows}


def _errors(out: Path) -> list[dict]:
    return pd.read_parquet(out / "errors.parquet").to_dict("records")


def test_bad_manifest_cells_are_error_rows_naming_line_and_field_and_the_run_completes(tmp_path):
    folder, out = _seeds(tmp_path), tmp_path / "out"
    rule = _documents(_run(folder, tmp_path / "plain", manifest=None))
    (folder / "manifest.csv").write_text(
        HEADER
        + f"{SEEDS[0]},Speech,,,Geneva\n"
        + f"{SEEDS[1]},,16 February 2017,Good title,\n"
        + f"{SEEDS[2]},,2025-13-45,{'x' * 200_000},\n",
        encoding="utf-8",
    )
    summary = run_library([folder], out)
    assert summary["failed"] == 0
    docs = _documents(out)
    assert {d["status"] for d in docs.values()} == {"ok"}
    # the good cells of the same rows apply; the bad ones keep the value read from the document
    assert docs[SEEDS[0]]["location"] == "Geneva" and docs[SEEDS[0]]["doc_type"] == rule[SEEDS[0]]["doc_type"]
    assert docs[SEEDS[1]]["title"] == "Good title" and docs[SEEDS[1]]["doc_date"] == rule[SEEDS[1]]["doc_date"]
    assert [docs[SEEDS[2]][k] for k in ("doc_date", "title")] == [rule[SEEDS[2]][k] for k in ("doc_date", "title")]
    found = {(Path(e["source_path"]).name, e["message"].split(":")[0]) for e in _errors(out)}
    assert found == {
        (SEEDS[0], f"{folder}/manifest.csv line 2, doc_type"),
        (SEEDS[1], f"{folder}/manifest.csv line 3, doc_date"),
        (SEEDS[2], f"{folder}/manifest.csv line 4, doc_date"),
        (SEEDS[2], f"{folder}/manifest.csv line 4, title"),
    }
    assert all(e["error_kind"] == "manifest_value" and len(e["message"]) < 400 for e in _errors(out))


def _run(folder: Path, out: Path, manifest: str | None) -> Path:
    path = folder / "manifest.csv"
    if manifest is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(manifest, encoding="utf-8")
    run_library([folder], out)
    return out


def test_utf16_manifest_from_excel_is_read_and_a_broken_one_refused_with_a_message(tmp_path):
    folder, out = _seeds(tmp_path), tmp_path / "out"
    # Excel's "Unicode Text": UTF-16 with a BOM, tab-separated
    text = HEADER.replace(",", "\t") + f"{SEEDS[0]}\tnote\t2017-02-20\tCafé talks\tGenève\n"
    (folder / "manifest.csv").write_bytes(text.encode("utf-16"))
    run_library([folder], out)
    doc = _documents(out)[SEEDS[0]]
    assert (doc["doc_type"], doc["doc_date"], doc["title"], doc["location"]) == (
        "note",
        "2017-02-20",
        "Café talks",
        "Genève",
    )
    assert _errors(out) == []
    (folder / "manifest.csv").write_bytes(b"\xff\xfe" + "file\tdoc_type\n".encode("utf-16-le") + b"\x00\xd8")
    run_library([folder], out)
    errors = _errors(out)
    assert len(errors) == 3 and {e["error_kind"] for e in errors} == {"manifest_unreadable"}
    assert "UTF-16" in errors[0]["message"] and "was not applied" in errors[0]["message"]
    assert _documents(out)[SEEDS[0]]["title"] != "Café talks"  # nothing of a refused manifest applies


def test_manifest_edits_reach_unchanged_files_and_a_fixed_or_deleted_manifest_heals(tmp_path):
    folder, out = _seeds(tmp_path), tmp_path / "out"
    rule = _documents(_run(folder, tmp_path / "plain", manifest=None))
    _run(folder, out, HEADER + f"{SEEDS[0]},note,2017-02-17,,\n")
    # a valid edit of an unchanged file reaches it; only that file is extracted again
    _run(folder, out, HEADER + f"{SEEDS[0]},note,2017-02-18,,Nairobi\n")
    summary = json.loads((out / "run_summary.json").read_text())
    assert (summary["processed"], summary["skipped_unchanged"]) == (1, 2)
    doc = _documents(out)[SEEDS[0]]
    assert (doc["doc_type"], doc["doc_date"], doc["location"]) == ("note", "2017-02-18", "Nairobi")
    # the manifest deleted: the values read from the document come back
    _run(folder, out, None)
    doc = _documents(out)[SEEDS[0]]
    fields = ("doc_type", "doc_date", "location")
    assert {k: doc[k] for k in fields} == {k: rule[SEEDS[0]][k] for k in fields}
    # bad cells, then fixed: the unchanged file gets the values and its error rows are gone
    _run(folder, out, HEADER + f"{SEEDS[0]},Speech,16 February 2017,,\n")
    assert len(_errors(out)) == 2
    _run(folder, out, HEADER + f"{SEEDS[0]},note,2017-02-17,,\n")
    doc = _documents(out)[SEEDS[0]]
    assert (doc["doc_type"], doc["doc_date"]) == ("note", "2017-02-17") and _errors(out) == []
    # a bad row moved to another line: the tables are written again with the new line number
    _run(folder, out, HEADER + f"{SEEDS[0]},Speech,,,\n")
    _run(folder, out, HEADER + f"{SEEDS[1]},,,,\n{SEEDS[0]},Speech,,,\n")
    assert [e["message"].split(",")[0] for e in _errors(out)] == [f"{folder}/manifest.csv line 3"]


# --- the ledger -----------------------------------------------------------------------------------


def _line(**entry) -> bytes:
    return json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n"


BAD_LINES = {
    "invalid UTF-8": lambda d: _line(table="dates", id=d, action="accept", comment="X").replace(b'"X"', b'"\xff\xfe"'),
    "missing id": lambda d: _line(table="dates", action="reject", timestamp="2025-01-01T00:00:00Z"),
    "missing field": lambda d: _line(table="dates", id=d, action="edit", new_value="day"),
    "out-of-contract value": lambda d: _line(table="dates", id=d, action="edit", field="kind", new_value="fortnight"),
    "unknown field": lambda d: _line(table="dates", id=d, action="edit", field="colour", new_value="red"),
}
REASONS = {
    "invalid UTF-8": "not UTF-8",
    "missing id": "without an id",
    "missing field": "an edit without a field",
    "out-of-contract value": "'fortnight' is not one of",
    "unknown field": "unknown field 'colour'",
}


@pytest.mark.parametrize("kind", list(BAD_LINES))
def test_a_ledger_line_that_cannot_be_applied_is_an_orphan_with_a_reason(project: Project, kind: str):
    accepted = project.one("dates", "text", "12 March 2018")
    target = project.one("dates", "text", "30 June 2018")
    path = ledger.ledger_path(project.review)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        _line(table="dates", id=accepted["date_id"], action="accept", timestamp="2025-01-01T00:00:00Z")
        + BAD_LINES[kind](target["date_id"])
    )
    fresh_run(project)
    assert project.one("dates", "text", "12 March 2018")["review_status"] == "accepted"  # the good line applies
    assert project.one("dates", "text", "30 June 2018")["review_status"] == "unreviewed"  # the bad one does not
    (orphan,) = project.orphans()
    assert REASONS[kind] in orphan["reason"] and "(ledger line 2)" in orphan["reason"], orphan
    if kind != "invalid UTF-8":  # what can be read of the line is kept
        assert orphan["table"] == "dates"
    summary = json.loads((project.out / "run_summary.json").read_text())
    assert [o["reason"] for o in summary["review_orphans"]] == [orphan["reason"]]
    # no review command stops on it either
    report = review(project, "report", "--json")
    assert report.exit_code == 0, report.output
    assert next(r for r in json.loads(report.output) if r["table"] == "dates")["accepted"] == 1
    queue = project.out.parent / "queue.csv"
    assert review(project, "export", "--to", str(queue)).exit_code == 0 and queue.stat().st_size > 0
    corrections = project.out.parent / "corrections.csv"
    corrections.write_text(f"table,id,action\ndates,{target['date_id']},accept\n", encoding="utf-8")
    applied = review(project, "apply", str(corrections))
    assert applied.exit_code == 0, applied.output
    from pipeline.review.server import make_server

    make_server(project.out, project.review, 0, "tester").server_close()
    fresh_run(project)
    assert project.one("dates", "text", "30 June 2018")["review_status"] == "accepted"


def test_review_apply_reads_a_sheet_saved_by_a_spreadsheet_and_names_the_line_of_a_bad_byte(project: Project):
    accepted = project.one("dates", "text", "12 March 2018")
    rejected = project.one("dates", "text", "30 June 2018")
    sheet = project.out.parent / "corrections.csv"
    rows = f"table;id;action;comment\ndates;{accepted['date_id']};accept;\ndates;{rejected['date_id']};reject;Café\n"
    sheet.write_bytes(rows.encode("cp1252"))  # a European spreadsheet's CSV: ';' and a code page
    result = review(project, "apply", str(sheet))
    assert result.exit_code == 1 and not isinstance(result.exception, Exception), result.exception  # no traceback
    assert "line 3: column comment is not UTF-8 text (byte 0xe9)" in result.output
    assert project.ledger_bytes() == b""  # all or nothing
    sheet.write_bytes(rows.encode("utf-16"))  # the same sheet as Unicode text
    result = review(project, "apply", str(sheet))
    assert result.exit_code == 0, result.output
    fresh_run(project)
    assert project.one("dates", "text", "12 March 2018")["review_status"] == "accepted"
    assert [r for r in project.rows("dates") if r["text"] == "30 June 2018"] == []
