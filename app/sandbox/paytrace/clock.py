"""The stand-in's clock and merchant time zone, both settable so tests never sleep."""

from __future__ import annotations

import time
from datetime import datetime, tzinfo


class StandInClock:
    """Wall-clock seconds plus an offset tests move forward (``advance``)."""

    def __init__(self, start: float | None = None) -> None:
        self._base = time.time() if start is None else start
        self._started = time.monotonic()
        self._offset = 0.0
        self.frozen = start is not None  # an explicit start means "time stands still"

    def now(self) -> float:
        elapsed = 0.0 if self.frozen else time.monotonic() - self._started
        return self._base + elapsed + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds


def merchant_now(clock: StandInClock, zone: tzinfo | None) -> datetime:
    """Merchant-local wall-clock time, naive (PayTrace reports no zone)."""
    if zone is None:
        return datetime.fromtimestamp(clock.now())  # the machine's local zone
    return datetime.fromtimestamp(clock.now(), zone).replace(tzinfo=None)
