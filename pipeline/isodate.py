"""The one reader of ISO dates: document dates, anchors, meeting dates and table cells all come
as '2023-12-22', '2023-12-22T10:00:00' or a date object, and must give the same calendar day."""

from __future__ import annotations

import datetime as dt
import math


def iso_date(value: object, *, strict: bool = False) -> dt.date | None:
    """The calendar day an ISO value starts with. None for an empty value (None, '', NaN); a value
    that is not a date gives None, or ValueError when ``strict`` (a table cell that must hold one)."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        if strict:
            raise
        return None
