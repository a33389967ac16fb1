"""The one reader of month/day/year dates, the way PayTrace and the spreadsheets from its
portal write them: ``M/D/YYYY`` with or without leading zeros, optionally followed by a
time ``h:mm[:ss]`` in 12-hour (with AM/PM, any case) or 24-hour form.

Callers differ only in what they tolerate around the date, so that is what they choose:
a two-digit year (20YY), ``-`` or ``.`` between the parts, a time part, or anything at all
after the date (a spreadsheet cell's "3/10/2025 14:02 CST"). Surrounding whitespace is
always fine. Years are taken as written; a caller wanting a plausible range checks it.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from functools import cache


class After(Enum):
    """What may follow the date."""

    NOTHING = "nothing"
    TIME = "time"  # h:mm[:ss] [AM|PM], after a space or a T
    ANYTHING = "anything"  # after a space or a T, not read (a cell's time and zone)


_AFTER = {
    After.NOTHING: "",
    After.TIME: r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?",
    After.ANYTHING: r"(?:[ T].*)?",
}


@cache
def _pattern(after: After, short_year: bool, any_separator: bool) -> re.Pattern[str]:
    sep = r"[/\-.]" if any_separator else "/"
    year = r"(\d{2}|\d{4})" if short_year else r"(\d{4})"
    return re.compile(rf"\s*(\d{{1,2}}){sep}(\d{{1,2}}){sep}{year}{_AFTER[after]}\s*$")


def read_month_day_year(
    text: str,
    *,
    after: After = After.NOTHING,
    short_year: bool = False,
    any_separator: bool = False,
) -> datetime | None:
    """The moment ``text`` names (midnight when it has no time), ``None`` when it is not
    written month/day/year in the shape asked for, ``ValueError`` when it is but names no
    real day or time (2/30/2025, 13:00 PM)."""
    match = _pattern(after, short_year, any_separator).match(text)
    if match is None:
        return None
    month, day, year = (int(part) for part in match.groups()[:3])
    if len(match.group(3)) == 2:
        year += 2000
    hour = minute = second = 0
    if after is After.TIME and match.group(4) is not None:
        hour, minute, second = int(match.group(4)), int(match.group(5)), int(match.group(6) or 0)
        half = match.group(7)
        if half:
            if not 1 <= hour <= 12:
                raise ValueError("hour out of range for AM/PM")
            hour = hour % 12 + (12 if half.upper() == "PM" else 0)
    return datetime(year, month, day, hour, minute, second)
