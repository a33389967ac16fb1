"""Scheduler decisions on a fake clock, and the APScheduler wiring with a real store."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.store import open_store
from app.store.models import SyncRun
from app.sync.scheduler import CycleTrigger, SyncScheduler, compute_next_run

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FIVE = timedelta(minutes=5)


def test_first_run_is_now():
    assert compute_next_run(None, T0, FIVE) == T0


def test_next_run_is_interval_after_last_success():
    assert compute_next_run(T0, T0 + timedelta(minutes=2), FIVE) == T0 + FIVE


def test_catch_up_after_sleep_runs_once_at_once():
    woke = T0 + timedelta(hours=7)
    assert compute_next_run(T0, woke, FIVE) == woke


def test_business_hours_push_to_next_morning():
    evening = datetime(2026, 11, 25, 20, 30).astimezone()
    due = compute_next_run(None, evening, FIVE, business_hours=(7, 19))
    local = due.astimezone()
    assert (local.day, local.hour, local.minute) == (26, 7, 0)


def test_trigger_retries_one_interval_after_a_failed_run():
    trigger = CycleTrigger(lambda: T0, FIVE)
    fired = T0 + timedelta(minutes=5)
    # The run that fired at `fired` failed: last ok is still T0, so retry after `fired`.
    assert trigger.get_next_fire_time(fired, fired + timedelta(seconds=1)) == fired + FIVE
    # No previous fire (fresh start): based on the stored last success.
    assert trigger.get_next_fire_time(None, T0 + timedelta(minutes=1)) == T0 + FIVE


def test_scheduler_runs_now_when_overdue_and_reports_status(tmp_path: Path):
    store = open_store(tmp_path / "s.db")
    with store.write() as session:
        old = datetime(2020, 1, 1)
        session.add(SyncRun(trigger="cli", started_at=old, finished_at=old, status="ok"))
    ran = threading.Event()
    calls: list[str] = []

    def cycle(trigger: str) -> None:
        calls.append(trigger)
        ran.set()

    scheduler = SyncScheduler("Test", cycle, store=store, interval_minutes=60)
    scheduler.start()
    try:
        assert ran.wait(10), "an overdue profile must sync at start"
        assert calls[0] == "schedule"
        status = scheduler.status()
        assert status.enabled and status.last_ok == datetime(2020, 1, 1, tzinfo=UTC)
        ran.clear()
        assert scheduler.trigger_now()
        assert ran.wait(10) and calls[-1] == "manual"
        scheduler.set_enabled(False)
        assert scheduler.status().next_run is None
    finally:
        scheduler.shutdown()
        store.dispose()


def test_failure_is_reported_not_raised(tmp_path: Path):
    store = open_store(tmp_path / "f.db")
    done = threading.Event()

    def cycle(trigger: str) -> None:
        done.set()
        raise RuntimeError("PayTrace refused the sign-in")

    scheduler = SyncScheduler("Test", cycle, store=store, interval_minutes=5)
    scheduler.start()
    try:
        assert done.wait(10)
        # The error is recorded just after the cycle raises, in the scheduler's thread.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            status = scheduler.status()
            if status.last_error and not status.running:
                break
            threading.Event().wait(0.02)
        assert status.last_error == "PayTrace refused the sign-in"
        assert status.running is False
    finally:
        scheduler.shutdown()
        store.dispose()
