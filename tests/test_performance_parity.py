"""The fast paths give the same output as the plain ones (never wall-clock assertions).

Speed work is only a win if nothing else changes: the worker pool must return the rows one
process returns, the regex control-character filter must keep what the per-character one kept,
and the PDFium reader must give the text pdfplumber gave on real UN documents.
"""

from __future__ import annotations

import difflib
import random
import unicodedata
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.actors_table import build_actor_table
from pipeline.extraction import Extraction, extract_documents, shutdown_pool
from pipeline.ingest import ingest_file
from pipeline.ingest.layout import lines_to_blocks, normalize_chars
from pipeline.ingest.pdf_reader import read_pdf
from pipeline.nlp import shared_nlp
from tests.conftest import UN_PDFS

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _rows(extractions: list[Extraction]) -> list[tuple]:
    return [(e.doc_id, e.rows, e.actors) for e in extractions]


@pytest.fixture(scope="module")
def seeds():
    return [ingest_file(p) for p in sorted(CORPUS.glob("*.txt"))]


def test_worker_pool_gives_the_rows_of_one_process(seeds):
    try:  # nlp=None: the shared pipeline, which the workers build for themselves
        pooled = extract_documents(None, seeds, n_process=2)
        pooled_isolating = extract_documents(None, seeds, n_process=2, on_error=lambda d, m: pytest.fail(m))
    finally:
        shutdown_pool()
    plain = extract_documents(shared_nlp(), seeds)
    assert _rows(pooled) == _rows(plain)
    assert _rows(pooled_isolating) == _rows(plain)
    assert [e.doc_id for e in pooled] == [d.doc_id for d in seeds]  # input order


@Language.component("perf_test_boom")
def _boom(doc):
    if "Geneva" in doc.text:
        raise ValueError("boom")
    return doc


def test_a_failing_document_is_reported_and_the_others_match_the_plain_run(seeds):
    from pipeline.nlp import build_nlp

    nlp = build_nlp()
    plain = {e.doc_id: e for e in extract_documents(nlp, seeds)}
    nlp.add_pipe("perf_test_boom", first=True)
    failed: list[tuple[str, str]] = []
    got = extract_documents(nlp, seeds, on_error=lambda d, m: failed.append((d.doc_id, m)))
    bad = {d.doc_id for d in seeds if "Geneva" in d.text}
    assert bad and {i for i, _ in failed} == bad
    assert all(m == "ValueError: boom" for _, m in failed)
    assert _rows(got) == _rows([plain[d.doc_id] for d in seeds if d.doc_id not in bad])
    with pytest.raises(ValueError):
        extract_documents(nlp, seeds)  # without on_error the old contract holds: it raises


def _normalize_chars_per_character(text: str) -> str:
    """The character policy written as a category lookup per character."""
    import re

    def nonchar(ch: str) -> bool:
        cp = ord(ch)
        return 0xFDD0 <= cp <= 0xFDEF or cp & 0xFFFE == 0xFFFE or unicodedata.category(ch) == "Cs"

    text = unicodedata.normalize("NFC", text)
    text = text.replace("\ufffe", "-")
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text)
    text = "".join(ch for ch in text if not nonchar(ch))
    for sep in ("\r\n", "\r", "\f", "\v", "\u2028", "\u2029", "\x85"):
        text = text.replace(sep, "\n")
    text = "".join(ch for ch in text if ch == "\n" or ch == "\t" or unicodedata.category(ch) != "Cc")
    return re.sub(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+", " ", text)


def test_control_character_filter_matches_the_per_character_one():
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(0, 0x250)] + ["\u200b", "\u00ad", "\u2028", "\u3000", "é", "\r\n"]
    alphabet += ["\ufffe", "\uffff", "\ufdd0", "\U0001fffe", "\u2029", "\x85", "\v"]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        assert normalize_chars(text) == _normalize_chars_per_character(text)


def test_actor_aliases_do_not_depend_on_set_order():
    forms = ["co-Chairs", "Co-Chairs", "co-chairs", "HLPF"]
    tables = []
    for seed in range(5):
        shuffled = forms[:]
        random.Random(seed).shuffle(shuffled)
        actor = {"key": "x", "name": "X", "type": "role", "aliases": shuffled}
        tables.append(build_actor_table([actor]))
    assert all(t == tables[0] for t in tables)


@pytest.mark.parametrize("name", ["A_RES_79_286.pdf", "A_C.3_80_L.20.pdf", "A_80_L.36.pdf"])
def test_pdfium_text_agrees_with_pdfplumber_on_real_un_pdfs(name):
    data = (UN_PDFS / name).read_bytes()
    fast, n_fast = read_pdf(data)
    ref, n_ref = read_pdf(data, engine="pdfplumber")
    assert n_fast == n_ref
    a, b = lines_to_blocks(fast)[0].split(), lines_to_blocks(ref)[0].split()
    assert difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.985


def test_pool_workers_do_not_outlive_a_killed_run(tmp_path):
    """SIGKILL of the run must not leave workers holding a model (their queue never closes)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    script = (
        "import time\n"
        "from pipeline.extraction import _pool, _pipeline_spec\n"
        "ex = _pool(_pipeline_spec(), 2)\n"
        "assert all(f.result() == 0 for f in [ex.submit(int), ex.submit(int)])\n"
        "print(sorted(p.pid for p in ex._processes.values()), flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    workers = [psutil.Process(int(x)) for x in line.strip(" []\n").split(",")]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(w.is_running() and w.status() != "zombie" for w in workers):
        time.sleep(0.2)
    assert not any(w.is_running() and w.status() != "zombie" for w in workers)


def _gd_statements(n: int) -> list[str]:
    import tarfile

    from tests.conftest import SHARED

    archive = SHARED / "bench" / "ungdc-sessions-70-78.tar.gz"
    if not archive.is_file():
        return []
    with tarfile.open(archive) as tar:
        members = sorted((m for m in tar if m.isfile() and m.name.endswith(".txt")), key=lambda m: m.name)
        return [tar.extractfile(m).read().decode("utf-8") for m in members[:n]]


def test_attribute_table_annotates_exactly_like_the_stock_attribute_ruler(seeds):
    """Every token's POS, MORPH, LEMMA, TAG and DEP equal the stock ruler's, on real statements
    and on a text that reaches the multi-token and regex rules ("gonna", "ain't", "y'all")."""
    import spacy
    from spacy.attrs import DEP, LEMMA, MORPH, POS, TAG

    from pipeline import settings
    from pipeline.attribute_table import AttributeTable, use_attribute_table

    stock = spacy.load(settings.SPACY_MODEL, exclude=["lemmatizer", "ner"])
    ours = spacy.load(settings.SPACY_MODEL, exclude=["lemmatizer", "ner"])
    use_attribute_table(ours)
    table = ours.get_pipe("attribute_ruler")
    assert isinstance(table, AttributeTable) and table.complex and table.simple
    texts = [d.text for d in seeds] + _gd_statements(12)
    texts.append("We ain't gonna wait. Y'all know there is nothin' left, let's go and c'mon, he gets it.")
    attrs = [POS, MORPH, LEMMA, TAG, DEP]
    with stock.select_pipes(disable=["attribute_ruler"]):
        parsed = list(stock.pipe(texts))
    changed = 0
    for doc in parsed:
        before = doc.to_array(attrs)
        expected = stock.get_pipe("attribute_ruler")(Doc.from_docs([doc])).to_array(attrs)
        got = table(Doc.from_docs([doc])).to_array(attrs)
        assert (got == expected).all()
        changed += int((expected != before).any(axis=1).sum())
    assert changed > 1000  # the rules really did something to compare


def test_tree_matcher_finds_what_the_dependency_matcher_finds(seeds):
    """The array-based matcher of the commitment patterns returns spaCy's DependencyMatcher's
    matches, and the component's commitments are the same with either."""
    from pipeline.extract.commitments import CommitmentFinder

    nlp = shared_nlp()
    finder = nlp.get_pipe("un_commitments")
    assert isinstance(finder, CommitmentFinder) and finder.tree is not None
    spacy_matcher = finder._matcher(nlp.vocab)
    texts = [d.text for d in seeds] + _gd_statements(15)
    n_matches = 0
    for doc in nlp.pipe(texts):
        ours = sorted((pid, tuple(ids)) for pid, ids in finder.tree(doc))
        theirs = sorted((nlp.vocab.strings[m], tuple(ids)) for m, ids in spacy_matcher(doc))
        assert ours == theirs
        n_matches += len(ours)
        with_tree = [(s.start, s.end, s._.commitment) for s in doc.spans["commitments"]]
        tree, finder.tree = finder.tree, None
        try:
            again = finder(doc.copy())
            plain = [(s.start, s.end, s._.commitment) for s in again.spans["commitments"]]
        finally:
            finder.tree = tree
        assert with_tree == plain
    assert n_matches > 50


def test_piece_bounds_tile_the_text_at_breaks():
    from pipeline.pieces import piece_bounds

    text = "First para.\n\nSecond para is longer.\nIt has two lines.\n\n" + "x" * 50 + "\nend"
    bounds = piece_bounds(text, 20)
    assert bounds[0] == 0 and bounds[-1] == len(text) and bounds == sorted(set(bounds))
    assert all(text[b - 1] == "\n" for b in bounds[1:-1])  # every cut is just after a line break
    assert len(bounds) > 3
    assert piece_bounds(text, 10_000) == [0, len(text)]


def test_pieces_give_the_rows_of_whole_documents(seeds):
    """The trained components on paragraph-sized pieces, the rules on the joined Doc: the same
    spans and records as the whole Doc, even with pieces far smaller than the default."""
    from pipeline.extraction import _make_docs
    from pipeline.nlp import component_names
    from pipeline.pieces import _same_tokens, annotate, piece_bounds

    nlp = shared_nlp()
    rules = set(component_names())
    groups = {"dates": "date_value", "actors": "actor", "meetings": "meeting", "commitments": "commitment"}

    def spans(doc: Doc) -> list[tuple]:
        return sorted(
            (key, s.start_char, s.end_char, repr(s._.get(ext))) for key, ext in groups.items() for s in doc.spans[key]
        )

    n_cut = 0
    for document in seeds:
        doc = next(_make_docs(nlp, [document]))[2]
        bounds = piece_bounds(doc.text, 1500)
        n_cut += len(bounds) - 2
        pieces = [nlp.make_doc(doc.text[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
        assert _same_tokens(doc, pieces, bounds)  # so the pieced path really runs
        whole = annotate(nlp, doc.copy(), rules, limit=10**9)
        pieced = annotate(nlp, doc.copy(), rules, limit=1500)
        assert pieced.text == whole.text
        assert spans(pieced) == spans(whole)
    assert n_cut >= 10


def test_spans_in_index_gives_the_scan_s_spans():
    from pipeline.extract.cues import run_text, spans_in

    text = (
        "By 15 May 2024 the secretariat will report; in June 2024 the Bureau meets.\n\n"
        "| Action | Owner | Due |\n|---|---|---|\n| Draft | Secretariat | 1 July 2024 |\n\n"
        "The Committee met on 3 March 2023 and again in late November 2023."
    )
    doc = run_text(text, "2024-01-10", shared_nlp())
    dates = list(doc.spans["dates"])
    assert len(dates) >= 4
    for start in range(0, len(text), 7):
        for end in range(start, len(text) + 1, 11):
            want = [s for s in dates if s.start_char >= start and s.end_char <= end]
            assert spans_in(doc, "dates", start, end) == want


def test_line_breaks_start_sentences_before_the_parser():
    doc = shared_nlp()("3. Workplan\n\nThe Bureau agreed to meet.\nMembers to send comments by May.")
    starts = [t.text for t in doc if t.is_sent_start]
    assert {"The", "Members"} <= set(starts)
    bureau = next(t for t in doc if t.text == "Bureau")
    assert bureau.head.text == "agreed", "the heading above is not parsed into the clause"
