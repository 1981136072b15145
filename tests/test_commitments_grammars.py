"""Each commitment grammar on written variants in the style of several genres (not seed sentences).

Resolutions and decisions, declarations and compacts, minutes and summaries, speeches: the rows a
careful analyst would list, the rows they would not (preambles, positions, past acts), the actor
(the addressee, the deciding body, the speaker's country) and one row per lettered item or undertaking.
"""

from __future__ import annotations

import pytest
import spacy

from pipeline.extract.commitments import find_commitments
from pipeline.nlp import shared_nlp


@pytest.fixture(scope="module")
def nlp() -> spacy.Language:
    return shared_nlp()


def rows(nlp: spacy.Language, text: str, doc_date: str = "2024-06-01", **meta: str) -> list[dict]:
    return find_commitments(text, doc_date, nlp, **meta)


def with_text(records: list[dict], words: str) -> list[dict]:
    return [r for r in records if words.lower() in r["evidence"].lower()]


# --- resolutions and decisions ------------------------------------------------------------------

RESOLUTION = (
    "The General Assembly,\n\n"
    "Recalling its resolution 75/1 of 21 September 2020, in which it requested the Secretary-General to report,\n\n"
    "Noting with appreciation the work of the Office for Disarmament Affairs,\n\n"
    "Convinced that cooperation among Member States should be strengthened,\n\n"
    "1. Takes note of the report of the Secretary-General;\n\n"
    "2. Welcomes the progress made, and encourages the Office for Disarmament Affairs to continue its outreach;\n\n"
    "3. Requests the Secretary-General to submit a report on the implementation of the present resolution;\n\n"
    "4. Decides that the working group will meet twice a year;\n\n"
    "5. Invites the World Health Organization to take the following steps:\n\n"
    "(a) Identify gaps in national capacities;\n\n"
    "(b) Review of existing guidance;\n\n"
    "(c) To share lessons learned with Member States;\n\n"
    "6. Also decides to include in the provisional agenda of its eighty-first session an item entitled "
    "\u201cDisarmament\u201d.\n"
)


def test_preambular_paragraphs_are_never_rows(nlp: spacy.Language) -> None:
    records = rows(nlp, RESOLUTION, "2025-12-01")
    for opener in ("Recalling its resolution", "Noting with appreciation", "Convinced that"):
        assert not with_text(records, opener), opener
    assert not with_text(records, "Takes note of the report")


def test_operative_paragraphs_give_the_addressee_and_the_deciding_body(nlp: spacy.Language) -> None:
    records = rows(nlp, RESOLUTION, "2025-12-01")
    (encourages,) = with_text(records, "encourages the Office")
    assert encourages["actor"] == "Office for Disarmament Affairs" and encourages["kind"] == "call"
    (request,) = with_text(records, "Requests the Secretary-General to submit")
    assert request["actor"] == "Secretary-General" and request["action"].startswith("submit a report")
    (decides,) = with_text(records, "Decides that the working group")
    assert decides["actor"] == "General Assembly" and decides["kind"] == "decision"
    assert with_text(records, "Also decides to include")[0]["actor"] == "General Assembly"


def test_every_lettered_item_is_a_row_whatever_its_form(nlp: spacy.Language) -> None:
    records = rows(nlp, RESOLUTION, "2025-12-01")
    items = [r for r in records if r["actor"] == "World Health Organization"]
    # the lead-in travels with (a); (b) is a noun phrase and (c) a "To ..." infinitive
    assert len(items) == 3
    assert "Invites the World Health Organization" in items[0]["evidence"].split("\n")[0]
    assert "(a) Identify gaps" in items[0]["evidence"]
    assert items[1]["evidence"].startswith("(b) Review") and items[2]["action"].startswith("share lessons")


def test_session_document_decisions_belong_to_the_session_not_the_submitter(nlp: spacy.Language) -> None:
    text = (
        "Submitted by: Secretary-General\n\n"
        "DRAFT DECISION\n\n"
        "THE EXECUTIVE COUNCIL,\n\n"
        "Recognizing:\n\n"
        "(1) That the Congress requested the Council to review its procedures,\n\n"
        "Decides:\n\n"
        "(1) That the pilot project will be extended to all regions;\n\n"
        "(2) That a review will be presented at its next session;\n\n"
        "Requests its technical committee to:\n\n"
        "(1) Prepare guidance on data exchange that:\n\n"
        "(a) Covers national focal points;\n\n"
        "(b) Covers regional centres;\n\n"
        "(2) Report on progress;\n"
    )
    records = rows(nlp, text, "2016-10-20", speaker="Secretary-General")
    assert not with_text(records, "Congress requested the Council"), "items under 'Recognizing:' are preambular"
    decisions = [r for r in records if r["kind"] == "decision"]
    assert [r["actor"] for r in decisions] == ["Executive Council", "Executive Council"]
    tasks = [r for r in records if r["kind"] == "request"]
    assert len(tasks) == 3  # (1)+(a), (b), (2)
    assert {r["actor"] for r in tasks} == {tasks[0]["actor"]} and "committee" in tasks[0]["actor"].lower()


# --- declarations and compacts -------------------------------------------------------------------

DECLARATION = (
    "We, the Ministers of Foreign Affairs of Chile, Kenya and Norway, meeting in Nairobi, reaffirm our will "
    "to expand safe pathways for migrants and to strengthen protection for refugees.\n\n"
    "We recognize the contribution of migrants to our societies. We welcome the work of civil society.\n\n"
    "We remain committed to supporting host communities; fostering decent work; and promoting regular "
    "migration.\n\n"
    "We intend to improve data on migration. This includes strengthening statistics offices, sharing "
    "registers across borders, and publishing annual figures.\n\n"
    "To achieve these goals, we will work together to:\n\n"
    "Convene donors to review support for host countries.\n\n"
    "Improve consular assistance in transit countries.\n"
)


def test_declaration_we_is_the_signatories_and_positions_are_not_rows(nlp: spacy.Language) -> None:
    records = rows(nlp, DECLARATION, "2023-05-01")
    assert records and {r["actor"] for r in records} == {"endorsing States"}
    assert not with_text(records, "We recognize the contribution")
    assert not with_text(records, "We welcome the work")


def test_declaration_splits_each_undertaking(nlp: spacy.Language) -> None:
    records = rows(nlp, DECLARATION, "2023-05-01")
    actions = [r["action"] for r in records]
    for start in (
        "expand safe pathways",
        "strengthen protection",
        "supporting host communities",
        "fostering decent work",
        "promoting regular migration",
        "improve data on migration",
        "strengthening statistics offices",
        "sharing registers",
        "publishing annual figures",
    ):
        assert any(a.startswith(start) for a in actions), (start, actions)


def test_declaration_list_of_actions_without_bullets(nlp: spacy.Language) -> None:
    records = rows(nlp, DECLARATION, "2023-05-01")
    assert len(with_text(records, "Convene donors")) == 1  # carried by the lead-in's row
    (improve,) = with_text(records, "Improve consular assistance")
    assert improve["evidence"].startswith("Improve") and improve["actor"] == "endorsing States"


# --- minutes and summaries -------------------------------------------------------------------------

MINUTES = (
    "Minutes of the Data Standards Working Group\n\n"
    "1 Approval of the agenda\n\n"
    "The agenda was adopted without change.\n\n"
    "2 Work plan\n\n"
    "Ana: moved to publish the draft schema for public review.\n\n"
    "Tom: seconded.\n\n"
    "The motion carried.\n\n"
    "ACTION on the Secretariat to circulate the draft schema to all members\n\n"
    "Action: Chair to contact the host country about dates by 15 May 2023.\n\n"
    "[Action-DS-2023-4] Editors to update the glossary.\n\n"
    "Tom: will prepare a comparison of the two vocabularies.\n\n"
    "DECISION to meet every two weeks until the release\n\n"
    "3 Review of action items\n\n"
    "ACTION on the Secretariat to circulate the draft schema to all members\n"
)


def test_minutes_action_lines_in_their_usual_layouts(nlp: spacy.Language) -> None:
    records = rows(nlp, MINUTES, "2023-05-04", speaker="Data Standards Working Group", doc_type="meeting_summary")
    points = [r for r in records if r["kind"] == "action_point"]
    assert len(with_text(points, "circulate the draft schema")) == 1, "a repeated item is one row"
    (chair,) = with_text(points, "contact the host country")
    assert chair["deadline"] == "2023-05-15" and chair["action"].startswith("contact")
    (editors,) = with_text(points, "update the glossary")
    assert "Editors" in editors["actor"]
    (tom,) = with_text(records, "will prepare a comparison")
    assert tom["actor"] == "Tom" and tom["kind"] == "commitment"


def test_minutes_decisions_are_the_body_s(nlp: spacy.Language) -> None:
    records = rows(nlp, MINUTES, "2023-05-04", speaker="Data Standards Working Group", doc_type="meeting_summary")
    decisions = [r for r in records if r["kind"] == "decision"]
    texts = [d["evidence"] for d in decisions]
    assert any("agenda was adopted" in t for t in texts)
    assert any("moved to publish" in t for t in texts) and not any(t == "The motion carried." for t in texts)
    assert any(t.startswith("DECISION to meet") for t in texts)
    assert {d["actor"] for d in decisions} == {"Data Standards Working Group"}


def test_minutes_action_table_one_row_per_table_row(nlp: spacy.Language) -> None:
    text = (
        "Summary of the coordination call\n\n"
        "Next steps\n\n"
        "| Action | Responsible | Deadline |\n"
        "|---|---|---|\n"
        "| Share the mapping of pilot countries | International Organization for Migration | 30 June 2024 |\n"
        "| Draft the terms of reference | Secretariat | end of July 2024 |\n"
        "| Confirm the venue | Host country | tbc |\n"
    )
    records = rows(nlp, text, "2024-06-01", speaker="Coordination Group", doc_type="meeting_summary")
    table = [r for r in records if r["evidence"].startswith("|")]
    assert [r["actor"] for r in table] == ["International Organization for Migration", "Secretariat", "Host country"]
    assert [r["deadline"] for r in table] == ["2024-06-30", "2024-07-31", None]
    assert table[1]["action"] == "Draft the terms of reference"


def test_pipe_table_rows_stay_lines_in_the_clean_text(tmp_path) -> None:
    from pipeline.ingest import ingest_file

    path = tmp_path / "minutes.md"
    path.write_text("# Minutes\n\n| Action | Owner |\n|---|---|\n| Do A | Ana |\n| Do B | Tom |\n", encoding="utf-8")
    lines = [ln for ln in ingest_file(path).text.split("\n") if ln.strip()]
    assert "| Do A | Ana |" in lines and "| Do B | Tom |" in lines


# --- speeches and statements -----------------------------------------------------------------------

SPEECH = (
    "Mr. President,\n\n"
    "I congratulate you on your election. Kenya is proud to serve this Organization.\n\n"
    "We will host the regional conference on migration in 2025. My Government is committed to "
    "reducing emissions by 2030. I am pleased to announce a contribution of $1 million to the Peacebuilding "
    "Fund.\n\n"
    "We welcome the adoption of the Global Compact. We condemn all acts of terrorism. Last year we "
    "hosted 500,000 refugees.\n\n"
    "I call on the Security Council to act without delay.\n"
)


@pytest.mark.parametrize(
    "meta",
    [
        {"title": "Statement by Kenya in the general debate of the seventy-ninth session"},
        {"file_name": "KEN_79_2024.txt"},
        {},  # no metadata: the member state the speech names most
    ],
)
def test_speech_undertakings_belong_to_the_speaker_s_country(nlp: spacy.Language, meta: dict) -> None:
    text = SPEECH + "\nKenya stands with its neighbours. Kenya will keep its borders open to those fleeing war.\n"
    records = rows(nlp, text, "2024-09-24", doc_type="speech", **meta)
    mine = [r for r in records if r["kind"] == "commitment"]
    assert len(mine) >= 3 and {r["actor"] for r in mine} == {"Kenya"}
    (host,) = with_text(mine, "host the regional conference")
    assert host["deadline"] in {"2025", "2025-12-31"}
    assert with_text(mine, "reducing emissions")[0]["deadline"] == "2030-12-31"
    assert with_text(mine, "pleased to announce a contribution")


def test_speech_positions_and_past_acts_are_not_rows(nlp: spacy.Language) -> None:
    records = rows(nlp, SPEECH, "2024-09-24", doc_type="speech", title="Statement by Kenya")
    for words in ("We welcome the adoption", "We condemn", "Last year we hosted"):
        assert not with_text(records, words), words
    (call,) = with_text(records, "I call on the Security Council")
    assert call["actor"] == "Security Council" and call["kind"] == "call"


def test_speech_calls_made_in_the_present_perfect_and_with_adverbs(nlp: spacy.Language) -> None:
    text = "We have repeatedly called on Myanmar to allow access. We call on Iran to fully and promptly comply."
    records = rows(nlp, text, "2020-09-29", doc_type="speech", title="Statement by Germany")
    assert [r["actor"].split(" (")[0] for r in records] == ["Myanmar", "Iran"]
    assert all(r["kind"] == "call" for r in records)


# --- secretariat notes and compacts ------------------------------------------------------------------


def test_note_actions_for_the_body_and_the_secretariat(nlp: spacy.Language) -> None:
    text = (
        "III. Action required\n\n"
        "The Commission may wish to take note of the present report and provide guidance on the next steps.\n\n"
        "Member States are invited to submit their views by 30 September 2024.\n\n"
        "The secretariat will prepare a draft programme of work for the next session.\n"
    )
    records = rows(nlp, text, "2024-06-01", doc_type="note")
    assert [(r["actor"], r["kind"]) for r in records] == [
        ("Commission", "recommendation"),
        ("Member States", "request"),
        ("secretariat", "commitment"),
    ]
    assert records[1]["deadline"] == "2024-09-30"


def test_compact_list_of_actions_without_its_opening(nlp: spacy.Language) -> None:
    text = (
        "Objective 4: Ensure that all migrants have proof of legal identity\n\n"
        "We commit to fulfil the right of all individuals to a legal identity. To realize this commitment, "
        "we will draw from the following actions:\n\n"
        "(a) Improve civil registry systems;\n\n"
        "(b) Harmonize travel documents in line with the specifications of the International Civil Aviation "
        "Organization;\n\n"
        "(c) Enhance consular documentation;\n"
    )
    records = rows(nlp, text, "2018-12-10", doc_type="other")
    assert {r["actor"] for r in records} == {"endorsing States"}
    assert len([r for r in records if r["evidence"].startswith(("(b)", "(c)"))]) == 2
    assert any("(a) Improve civil registry" in r["evidence"] for r in records)
    assert any(r["action"].startswith("fulfil the right") for r in records)


def test_word_action_table_reaches_the_extractor_as_rows(nlp: spacy.Language, tmp_path) -> None:
    import docx

    from pipeline.ingest import ingest_file

    document = docx.Document()
    document.add_paragraph("Summary record of the third meeting of the Steering Committee")
    table = document.add_table(rows=4, cols=3)
    for r, cells in enumerate(
        [
            ("Action", "Owner", "Due"),
            ("Circulate the revised workplan", "Secretariat", "15 March 2024"),
            ("Prepare the donor briefing", "United Nations Children's Fund", "30 April 2024"),
            ("Confirm the venue", "Host country", ""),
        ]
    ):
        for c, value in enumerate(cells):
            table.cell(r, c).text = value
    merged = document.add_table(rows=2, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Spanning header"
    merged.cell(1, 0).text, merged.cell(1, 1).text = "left", "right"
    path = tmp_path / "minutes.docx"
    document.save(path)
    text = ingest_file(path).text
    assert "| Spanning header |" in text and text.count("Spanning header") == 1, "a merged cell is read once"
    records = rows(nlp, text, "2024-03-01", doc_type="meeting_summary", speaker="Steering Committee")
    table_rows = [r for r in records if r["evidence"].startswith("|")]
    assert [r["action"] for r in table_rows] == [
        "Circulate the revised workplan",
        "Prepare the donor briefing",
        "Confirm the venue",
    ]
    assert [r["deadline"] for r in table_rows] == ["2024-03-15", "2024-04-30", None]
    assert table_rows[1]["actor"] in {"United Nations Children's Fund", "UNICEF"}


def test_note_invited_to_lead_in_and_deadlines_ahead_of_the_document(nlp: spacy.Language) -> None:
    text = (
        "IV. Action to be taken by the Committee\n\n"
        "The Committee is invited to:\n\n"
        "(a) Take note of the progress report;\n\n"
        "(b) Endorse the proposed workplan;\n\n"
        "AP3: Secretariat to update the website by the end of January.\n"
    )
    records = rows(nlp, text, "2024-12-01", doc_type="note", speaker="Standing Committee")
    assert not with_text(records, "Action to be taken"), "a heading is not an action point"
    items = [r for r in records if r["kind"] == "request"]
    assert len(items) == 2 and items[1]["action"].startswith("Endorse")
    (update,) = with_text(records, "update the website")
    assert update["actor"] == "Secretariat" and update["deadline"] == "2025-01-31"


def test_speech_structure_positions_on_others_and_negations_are_not_rows(nlp: spacy.Language) -> None:
    text = (
        "I will focus on two issues today. Here I must reiterate that global problems need global answers.\n\n"
        "We welcome the commitment of donors to double their support. We took a decision last year to leave "
        "the coalition. We are no longer prepared to accept double standards.\n\n"
        "We are ready to host the next round of talks. The Ministry expressed its readiness to share its data.\n"
    )
    records = rows(nlp, text, "2023-09-20", doc_type="speech", title="Statement by Malta")
    assert [r["evidence"][:25] for r in records] == ["We are ready to host the ", "The Ministry expressed it"]
    assert records[0]["actor"] == "Malta"


def test_speech_enumerated_call_is_one_row_per_task(nlp: spacy.Language) -> None:
    text = (
        "Chile calls on all States, first, to ratify the Convention; secondly, to report on its implementation; "
        "and thirdly, to support the trust fund."
    )
    records = rows(nlp, text, "2019-09-25", doc_type="speech", title="Statement by Chile")
    assert [r["action"].split()[0] for r in records] == ["ratify", "report", "support"]
    assert all(r["kind"] == "call" for r in records)


def test_summary_record_sections_and_shared_owners(nlp: spacy.Language) -> None:
    text = (
        "2. Preparations for the review forum\n\n"
        "The Executive Committee agreed to establish a task force on the preparations.\n\n"
        "Action points:\n\n"
        "Secretariat to circulate the revised workplan to all members.\n\n"
        "UNHCR and IOM to co-lead the workstream on returns.\n\n"
        "3. Any other business\n\n"
        "The Chair thanked the members.\n"
    )
    records = rows(nlp, text, "2021-03-12", doc_type="meeting_summary", speaker="Executive Committee")
    (agreed,) = with_text(records, "agreed to establish")  # the heading above is not its subject
    assert agreed["actor"] == "Executive Committee" and agreed["kind"] == "decision"
    (colead,) = with_text(records, "co-lead")
    assert colead["actor"].count(";") == 1 and colead["kind"] == "action_point"
    assert not with_text(records, "Any other business"), "a numbered heading ends the action section"


def test_note_proposals_and_progressive_requests(nlp: spacy.Language) -> None:
    text = (
        "THE COMMISSION FOR BASIC SYSTEMS,\n\n"
        "A simple reporting process is proposed to accommodate the requirements of all Members.\n\n"
        "It is recommended that a project manager is appointed to guide the implementation.\n\n"
        "The task team is inviting the Commission to confirm the need for a security process.\n"
    )
    records = rows(nlp, text, "2016-10-20", doc_type="note", speaker="Secretary-General")
    assert [r["kind"] for r in records] == ["recommendation", "recommendation", "request"]
    assert records[0]["actor"] == "Commission for Basic Systems"
    assert "Commission" in records[2]["actor"]


def test_calls_on_groups_described_not_named(nlp: spacy.Language) -> None:
    text = (
        "Both sides must refrain from unilateral steps. Developed countries should honour their pledges on "
        "climate finance. Convene donors to review support for host countries."
    )
    records = rows(nlp, text, "2020-09-29", doc_type="speech", title="Statement by Norway")
    assert [r["actor"] for r in records] == ["sides", "Developed countries"]
    assert [r["kind"] for r in records] == ["call", "recommendation"]


def test_minutes_task_lists_handles_and_chat_logs(nlp: spacy.Language) -> None:
    text = (
        "Action items\n\n"
        "- [ ] Alice to update the glossary by 10 May 2024\n"
        "- [x] Bob: circulate the draft charter\n"
        "- [ ] @carol review the schema proposal\n\n"
        "<chair> ACTION: dave to contact the editors about the next release\n"
    )
    records = rows(nlp, text, "2024-04-01", doc_type="meeting_summary", speaker="Data Working Group")
    assert [r["actor"] for r in records] == ["Alice", "Bob", "carol", "dave"]
    assert {r["kind"] for r in records} == {"action_point"} and records[0]["deadline"] == "2024-05-10"
    assert records[1]["action"] == "circulate the draft charter"


def test_preambular_paragraph_broken_by_a_page_break_is_still_preambular(nlp: spacy.Language) -> None:
    text = (
        "The General Assembly,\n\n"
        "Reaffirming that States Parties to the Convention shall undertake all appropriate measures for the "
        "implementation of the rights recognized therein\n\n"
        "and calling for its universal ratification,\n\n"
        "1. Calls upon States Parties to withdraw reservations incompatible with the Convention;\n"
    )
    records = rows(nlp, text, "2025-11-20", doc_type="resolution")
    assert [r["evidence"][:8] for r in records] == ["1. Calls"]


# --- speeches: what befalls the speaker's side, views and courtesies are not undertakings ------------


@pytest.mark.parametrize(
    "sentence",
    [
        "We continue to see multitudes subjected to unacceptable living conditions.",
        "Our country continues to face serious challenges in terms of human rights.",
        "We continue to witness a dangerous rise in sea levels and melting glaciers.",
        "If we do not act together, we will continue to suffer alone.",
        "However, we must admit that the process is in jeopardy without a negotiating framework.",
        "We have to recognize that circumstances now demand that we act outside the budget framework.",
        "We must always bear in mind that peace in the region means peace for the world.",
        "I should like to reaffirm once again the legitimate rights of my country over the islands.",
        "I would like to reiterate our gratitude to the Secretary-General.",
        "What goals should we set ourselves on the road to its achievement?",
        "When will we finally take our destiny into our own hands?",
        "I continue to maintain that cooperation amongst all nations is critical to solidarity.",
        "We must ponder those burning questions as we look ahead to the anniversary.",
        "We must ask ourselves whether we can eradicate poverty by 2030.",
        "This year the General Assembly decided to designate 22 August as an International Day.",
    ],
)
def test_statements_of_experience_view_or_courtesy_are_not_commitments(nlp, sentence: str) -> None:
    assert rows(nlp, sentence, doc_type="speech", speaker="Namibia") == []


@pytest.mark.parametrize(
    "sentence, action",
    [
        ("We continue to provide humanitarian assistance to refugees in the region.", "provide humanitarian"),
        ("We will continue to support the Global Compact for Migration.", "support the Global Compact"),
        ("We must recognize the rights of migrant workers in national law.", "recognize the rights"),
        ("I should like once again to ask the Government to cooperate with the inquiry.", "cooperate with the inquiry"),
        ("We are committed to ensuring that no one is left behind.", "ensuring that no one"),
        ("We continue to maintain our peacekeepers in the region.", "maintain our peacekeepers"),
        ("We must ask the Secretariat to report on the plan by June 2025.", "report on the plan"),
        ("We agreed that this new dynamic should be seized by the parties for fresh negotiations.", "seized"),
    ],
)
def test_undertakings_beside_them_are_kept(nlp, sentence: str, action: str) -> None:
    found = rows(nlp, sentence, doc_type="speech", speaker="Namibia")
    assert any(action in r["action"] for r in found), found
