"""Review ledger end to end: real runs of the library, real CSV files, the real CLI, a real ledger file."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from pipeline.review import ledger
from pipeline.review.apply import ORPHANS_FILE
from pipeline.review.context import read_rows
from pipeline.review.fields import ID_COLUMN
from pipeline.runner import run_library
from tests.conftest import ROOT

NOTE = "\n\n".join(
    [
        "Note by the Secretariat on the preparatory process\nNew York, 12 March 2018",
        "The second informal thematic session will take place in Geneva on 22 and 23 May 2018.",
        "The Secretary-General is requested to submit a report on the implementation of the global compact"
        " to the General Assembly by 30 June 2018.",
        "The International Organization for Migration (IOM) will support Member States in the consultations."
        " IOM will present its findings in September 2018.",
        "The facilitators will exchange views with the quokka caucus of observers.",
        "Member States decided to hold the intergovernmental conference in Marrakech, Morocco,"
        " on 10 and 11 December 2018.\n",
    ]
)
PREFACE = "Preface added by the editors of this compilation, for readers of the second printing.\n\n"
HEADER = ["table", "id", "action", "field", "value", "reviewer", "comment"]


@dataclass
class Project:
    inp: Path
    out: Path
    review: Path

    @property
    def doc(self) -> Path:
        return self.inp / "note.txt"

    def rows(self, table: str) -> list[dict]:
        return read_rows(table, self.out)

    def one(self, table: str, column: str, value: str) -> dict:
        found = [r for r in self.rows(table) if r.get(column) == value]
        assert len(found) == 1, f"expected one {table} row with {column}={value!r}, got {len(found)}"
        return found[0]

    def text(self, doc_id: str) -> str:
        return (self.out / "texts" / f"{doc_id}.txt").read_text(encoding="utf-8")

    def ledger_bytes(self) -> bytes:
        path = ledger.ledger_path(self.review)
        return path.read_bytes() if path.exists() else b""

    def orphans(self) -> list[dict]:
        with open(self.out / ORPHANS_FILE, encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))


def fresh_run(project: Project) -> None:
    """What `python -m pipeline run --review-dir` does: extract, assemble, apply the ledger, write."""
    run_library([project.inp], project.out, review_dir=project.review)


def write_corrections(path: Path, records: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER)
        writer.writeheader()
        for rec in records:
            writer.writerow({"reviewer": "tester", **rec})
    return path


def review(project: Project, *args: str):
    from pipeline.review.cli import review_app

    command, rest = args[0], list(args[1:])
    return CliRunner().invoke(
        review_app, [command, *rest, "--out", str(project.out), "--review-dir", str(project.review)]
    )


def statuses(project: Project) -> dict[str, list[tuple]]:
    """The reviewed part of the tables, comparable across runs."""
    out = {}
    for table in ("dates", "mentions", "meetings", "commitments", "actors"):
        out[table] = sorted(
            tuple(str(v) for k, v in r.items() if k not in ("processed_at",))
            for r in project.rows(table)
            if r["review_status"] != "unreviewed"
        )
    return out


def standard_corrections(project: Project, tmp_path: Path) -> dict:
    """One decision of every kind; returns what the tables should show afterwards."""
    accepted = project.one("dates", "text", "12 March 2018")
    rejected = project.one("dates", "text", "September 2018")
    commitment = next(r for r in project.rows("commitments") if r["actor_id"] == "secretary-general")
    doc_id = commitment["doc_id"]
    rows = [
        {"table": "dates", "id": accepted["date_id"], "action": "accept"},
        {"table": "dates", "id": rejected["date_id"], "action": "reject", "comment": "a deadline, not a date"},
        {
            "table": "commitments",
            "id": commitment["commitment_id"],
            "action": "edit",
            "field": "deadline",
            "value": "2018-07-15",
        },
        {
            "table": "meetings",
            "id": project.one("meetings", "location", "Geneva")["meeting_id"],
            "action": "edit",
            "field": "location",
            "value": "Geneva (Palais des Nations)",
        },
        {
            "table": "actors",
            "id": "",
            "action": "add",
            "value": json.dumps({"name": "Quokka Caucus", "type": "organization"}),
        },
        {
            "table": "mentions",
            "id": "",
            "action": "add",
            "value": json.dumps(
                {
                    "doc_id": doc_id,
                    "text": "quokka caucus",
                    "actor_id": "quokka-caucus",
                }
            ),
        },
    ]
    result = review(project, "apply", str(write_corrections(tmp_path / "corrections.csv", rows)))
    assert result.exit_code == 0, result.output
    return {"accepted": accepted, "rejected": rejected, "commitment": commitment}


def assert_corrected(project: Project, expected: dict, *, same_ids: bool = True) -> None:
    dates = {r["text"]: r for r in project.rows("dates")}
    assert "September 2018" not in dates, "a rejected row must leave the tables"
    assert dates["12 March 2018"]["review_status"] == "accepted"
    if same_ids:
        assert dates["12 March 2018"]["date_id"] == expected["accepted"]["date_id"]
    commitment = project.one("commitments", "evidence", expected["commitment"]["evidence"])
    assert (commitment["deadline"], commitment["review_status"]) == ("2018-07-15", "edited")
    meeting = project.one("meetings", "name", "second informal thematic session")
    assert (meeting["location"], meeting["review_status"]) == ("Geneva (Palais des Nations)", "edited")
    actor = project.one("actors", "actor_id", "quokka-caucus")
    assert (actor["review_status"], actor["n_mentions"]) == ("added", 1)
    mention = project.one("mentions", "actor_id", "quokka-caucus")
    assert mention["review_status"] == "added"
    text = project.text(mention["doc_id"])
    assert text[mention["start_char"] : mention["end_char"]] == "quokka caucus"
    untouched = [r for r in project.rows("dates") if r["text"] == "30 June 2018"]
    assert [r["review_status"] for r in untouched] == ["unreviewed"]


def test_every_action_shows_after_a_fresh_run_and_stays_for_ten_more(project, tmp_path):
    expected = standard_corrections(project, tmp_path)
    entries, problems = ledger.read(project.review)
    assert [e["action"] for e in entries] == ["accept", "reject", "edit", "edit", "add", "add"] and not problems
    edit = entries[2]
    assert (edit["field"], edit["old_value"], edit["new_value"], edit["reviewer"]) == (
        "deadline",
        "2018-06-30",
        "2018-07-15",
        "tester",
    )
    assert entries[1]["comment"] == "a deadline, not a date" and entries[0]["timestamp"].endswith("Z")
    fresh_run(project)
    assert_corrected(project, expected)
    assert project.orphans() == []
    events = {e["event_id"]: e for e in read_rows("events", project.out)}
    meeting = project.one("meetings", "name", "second informal thematic session")
    assert events[meeting["event_id"]]["location"] == "Geneva (Palais des Nations)"
    snapshot, ledger_before = statuses(project), project.ledger_bytes()
    for _ in range(10):
        fresh_run(project)
        assert statuses(project) == snapshot
    assert_corrected(project, expected)
    assert project.ledger_bytes() == ledger_before, "runs must never rewrite the ledger"


def test_corrections_reattach_when_the_input_shifts(project, tmp_path):
    expected = standard_corrections(project, tmp_path)
    fresh_run(project)
    old_mention = project.one("mentions", "actor_id", "quokka-caucus")
    project.doc.write_text(PREFACE + NOTE, encoding="utf-8")  # new bytes: new doc_id, every offset moves
    fresh_run(project)
    (doc,) = [d for d in read_rows("documents", project.out) if d["status"] == "ok"]
    assert doc["doc_id"] != expected["commitment"]["doc_id"]
    assert_corrected(project, expected, same_ids=False)
    commitment = project.one("commitments", "evidence", expected["commitment"]["evidence"])
    assert commitment["commitment_id"] != expected["commitment"]["commitment_id"]
    assert commitment["start_char"] == expected["commitment"]["start_char"] + len(PREFACE)
    mention = project.one("mentions", "actor_id", "quokka-caucus")
    assert (mention["doc_id"], mention["start_char"]) == (doc["doc_id"], old_mention["start_char"] + len(PREFACE))
    assert project.orphans() == []
    for _ in range(3):  # and it keeps holding on the shifted input
        fresh_run(project)
        assert_corrected(project, expected, same_ids=False)


def test_a_correction_that_cannot_reattach_is_reported_and_kept(project, tmp_path):
    commitment = next(r for r in project.rows("commitments") if r["actor_id"] == "secretary-general")
    date = project.one("dates", "text", "22 and 23 May 2018")
    rows = [
        {"table": "commitments", "id": commitment["commitment_id"], "action": "reject"},
        {"table": "dates", "id": date["date_id"], "action": "edit", "field": "kind", "value": "date"},
        {"table": "dates", "id": project.one("dates", "text", "12 March 2018")["date_id"], "action": "accept"},
    ]
    assert review(project, "apply", str(write_corrections(tmp_path / "c.csv", rows))).exit_code == 0
    before = project.ledger_bytes()
    gone = NOTE.replace(
        "The Secretary-General is requested to submit a report on the implementation of the global compact "
        "to the General Assembly by 30 June 2018.\n\n",
        "",
    ).replace("on 22 and 23 May 2018", "in the spring")
    project.doc.write_text(gone, encoding="utf-8")
    fresh_run(project)
    orphans = {o["id"]: o for o in project.orphans()}
    assert set(orphans) == {commitment["commitment_id"], date["date_id"]}
    assert orphans[date["date_id"]]["actions"] == "edit" and orphans[date["date_id"]]["text"] == "22 and 23 May 2018"
    assert "no extracted row" in orphans[commitment["commitment_id"]]["reason"]
    assert project.one("dates", "text", "12 March 2018")["review_status"] == "accepted"
    assert project.ledger_bytes() == before, "orphans stay in the ledger"
    project.doc.write_text(NOTE, encoding="utf-8")  # the text comes back: so do the corrections
    fresh_run(project)
    assert project.orphans() == []
    assert not [r for r in project.rows("commitments") if r["evidence"] == commitment["evidence"]]
    assert project.one("dates", "text", "22 and 23 May 2018")["review_status"] == "edited"


def test_a_bad_file_is_reported_by_line_and_nothing_of_it_is_applied(project, tmp_path):
    date = project.one("dates", "text", "30 June 2018")
    doc_id = date["doc_id"]
    good = [
        {"table": "dates", "id": date["date_id"], "action": "accept", "comment": "checked\nagainst the PDF"},
        {"table": "dates", "id": date["date_id"], "action": "edit", "field": "end", "value": "2018-07-01"},
    ]
    bad = [
        {"table": "dates", "id": "0000000000000000", "action": "reject"},  # line 5
        {"table": "dates", "id": date["date_id"], "action": "edit", "field": "colour", "value": "red"},  # line 6
        {"table": "dates", "id": "", "action": "add", "value": '{"doc_id": "' + doc_id + '", "text": '},  # line 7
        {
            "table": "commitments",
            "id": project.rows("commitments")[0]["commitment_id"],
            "action": "edit",
            "field": "deadline",
            "value": "31/06/2018",
        },  # line 8
        {"table": "dates", "id": date["date_id"], "action": "approve"},  # line 9
    ]
    path = write_corrections(tmp_path / "mixed.csv", good + bad)
    result = review(project, "apply", str(path))
    assert result.exit_code == 1
    message = result.output
    assert "line 5: unknown id '0000000000000000'" in message
    assert "line 6: unknown field 'colour'" in message
    assert "line 7: value is not valid JSON" in message
    assert "line 8: commitments.deadline: '31/06/2018' is not a date" in message
    assert "line 9: unknown action 'approve'" in message
    assert "line 2" not in message and "line 3" not in message and "nothing from" in message
    assert project.ledger_bytes() == b""
    assert review(project, "apply", str(write_corrections(tmp_path / "good.csv", good))).exit_code == 0
    assert [e["action"] for e in ledger.read(project.review)[0]] == ["accept", "edit"]
    not_a_date = [{"table": "dates", "id": date["date_id"], "action": "edit", "field": "start", "value": "2018-02-30"}]
    before = project.ledger_bytes()
    result = review(project, "apply", str(write_corrections(tmp_path / "feb.csv", not_a_date)))
    assert result.exit_code == 1 and "line 2: dates.start: '2018-02-30' is not a date" in result.output
    assert project.ledger_bytes() == before


def test_offset_fields_and_bad_adds_are_refused(project, tmp_path):
    date = project.one("dates", "text", "30 June 2018")
    rows = [
        {"table": "dates", "id": date["date_id"], "action": "edit", "field": "start_char", "value": "3"},
        {"table": "dates", "action": "add", "value": json.dumps({"doc_id": date["doc_id"], "text": "31 June 2018"})},
        {"table": "mentions", "action": "add", "value": json.dumps({"doc_id": date["doc_id"], "text": "IOM"})},
        {"table": "dates", "action": "add", "value": "[1, 2]"},
        {"table": "meetings", "action": "add", "value": json.dumps({"doc_id": "nope", "text": "x"})},
    ]
    result = review(project, "apply", str(write_corrections(tmp_path / "c.csv", rows)))
    assert result.exit_code == 1
    for line, words in [
        (2, "tied to document offsets"),
        (3, "does not occur in document"),
        (4, "mentions.actor_id is required"),
        (5, "JSON object"),
        (6, "doc_id"),
    ]:
        assert f"line {line}: " in result.output and words in result.output, (line, result.output)


def test_filled_in_queue_round_trip(project, tmp_path):
    queue = tmp_path / "queue.csv"
    result = review(project, "export", "--to", str(queue))
    assert result.exit_code == 0, result.output
    with open(queue, encoding="utf-8-sig", newline="") as fh:
        records = list(csv.DictReader(fh))
    header = list(records[0])
    assert header[:9] == [
        "table",
        "id",
        "review_status",
        "certainty",
        "document",
        "doc_id",
        "start_char",
        "end_char",
        "evidence",
    ]
    assert header[-5:] == ["action", "field", "value", "reviewer", "comment"]
    assert {"deadline", "kind", "location", "actor_id", "aliases"} <= set(header)
    total = sum(len(project.rows(t)) for t in ID_COLUMN)
    assert len(records) == total
    assert all(r[c] == "" for r in records for c in header[-5:])
    certainty = [float(r["certainty"]) for r in records]
    assert certainty == sorted(certainty), "least certain first"
    by_id = {r["id"]: r for r in records}
    sg = next(r for r in project.rows("commitments") if r["actor_id"] == "secretary-general")
    march = project.one("dates", "text", "12 March 2018")
    iom = [r for r in project.rows("mentions") if r["text"] == "IOM"][0]
    assert by_id[sg["commitment_id"]]["evidence"] == sg["evidence"]
    assert "«12 March 2018»" in by_id[march["date_id"]]["evidence"]
    assert by_id[march["date_id"]]["document"] == "note.txt"
    by_id[sg["commitment_id"]].update(action="edit", deadline="2018-12-31", reviewer="ana")  # in-place cell edit
    by_id[march["date_id"]].update(action="reject")
    by_id[iom["mention_id"]].update(action="accept")
    with open(queue, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(records)
    result = review(project, "apply", str(queue), "--reviewer", "bob")
    assert result.exit_code == 0, result.output
    entries = ledger.read(project.review)[0]
    assert sorted((e["action"], e["field"], e["new_value"], e["reviewer"]) for e in entries) == [
        ("accept", None, None, "bob"),
        ("edit", "deadline", "2018-12-31", "ana"),
        ("reject", None, None, "bob"),
    ]
    fresh_run(project)
    assert project.one("commitments", "commitment_id", sg["commitment_id"])["deadline"] == "2018-12-31"
    assert not [r for r in project.rows("dates") if r["text"] == "12 March 2018"]
    assert project.one("mentions", "mention_id", iom["mention_id"])["review_status"] == "accepted"
    result = review(project, "export", "--to", str(queue))  # reviewed rows go last
    with open(queue, encoding="utf-8-sig", newline="") as fh:
        order = [r["review_status"] for r in csv.DictReader(fh)]
    assert order[-2:] == ["accepted", "edited"] or sorted(order[-2:]) == ["accepted", "edited"]
    assert "unreviewed" not in order[-2:]


def test_a_later_decision_wins_and_the_ledger_only_grows(project, tmp_path):
    date = project.one("dates", "text", "30 June 2018")
    first = write_corrections(
        tmp_path / "1.csv",
        [
            {"table": "dates", "id": date["date_id"], "action": "reject"},
            {"table": "dates", "id": date["date_id"], "action": "edit", "field": "granularity", "value": "month"},
            {"table": "dates", "id": date["date_id"], "action": "edit", "field": "granularity", "value": "week"},
        ],
    )
    assert review(project, "apply", str(first)).exit_code == 0
    fresh_run(project)
    row = project.one("dates", "date_id", date["date_id"])
    assert (row["granularity"], row["review_status"]) == ("week", "edited")
    before = project.ledger_bytes()
    second = write_corrections(tmp_path / "2.csv", [{"table": "dates", "id": date["date_id"], "action": "reject"}])
    assert review(project, "apply", str(second)).exit_code == 0
    after = project.ledger_bytes()
    assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1
    fresh_run(project)
    assert not [r for r in project.rows("dates") if r["date_id"] == date["date_id"]]
    # the rejected row is gone from the tables, but can still be brought back by id
    third = write_corrections(tmp_path / "3.csv", [{"table": "dates", "id": date["date_id"], "action": "accept"}])
    assert review(project, "apply", str(third)).exit_code == 0
    fresh_run(project)
    assert project.one("dates", "date_id", date["date_id"])["review_status"] == "edited"  # accepted, edits kept


def test_report_shows_reviewed_precision_per_table(project, tmp_path):
    dates = project.rows("dates")
    rows = [
        {"table": "dates", "id": dates[0]["date_id"], "action": "accept"},
        {"table": "dates", "id": dates[1]["date_id"], "action": "accept"},
        {"table": "dates", "id": dates[2]["date_id"], "action": "reject"},
        {"table": "dates", "id": dates[3]["date_id"], "action": "edit", "field": "kind", "value": "relative"},
        {"table": "commitments", "id": project.rows("commitments")[0]["commitment_id"], "action": "accept"},
        {
            "table": "dates",
            "id": "",
            "action": "add",
            "value": json.dumps({"doc_id": dates[0]["doc_id"], "text": "quokka caucus"}),
        },
    ]
    assert review(project, "apply", str(write_corrections(tmp_path / "c.csv", rows))).exit_code == 0
    result = review(project, "report", "--json")
    assert result.exit_code == 0, result.output
    report = {r["table"]: r for r in json.loads(result.output)}
    assert report["dates"] | {"rows": None} == {
        "table": "dates",
        "accepted": 2,
        "edited": 1,
        "rejected": 1,
        "added": 1,
        "reviewed": 4,
        "rows": None,
        "precision": 0.5,
    }
    assert report["commitments"]["precision"] == 1.0 and report["meetings"]["precision"] is None
    text = review(project, "report").output
    assert "reviewed precision" in text and "0.500" in text and "1.000" in text


def test_torn_ledger_line_is_reported_not_dropped(project, tmp_path):
    date = project.one("dates", "text", "30 June 2018")
    project.review.mkdir()
    ledger.ledger_path(project.review).write_text('{"table": "dates", "id": "x", "act', encoding="utf-8")
    rows = [{"table": "dates", "id": date["date_id"], "action": "reject"}]
    assert review(project, "apply", str(write_corrections(tmp_path / "c.csv", rows))).exit_code == 0
    entries, problems = ledger.read(project.review)
    assert [e["action"] for e in entries] == ["reject"] and [p.line for p in problems] == [1]
    fresh_run(project)
    assert any("unreadable ledger line" in o["reason"] for o in project.orphans())
    assert not [r for r in project.rows("dates") if r["date_id"] == date["date_id"]]


def test_review_commands_are_mounted_on_the_main_cli(project, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "review",
            "report",
            "--out",
            str(project.out),
            "--review-dir",
            str(project.review),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "dates" in run.stdout and "commitments" in run.stdout
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "review",
            "export",
            "--to",
            str(tmp_path / "q.csv"),
            "--out",
            str(tmp_path / "nothing"),
            "--review-dir",
            str(project.review),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert missing.returncode == 2 and "run `python -m pipeline run` first" in missing.stdout
