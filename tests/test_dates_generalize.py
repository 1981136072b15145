"""Date rules written for gold-dev, tested on written variants in the style of several genres
(General Debate statements, resolutions, session documents, minutes), not on one gold sentence."""

from __future__ import annotations

import pytest
import spacy

from pipeline.extract import dates  # noqa: F401  (registers the factory and the extension)
from pipeline.extract.dates import find_dates
from pipeline.settings import SPACY_MODEL


@pytest.fixture(scope="module")
def nlp():
    model = spacy.load(SPACY_MODEL)
    model.add_pipe("un_dates")
    return model


def found(nlp, text: str, anchor: str | None = None) -> list[tuple[str, str | None, str | None]]:
    return [(d["text"], d["start"], d["end"]) for d in find_dates(text, anchor, nlp)]


def texts(nlp, text: str, anchor: str | None = None) -> list[str]:
    return [d["text"] for d in find_dates(text, anchor, nlp)]


# ------------------------------------------------------------- "today": the day vs nowadays


@pytest.mark.parametrize(
    "text",
    [
        "I am honoured to address this Assembly today on behalf of my country.",
        "Norway today renews its pledge to the Peacebuilding Fund.",
        "It is a great privilege to stand before you today.",
        "The delegation of Chile has stated today that it will abstain.",
        "Today's session will consider the draft resolution.",
        "We are gathered here today to adopt the Compact.",
        "Earlier today, my Government signed the Escazú Agreement.",
        "Today I ask the Assembly to support our candidature.",
        "I am speaking at this rostrum today for the last time.",
    ],
)
def test_today_as_the_day_itself(nlp, text):
    assert found(nlp, text, "2019-09-24") == [("today" if "Today" not in text else "Today", "2019-09-24", "2019-09-24")]


@pytest.mark.parametrize(
    "text",
    [
        "The world today faces threats that no country can address alone.",
        "Extreme poverty fell from 40 per cent in 2005 to 21 per cent today.",
        "Today, more than ever, multilateralism matters.",
        "The greatest challenge we face today is climate change.",
        "The network as it operates today was designed for another era.",
        "Today, information is exchanged in near-real time.",
        "We must address the many challenges we face today.",
        "the institutions of today are not fit for the threats of tomorrow",
        "joint efforts today remain insufficient",
    ],
)
def test_today_in_the_nowadays_sense_is_not_a_date(nlp, text):
    assert "today" not in [t.lower() for t in texts(nlp, text, "2019-09-24")]


# ------------------------------------------------------------- symbols with a year in brackets


@pytest.mark.parametrize(
    "text",
    [
        "as set out in Security Council resolution 1325 (2000) on women and peace and security",
        "Recalling resolutions 2334 (2016) and 2254 (2015),",
        "in line with S/RES/2532 (2020), the ceasefire must hold",
    ],
)
def test_year_in_brackets_after_a_resolution_number_is_not_a_date(nlp, text):
    assert texts(nlp, text, "2021-01-10") == []


def test_year_in_brackets_after_a_session_name_is_kept(nlp):
    assert found(nlp, "as requested by the extraordinary session (2014) of the Commission", None) == [
        ("2014", "2014-01-01", "2014-12-31")
    ]


def test_resolution_adopted_on_a_date_keeps_the_date(nlp):
    got = found(nlp, "resolution 2457 (2019) of 27 February 2019 on cooperation", None)
    assert got == [("27 February 2019", "2019-02-27", "2019-02-27")]


# ------------------------------------------------------------- named days in apposition


@pytest.mark.parametrize(
    ("text", "anchor", "name", "day"),
    [
        ("It will be launched on Human Rights Day, 10 December.", "2018-09-25", "Human Rights Day", "2018-12-10"),
        ("We will mark World Refugee Day, 20 June 2019, in Geneva.", None, "World Refugee Day", "2019-06-20"),
        ("the ceremony on our Independence Day, 4 July", "2022-06-10", "Independence Day", "2022-07-04"),
        ("On World Cleanup Day, 21 September, we planted trees.", "2019-09-25", "World Cleanup Day", "2019-09-21"),
    ],
)
def test_named_day_takes_the_date_in_apposition(nlp, text, anchor, name, day):
    got = found(nlp, text, anchor)
    assert (name, day, day) in got
    assert len(got) == 2


def test_yearless_day_naming_a_commemoration_is_not_a_date(nlp):
    text = "Our parliament has declared 21 February International Mother Language Day."
    assert texts(nlp, text, "2017-09-21") == []


def test_named_day_needs_a_date_after_it(nlp):
    assert texts(nlp, "On Victory Day we honour the veterans.", "2017-09-21") == []


# ------------------------------------------------------------- day.ROMAN.year dates


@pytest.mark.parametrize(
    ("text", "span", "day"),
    [
        ("Submitted by: Secretary-General 20.X.2016 DRAFT 1", "20.X.2016", "2016-10-20"),
        ("Geneva, 5.XII.2019", "5.XII.2019", "2019-12-05"),
        ("Received 3/IV/2018 from the Permanent Mission", "3/IV/2018", "2018-04-03"),
    ],
)
def test_roman_numeral_month(nlp, text, span, day):
    assert found(nlp, text, None) == [(span, day, day)]


def test_roman_numeral_needs_a_day_and_year(nlp):
    assert texts(nlp, "See Chapter X.2 and annex IV.", None) == []


# ------------------------------------------------------------- centuries


@pytest.mark.parametrize(
    ("text", "span", "start", "end"),
    [
        ("information services for the 21st century", "the 21st century", "2001-01-01", "2100-12-31"),
        ("a social charter for the twenty-first century", "the twenty-first century", "2001-01-01", "2100-12-31"),
        ("the wars of the twentieth century", "the twentieth century", "1901-01-01", "2000-12-31"),
        ("since the 19th century", "the 19th century", "1801-01-01", "1900-12-31"),
    ],
)
def test_centuries(nlp, text, span, start, end):
    assert found(nlp, text, "2018-09-25") == [(span, start, end)]


def test_century_as_compound_adjective_is_not_matched(nlp):
    assert texts(nlp, "twenty-first-century skills", None) == []


# ------------------------------------------------------------- "... ago"


@pytest.mark.parametrize(
    ("text", "anchor", "span", "start", "end"),
    [
        ("Thirty years ago, the Wall fell.", "2020-09-29", "Thirty years ago", "1990-01-01", "1990-12-31"),
        ("the solutions available twenty years ago", "2016-10-20", "twenty years ago", "1996-01-01", "1996-12-31"),
        ("as we agreed two decades ago", "2019-09-24", "two decades ago", "1999-01-01", "1999-12-31"),
        ("the pledge made three months ago", "2021-09-24", "three months ago", "2021-06-01", "2021-06-30"),
        ("the storm that struck ten days ago", "2021-09-24", "ten days ago", "2021-09-14", "2021-09-14"),
        ("having met him a few days ago", "2020-09-29", "a few days ago", None, "2020-09-28"),
        ("several years ago, we began", "2020-09-29", "several years ago", None, "2019-12-31"),
    ],
)
def test_ago(nlp, text, anchor, span, start, end):
    assert found(nlp, text, anchor) == [(span, start, end)]


def test_vague_from_now_opens_the_end(nlp):
    assert found(nlp, "a few weeks from now", "2020-09-29") == [("a few weeks from now", "2020-10-06", None)]


# ------------------------------------------------------------- a month modifying a noun


@pytest.mark.parametrize(
    ("text", "span", "start", "end"),
    [
        ("the decisions of the January Berlin Conference", "January", "2020-01-01", "2020-01-31"),
        ("As agreed at the July meeting of the Bureau,", "July", "2020-07-01", "2020-07-31"),
        ("its December session will consider the report", "December", "2020-12-01", "2020-12-31"),
    ],
)
def test_month_modifying_a_noun(nlp, text, span, start, end):
    assert found(nlp, text, "2020-09-29") == [(span, start, end)]


@pytest.mark.parametrize(
    "text",
    ["the May Government of the day", "the March of the veterans", "the August Assembly of nations"],
)
def test_month_modifier_not_a_name_or_a_noun(nlp, text):
    assert texts(nlp, text, "2020-09-29") == []


# ------------------------------------------------------------- year written later in the sentence


def test_partial_date_takes_a_past_year_written_later_in_its_sentence(nlp):
    text = "The army launched the operation on 25 March, marking the start of the 1971 war."
    assert found(nlp, text, "2017-09-21")[0] == ("25 March", "1971-03-25", "1971-03-25")


def test_later_future_year_is_a_target_not_the_year(nlp):
    text = "In May, we will review progress towards the 2030 targets."
    assert found(nlp, text, "2020-01-10")[0] == ("May", "2020-05-01", "2020-05-31")


def test_year_far_on_in_another_clause_is_not_used(nlp):
    text = (
        "The Group proposed a draft resolution in June seeking an advisory opinion of the Court on the "
        "legal consequences of the separation of the islands from the territory in 1965."
    )
    assert found(nlp, text, "2017-09-22")[0] == ("June", "2017-06-01", "2017-06-30")


def test_later_year_in_another_sentence_is_not_used(nlp):
    text = "We met again on 3 June. The 1999 report was discussed."
    assert found(nlp, text, "2005-09-01")[0] == ("3 June", "2005-06-03", "2005-06-03")


# ------------------------------------------------------------- end of a (fiscal) year


@pytest.mark.parametrize(
    ("text", "anchor", "span", "start", "end"),
    [
        ("by the end of the current fiscal year", "2017-09-21", "the end of the current fiscal year", "2017-12-21", ""),
        ("before the end of this financial year", "2019-03-01", "the end of this financial year", "2019-12-21", None),
        ("by the end of 2025", None, "the end of 2025", "2025-12-21", "2025-12-31"),
    ],
)
def test_end_of_year_is_late_december(nlp, text, anchor, span, start, end):
    end = end or start[:4] + "-12-31"
    assert found(nlp, text, anchor) == [(span, start, end)]


# ------------------------------------------------------------- a year inside a hyphenated word


@pytest.mark.parametrize(
    ("text", "span", "year"),
    [
        ("a State of Palestine on the basis of the pre-1967 borders", "pre-1967", "1967"),
        ("closing the pre-2020 ambition gap", "pre-2020", "2020"),
    ],
)
def test_year_after_a_hyphenated_prefix(nlp, text, span, year):
    assert found(nlp, text, "2019-09-24") == [(span, f"{year}-01-01", f"{year}-12-31")]


def test_year_glued_to_a_word_or_a_plan_prefix_is_not_a_date(nlp):
    assert texts(nlp, "reference x2017 and the post-2015 development agenda", "2019-09-24") == []
