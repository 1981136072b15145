"""Meetings across genres: written variants in the style of resolutions, statements, minutes,
declarations and session documents (not seed sentences), on the real spaCy pipeline."""

from __future__ import annotations

import pytest
import spacy

from pipeline.events import aggregate_events
from pipeline.extract.cues import run_text
from pipeline.extract.meetings import event_key, ga_session, ordinals
from pipeline.nlp import shared_nlp


@pytest.fixture(scope="module")
def nlp() -> spacy.Language:
    return shared_nlp()


def meetings(nlp: spacy.Language, text: str, doc_date: str | None) -> list[dict]:
    # the meetings component does not read commitments; keep the test to the parts it needs
    with nlp.select_pipes(disable=[p for p in nlp.pipe_names if p == "un_commitments"]):
        doc = run_text(text, doc_date, nlp)
    return [dict(s._.meeting, evidence=s.text, start_char=s.start_char) for s in doc.spans["meetings"]]


def names(found: list[dict]) -> list[str]:
    return [m["name"].lower() for m in found]


def test_ordinals_are_read_in_words_and_figures() -> None:
    assert ordinals("the sixty-first, sixty-second and 63rd sessions") == [61, 62, 63]
    assert ordinals("its seventy- second session") == [72]
    assert ordinals("the Twelfth Conference") == [12]


@pytest.mark.parametrize(
    ("text", "doc_date", "want"),
    [
        (
            "Welcoming the convening of the twelfth and thirteenth sessions of the Working Group on "
            "Statistics, in Nairobi from 3 to 7 April 2023 and in Bonn from 2 to 6 October 2023,",
            "2023-12-01",
            [("2023-04-03", "Nairobi"), ("2023-10-02", "Bonn")],
        ),
        (
            "Noting the holding of the ninth, tenth and eleventh meetings of the Regional Committee, "
            "in Accra from 10 to 12 March 2021, in Lomé from 4 to 6 May 2022 and in Dakar from "
            "1 to 3 February 2023,",
            "2023-06-30",
            [("2021-03-10", "Accra"), ("2022-05-04", "Lomé"), ("2023-02-01", "Dakar")],
        ),
    ],
)
def test_listed_ordinals_are_separate_meetings_with_their_own_place_and_dates(nlp, text, doc_date, want) -> None:
    found = meetings(nlp, text, doc_date)
    assert [(m["start"], m["location"]) for m in found] == want
    assert all(m["status"] == "held" for m in found)
    # one evidence span each, so that each can be matched to its own clause
    assert len({(m["start_char"], len(m["evidence"])) for m in found}) == len(want)


def test_listed_ordinals_without_dates_still_name_each_meeting(nlp) -> None:
    text = "Recalling the twenty-first, twenty-second and twenty-third meetings of the Committee on Fisheries,"
    found = meetings(nlp, text, "2024-01-10")
    assert len(found) == 3
    assert names(found)[0].startswith("twenty-first")
    assert all("committee on fisheries" in n for n in names(found))


@pytest.mark.parametrize(
    "text",
    [
        "Official Records of the General Assembly, Seventy-first Session, Supplement No. 36 (A/71/36).",
        "See Official Records of the Economic and Social Council, 2019, Supplement No. 8.",
        "Participating in their personal capacity and without prejudice to positions in future negotiations;",
        "During regular meetings the chair keeps the speakers list.",
        "Members are asked to register up to 15 minutes before future meetings.",
        "The proposal needs further technical discussions before adoption.",
        "We will use existing fora to share lessons learned.",
        "Invites the Conference on Disarmament, as the sole multilateral disarmament negotiating forum, "
        "to consider the report;",
        "Participants should record their attendance to such meetings on the calendar.",
        "Debate ends 10 minutes prior to scheduled meeting end.",
    ],
)
def test_citations_generic_mentions_and_standing_bodies_are_not_meetings(nlp, text) -> None:
    assert meetings(nlp, text, "2023-03-07") == []


def test_a_numbered_sitting_of_a_standing_body_is_a_meeting(nlp) -> None:
    text = (
        "Recalling the 2015 Review Conference of the Parties to the Treaty on the Non-Proliferation "
        "of Nuclear Weapons and the twenty-sixth session of the Conference of the Parties,"
    )
    found = names(meetings(nlp, text, "2022-12-01"))
    assert any("review conference" in n for n in found)
    assert any("twenty-sixth session" in n for n in found)


@pytest.mark.parametrize(
    ("text", "doc_date", "status"),
    [
        ("We look forward to the upcoming Summit on Oceans, after the past years of crisis.", "2024-09-24", "planned"),
        ("The next meeting of the Task Team will take place in Geneva.", "2019-05-02", "planned"),
        ("A high-level meeting on antimicrobial resistance is to be held in New York.", "2024-01-15", "planned"),
        ("The regional workshop was held in Bangkok in March 2018.", "2018-11-30", "held"),
        ("At the last session of the Committee, members adopted the budget.", "2021-04-01", "held"),
    ],
)
def test_status_from_the_noun_tense_and_dates(nlp, text, doc_date, status) -> None:
    (m,) = meetings(nlp, text, doc_date)
    assert m["status"] == status


@pytest.mark.parametrize(
    ("text", "doc_date", "status"),
    [
        (
            "Congratulations on your election as President of the General Assembly at its seventy-sixth session.",
            "2021-09-22",
            "ongoing",
        ),
        (
            "Requests the Secretary-General to report to the General Assembly at its seventy-ninth session.",
            "2023-12-19",
            "planned",
        ),
        ("Recalling the decision of the General Assembly at its seventieth session,", "2022-11-01", "held"),
    ],
)
def test_general_assembly_sessions_against_the_session_sitting_on_doc_date(nlp, text, doc_date, status) -> None:
    (m,) = meetings(nlp, text, doc_date)
    assert m["type"] == "session" and m["status"] == status
    assert m["start"] is None  # the text prints no date for the session


def test_ga_session_of_a_date() -> None:
    assert ga_session("2023-12-22") == 78
    assert ga_session("2024-06-30") == 78
    assert ga_session("2024-09-10") == 79


def test_header_session_is_ongoing_and_footer_meeting_takes_the_date_below(nlp) -> None:
    text = (
        "General Assembly\n\nSeventy-ninth session\n\nAgenda item 12\n\n"
        "Resolution adopted by the General Assembly\n\n"
        "1. Decides to remain seized of the matter.\n\n"
        "61st plenary meeting\n\n17 December 2024\n"
    )
    found = meetings(nlp, text, "2024-12-17")
    session = next(m for m in found if m["type"] == "session")
    assert session["status"] == "ongoing"
    plenary = next(m for m in found if "plenary" in m["name"].lower())
    assert (plenary["start"], plenary["status"]) == ("2024-12-17", "held")
    assert sum("plenary" in m["name"].lower() for m in found) == 1  # 'plenary' is not a second meeting


def test_session_line_of_a_session_document_takes_place_and_dates(nlp) -> None:
    text = "COMMISSION FOR HYDROLOGY Fifteenth Session Rome, Italy, 7 to 13 December 2016\n\nDraft Decision 4.1\n"
    found = meetings(nlp, text, "2016-11-01")
    m = next(m for m in found if "session" in m["name"].lower())
    assert (m["start"], m["end"], m["location"], m["status"]) == ("2016-12-07", "2016-12-13", "Rome", "planned")


@pytest.mark.parametrize(
    ("text", "doc_date", "status"),
    [
        (
            "We, the Ministers of the Sahel region, gathered in Niamey on the margins of the Forum on Security, "
            "adopt the following.",
            "2019-03-02",
            "held",
        ),
        (
            "The Special Envoy and I will gather together the members of the contact group again in early May.",
            "2021-03-10",
            "planned",
        ),
    ],
)
def test_people_gathering_is_a_meeting(nlp, text, doc_date, status) -> None:
    found = meetings(nlp, text, doc_date)
    gathering = [m for m in found if m["name"].startswith("gathering")]
    assert len(gathering) == 1 and gathering[0]["status"] == status


def test_gathering_data_is_not_a_meeting(nlp) -> None:
    assert meetings(nlp, "The office will gather data in all regions in 2024.", "2023-01-01") == []


@pytest.mark.parametrize(
    "text",
    [
        "I have been in close dialogue with my counterparts from Chile and Peru in recent weeks.",
        "We welcome the dialogue between the Government of Colombia and the armed groups.",
    ],
)
def test_dialogue_with_named_parties_is_a_meeting(nlp, text) -> None:
    assert len(meetings(nlp, text, "2020-09-29")) == 1


def test_briefings_held_for_someone_are_meetings(nlp) -> None:
    text = "Requests the Director to continue to hold regular briefings for the ambassadors of the subregion;"
    (m,) = meetings(nlp, text, "2023-12-22")
    assert m["type"] == "meeting" and "briefings" in m["name"]


def test_a_recurring_series_decided_in_minutes_is_one_planned_meeting_each(nlp) -> None:
    text = (
        "Monthly for voting meeting\n\n"
        "DECISION to meet every month for voting meetings\n\n"
        "DECISION to meet every two weeks for working meetings\n\n"
        "4 Next Meeting\n\nTo be announced.\n"
    )
    found = meetings(nlp, text, "2023-03-07")
    by_name = {m["name"].lower(): m for m in found}
    assert {"voting meetings", "working meetings", "next meeting"} <= {n.strip() for n in by_name} | {
        n.split(" ", 1)[-1] for n in by_name
    }
    voting = next(m for m in found if "voting" in m["name"].lower())
    assert voting["evidence"].startswith("DECISION")  # the decision line, not the agenda fragment
    assert all(m["status"] == "planned" for m in found)


def test_an_apposition_restates_the_same_meeting(nlp) -> None:
    text = (
        "Recalling the Fourth World Conference on Women, the world conference held in Beijing in 1995, and its outcome,"
    )
    found = meetings(nlp, text, "2020-10-01")
    assert len(found) == 1 and found[0]["location"] == "Beijing"


def test_two_meetings_in_one_sentence_keep_separate_evidence(nlp) -> None:
    text = (
        "We, the Heads of State, gathered in Lima on the margins of the Tenth Summit of the Americas, "
        "reiterate our commitment."
    )
    found = meetings(nlp, text, "2026-06-01")
    assert len(found) == 2
    assert len({(m["start_char"], len(m["evidence"])) for m in found}) == 2


def test_event_identity_needs_type_place_and_time() -> None:
    base = {"name": "regional workshop", "type": "meeting", "start": "2023-05-03", "location": "Bangkok"}
    assert event_key(base) == event_key(dict(base, name="the Bangkok workshop on data", start="2023-05-04"))
    assert event_key(base) != event_key(dict(base, location="Manila"))
    assert event_key(base) != event_key(dict(base, start="2023-09-03"))
    assert event_key(base) != event_key(dict(base, type="conference"))
    # an undated, unnamed mention is not joined across documents by its common noun alone
    a = {"name": "meetings", "type": "meeting", "start": None, "location": None, "doc_id": "d1"}
    assert event_key(a) != event_key(dict(a, doc_id="d2"))
    named = {"name": "Seventy-eighth session", "type": "session", "start": None, "location": None, "doc_id": "d1"}
    assert event_key(named) == event_key(dict(named, doc_id="d2"))


def test_events_table_reports_held_once_any_document_does() -> None:
    rows = [
        {"event_id": "ev-1", "doc_id": "a", "name": "Summit", "type": "summit", "start": None, "status": "planned"},
        {
            "event_id": "ev-1",
            "doc_id": "b",
            "name": "Summit",
            "type": "summit",
            "start": "2024-09-22",
            "end": "2024-09-23",
            "status": "held",
            "location": "New York",
        },
        {"event_id": "ev-1", "doc_id": "c", "name": "Summit", "type": "summit", "start": None, "status": "planned"},
    ]
    (ev,) = aggregate_events(rows)
    assert ev["status"] == "held" and ev["n_documents"] == 3 and ev["start"] == "2024-09-22"


def test_sessions_with_different_ordinals_stay_apart(nlp) -> None:
    text = (
        "9. Requests the Director to brief the Council at its forty-second session;\n\n"
        "10. Requests the Panel to report to the Council at its forty-fifth session;\n\n"
        "11. Decides to include the item in the agenda of its forty-second session."
    )
    found = meetings(nlp, text, "2022-05-01")
    assert sorted(m["name"] for m in found) == ["forty-fifth session", "forty-second session"]


@pytest.mark.parametrize(
    "text",
    [
        "We need continued dialogue with the authorities on these questions.",
        "We call for closer dialogue between the countries of the region.",
        "1-3 Prospective members attending their first meeting\n\nNone.",
        "9 Adjournment\n\nMeeting was adjourned.",
        "Meeting times TBD",
    ],
)
def test_dialogue_without_named_parties_and_the_meeting_at_hand_are_not_rows(nlp, text) -> None:
    assert meetings(nlp, text, "2023-03-07") == []


def test_a_title_line_is_the_evidence_of_the_meeting_it_announces(nlp) -> None:
    text = (
        "Members will come back to this for the next meeting\n\n"
        "ACTION on the Chair to circulate the draft before the next meeting.\n\n"
        "6 Next Meeting\n\nTo be announced.\n"
    )
    (m,) = meetings(nlp, text, "2024-02-01")
    assert m["evidence"].endswith("Next Meeting") and m["status"] == "planned"


def test_session_codes_are_sessions_and_join_their_long_form(nlp) -> None:
    text = (
        "Recalling that the seventy-seventh session of the Executive Council requested a review,\n\n"
        "Noting Resolution 4 (EC-77) on the same topic,\n\n"
        "Requests the Secretary-General to submit the review for consideration by EC-78;\n\n"
        "The dashboards were presented to Cg-19 participants.\n\n"
        "Parties look forward to COP 29 in Baku."
    )
    found = meetings(nlp, text, "2024-01-10")
    got = {m["name"]: m["status"] for m in found}
    assert "EC-77" not in got  # the code joins 'the seventy-seventh session of the Executive Council'
    assert got["EC-78"] == "planned" and got["Cg-19"] == "held"
    assert any(n.startswith("seventy-seventh session") for n in got)
    assert any(n.startswith("COP") for n in got)
    assert not any("COVID" in n for n in got)


@pytest.mark.parametrize(
    "sentence",
    [
        "Our attempts at the negotiation table have met with unfounded resistance from the other side.",
        "The peaceful uprising has been met with brutal repression by the occupying forces.",
        "The initiative has met with enthusiasm and success across the region.",
        "The proposal met with broad approval among the delegations.",
    ],
)
def test_met_with_a_response_is_not_a_meeting(nlp, sentence: str) -> None:
    assert names(meetings(nlp, sentence, "2021-09-21")) == []


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("The Minister met with the Secretary-General in Geneva on 3 May 2024.", "meeting with the Secretary-General"),
        ("Next week I will meet with representatives of civil society in Nairobi.", "meeting with representatives"),
        ("The President met with his counterpart from Kenya last month.", "meeting with his counterpart"),
    ],
)
def test_meeting_with_people_is_still_a_meeting(nlp, sentence: str, name: str) -> None:
    assert any(n.startswith(name.lower()) for n in names(meetings(nlp, sentence, "2024-06-01")))


def test_a_name_never_starts_with_a_personal_pronoun(nlp) -> None:
    """'at it seventy-first session' (a typo of 'its' in a statement) names the session only."""
    found = names(meetings(nlp, "I congratulate him on his election at it seventy-first session.", "2016-09-20"))
    assert found == ["seventy-first session"]
