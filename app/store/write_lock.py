"""SQLite's one write lock: how writers take it, how long they may wait, and what was measured.

Every write transaction starts with ``BEGIN IMMEDIATE`` (``database.py``), so in WAL mode the
only place a writer can meet ``SQLITE_BUSY`` is that BEGIN — before the unit of work has run
a single statement. That makes the whole unit safe to repeat: when the busy timeout runs out
we simply try the BEGIN again, up to ``WRITE_LOCK_BUDGET_S`` in all, instead of failing a
bookkeeper's approval with "database is locked".

The figures behind the numbers (docs/storage.md):
- the longest write transaction the code allows is bounded by ``LONGEST_WRITE_S``: writes are
  chunked (one PayTrace day, one proposal chunk, one outbox row, one audit event) and hold no
  network call;
- a waiter may meet a run of back-to-back transactions from another process (SQLite's busy
  handler is not a queue), so one busy timeout covers several of the longest transactions,
  and the retries cover a run of them on a loaded machine.

``WriteLockMeter`` records, per engine, the longest time a writer waited for the lock and the
longest time a write transaction held it; the concurrency soak prints both.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

# The longest write transaction the code is built to allow (seconds, on a contended machine).
LONGEST_WRITE_S = 2.0
# One busy timeout outlasts a few of the longest transactions queued ahead of us.
BUSY_TIMEOUT_MS = int(LONGEST_WRITE_S * 5 * 1000)
# After that many BEGIN attempts' worth of waiting, the store really is stuck: say so.
WRITE_LOCK_BUDGET_S = 60.0
# Holds longer than this are remembered per place in the code (for the soak's report).
NOTABLE_HOLD_S = 0.1


def is_lock_busy(exc: BaseException) -> bool:
    """SQLITE_BUSY as pysqlite words it ("database is locked") or as SQLite itself does."""
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text


@dataclass(frozen=True)
class WriteLockFigures:
    transactions: int
    busy_retries: int
    longest_wait_s: float
    longest_hold_s: float
    longest_hold_at: str  # the code that held it (file:line of the caller)
    long_holds: tuple[tuple[str, float], ...] = ()  # longest hold per place, over NOTABLE_HOLD_S

    def summary(self) -> str:
        return (
            f"write transactions={self.transactions} busy retries={self.busy_retries} "
            f"longest lock wait={self.longest_wait_s * 1000:.0f} ms "
            f"longest write held={self.longest_hold_s * 1000:.0f} ms ({self.longest_hold_at})"
        )


class WriteLockMeter:
    """Times each write transaction of one engine: the wait for the lock, the hold."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self.transactions = 0
        self.busy_retries = 0
        self.longest_wait_s = 0.0
        self.longest_hold_s = 0.0
        self.longest_hold_at = ""
        self._long_holds: dict[str, float] = {}

    def waited(self, seconds: float, retries: int) -> None:
        with self._guard:
            self.transactions += 1
            self.busy_retries += retries
            self.longest_wait_s = max(self.longest_wait_s, seconds)

    def held(self, seconds: float) -> None:
        if seconds <= NOTABLE_HOLD_S and seconds <= self.longest_hold_s:
            return  # the common case stays cheap: no stack walk
        where = _caller()
        with self._guard:
            if seconds > self.longest_hold_s:
                self.longest_hold_s, self.longest_hold_at = seconds, where
            if seconds > NOTABLE_HOLD_S:
                self._long_holds[where] = max(seconds, self._long_holds.get(where, 0.0))

    def figures(self) -> WriteLockFigures:
        with self._guard:
            return WriteLockFigures(
                self.transactions,
                self.busy_retries,
                self.longest_wait_s,
                self.longest_hold_s,
                self.longest_hold_at,
                tuple(sorted(self._long_holds.items(), key=lambda item: -item[1])),
            )


def _caller() -> str:
    """The innermost app frame outside the store and SQLAlchemy: who held the lock."""
    for frame in reversed(traceback.extract_stack()):
        name = frame.filename.replace("\\", "/")
        if "/app/" in name and "/app/store/" not in name and "/sqlalchemy/" not in name:
            return f"{name.rsplit('/app/', 1)[1]}:{frame.lineno} {frame.name}"
    return "outside app"


_STARTED = "paysage_write_started"


def begin_immediate_with_retry(
    dbapi_connection: Any, meter: WriteLockMeter, budget_s: float = WRITE_LOCK_BUDGET_S
) -> float:
    """``BEGIN IMMEDIATE``, again while SQLite answers busy and the budget lasts. Each attempt
    already waits the connection's busy timeout. Returns when the lock was taken."""
    started = time.monotonic()
    retries = 0
    while True:
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
            break
        except Exception as exc:  # sqlite3.OperationalError; the driver is not imported here
            if not is_lock_busy(exc) or time.monotonic() - started >= budget_s:
                raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc
            retries += 1
    taken = time.monotonic()
    meter.waited(taken - started, retries)
    return taken


def instrument_sqlite_writer(engine: Engine, meter: WriteLockMeter) -> None:
    """BEGIN IMMEDIATE with retry on ``engine``'s writes, timed by ``meter``."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        connection.info[_STARTED] = begin_immediate_with_retry(dbapi_connection, meter)

    def _on_end(connection: Any) -> None:
        started = connection.info.pop(_STARTED, None)
        if started is not None:
            meter.held(time.monotonic() - started)

    event.listen(engine, "commit", _on_end)
    event.listen(engine, "rollback", _on_end)
