"""SQLite's write lock (issue 24): a BEGIN IMMEDIATE that finds the lock busy is tried again
(nothing of the unit has run yet), within a budget; every write is timed — the wait for the
lock and the hold of it — so the concurrency soak can report both."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from app.store import open_store
from app.store.models import SyncCursor
from app.store.write_lock import (
    BUSY_TIMEOUT_MS,
    LONGEST_WRITE_S,
    WriteLockMeter,
    begin_immediate_with_retry,
)


def _hold_lock(db: Path, seconds: float, taken: threading.Event) -> threading.Thread:
    """Another process's writer, as far as SQLite can tell: its own connection."""

    def hold() -> None:
        other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(10)
    return thread


def test_a_busy_begin_is_tried_again_until_the_lock_is_free(tmp_path: Path):
    db = tmp_path / "busy.db"
    open_store(db).dispose()
    taken = threading.Event()
    holder = _hold_lock(db, 0.6, taken)
    waiter = sqlite3.connect(db, isolation_level=None, timeout=0.05)  # busy after 50 ms
    meter = WriteLockMeter()
    try:
        begin_immediate_with_retry(waiter, meter, budget_s=10)
        waiter.execute("COMMIT")
    finally:
        holder.join()
        waiter.close()
    figures = meter.figures()
    assert figures.busy_retries >= 1  # one busy timeout was not enough; the retry was
    assert 0.3 < figures.longest_wait_s < 5


def test_past_its_budget_a_busy_begin_fails_in_sqlalchemy_terms(tmp_path: Path):
    db = tmp_path / "stuck.db"
    open_store(db).dispose()
    taken = threading.Event()
    holder = _hold_lock(db, 1.0, taken)
    waiter = sqlite3.connect(db, isolation_level=None, timeout=0.05)
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            begin_immediate_with_retry(waiter, WriteLockMeter(), budget_s=0.2)
    finally:
        holder.join()
        waiter.close()


def test_a_write_waits_out_a_lock_held_longer_than_one_busy_timeout(tmp_path: Path, monkeypatch):
    """The store's own writes: with a short busy timeout on the connection, a lock held for
    several timeouts is waited out by the retry instead of failing the unit of work."""
    db = tmp_path / "store.db"
    store = open_store(db)
    with store.writer.connect() as connection:
        connection.exec_driver_sql("PRAGMA busy_timeout=50")  # the pool's only connection
        connection.rollback()
    taken = threading.Event()
    holder = _hold_lock(db, 0.5, taken)
    try:
        with store.write() as session:
            session.add(SyncCursor(name="after the wait", updated_at=datetime(2026, 1, 1)))
    finally:
        holder.join()
    figures = store.write_lock_figures()
    store.dispose()
    assert figures.busy_retries >= 1 and figures.longest_wait_s > 0.3


def test_every_write_is_timed_with_the_code_that_held_the_lock(tmp_path: Path):
    store = open_store(tmp_path / "timed.db")
    with store.write() as session:
        session.add(SyncCursor(name="slow", updated_at=datetime(2026, 1, 1)))
        time.sleep(0.2)
    figures = store.write_lock_figures()
    store.dispose()
    assert figures.transactions >= 1
    assert 0.2 <= figures.longest_hold_s < 5
    assert figures.longest_hold_at == "outside app"  # only app code is named


def test_the_busy_timeout_outlasts_the_longest_write_the_code_allows():
    assert BUSY_TIMEOUT_MS >= 2 * LONGEST_WRITE_S * 1000
