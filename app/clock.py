"""The one clock: naive UTC ``datetime``s as the store keeps them, and "today" with the pin
that tests and the demo use to keep their data's ages as of the data's own day.

Code that must be testable takes a ``clock: Callable[[], datetime]`` defaulting to
:func:`utcnow`; nothing else reads the system time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Now in UTC, without tzinfo (the store's columns are naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def today(pinned: date | None = None) -> date:
    """The local date, or the pinned one (demo and tests)."""
    return pinned or date.today()


def utcnow_on(pinned: date | None) -> datetime:
    """UTC now; on a pinned day, that day at the real time of day (ages stay as of the pin)."""
    real = utcnow()
    return real if pinned is None else datetime.combine(pinned, real.time())
