"""Metadata of the genres the product reads, on written variants (not copies of the dev documents).

Each test writes a small document in the layout of a genre (a statement, minutes, a session document,
a status report, a resolution), reads it through the real ingest path and checks the five fields.
"""

from __future__ import annotations

import pytest

from pipeline.ingest import ingest_file
from pipeline.ingest.metadata import find_header_date


def _meta(tmp_path, text: str, name: str = "doc.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    doc = ingest_file(path)
    assert doc.status == "ok", doc.error_message
    return doc.metadata


# -- statements -----------------------------------------------------------------------------------

STATEMENTS = [
    # salutation, then the body; nothing says "statement"
    "Madam President,\nExcellencies,\nLadies and gentlemen,\n\nI congratulate you on your election as President of "
    "the Assembly at its eighty-first session. My delegation assures you of its full support.\n\nOur region faces "
    "floods and drought. My Government will double its climate finance by 2030.\n",
    # opens with the congratulations, a paragraph of running text
    "Allow me at the outset to congratulate Mr. Dennis Francis on his election as President of the General Assembly. "
    "I also thank his predecessor for his leadership.\n\n"
    "From this rostrum, my country renews its call for a ceasefire. "
    "We will continue to host refugees.\n",
    # a dated press text of an address
    "12 March 1984\n\nTEXT OF STATEMENT BY THE MINISTER FOR TRADE TO THE CONFERENCE ON DEVELOPMENT IN NAIROBI\n\n"
    "The following is the text of a statement to be delivered by the Hon. P.J. Keating, Minister for Trade:\n\n"
    "Mr. Chairman, my Government welcomes this meeting.\n",
]


@pytest.mark.parametrize("text", STATEMENTS)
def test_statements_are_speeches_without_a_salutation_title(tmp_path, text):
    meta = _meta(tmp_path, text)
    assert meta.doc_type == "speech"
    assert not meta.title or not meta.title.lower().startswith(("madam", "mr", "excellenc", "allow"))


def test_the_person_after_a_delivery_phrase_is_the_speaker_not_the_role(tmp_path):
    meta = _meta(tmp_path, STATEMENTS[2])
    assert meta.speaker_or_author == "P.J. Keating"
    assert meta.doc_date == "1984-03-12"
    assert meta.location == "Nairobi"
    assert meta.title.startswith("TEXT OF STATEMENT BY THE MINISTER")


def test_a_role_after_by_is_not_taken_for_a_name(tmp_path):
    meta = _meta(tmp_path, "ADDRESS BY THE PRIME MINISTER\n\nMr. President,\n\nMy country will act.\n")
    assert meta.doc_type == "speech"
    assert meta.speaker_or_author is None or not meta.speaker_or_author.upper().startswith("THE ")


# -- minutes ----------------------------------------------------------------------------------------

MARKDOWN_MINUTES = """# 1 Call to order

## 1-1 Roll call (Chair Maria)

The chair opened the meeting at 15:00 UTC.

### 1-1-1 Attendees

* Maria Lopez, Acme Corp, Chair
* Tom Baker, Example Ltd, Voting Member

## 1-2 Approval of previous minutes

* Motion to approve the previous minutes: seconded by Tom. The motion carried.

# 2 Roadmap

* Tom: the GEOX WG will publish the schema draft before the next meeting
* ACTION on the GEOX WG chairs to circulate the draft schema
* DECISION to meet every second Tuesday
"""

PLAIN_MINUTES = """Attendance:
Ana Silva (Chair), Lee Wong (Secretary), Omar Haddad

Item 1. Budget
It was agreed that the Finance Working Group would review the draft budget.
ACTION: Lee Wong to send the revised budget to members.

Item 2. Next meeting
DECISION: The Finance Working Group will meet again in June.
"""


@pytest.mark.parametrize("text", [MARKDOWN_MINUTES, PLAIN_MINUTES])
def test_minutes_are_meeting_summaries(tmp_path, text):
    meta = _meta(tmp_path, text)
    assert meta.doc_type == "meeting_summary"


def test_minutes_without_a_title_get_none_and_the_named_body_as_author(tmp_path):
    meta = _meta(tmp_path, MARKDOWN_MINUTES)
    assert meta.title is None  # "1 Call to order" is a section heading
    assert meta.speaker_or_author == "GEOX Working Group"
    assert _meta(tmp_path, PLAIN_MINUTES).speaker_or_author == "Finance Working Group"


# -- session documents and status reports -----------------------------------------------------------

SESSION_DOC = """\
Intergovernmental Oceanographic Commission EXECUTIVE COUNCIL Fifty-eighth Session Cartagena, Colombia, \
10 to 14 June 2019

EC-58/Doc. 4.2(3)

Submitted by: Executive Secretary  3.IV.2019 DRAFT 2

AGENDA ITEM 4: PROGRAMME MATTERS

AGENDA ITEM 4.2: REVIEW OF THE TSUNAMI WARNING SYSTEM

SUMMARY

DECISIONS/ACTIONS REQUIRED:

(a) Adopt draft Decision 4.2(3)/1 - Warning centres.

DRAFT DECISION

THE EXECUTIVE COUNCIL,

Decides to establish a task team.
"""


def test_a_session_document_is_a_note_titled_by_its_agenda_item(tmp_path):
    meta = _meta(tmp_path, SESSION_DOC)
    assert meta.doc_type == "note"
    assert meta.title == "REVIEW OF THE TSUNAMI WARNING SYSTEM"
    assert meta.speaker_or_author == "Executive Secretary"
    assert meta.doc_date == "2019-04-03"  # the roman-month issue date, not the last day of the session
    assert meta.location == "Cartagena"  # the session venue of the masthead


STATUS_REPORTS = [
    (
        "Progress Report on GeoLink Platform Development\n\nas of 14:00 UTC 2nd May 2019\n\n"
        "For Steering Committee meeting 6-7 May 2019, Lyon, France\n\n"
        "GeoLink 2.1 is feature complete. GeoLink 2.2 is being tested by the consortium.\n\n"
        "A shared GeoLink environment for partners is being set up. GeoLink release planning continues.\n",
        "GeoLink Consortium",
        "2019-05-02",
    ),
    (
        "Status Update of the Harbour Sensor Network\n\nStatus as of 1 February 2021\n\n"
        "The Coastal Data Alliance has deployed 40 sensors. The Coastal Data Alliance will add 12 more "
        "before the summer.\n",
        "Coastal Data Alliance",
        "2021-02-01",
    ),
]


@pytest.mark.parametrize(("text", "author", "date"), STATUS_REPORTS)
def test_a_status_report_is_a_note_of_its_consortium(tmp_path, text, author, date):
    meta = _meta(tmp_path, text)
    assert meta.doc_type == "note"
    assert meta.speaker_or_author == author
    assert meta.doc_date == date
    assert meta.location is None  # the place of the meeting it is written for is not where it was issued
    assert meta.speaker_or_author != meta.title


# -- resolutions -----------------------------------------------------------------------------------

GA_RESOLUTION = """United Nations A/RES/81/12

General Assembly Distr.: General

9 November 2026

Eighty-first session

Agenda item 20

Resolution adopted by the General Assembly on 3 November 2026

[without reference to a Main Committee (A/81/L.9)]

81/12. Cooperation between the United Nations and the Pacific Islands

Forum

The General Assembly,

Recalling the declaration adopted in Paris on 4 May 2024 and the meeting held at Suva,

1. Requests the Secretary-General to submit a report at its eighty-third session;
"""

SC_RESOLUTION = """Resolution 2801 (2026)

Adopted by the Security Council at its 9950th meeting, on 14 April 2026

The Security Council,

Recalling its previous resolutions on the situation in the region, including those adopted in Geneva,

1. Decides to extend the mandate of the mission until 30 April 2027;
"""

DRAFT_RESOLUTION = """United Nations A/80/L.36

General Assembly Distr.: Limited

20 November 2025

Eightieth session

Agenda item 99

Austria, Brazil, Chile and Norway: draft resolution

Strengthening verification capacities

The General Assembly,

1. Decides to convene a meeting of experts in Vienna;
"""


def test_a_ga_resolution_title_joins_its_wrapped_line_and_is_dated_by_adoption(tmp_path):
    meta = _meta(tmp_path, GA_RESOLUTION)
    assert meta.doc_type == "resolution"
    assert meta.title == "Cooperation between the United Nations and the Pacific Islands Forum"
    assert meta.doc_date == "2026-11-03"
    assert meta.speaker_or_author == "General Assembly"
    assert meta.location == "New York"  # places named in the preamble are not where it was adopted


def test_a_security_council_resolution_is_of_the_council_in_new_york(tmp_path):
    meta = _meta(tmp_path, SC_RESOLUTION)
    assert meta.doc_type == "resolution"
    assert meta.speaker_or_author == "Security Council"
    assert meta.location == "New York"


def test_a_draft_resolution_is_titled_by_its_printed_title_not_the_masthead(tmp_path):
    meta = _meta(tmp_path, DRAFT_RESOLUTION)
    assert meta.doc_type == "resolution"
    assert meta.title == "Strengthening verification capacities"
    assert "A/80/L.36" not in (meta.speaker_or_author or "")


def test_the_speaker_is_never_a_document_symbol(tmp_path):
    text = "CBS-17/Doc. 3.1\n\nFINAL Summary\n\nParticipants:\n\nA. Person, Chair\n\nIt was agreed to meet again.\n"
    meta = _meta(tmp_path, text)
    assert meta.speaker_or_author is None or "/" not in meta.speaker_or_author


# -- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "iso"),
    [
        ("Submitted by: Secretary-General  20.X.2016 DRAFT 1\n", "2016-10-20"),
        ("Doc. 4\n\n5.III.2021\n", "2021-03-05"),
        ("Status of the network\n\nas of 4th March 2016\n", "2016-03-04"),
        ("Summary of work\n\nas of 1:30 UTC 22nd November 2019\n", "2019-11-22"),
        ("Regional Forum, Bangkok, 23 to 29 November 2016\n\nIssued 2 November 2016\n", "2016-11-02"),
        ("Meeting 7-8 March 2016, Seoul\n\n", "2016-03-08"),  # only a range: its date is kept
        ("Geneva, March 3rd, 2022\n", "2022-03-03"),
    ],
)
def test_header_dates_of_several_layouts(header, iso):
    assert find_header_date(header) == iso


def test_minutes_are_dated_by_the_day_they_were_held_not_by_a_deadline():
    from pipeline.ingest.metadata import find_header_date

    text = (
        "Executive Committee\n"
        "Summary record of the meeting held on 12 March 2021 (virtual)\n\n"
        "It was agreed that the secretariat would circulate a timeline by 31 March 2021.\n"
    )
    assert find_header_date(text) == "2021-03-12"
