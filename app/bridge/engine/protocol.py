"""The few table operations the bridge's writers need, as one protocol.

``VfpOleDbEngine`` sends them to the Visual FoxPro engine (VFPOLEDB), which keeps the CDX
indexes and FoxPro's locks right; ``FixtureEngine`` (tests only) writes fixture tables and
rebuilds their CDX. Tables are named by base name (``GLBTCH``); the engine knows the files.
Rows come back as the reader's ``Row`` (live rows only, as ``SET DELETED ON`` shows them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from app.bridge.dbf_table import Row
from app.errors import PaysageError

T = TypeVar("T")


class EngineError(PaysageError):
    """The engine could not do what was asked; the message says why in plain words."""


class RecordInUseError(EngineError):
    """Another program holds the record or table lock ("Record is in use by another")."""


class EngineUnavailableError(EngineError):
    """No engine can run here (e.g. VFPOLEDB needs 32-bit Python on Windows)."""


class Engine(Protocol):
    def open_shared(self, table: str) -> None:
        """Open ``table`` shared (never exclusive: Sage Pro users keep working)."""

    def seek(self, table: str, tag: str, key: str) -> list[Row]:
        """Live rows whose tag value equals ``key``, trimmed and ignoring case. Tags used
        here are single-field tags, so ``tag`` is also the field's name."""

    def append(self, table: str, values: Mapping[str, Any]) -> None:
        """Append one row; fields not given stay blank."""

    def replace(self, table: str, where: Mapping[str, Any], values: Mapping[str, Any]) -> int:
        """Set ``values`` on the live rows matching every ``where`` field (a compare-and-set
        when ``where`` holds the old value). Returns how many rows changed."""

    def delete(self, table: str, where: Mapping[str, Any]) -> int:
        """Mark the live rows matching every ``where`` field deleted; returns how many."""

    def lock_record(self, table: str, where: Mapping[str, Any]) -> None:
        """Lock the rows matching ``where`` (RLOCK); raises ``RecordInUseError`` when held."""

    def lock_file(self, table: str) -> None:
        """Lock the whole table (FLOCK); raises ``RecordInUseError`` when held."""

    def unlock(self, table: str) -> None:
        """Release this engine's locks on ``table``."""

    def close(self) -> None:
        """Close every table this engine opened."""


def with_lock_retries(
    action: Callable[[], T],
    attempts: int = 10,
    pause_s: float = 0.05,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``action``, waiting and trying again while a record or table is in use (as
    FoxPro's ``SET REPROCESS TO n`` does); the last ``RecordInUseError`` is raised as is."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except RecordInUseError:
            if attempt == attempts:
                raise
            sleep(pause_s * attempt)
    raise AssertionError("unreachable")  # attempts >= 1
