"""The review side under stress: random corrections and re-runs never lose a decision; nothing escapes.

Decisions go in through the real CSV import and come out through real runs of the library; the
expected state is kept by a small independent model of "the later decision wins".
"""

from __future__ import annotations

import csv
import json
import socket
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pipeline.review import ledger
from pipeline.review.context import read_rows
from pipeline.review.corrections import import_csv
from pipeline.runner import run_library
from tests.test_review import NOTE, PREFACE

DATES = ("12 March 2018", "30 June 2018", "September 2018", "22 and 23 May 2018")
GRANULARITY = ("day", "week", "month", "year")


@dataclass
class Expected:
    """What the analyst last said about one date, independent of the ledger's own folding code."""

    rejected: bool = False
    accepted: bool = False
    edits: dict = field(default_factory=dict)

    def apply(self, action: str, value: str | None) -> None:
        if action == "accept":
            self.accepted, self.rejected = True, False
        elif action == "reject":
            self.accepted, self.rejected = False, True
        else:
            self.edits["granularity"] = value
            self.accepted = self.rejected = False

    @property
    def status(self) -> str | None:
        if self.rejected:
            return None  # the row leaves the tables
        return "edited" if self.edits else "accepted" if self.accepted else "unreviewed"


def _write(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["table", "id", "action", "field", "value", "reviewer"])
        writer.writeheader()
        writer.writerows(rows)
    return path


decision = st.tuples(
    st.just("decide"),
    st.sampled_from(DATES),
    st.sampled_from(["accept", "reject", "edit"]),
    st.sampled_from(GRANULARITY),
)
operation = st.one_of(decision, st.just(("run",)), st.just(("shift",)))


@pytest.mark.slow
@hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=9))
def test_random_corrections_and_reruns_never_lose_a_correction(tmp_path_factory, ops):
    root = tmp_path_factory.mktemp("ledger")
    inp, out, review = root / "in", root / "out", root / "review"
    inp.mkdir()
    doc = inp / "note.txt"
    doc.write_text(NOTE, encoding="utf-8")
    run_library([inp], out, review_dir=review)
    expected = {text: Expected() for text in DATES}
    last_id: dict[str, str] = {}
    shifted = False
    for n, op in enumerate([*ops, ("run",)]):
        if op[0] == "decide":
            _, text, action, value = op
            current = [r for r in read_rows("dates", out) if r["text"] == text]
            item_id = current[0]["date_id"] if current else last_id.get(text)
            if item_id is None:
                continue
            row = {"table": "dates", "id": item_id, "action": action, "reviewer": "prop"}
            if action == "edit":
                row.update(field="granularity", value=value)
                if current and current[0]["granularity"] == value and not expected[text].edits:
                    continue  # an edit without a change is refused by design
            outcome = import_csv(_write(root / f"c{n}.csv", [row]), out, review, "prop")
            assert not outcome.problems, [str(p) for p in outcome.problems]
            expected[text].apply(action, value)
            last_id[text] = item_id
        elif op[0] == "shift":
            shifted = not shifted
            doc.write_text((PREFACE if shifted else "") + NOTE, encoding="utf-8")
        else:
            run_library([inp], out, review_dir=review)
            rows = {r["text"]: r for r in read_rows("dates", out)}
            for text, want in expected.items():
                if want.status is None:
                    assert text not in rows, f"rejected {text!r} came back"
                    continue
                assert text in rows, f"{text!r} was lost"
                assert rows[text]["review_status"] == want.status, (text, rows[text]["review_status"], want)
                if want.edits:
                    assert rows[text]["granularity"] == want.edits["granularity"], text
            orphans = (out / "review_orphans.csv").read_text(encoding="utf-8-sig").splitlines()
            assert len(orphans) == 1, f"a correction could not be re-attached: {orphans[1:]}"
    entries, problems = ledger.read(review)
    assert not problems and len(entries) == sum(1 for p in root.glob("c*.csv"))


# ---------------------------------------------------------------- security


@pytest.fixture
def processed(tmp_path):
    inp, out, review = tmp_path / "in", tmp_path / "out", tmp_path / "review"
    inp.mkdir()
    (inp / "note.txt").write_text(NOTE, encoding="utf-8")
    run_library([inp], out, review_dir=review)
    return inp, out, review


def test_the_review_page_listens_on_loopback_only(processed):
    from pipeline.review.server import make_server

    _, out, review = processed
    server = make_server(out, review, 0)
    try:
        host, port = server.server_address
        assert host == "127.0.0.1"
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        others = {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)} - {"127.0.0.1"}
        for address in others - {a for a in others if a.startswith("127.")}:
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=2).close()
    finally:
        server.server_close()


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_paths_in_a_corrections_file_go_nowhere(processed, tmp_path):
    _, out, review = processed
    date = next(r for r in read_rows("dates", out) if r["text"] == "30 June 2018")
    before = _tree(tmp_path)
    escape = "../../../../../../etc/passwd"
    rows = [
        {"table": "dates", "id": escape, "action": "reject"},
        {"table": "../../outside", "id": date["date_id"], "action": "accept"},
        {"table": "dates", "id": "", "action": "add", "value": json.dumps({"document": escape, "text": "root"})},
        {"table": "dates", "id": "", "action": "add", "value": json.dumps({"doc_id": escape, "text": "root"})},
        {"table": "dates", "id": date["date_id"], "action": "edit", "field": "../text_path", "value": escape},
    ]
    outcome = import_csv(_write(tmp_path / "evil.csv", rows), out, review, "mallory")
    assert len(outcome.problems) == len(rows) and not outcome.entries
    assert _tree(tmp_path) == before | {"evil.csv"}, "nothing was created or touched outside the review dir"
    assert not ledger.ledger_path(review).exists()
    accepted = import_csv(
        _write(tmp_path / "ok.csv", [{"table": "dates", "id": date["date_id"], "action": "accept", "value": escape}]),
        out,
        review,
        "ana",
    )
    assert not accepted.problems
    assert {p.name for p in review.iterdir()} == {ledger.LEDGER_NAME}
