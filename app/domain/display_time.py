"""One date style and one time style for everything a person reads, in local time.

The patterns use Qt's date-format letters (``yyyy-MM-dd``, ``h:mm AP``) because the GUI takes
them from the user's locale (QLocale) at start-up; this module stays Qt-free so the grids'
SQL layer, exports and the CLI share it. Stored times are UTC without a zone; they are shown
in the computer's local time. Merchant dates and PayTrace wall-clock times are shown as they
are (they already are the merchant's local time).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

ISO_DATE, ISO_TIME = "yyyy-MM-dd", "HH:mm"
_TOKENS = re.compile(r"'[^']*'|yyyy|yy|MMMM|MMM|MM|M|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|AP|ap|A|a")
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

_style = {"date": ISO_DATE, "time": ISO_TIME}


def use_patterns(date_pattern: str, time_pattern: str) -> None:
    """Set the styles (from the locale). A two-digit year becomes four: bookkeepers file
    by year; seconds are dropped: nothing shown needs them."""
    date_pattern = date_pattern.strip() or ISO_DATE
    if "yyyy" not in date_pattern:
        date_pattern = date_pattern.replace("yy", "yyyy")
    time_pattern = re.sub(r"[:.]ss?", "", time_pattern.strip() or ISO_TIME)
    _style["date"], _style["time"] = date_pattern, time_pattern


def patterns() -> tuple[str, str]:
    return _style["date"], _style["time"]


def _render(pattern: str, moment: datetime) -> str:
    def token(match: re.Match[str]) -> str:
        t = match.group(0)
        hour12 = moment.hour % 12 or 12
        values = {
            "yyyy": f"{moment.year:04d}",
            "yy": f"{moment.year % 100:02d}",
            "MMMM": _MONTHS[moment.month - 1],
            "MMM": _MONTHS[moment.month - 1][:3],
            "MM": f"{moment.month:02d}",
            "M": str(moment.month),
            "dddd": _DAYS[moment.weekday()],
            "ddd": _DAYS[moment.weekday()][:3],
            "dd": f"{moment.day:02d}",
            "d": str(moment.day),
            "HH": f"{moment.hour:02d}",
            "H": str(moment.hour),
            "hh": f"{hour12:02d}",
            "h": str(hour12),
            "mm": f"{moment.minute:02d}",
            "m": str(moment.minute),
            "ss": f"{moment.second:02d}",
            "s": str(moment.second),
            "AP": "AM" if moment.hour < 12 else "PM",
            "A": "AM" if moment.hour < 12 else "PM",
            "ap": "am" if moment.hour < 12 else "pm",
            "a": "am" if moment.hour < 12 else "pm",
        }
        return t[1:-1] if t.startswith("'") else values[t]

    return _TOKENS.sub(token, pattern)


def to_local(stored_utc: datetime) -> datetime:
    """A stored UTC time (naive or aware) in the computer's local time zone."""
    aware = stored_utc if stored_utc.tzinfo else stored_utc.replace(tzinfo=UTC)
    return aware.astimezone()


def show_date(value: date) -> str:
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    return _render(_style["date"], moment)


def show_time(value: time | datetime) -> str:
    moment = value if isinstance(value, datetime) else datetime.combine(date(2000, 1, 1), value)
    return _render(_style["time"], moment)


def show_local(stored_utc: datetime) -> str:
    """A stored UTC time as the user's local date and time."""
    local = to_local(stored_utc)
    return f"{show_date(local)} {show_time(local)}"


def show_local_time(stored_utc: datetime) -> str:
    return show_time(to_local(stored_utc))
