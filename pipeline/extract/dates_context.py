"""What a date expression's value is, and what the document has said so far (its context).

``Value`` is one normalized expression; ``Context`` walks the document in order and gives
the reference a partial expression needs: an explicit year earlier in the same sentence, else
the anchor (document date), else the last explicit year.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Value:
    """A normalized time expression; ``explicit_year``/``explicit_day`` feed the context."""

    kind: str
    granularity: str
    start: date | datetime | None
    end: date | datetime | None
    explicit_year: int | None = None
    explicit_day: bool = False

    def as_dict(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "granularity": self.granularity,
            "start": _iso(self.start),
            "end": _iso(self.end),
        }


def _iso(d: date | datetime | None) -> str | None:
    if d is None:
        return None
    if isinstance(d, datetime):
        return d.strftime("%Y-%m-%dT%H:%M")
    return d.isoformat()


@dataclass
class Context:
    """What the document has said so far, for expressions that need a reference."""

    anchor: date | None
    sentence_starts: list[int] = field(default_factory=list)
    sentence: int = 0
    last_year: int | None = None
    last_year_sentence: int = -1
    last_day: date | None = None
    time_day: date | None = None
    # explicit years written later in the text: (offsets, years), in text order
    later_starts: list[int] = field(default_factory=list)
    later_years: list[int] = field(default_factory=list)
    later_max_chars: int = 0
    pos: int = 0

    def move_to(self, char: int) -> None:
        self.pos = char
        self.sentence = bisect_right(self.sentence_starts, char) - 1 if self.sentence_starts else 0

    def year(self) -> int | None:
        """Year for a partial date: same-sentence explicit year (before it, else a past one
        after it: "on 25 March, marking the start of the 1971 genocide"), anchor, last explicit year."""
        if self.last_year is not None and self.last_year_sentence == self.sentence:
            return self.last_year
        later = self._later_year_in_sentence()
        if later is not None:
            return later
        if self.anchor is not None:
            return self.anchor.year
        return self.last_year

    def _later_year_in_sentence(self) -> int | None:
        i = bisect_right(self.later_starts, self.pos)
        if i >= len(self.later_starts):
            return None
        starts = self.sentence_starts
        sent_end = starts[self.sentence + 1] if self.sentence + 1 < len(starts) else 1 << 62
        # near it only: "on 25 March, marking the start of the 1971 war", not a year in a
        # clause further on ("proposed in June ... the separation of ... in 1965")
        if self.later_starts[i] >= sent_end or self.later_starts[i] - self.pos > self.later_max_chars:
            return None
        year = self.later_years[i]
        # only a past year: a later future year is usually a target ("in May ... by 2030")
        if self.anchor is not None and year >= self.anchor.year:
            return None
        return year

    def reference_day(self) -> date | None:
        """Day that anaphoric expressions ("later that day") point back to."""
        return self.last_day or self.anchor

    def observe(self, value: Value) -> None:
        if value.explicit_year is not None:
            self.last_year = value.explicit_year
            self.last_year_sentence = self.sentence
        if value.explicit_day and isinstance(value.start, date):
            self.last_day = value.start
