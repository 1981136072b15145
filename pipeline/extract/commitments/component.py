"""The ``un_commitments`` component: runs every grammar per clause segment, one row per undertaking."""

from __future__ import annotations

import bisect
import re
from typing import Any

from spacy.language import Language
from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from pipeline.extract.commitments.action import deadline_of, seg_text
from pipeline.extract.commitments.actor import Actors, Chunks, joined_names
from pipeline.extract.commitments.addressee import addressee_scan, proposals
from pipeline.extract.commitments.clauses import from_match
from pipeline.extract.commitments.declaration import continuation, split_coordinated, undertakings
from pipeline.extract.commitments.lexicon import lexicon, load_patterns
from pipeline.extract.commitments.matcher import TreeMatcher
from pipeline.extract.commitments.minutes import (
    action_items,
    as_action_point,
    labelled_undertaking,
    motion,
    procedural_decision,
    table_rows,
)
from pipeline.extract.commitments.resolution import (
    OPERATIVE,
    PREAMBLE,
    STATEMENT,
    Listing,
    addressed_lead_in,
    decides_that,
    item_candidate,
    operative_scan,
    paragraph_roles,
)
from pipeline.extract.cues import (
    WordTest,
    ensure_extension,
    run_text,
    segment_bounds,
    unique_span,
)
from pipeline.nlp import text_of
from pipeline.rules import RuleBacked

PRIORITY = ("action_section", "addressee", "undertaking", "pattern")
SCANS = {"addressee", "undertaking"}  # their clause covers any pattern match inside it


class CommitmentFinder(RuleBacked):
    """spaCy component: ``doc.spans["commitments"]`` with ``span._.commitment`` records.

    Holds the commitment rules and the actor gazetteer it reads member states from."""

    rule_kinds = ("commitments", "actors")

    def __init__(self, vocab: Vocab | None = None, rules_dir: str | None = None) -> None:
        ensure_extension("commitment")
        self.vocab = vocab
        self.load_rules(rules_dir)

    def rules_changed(self) -> None:
        with self.using_rules():
            self.patterns = dict(load_patterns())
            verbs = lexicon()["addressee_verbs"]
        self.tree = TreeMatcher(self.patterns) if TreeMatcher.supports(self.patterns) else None
        self.matcher: DependencyMatcher | None = None
        # an addressee verb by lemma or form: the only tokens ``cue_kind`` (and the passive scan) accept
        self.cues = WordTest(lambda w: bool(verbs.get(w.lower())), lambda w: bool(verbs.get(w.rstrip("s"))))
        if self.vocab is not None:
            self._matcher(self.vocab)  # also validates the patterns

    def _matcher(self, vocab: Vocab) -> DependencyMatcher:
        if self.matcher is None or self.matcher.vocab is not vocab:
            self.matcher = DependencyMatcher(vocab)
            for pid, pattern in self.patterns.items():
                self.matcher.add(pid, [pattern])
        return self.matcher

    def _matches(self, doc: Doc) -> list[tuple[str, list[int]]]:
        """(pattern id, token per node) of the dependency patterns."""
        if self.tree is not None:
            return self.tree(doc)
        return [(doc.vocab.strings[m], ids) for m, ids in self._matcher(doc.vocab)(doc)]

    def find(self, doc: Doc) -> Doc:
        actors = Actors(doc)
        bounds = segment_bounds(doc)
        segs = [doc[start:end] for start, end in bounds]
        seg_starts = [start for start, _ in bounds]
        by_seg: dict[int, list[dict[str, Any]]] = {}
        for pid, token_ids in self._matches(doc):
            n = bisect.bisect_right(seg_starts, token_ids[0]) - 1
            if n >= 0 and all(bounds[n][0] <= i < bounds[n][1] for i in token_ids):
                roles = {p["RIGHT_ID"]: doc[i] for p, i in zip(self.patterns[pid], token_ids, strict=True)}
                by_seg.setdefault(n, []).append({"pid": pid, **roles})
        item_segs = action_items(doc, segs)
        cue_tokens = self.cues.tokens(doc)
        chunks = Chunks(doc)
        text = text_of(doc)
        breaks = [m.start() for m in re.finditer(r"\n\s*\n", text)]
        records: list[tuple[Span, dict[str, Any]]] = []
        last_actor: dict[str, Any] | None = None
        last_para = -1
        para_roles = paragraph_roles(segs)
        table_records, tables = table_rows(doc, actors) if "|" in text else ([], [])
        minutes = doc.user_data.get("doc_type") == "meeting_summary"
        consumed: set[int] = set()  # outcome lines of a motion already recorded
        listing = Listing()
        lead_row: int | None = None  # the record a lead-in opened, extended over its first item
        for n, seg in enumerate(segs):
            para = bisect.bisect(breaks, seg.start_char)
            if para != last_para:
                last_actor, last_para = None, para
            lead = listing.item(seg)
            if seg.start in consumed or _inside(tables, seg.start_char):
                continue
            if para_roles[n] == PREAMBLE and lead is None or _asks(seg):
                actors.note_subjects(seg)
                continue
            cues = cue_tokens[bisect.bisect_left(cue_tokens, seg.start) : bisect.bisect_left(cue_tokens, seg.end)]
            found = addressee_scan(seg, actors, cues, chunks) + operative_scan(seg, actors) + decides_that(seg, actors)
            found += addressed_lead_in(seg, actors, cues)
            found += labelled_undertaking(seg, actors) + motion(segs, n, actors)
            moved = [c for c in found if "outcome" in c]
            consumed.update(c["outcome"] for c in moved)
            if minutes and not moved:
                found += procedural_decision(seg, actors)
            if para_roles[n] not in {STATEMENT, OPERATIVE}:  # there the operative verbs alone say who acts
                found += [c for m in by_seg.get(n, []) if (c := from_match(m, seg, actors, last_actor))]
                found += undertakings(seg, actors)
                found = found or continuation(seg, last_actor) or proposals(seg, actors)
            inherited = lead is not None and not found  # an item with an undertaking of its own keeps it
            if inherited:
                found = [item_candidate(seg, lead)]
            found = split_coordinated(dedupe(found), seg)
            if n in item_segs:
                points = as_action_point(seg, found, actors, chunks)
                found = points or [{**cand, "kind": "action_point"} for cand in found[:1]]
            if inherited and lead_row is not None:  # the first item completes its lead-in's row
                span, rec = records[lead_row]
                if not rec["action"] and found:
                    rec["action"] = found[0]["action"].strip(" *_")
                records[lead_row] = (doc[span.start : seg.end], rec)
                lead_row = None
                if found:
                    listing.open(seg, found[0])
                    lead_row = len(records) - 1 if seg_text(seg).rstrip().endswith(":") else None
                actors.note_subjects(seg)
                continue
            lead_row = None
            for cand, nxt in zip(found, found[1:], strict=False):  # one clause's evidence stops where the next begins
                if cand["start"] < nxt["start"] < cand["end"]:
                    cand["end"] = nxt["start"]
            for cand in found:
                span, rec = finish(cand, seg, len(found) == 1)
                records.append((span, rec))
                last_actor = {"name": rec["actor"].split("; ")[0], "key": rec["actor_key"]}
            if found:
                listing.open(seg, found[0])
                if seg_text(seg).rstrip().endswith(":"):
                    lead_row = len(records) - 1
            actors.note_subjects(seg)
        records = _once(sorted(records + table_records, key=lambda r: r[0].start))
        spans = []
        used: set[tuple[int, int]] = set()
        for span, rec in records:
            span = unique_span(doc, [(span.start, span.end)], used)
            span._.commitment = rec
            spans.append(span)
        doc.spans["commitments"] = spans
        return doc


def _asks(seg: Span) -> bool:
    """A question ('What goals should we set ourselves?') asks; it undertakes nothing."""
    return seg_text(seg).rstrip(" \"”’')*").endswith("?")


def _inside(ranges: list[tuple[int, int]], at: int) -> bool:
    """``at`` lies in one of the sorted, disjoint character ranges."""
    k = bisect.bisect_right(ranges, (at, float("inf"))) - 1
    return k >= 0 and ranges[k][0] <= at < ranges[k][1]


def _once(records: list[tuple[Span, dict[str, Any]]]) -> list[tuple[Span, dict[str, Any]]]:
    """Minutes repeat their action items in a closing review: one row per identical item."""
    seen: set[tuple[str, str]] = set()
    out = []
    for span, rec in records:
        key = (" ".join(span.text.lower().split()), rec["actor"])
        if key not in seen:
            seen.add(key)
            out.append((span, rec))
    return out


def dedupe(cands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One candidate per action verb; the addressee reading wins over subject patterns."""
    out: list[dict[str, Any]] = []
    for cand in sorted(cands, key=lambda c: PRIORITY.index(c["source"])):
        same_who = [o for o in out if o["who"] == cand["who"]]
        clash = [
            o
            for o in (same_who if cand["source"] == "addressee" else out)
            if o["verb"] == cand["verb"] or (o["start"] <= cand["verb"] < o["end"] and o["source"] in SCANS)
        ]
        if not clash:
            out.append(cand)
    return sorted(out, key=lambda c: c["start"])


def finish(cand: dict[str, Any], seg: Span, alone: bool) -> tuple[Span, dict[str, Any]]:
    """Evidence span and the record of the contract."""
    doc = seg.doc
    start, end = (seg.start, seg.end) if alone else (max(cand["start"], seg.start), min(cand["end"], seg.end))
    while end > start + 1 and doc[end - 1].text in {"*", "_"}:
        end -= 1
    while start < end - 1 and doc[start].text in {"*", "_", "-", "•"}:
        start += 1
    actor, key = joined_names(cand["who"])
    action = cand["action"].strip(" *_")
    return doc[start:end], {
        "actor": actor,
        "actor_key": key,
        "kind": cand["kind"],
        "action": action,
        "deadline": deadline_of(doc, seg.start, seg.end),
    }


@Language.factory("un_commitments", default_config={"rules_dir": None})
def make_commitments(nlp: Language, name: str, rules_dir: str | None) -> CommitmentFinder:
    """Factory: ``rules_dir`` is a models folder holding ``commitments/`` and ``actors/``."""
    return CommitmentFinder(nlp.vocab, rules_dir)


def find_commitments(
    text: str, doc_date: str | None = None, nlp: Language | None = None, **user_data: Any
) -> list[dict[str, Any]]:
    """Run the pipeline on ``text`` and return commitment records with their evidence."""
    doc = run_text(text, doc_date, nlp, **user_data)
    return [
        {"evidence": s.text, "start_char": s.start_char, "end_char": s.end_char, **s._.commitment}
        for s in doc.spans.get("commitments", [])
    ]
