"""Calendar arithmetic for date normalization (no language knowledge here)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


def month_end(year: int, month: int) -> date:
    """Last day of a month (handles leap years)."""
    return date(year, month, calendar.monthrange(year, month)[1])


def day_of_month(year: int, month: int, day: int) -> date:
    """Day in a month where -1 means its last day and overlong days are clipped."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day == -1 or day > last else day)


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), month_end(year, month)


def iso_week_bounds(day: date) -> tuple[date, date]:
    """Monday-Sunday week containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def shift(day: date, unit: str, amount: int) -> date:
    """Move a day by whole days/weeks/months/years (month ends are clipped)."""
    if unit == "day":
        return day + timedelta(days=amount)
    if unit == "week":
        return day + timedelta(weeks=amount)
    if unit == "month":
        return day + relativedelta(months=amount)
    return day + relativedelta(years=amount)


def unit_bounds(day: date, unit: str) -> tuple[date, date]:
    """The calendar week/month/year containing ``day``."""
    if unit == "week":
        return iso_week_bounds(day)
    if unit == "month":
        return month_bounds(day.year, day.month)
    if unit == "day":
        return day, day
    return year_bounds(day.year)


def nearest_weekday(anchor: date, weekday: int, direction: int) -> date:
    """Weekday before (-1), after (+1) or within the anchor's ISO week (0)."""
    if direction < 0:
        delta = (anchor.weekday() - weekday) % 7 or 7
        return anchor - timedelta(days=delta)
    if direction > 0:
        delta = (weekday - anchor.weekday()) % 7 or 7
        return anchor + timedelta(days=delta)
    return iso_week_bounds(anchor)[0] + timedelta(days=weekday)
