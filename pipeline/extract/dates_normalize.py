"""Turn a matched expression into a value {kind, granularity, start, end}.

Each ``norm`` name in ``patterns.jsonl`` maps to one rule here; the rules read the
matched groups and the tables in ``normalization.json``. Missing information (the year
of "in May", the day of "10 a.m.") comes from a ``Context`` that walks the document in
order: an explicit year earlier in the same sentence, else the anchor (document date),
else the last explicit year. Without any of them the value stays open (None), never today.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from pipeline.extract import dates_calendar as cal
from pipeline.extract.dates_context import Context, Value
from pipeline.extract.dates_match import Candidate
from pipeline.extract.dates_resources import Resources

Groups = dict[str, str | None]
# Four or more digits right after a day or month the patterns matched without a year: the year
# is written but outside the years they read (1900-2099), so the context must not supply one.
_UNREAD_YEAR = re.compile(r",? ?\d{4,}(?!\d)")


class Normalizer:
    """Dispatches a candidate to the rule named by its pattern's ``norm`` field."""

    def __init__(self, res: Resources) -> None:
        self.t = res.tables
        self.months = res.months
        lo, hi = self.t["year_bounds"]
        self.year_ok: Callable[[int], bool] = lambda y: lo <= y <= hi
        self.rules: dict[str, Callable[[Groups, dict[str, Any], Context], Value | None]] = {
            "calendar": self.calendar,
            "month_rel": self.month_rel,
            "numeric": self.numeric,
            "decade": self.decade,
            "century": self.century,
            "part": self.part,
            "fraction": self.fraction,
            "week_of_month": self.week_of_month,
            "season": self.season,
            "shift": self.shift,
            "rolling": self.rolling,
            "calendar_rel": self.calendar_rel,
            "subperiod": self.subperiod,
            "deictic": self.deictic,
            "context_day": self.context_day,
            "weekday": self.weekday,
            "time": self.time,
        }

    def __call__(self, cand: Candidate, text: str, ctx: Context) -> Value | None:
        if not (cand.groups.get("y1") or cand.groups.get("y2")) and _UNREAD_YEAR.match(text, cand.end):
            return None  # "31 December 9999": a year outside the patterns' range is refused, never replaced
        rule = self.rules[cand.pattern.norm]
        try:
            return rule(cand.groups, cand.pattern.params, ctx)
        except (KeyError, ValueError, TypeError, OverflowError):
            # a form the tables do not cover: let dateparser read this one span
            return _dateparser_value(text[cand.start : cand.end], ctx.anchor)

    # ---------------------------------------------------------------- helpers
    def _month(self, word: str | None) -> int | None:
        if not word:
            return None
        if word.isdigit():
            return int(word)
        return self.months[word.lower().rstrip(".")]

    def _num(self, word: str | None) -> int | None:
        """Digits, number words and compounds ("twenty-five"); None for vague words."""
        if word is None:
            return 1
        w = " ".join(word.lower().split())
        if w.isdigit():
            return int(w)
        table = self.t["number_words"]
        if w in table:
            return table[w]
        parts = w.replace("-", " ").split()
        return sum(table[p] for p in parts)

    def _direction(self, word: str | None) -> int:
        return self.t["relative_directions"][" ".join((word or "this").lower().split())]

    def _is_contextual(self, word: str | None) -> bool:
        return " ".join((word or "").lower().split()) in self.t["context_relative_words"]

    def _rel_year(self, rel: str, ctx: Context) -> int | None:
        """Year of "this/next/last year" (anchor) or "the following/same year" (context)."""
        if self._is_contextual(rel):
            base = ctx.last_year if ctx.last_year is not None else (ctx.anchor.year if ctx.anchor else None)
        else:
            base = ctx.anchor.year if ctx.anchor else None
        return None if base is None else base + self._direction(rel)

    def _year(self, word: str | None, other: int | None = None) -> int | None:
        if not word:
            return None
        if len(word) == 2 and other is not None:  # "2016-17"
            return other // 100 * 100 + int(word)
        return int(word)

    @staticmethod
    def _open(kind: str, granularity: str) -> Value:
        return Value(kind, granularity, None, None)

    # ------------------------------------------------------------------ rules
    def calendar(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """Day / month / year dates and ranges between two of them."""
        is_range = bool(p.get("range"))
        y1 = self._year(g.get("y1"))
        y2 = self._year(g.get("y2"), y1)
        m1, m2 = self._month(g.get("m1")), self._month(g.get("m2"))
        d1 = int(g["d1"]) if g.get("d1") else None
        d2 = int(g["d2"]) if g.get("d2") else None
        explicit = y2 if y2 is not None else y1
        from_context = False
        if g.get("yrel"):
            ry = self._rel_year(g["yrel"], ctx)
            if is_range:
                y2 = ry
            else:
                y1 = ry
            from_context = True
            if ry is None:
                return self._open("range" if is_range else "relative", "month")
        if is_range:
            if m1 is None and d1 is not None:
                m1 = m2
            if m2 is None and d2 is not None:  # "October 10-11, 2017"
                m2 = m1
            if y1 is None and y2 is None:
                y1 = y2 = ctx.year()
                from_context = True
            elif y1 is None:
                y1 = y2
                if (m1 or 1, d1 or 1) > (m2 or 12, d2 or 31):  # "December to March 2018"
                    y1 = y2 - 1
            elif y2 is None:
                y2 = y1
                if (m1 or 1, d1 or 1) > (m2 or 12, d2 or 31):
                    y2 = y1 + 1
        else:
            if y1 is None:
                y1 = ctx.year()
                from_context = True
            m2, d2, y2 = m1, d1, y1
        gran = "day" if d1 is not None else "month" if m1 is not None else "year"
        kind = "range" if is_range else "relative" if from_context else "date"
        if y1 is None or y2 is None:
            return self._open(kind, gran)
        if not (self.year_ok(y1) and self.year_ok(y2)):
            return None
        start = date(y1, m1 or 1, d1 or 1)
        if d2 is not None:
            end = date(y2, m2 or 12, d2)
        elif m2 is not None:
            end = cal.month_end(y2, m2)
        else:
            end = date(y2, 12, 31)
        if end < start:
            return None
        ey = None if from_context else explicit
        return Value(kind, gran, start, end, explicit_year=ey, explicit_day=d1 is not None)

    def month_rel(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """ "last September" = the latest September before the anchor's month; "next May" the first after."""
        month = self._month(g["m1"])
        if ctx.anchor is None or month is None:
            return self._open("relative", "month")
        a = ctx.anchor
        direction = self._direction(g["rel"].split()[-1])
        year = a.year
        if direction < 0 and month >= a.month:
            year -= 1
        elif direction > 0 and month <= a.month:
            year += 1
        s, e = cal.month_bounds(year, month)
        return Value("relative", "month", s, e)

    def numeric(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """16/12/2020 or 12/16/2020; dropped when day and month cannot be told apart."""
        a, b, y = int(g["a"]), int(g["b"]), int(g["y1"])
        if a == b or (a > 12 >= b):
            d, m = a, b
        elif b > 12 >= a:
            d, m = b, a
        else:
            return None
        if not self.year_ok(y):
            return None
        day = date(y, m, d)
        return Value("date", "day", day, day, explicit_year=y, explicit_day=True)

    def decade(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        y = int(g["decade"])
        return Value("date", "year", date(y, 1, 1), date(y + 9, 12, 31), explicit_year=y)

    def century(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """ "the 21st century", "the twentieth century": years 2001-2100, 1901-2000."""
        word = " ".join(g["cent"].lower().split())
        n = int(word[:-2]) if word[:1].isdigit() else self.t["century_ordinals"][word]
        return Value("date", "year", date((n - 1) * 100 + 1, 1, 1), date(n * 100, 12, 31))

    def _period_target(self, g: Groups, ctx: Context) -> tuple[str, int | None, int | None, bool]:
        """(unit, year, month, from_context) for "end of March", "end of 2018", "end of the year"."""
        if g.get("m1"):
            if g.get("y1"):
                return "month", int(g["y1"]), self._month(g["m1"]), False
            return "month", ctx.year(), self._month(g["m1"]), True
        if g.get("y1"):
            return "year", int(g["y1"]), None, False
        unit = (g.get("unit") or "year").lower()
        rel = g.get("rel") or "the"
        if unit == "year":
            return "year", self._rel_year(rel, ctx) if rel.lower() != "the" else ctx.year(), None, True
        ref = ctx.last_day if self._is_contextual(rel) and rel.lower() != "the" else ctx.anchor
        if ref is None:
            return "month", None, None, True
        ref = cal.shift(ref, "month", self._direction(rel))
        return "month", ref.year, ref.month, True

    def part(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """early/mid/late, beginning/end of a month, year or decade."""
        part = g["part"].lower()
        if g.get("decade"):
            y = int(g["decade"])
            lo, hi = self.t["parts_of_decade"][part]
            return Value("date", "year", date(y + lo, 1, 1), date(y + hi, 12, 31), explicit_year=y)
        unit, year, month, from_ctx = self._period_target(g, ctx)
        kind = "relative" if from_ctx else "date"
        if unit == "month":
            if year is None or month is None:
                return self._open(kind, "part_of_month")
            lo, hi = self.t["parts_of_month"][part]
            v = Value(kind, "part_of_month", cal.day_of_month(year, month, lo), cal.day_of_month(year, month, hi))
        else:
            if year is None:
                return self._open(kind, "part_of_year")
            (m1, d1), (m2, d2) = self.t["parts_of_year"][part]
            gran = "part_of_month" if m1 == m2 else "part_of_year"  # "the end of 2018" = late December
            v = Value(kind, gran, date(year, m1, d1), cal.day_of_month(year, m2, d2))
        if not from_ctx:
            v.explicit_year = year
        return v

    def fraction(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """ "the second half of 2019", "the first quarter of 2020", "the first half of May"."""
        ordinal = self.t["ordinals"][g["ord"].lower()]
        frac = g["frac"].lower()
        unit, year, month, from_ctx = self._period_target(g, ctx)
        kind = "relative" if from_ctx else "date"
        if unit == "month":
            pieces = self.t["fractions_of_month"][frac]
            lo, hi = pieces[ordinal - 1 if ordinal > 0 else len(pieces) - 1]
            if year is None or month is None:
                return self._open(kind, "part_of_month")
            v = Value(kind, "part_of_month", cal.day_of_month(year, month, lo), cal.day_of_month(year, month, hi))
        else:
            size = self.t["fractions_of_year"][frac]
            count = 12 // size
            idx = count if ordinal < 0 else ordinal
            if idx > count:
                return None
            if year is None:
                return self._open(kind, "part_of_year")
            first = (idx - 1) * size + 1
            v = Value(kind, "part_of_year", date(year, first, 1), cal.month_end(year, first + size - 1))
        if not from_ctx:
            v.explicit_year = year
        return v

    def week_of_month(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """ "the first week of November" = days 1-7; "the last week" = its last seven days."""
        ordinal = self.t["ordinals"][g["ord"].lower()]
        month = self._month(g["m1"])
        year = int(g["y1"]) if g.get("y1") else ctx.year()
        kind = "date" if g.get("y1") else "relative"
        if year is None or month is None:
            return self._open(kind, "week")
        last = cal.month_end(year, month).day
        if ordinal < 0:
            lo, hi = last - 6, last
        else:
            lo, hi = (ordinal - 1) * 7 + 1, min(ordinal * 7, last)
            if lo > last:
                return None
        return Value(
            kind,
            "week",
            date(year, month, lo),
            date(year, month, hi),
            explicit_year=int(g["y1"]) if g.get("y1") else None,
        )

    def _season_bounds(self, name: str, year: int) -> tuple[date, date]:
        (m1, d1), (m2, d2) = self.t["seasons"][name]
        end_year = year + 1 if (m2, d2) < (m1, d1) else year
        return date(year, m1, d1), date(end_year, m2, d2)

    def season(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """Northern-hemisphere seasons; "next summer" is the next one not yet started."""
        name = g["season"].lower()
        if g.get("y1"):
            y = int(g["y1"])
            s, e = self._season_bounds(name, y)
            return Value("date", "season", s, e, explicit_year=y)
        rel = g.get("rel")
        if rel is None or rel.lower() == "this":
            # "this summer" is deictic (anchor); "in the Fall" follows the context year
            year = ctx.anchor.year if rel and ctx.anchor else ctx.year()
            if year is None:
                return self._open("relative", "season")
            s, e = self._season_bounds(name, year)
            return Value("relative", "season", s, e)
        if ctx.anchor is None:
            return self._open("relative", "season")
        direction = self._direction(rel.split()[-1])
        a = ctx.anchor
        if direction > 0:
            s, e = self._season_bounds(name, a.year)
            if s <= a:
                s, e = self._season_bounds(name, a.year + 1)
        else:
            s, e = self._season_bounds(name, a.year)
            if e >= a:
                s, e = self._season_bounds(name, a.year - 1)
        return Value("relative", "season", s, e)

    def shift(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """ "six weeks from now", "two years ago": the anchor moved by an exact amount."""
        n = self._num(g.get("num"))
        unit, mult = self.t["units"][g["unit"].lower()]
        direction = self.t["shift_directions"][" ".join((g.get("dir") or p["dir"]).lower().split())]
        whole = direction < 0 and unit in self.t["ago_calendar_units"]
        gran = self.t["unit_granularity"][unit] if whole or n is None else "day"
        if ctx.anchor is None:
            return self._open("relative", gran)
        if n is None:
            # "a few days ago": some time before the anchor, start open (like "the past several months")
            near = cal.shift(ctx.anchor, unit, direction * mult)
            if whole:
                lo, hi = cal.unit_bounds(near, unit)
                near = hi if direction < 0 else lo
            return Value("relative", gran, None, near) if direction < 0 else Value("relative", gran, near, None)
        day = cal.shift(ctx.anchor, unit, direction * n * mult)
        if whole:  # "thirty years ago" = that calendar year
            lo, hi = cal.unit_bounds(day, unit)
            return Value("relative", gran, lo, hi)
        return Value("relative", "day", day, day)

    def rolling(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """ "the last two years", "the past several months": a window ending/starting at the anchor."""
        n = self._num(g.get("num"))
        unit, mult = self.t["units"][g["unit"].lower()]
        gran = self.t["unit_granularity"][unit]
        backwards = g["dir"].lower() in ("past", "last", "previous")
        if ctx.anchor is None:
            return self._open("relative", gran)
        a = ctx.anchor
        other = None if n is None else cal.shift(a, unit, (-1 if backwards else 1) * n * mult)
        return Value("relative", gran, other, a) if backwards else Value("relative", gran, a, other)

    def calendar_rel(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """ "this week", "next year", "last month" (anchor); "the following year" (context)."""
        unit = g["unit"].lower()
        rel = g["rel"]
        if self._is_contextual(rel):
            if unit == "year":
                y = self._rel_year(rel, ctx)
                if y is None:
                    return self._open("relative", "year")
                return Value("relative", "year", date(y, 1, 1), date(y, 12, 31))
            ref = ctx.reference_day()
        else:
            ref = ctx.anchor
        if ref is None:
            return self._open("relative", unit)
        s, e = cal.unit_bounds(cal.shift(ref, unit, self._direction(rel)), unit)
        return Value("relative", unit, s, e)

    def subperiod(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """ "earlier this year" = start of year..anchor; "later this month" = anchor..month end."""
        unit = g["unit"].lower()
        ref = ctx.reference_day() if self._is_contextual(g["rel"]) else ctx.anchor
        if ref is None:
            return self._open("relative", unit)
        day = cal.shift(ref, unit, self._direction(g["rel"]))
        s, e = cal.unit_bounds(day, unit)
        if day == ref:
            s, e = (s, ref) if g["sub"].lower() == "earlier" else (ref, e)
        return Value("relative", unit, s, e)

    def deictic(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """ "today", "yesterday", "tomorrow" from the anchor."""
        offset = self.t["deictic_days"][" ".join(g["word"].lower().split())]
        if ctx.anchor is None:
            return self._open("relative", "day")
        day = cal.shift(ctx.anchor, "day", offset)
        return Value("relative", "day", day, day)

    def context_day(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """ "later that day", "the following day": the last day mentioned (else the anchor)."""
        offset = self.t["context_days"][" ".join(g["word"].lower().split())]
        ref = ctx.reference_day()
        if ref is None:
            return self._open("relative", "day")
        day = cal.shift(ref, "day", offset)
        return Value("relative", "day", day, day)

    def weekday(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """ "last Monday", "next Friday", "on Tuesday" (within the anchor's week)."""
        wd = self.t["weekdays"][g["wd"].lower()]
        if ctx.anchor is None:
            return self._open("relative", "day")
        rel = (g.get("rel") or "this").lower().split()[-1]
        day = cal.nearest_weekday(ctx.anchor, wd, self._direction(rel))
        return Value("relative", "day", day, day)

    def time(self, g: Groups, p: dict[str, Any], ctx: Context) -> Value | None:
        """Clock times and time ranges, placed on the day they belong to (``ctx.time_day``)."""
        if g.get("named"):
            h1, m1 = self.t["named_times"][g["named"].lower()]
            h2 = m2 = None
        else:
            h1, m1 = int(g["h1"]), int(g.get("mi1") or 0)
            h2 = int(g["h2"]) if g.get("h2") else None
            m2 = int(g.get("mi2") or 0)
            ap1, ap2 = (g.get("ap1") or "").lower(), (g.get("ap2") or "").lower()
            if ap2 and not ap1 and h2 is not None and (h1 <= h2 or h2 == 12):
                ap1 = ap2
            h1 = _apply_ampm(h1, ap1)
            if h2 is not None:
                h2 = _apply_ampm(h2, ap2)
        day = ctx.time_day
        if day is None:
            return self._open("time", "time")
        start = datetime(day.year, day.month, day.day, h1, m1)
        end = start if h2 is None else datetime(day.year, day.month, day.day, h2, m2 or 0)
        if end < start:
            return None
        return Value("time", "time", start, end)


def _apply_ampm(hour: int, ampm: str) -> int:
    if hour > 12 and ampm:
        raise ValueError("13 p.m.")
    if ampm.startswith("p") and hour < 12:
        return hour + 12
    if ampm.startswith("a") and hour == 12:
        return 0
    return hour


@lru_cache(maxsize=4096)
def _dateparser_day(text: str, anchor: str | None) -> date | None:
    """dateparser reads one already-found span (never a whole text); cached."""
    import dateparser  # slow import: only when the tables do not cover a form

    settings: dict[str, Any] = {"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}
    if anchor:
        settings["RELATIVE_BASE"] = datetime.fromisoformat(anchor)
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    return parsed.date() if parsed else None


def _dateparser_value(text: str, anchor: date | None) -> Value | None:
    if anchor is None:
        return None
    day = _dateparser_day(" ".join(text.split()), anchor.isoformat())
    return None if day is None else Value("relative", "day", day, day)
