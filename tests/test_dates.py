"""Date extractor: real trained pipeline + un_dates component, checked span by span."""

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


def extract(nlp, text: str, anchor: str | None = None) -> list[tuple[str, str | None, str | None]]:
    return [(d["text"], d["start"], d["end"]) for d in find_dates(text, anchor, nlp)]


def one(nlp, text: str, anchor: str | None = None) -> dict:
    found = find_dates(text, anchor, nlp)
    assert len(found) == 1, found
    return found[0]


# ------------------------------------------------------------------ contract


def test_component_sets_spans_with_values(nlp):
    doc = nlp.make_doc("The meeting was held on Tuesday, 15 February 2022, 16.00 – 17.00h (virtual).")
    doc.user_data["doc_date"] = "2022-02-15"
    doc = nlp(doc)
    spans = list(doc.spans["dates"])
    assert [s.text for s in spans] == ["Tuesday, 15 February 2022", "16.00 – 17.00h"]
    assert spans[0]._.date_value == {"kind": "date", "granularity": "day", "start": "2022-02-15", "end": "2022-02-15"}
    assert spans[1]._.date_value == {
        "kind": "time",
        "granularity": "time",
        "start": "2022-02-15T16:00",
        "end": "2022-02-15T17:00",
    }
    for s in spans:
        assert doc.text[s.start_char : s.end_char] == s.text


def test_find_dates_dict_keys_and_offsets(nlp):
    text = "Negotiations begin on 5 December 2025 in New York."
    (d,) = find_dates(text, None, nlp)
    assert set(d) == {"text", "start_char", "end_char", "kind", "granularity", "start", "end"}
    assert text[d["start_char"] : d["end_char"]] == d["text"] == "5 December 2025"


def test_spans_do_not_overlap_and_keep_longest(nlp):
    found = find_dates("between April 2017 and June 2018, the biennium 2016-2017", None, nlp)
    assert [d["text"] for d in found] == ["between April 2017 and June 2018", "2016-2017"]
    ends = [(d["start_char"], d["end_char"]) for d in found]
    assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:], strict=False))


# ------------------------------------------------------------ explicit dates


@pytest.mark.parametrize(
    ("text", "span", "start", "end"),
    [
        ("Wednesday 16 December 2020", "Wednesday 16 December 2020", "2020-12-16", "2020-12-16"),
        ("Tuesday, 15 February 2022", "Tuesday, 15 February 2022", "2022-02-15", "2022-02-15"),
        ("Thursday 16February 2017", "Thursday 16February 2017", "2017-02-16", "2017-02-16"),
        ("The plan was agreed in March 2017.", "March 2017", "2017-03-01", "2017-03-31"),
        ("Recovery will start in 2021.", "2021", "2021-01-01", "2021-12-31"),
        ("It closes on 8 December 2025.", "8 December 2025", "2025-12-08", "2025-12-08"),
        ("It opens on December 5, 2025 in Rabat.", "December 5, 2025", "2025-12-05", "2025-12-05"),
        ("NEW YORK, 7 JULY 2018", "7 JULY 2018", "2018-07-07", "2018-07-07"),
        ("the 16th of December 2020", "16th of December 2020", "2020-12-16", "2020-12-16"),
        ("Dated 16/12/2020.", "16/12/2020", "2020-12-16", "2020-12-16"),
        ("in the year 2017", "the year 2017", "2017-01-01", "2017-12-31"),
        ("growth in the 1990s", "the 1990s", "1990-01-01", "1999-12-31"),
        ("(MIPAA, 2002) and the 2012 Vienna Ministerial Declaration", "2002", "2002-01-01", "2002-12-31"),
    ],
)
def test_explicit_dates(nlp, text, span, start, end):
    first = find_dates(text, None, nlp)[0]
    assert (first["text"], first["start"], first["end"]) == (span, start, end)
    assert first["kind"] == "date"


def test_ambiguous_numeric_date_is_skipped(nlp):
    assert extract(nlp, "Signed 5/12/2025.") == []


def test_day_without_year_takes_anchor_year(nlp):
    d = one(nlp, "The ceasefire of 21 August held.", "2020-09-25")
    assert (d["text"], d["start"], d["kind"]) == ("21 August", "2020-08-21", "relative")


def test_partial_month_takes_year_from_anchor(nlp):
    d = one(nlp, "In May, the first of six informal thematic sessions is to take place.", "2017-02-16")
    assert (d["text"], d["start"], d["end"], d["granularity"]) == ("May", "2017-05-01", "2017-05-31", "month")


def test_partial_month_takes_year_from_text_without_anchor(nlp):
    text = "The GRCP met on 10-11 October 2017. The ECE meeting could take place in the first week of \nNovember."
    assert extract(nlp, text) == [
        ("10-11 October 2017", "2017-10-10", "2017-10-11"),
        ("the first week of \nNovember", "2017-11-01", "2017-11-07"),
    ]


def test_by_deadline_span_is_the_date(nlp):
    d = one(nlp, "Next, by February 2018, the Secretary-General is requested to report.", "2017-02-16")
    assert (d["text"], d["start"], d["end"]) == ("February 2018", "2018-02-01", "2018-02-28")


# -------------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    ("text", "anchor", "span", "start", "end"),
    [
        ("on 10-11 October 2017 in Geneva", None, "10-11 October 2017", "2017-10-10", "2017-10-11"),
        (
            "from 30 November to 2 December 2017",
            None,
            "from 30 November to 2 December 2017",
            "2017-11-30",
            "2017-12-02",
        ),
        ("between April 2017 and June 2018", None, "between April 2017 and June 2018", "2017-04-01", "2018-06-30"),
        ("from 2016 to 2018", None, "from 2016 to 2018", "2016-01-01", "2018-12-31"),
        ("the biennium 2016-2017", None, "2016-2017", "2016-01-01", "2017-12-31"),
        ("the period 2016–17", None, "2016–17", "2016-01-01", "2017-12-31"),
        (
            "all between April and November of this year.",
            "2017-02-16",
            "between April and November of this year",
            "2017-04-01",
            "2017-11-30",
        ),
        (
            "the work they will undertake between July and December",
            "2018-07-07",
            "between July and December",
            "2018-07-01",
            "2018-12-31",
        ),
        ("October 10-11, 2017", None, "October 10-11, 2017", "2017-10-10", "2017-10-11"),
    ],
)
def test_ranges(nlp, text, anchor, span, start, end):
    d = one(nlp, text, anchor)
    assert (d["text"], d["start"], d["end"], d["kind"]) == (span, start, end, "range")


# ----------------------------------------------------------- vague parts


@pytest.mark.parametrize(
    ("text", "anchor", "span", "start", "end"),
    [
        ("a conference in late 2018.", None, "late 2018", "2018-09-01", "2018-12-31"),
        ("hosted in Mexico in late November 2017.", None, "late November 2017", "2017-11-21", "2017-11-30"),
        ("in early March 2019", None, "early March 2019", "2019-03-01", "2019-03-10"),
        ("by mid-November 2019", None, "mid-November 2019", "2019-11-11", "2019-11-20"),
        ("expected in mid-2018", None, "mid-2018", "2018-05-01", "2018-08-31"),
        ("the second half of 2019", None, "the second half of 2019", "2019-07-01", "2019-12-31"),
        ("the first quarter of 2020", None, "the first quarter of 2020", "2020-01-01", "2020-03-31"),
        ("by the end of 2018", None, "the end of 2018", "2018-12-21", "2018-12-31"),
        ("by the end of the year", "2020-12-16", "the end of the year", "2020-12-21", "2020-12-31"),
        ("in the first week of November 2017", None, "the first week of November 2017", "2017-11-01", "2017-11-07"),
        ("a framing conference in the Fall, convened", "2018-07-07", "the Fall", "2018-09-22", "2018-12-21"),
        ("during autumn 2019", None, "autumn 2019", "2019-09-22", "2019-12-21"),
        ("fires we witnessed this summer", "2022-09-25", "this summer", "2022-06-21", "2022-09-21"),
    ],
)
def test_vague_parts(nlp, text, anchor, span, start, end):
    d = one(nlp, text, anchor)
    assert (d["text"], d["start"], d["end"]) == (span, start, end)


def test_this_season_is_deictic(nlp):
    found = extract(nlp, "the flag raised in 1961 was raised again this summer", "2019-09-25")
    assert found[-1] == ("this summer", "2019-06-21", "2019-09-21")


def test_year_modifying_a_noun_is_not_a_period_target(nlp):
    found = extract(nlp, "marking the start of the 1971 genocide", "2019-09-25")
    assert found == [("1971", "1971-01-01", "1971-12-31")]


def test_fall_as_verb_is_not_a_season(nlp):
    assert extract(nlp, "We will not allow the project to fall apart.", "2016-09-25") == []
    assert extract(nlp, "since the fall of the Berlin Wall", "2016-09-25") == []


# ------------------------------------------------------------------ relative


@pytest.mark.parametrize(
    ("text", "anchor", "span", "start", "end", "granularity"),
    [
        (
            "Six weeks from now, the SG will report.",
            "2017-02-16",
            "Six weeks from now",
            "2017-03-30",
            "2017-03-30",
            "day",
        ),
        (
            "negotiations begin, just one year from now.",
            "2017-02-16",
            "one year from now",
            "2018-02-16",
            "2018-02-16",
            "day",
        ),
        ("The summit ends next year.", "2020-12-16", "next year", "2021-01-01", "2021-12-31", "year"),
        (
            "approved by the Assembly last week in resolution 72/279",
            "2018-07-07",
            "last week",
            "2018-06-25",
            "2018-07-01",
            "week",
        ),
        ("This week, with the tragic deaths", "2020-12-16", "This week", "2020-12-14", "2020-12-20", "week"),
        ("It is a pleasure to meet with you today.", "2020-12-16", "today", "2020-12-16", "2020-12-16", "day"),
        (
            "Over the past several months, we consulted.",
            "2018-07-07",
            "the past several months",
            None,
            "2018-07-07",
            "month",
        ),
        ("support over the last two years", "2020-12-16", "the last two years", "2018-12-16", "2020-12-16", "year"),
        ("This year has been hard.", "2020-12-16", "This year", "2020-01-01", "2020-12-31", "year"),
        ("We meet again next month.", "2020-12-16", "next month", "2021-01-01", "2021-01-31", "month"),
        # gold convention (gold-dev DEU, CBS-16): "N years ago" is that calendar year
        ("as I said two years ago", "2019-09-25", "two years ago", "2017-01-01", "2017-12-31", "year"),
        ("earlier this year", "2019-09-25", "earlier this year", "2019-01-01", "2019-09-25", "year"),
        ("last September", "2019-03-25", "last September", "2018-09-01", "2018-09-30", "month"),
        ("in one year’s time", "2023-09-25", "in one year’s time", "2024-09-25", "2024-09-25", "day"),
    ],
)
def test_relative(nlp, text, anchor, span, start, end, granularity):
    d = one(nlp, text, anchor)
    assert (d["text"], d["start"], d["end"], d["granularity"], d["kind"]) == (span, start, end, granularity, "relative")


def test_later_that_day_points_to_last_day_mentioned(nlp):
    text = "The Principals met on Tuesday, 15 February 2022. He would later that day meet the President."
    assert extract(nlp, text, None)[-1] == ("later that day", "2022-02-15", "2022-02-15")


def test_relative_without_anchor_stays_open(nlp):
    # ("today" alone would be the nowadays sense: only the day itself is a date)
    for text in ("next year", "six weeks from now", "last week", "We meet here today.", "In May, we met."):
        d = one(nlp, text, None)
        assert (d["start"], d["end"], d["kind"]) == (None, None, "relative"), text


# ---------------------------------------------------------------------- times


def test_times_attach_to_nearest_day(nlp):
    text = "On 3 March 2021 the session opens at 10 a.m. and closes at 3 p.m."
    assert extract(nlp, text, "2021-01-10") == [
        ("3 March 2021", "2021-03-03", "2021-03-03"),
        ("10 a.m.", "2021-03-03T10:00", "2021-03-03T10:00"),
        ("3 p.m.", "2021-03-03T15:00", "2021-03-03T15:00"),
    ]


def test_time_falls_back_to_anchor_then_open(nlp):
    assert extract(nlp, "We reconvene at 3 p.m.", "2021-01-10") == [("3 p.m.", "2021-01-10T15:00", "2021-01-10T15:00")]
    assert extract(nlp, "We reconvene at 3 p.m.", None) == [("3 p.m.", None, None)]


# ------------------------------------------------------------------ not dates


@pytest.mark.parametrize(
    "text",
    [
        "draft resolution A/71/L.58 and resolution 72/279",
        "General Assembly resolution A/RES/79/286 and resolutions 67/219 and 69/229",
        "see S/2017/123",
        "the 2030 Agenda for Sustainable Development",
        "the deep interconnections with the 2030 Agenda.",
        "Agenda 2063 of the African Union",
        "paragraphs 44 and 45 of the current draft, and paragraph 22(a)",
        "would amount to about 158’000$, inclusive of costs",
        "a grant of $2 million",
        "in its 75-year history",
        "for the duration of three days",
        "the 7th Global Regional Consultative Processes Meeting",
        "SDG 16 and 2,500 migrants",
        "the fight against COVID-19",
        "Security Council resolution 2041 (2012) was adopted",
        "more than 2000 migrants arrived",
        "Member States may decide. May God bless you.",
        "this August Assembly",
    ],
)
def test_not_dates(nlp, text):
    found = extract(nlp, text, "2020-09-25")
    assert all(span == "2012" for span, _, _ in found), found


def test_cleaned_and_raw_text_give_same_values(nlp):
    raw = "to be hosted in Mexico in late\nNovember 2017. The results"
    clean = raw.replace("\n", " ")
    assert [v[1:] for v in extract(nlp, raw)] == [v[1:] for v in extract(nlp, clean)] == [("2017-11-21", "2017-11-30")]


# ------------------------------------------------------------ start-key prefilter


def _full_scan(monkeypatch, text: str):
    """find_candidates with the key index switched off: every pattern tries every offset."""
    from pipeline.extract import dates_keys, dates_match

    real_init = dates_keys.KeyIndex.__init__

    def off(self, t, table):
        real_init(self, t, table)
        self.usable = False

    with monkeypatch.context() as m:
        m.setattr(dates_keys.KeyIndex, "__init__", off)
        return dates_match.find_candidates(text, dates_match_resources())


def dates_match_resources():
    from pipeline.extract.dates_resources import load_resources

    return load_resources()


def _as_tuples(cands):
    return [(c.start, c.end, c.pattern.id, c.groups) for c in cands]


_PREFILTER_TEXTS = [
    "On Tuesday, 15 February 2022, 16.00 – 17.00h; the second half of 2019 and the 1990s.",
    "TODAY, NEXT WEEK and three YEARS AGO; In MAY 2018 we met at 10:30 a.m. (until noon).",
    "between 3 and 5 May, 12/16/2020, 2016-17, a few months from now, in two weeks' time",
    "x2017 A/RES/72/279 $2018 3.2017 later that day the day after tomorrow, last Friday",
    "\u017fummer 2019 and \u212a or \u0130stanbul in June 2020",  # case-folding characters: full scan
    "the end of March, mid-2020, the first week of November, earlier this year 2030 Agenda",
]


@pytest.mark.parametrize("text", _PREFILTER_TEXTS)
def test_key_prefilter_finds_what_full_scan_finds(monkeypatch, text):
    from pipeline.extract.dates_match import find_candidates

    expected = _as_tuples(_full_scan(monkeypatch, text))
    assert expected  # each text holds dates, so the comparison is not vacuous
    assert _as_tuples(find_candidates(text, dates_match_resources())) == expected


def test_key_prefilter_on_seed_corpus(monkeypatch):
    from pathlib import Path

    from pipeline.extract.dates_match import find_candidates

    corpus = sorted((Path(__file__).resolve().parent.parent / "corpus").glob("*.txt"))
    assert corpus
    for path in corpus:
        text = path.read_text(encoding="utf-8")
        assert _as_tuples(find_candidates(text, dates_match_resources())) == _as_tuples(_full_scan(monkeypatch, text))


def test_start_keys():
    from pipeline.extract.dates_resources import DIGIT_KEY, start_keys

    assert start_keys(r"(?:the )?(?P<y>(?:19|20)\d\d)") == {"the", "19", "20"}
    assert start_keys(r"(?-i:May|MAY)(?![A-Za-z])|\d[.:]\d") == {"may", DIGIT_KEY}
    assert start_keys(r"(?<=on )(?:Monday|Mon\.?)") == {"mon"}
    assert start_keys(r"[^\S\n]+year") is None  # starts with a class: no key, full scan
    assert start_keys(r"a?b") == {"a", "b"}


def test_lead_keys():
    from pipeline.extract.dates_resources import DIGIT_KEY, lead_keys

    assert lead_keys(r"(?:the )?(?:first|last) half") == {"the": ("fir", "las"), "first": ("hal",), "last": ("hal",)}
    assert lead_keys(r"(?<!\w)\d{1,3}[^\S\n]+(?:days|weeks)") == {DIGIT_KEY: ("day", "wee")}
    assert lead_keys(r"mid-(?:2019|20\d\d)|early 19") == {"mid-2019": None, "mid-20": None, "early": ("19",)}
    assert lead_keys(r"today|tonight") is None  # no second word anywhere: nothing to add
    assert lead_keys(r"\s+year") is None  # starts with whitespace: not analysable


def test_key_prefilter_comparison_fails_with_wrong_leads():
    """Guards the guard: with one second word dropped from the lead keys, the prefilter
    loses a match that the full scan finds."""
    import dataclasses

    from pipeline.extract.dates_keys import KeyTable
    from pipeline.extract.dates_match import find_candidates

    res = dates_match_resources()

    def drop(p):
        if p.leads is None:
            return p
        leads = frozenset((w1, w2s and tuple(w for w in w2s if w != "fir")) for w1, w2s in p.leads)
        return dataclasses.replace(p, leads=leads)

    patterns = tuple(drop(p) for p in res.patterns)
    keysets = [p.keys for p in patterns if p.keys] + [k for k in res.trigger_keys.values() if k]
    broken = dataclasses.replace(
        res, patterns=patterns, key_table=KeyTable(keysets, (p.leads for p in patterns if p.leads))
    )
    text = "We expect it in the first half of 2019."
    assert _as_tuples(find_candidates(text, res))[0][:2] == (16, 38)
    assert _as_tuples(find_candidates(text, broken)) != _as_tuples(find_candidates(text, res))
