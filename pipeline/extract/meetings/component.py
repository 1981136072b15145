"""The spaCy component ``un_meetings`` and its factory: ``doc.spans["meetings"]`` with
``span._.meeting`` records; ``find_meetings`` runs the pipeline on a text.
"""

from __future__ import annotations

import bisect

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract.cues import (
    WordTest,
    ensure_extension,
    run_text,
    segment_bounds,
    segments,
    unique_span,
)
from pipeline.extract.meetings.lexicon import lexicon
from pipeline.extract.meetings.merge import code_mentions, merge_mentions, split_series
from pipeline.extract.meetings.record import read_mention
from pipeline.rules import RuleBacked


@Language.factory("un_meetings", default_config={"rules_dir": None})
def make_meetings(nlp: Language, name: str, rules_dir: str | None) -> MeetingFinder:
    """Factory: ``rules_dir`` is a models folder holding ``meetings/``."""
    return MeetingFinder(rules_dir)


class MeetingFinder(RuleBacked):
    """spaCy component: ``doc.spans["meetings"]`` with ``span._.meeting`` records."""

    rule_kinds = ("meetings",)

    def __init__(self, rules_dir: str | None = None) -> None:
        ensure_extension("meeting")
        self.load_rules(rules_dir)

    def rules_changed(self) -> None:
        """Meeting nouns and verbs by lemma or form: the only tokens ``meeting_type`` can accept."""
        with self.using_rules():
            lex = lexicon()
        nouns, verbs = lex["nouns"], {**lex["meeting_verbs"], **lex["gathering_verbs"]}
        self.heads = WordTest(
            lambda w: w.lower() in nouns or w.lower() in verbs,
            lambda w: w in nouns or w in verbs,
        )

    def find(self, doc: Doc) -> Doc:
        doc_date = doc.user_data.get("doc_date")
        heads = self.heads.tokens(doc)
        ents = doc.ents
        mentions = []
        for seg in segments(doc):
            found = heads[bisect.bisect_left(heads, seg.start) : bisect.bisect_left(heads, seg.end)]
            mentions.extend(m for i in found if (m := read_mention(doc[i], seg, doc_date, ents)) is not None)
        codes = code_mentions(doc, segment_bounds(doc), doc_date)
        if codes:
            mentions = sorted(mentions + codes, key=lambda m: m["name_start_char"])
        spans = []
        used: set[tuple[int, int]] = set()
        records = [part for m in merge_mentions(mentions) for part in split_series(m, doc)]
        for m in records:
            seg: Span = m.pop("_seg")
            clause = m.pop("_clause")
            own = m.pop("_span", None)
            for key in ("_source", "_proper", "_salience", "_tokens", "_near", "_code"):
                m.pop(key, None)
            span = doc.char_span(*own, alignment_mode="expand") if own else None
            if span is not None and (span.start, span.end) not in used:
                used.add((span.start, span.end))
            else:
                span = unique_span(doc, [(seg.start, seg.end), clause], used)
            span._.meeting = m
            spans.append(span)
        doc.spans["meetings"] = spans
        return doc


def find_meetings(text: str, doc_date: str | None = None, nlp: Language | None = None) -> list[dict]:
    """Run the pipeline on ``text`` and return meeting records with their evidence."""
    doc = run_text(text, doc_date, nlp)
    return [
        {"evidence": s.text, "start_char": s.start_char, "end_char": s.end_char, **s._.meeting}
        for s in doc.spans.get("meetings", [])
    ]
