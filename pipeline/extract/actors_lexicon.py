"""Gazetteer engine: JSONL lexicons in models/actors/ compiled into spaCy PhraseMatchers.

Why: rules are data (medspaCy style). Every lexicon row is an actor with a canonical name and
aliases; this module only knows how to load rows, decide case handling and match them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from pipeline import rules
from pipeline.ids import slugify

LEXICON_FILES = ("un_system.jsonl", "member_states.jsonl", "roles.jsonl", "collectives.jsonl")


def norm(text: str) -> str:
    """Lookup form of a surface string: no leading article, single spaces, folded quotes/dashes."""
    text = text.replace("’", "'").replace("‐", "-").replace("‑", "-").replace("–", "-")
    text = re.sub(r"\s+", " ", text).strip(" .,;:")
    text = re.sub(r"^(the|The|THE)\s+", "", text)
    return text.lower()


@dataclass
class Entry:
    """One gazetteer actor."""

    key: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    context_aliases: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    standalone: bool = True
    case: str | None = None
    addressee_only: bool = False
    # A network of centres each named '<acronym> <city>' ('GISC Tokyo'): a city after a mention is a member.
    named_by_place: bool = False

    @classmethod
    def from_row(cls, row: dict) -> Entry:
        """Build from one JSONL lexicon row."""
        return cls(
            key=slugify(row["name"]),
            name=row["name"],
            type=row["type"],
            aliases=list(row.get("aliases", [])),
            context_aliases=list(row.get("context_aliases", [])),
            anchors=[slugify(a) for a in row.get("anchors", [])],
            standalone=row.get("standalone", True),
            case=row.get("case"),
            addressee_only=row.get("addressee_only", False),
            named_by_place=row.get("named_by_place", False),
        )

    def as_actor(self) -> dict:
        """The per-document actor dict of the contract."""
        return {
            "key": self.key,
            "name": self.name,
            "type": self.type,
            "aliases": list(self.aliases),
            "title": None,
            "affiliation": None,
        }


def _case_sensitive(n_tokens: int, case: str | None) -> bool:
    """Single tokens (acronyms, 'Chad', 'Network') need exact case; phrases match any case."""
    if case == "sensitive":
        return True
    if case == "insensitive":
        return False
    return n_tokens == 1


class Lexicon:
    """All gazetteer rows plus two PhraseMatchers (exact-case and lower-case)."""

    def __init__(
        self,
        make_doc: Callable[[str], Doc],
        files: tuple[str, ...] = LEXICON_FILES,
        actor_rules: rules.RuleFiles | None = None,
    ) -> None:
        self.make_doc = make_doc
        probe = make_doc("x")
        self.entries: dict[str, Entry] = {}
        self.by_norm: dict[str, str] = {}
        self.exact = PhraseMatcher(probe.vocab, attr="ORTH")
        self.lower = PhraseMatcher(probe.vocab, attr="LOWER")
        actor_rules = actor_rules or rules.current("actors")
        self.variants = [tuple(pair) for pair in actor_rules.json("vocab.json").get("spelling_variants", [])]
        for fname in files:
            for row in actor_rules.jsonl(fname):
                self.add(Entry.from_row(row))

    def add(self, entry: Entry) -> None:
        """Register an entry and compile its aliases into the matchers."""
        self.entries[entry.key] = entry
        for kind, forms in (("main", [entry.name, *entry.aliases]), ("ctx", entry.context_aliases)):
            label = f"{entry.key}\t{kind}"
            for form in dict.fromkeys(v for f in forms for v in self.spellings(f)):
                if kind == "main":
                    self.by_norm.setdefault(norm(form), entry.key)
                pattern = self.make_doc(form)
                if _case_sensitive(len(pattern), entry.case):
                    self.exact.add(label, [pattern, self.make_doc(form.upper())])
                else:
                    self.lower.add(label, [pattern])

    def spellings(self, form: str) -> list[str]:
        """The form and its other spelling ('Organization' / 'Organisation'), word endings only."""
        out = [form]
        for one, other in self.variants:
            for a, b in ((one, other), (other, one)):
                changed = re.sub(rf"(?<=\w){re.escape(a)}\b" if a.islower() else rf"\b{re.escape(a)}\b", b, form)
                if changed != form:
                    out.append(changed)
        return out

    def lookup(self, text: str) -> Entry | None:
        """Entry whose name or main alias equals the text (case-insensitive, article dropped)."""
        key = self.by_norm.get(norm(text))
        return self.entries.get(key) if key else None

    def matches(self, doc: Doc) -> list[tuple[int, int, Entry, bool]]:
        """All (start, end, entry, is_context_alias) token matches, overlaps allowed."""
        out = []
        for matcher in (self.exact, self.lower):
            for match_id, start, end in matcher(doc):
                key, kind = doc.vocab.strings[match_id].split("\t")
                out.append((start, end, self.entries[key], kind == "ctx"))
        return out
