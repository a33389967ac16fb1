"""Scheduled sync: one APScheduler job per profile.

The next run is computed from the last *successful* run stored in the database, so a
restart or a laptop waking from sleep catches up at once instead of waiting a full interval;
runs that were missed while asleep coalesce into one. ``max_instances=1`` and the profile
run lock keep two cycles of one profile from ever overlapping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import select

from app.errors import expected_errors
from app.store import Store
from app.store.models import SyncRun
from app.sync.errors import SyncBusyError

log = logging.getLogger(__name__)


def compute_next_run(
    last_ok: datetime | None,
    now: datetime,
    interval: timedelta,
    business_hours: tuple[int, int] | None = None,
) -> datetime:
    """When the next cycle is due (all times aware). Overdue → now (catch up at once)."""
    due = now if last_ok is None else max(last_ok + interval, now)
    if business_hours is None:
        return due
    start_hour, end_hour = business_hours
    local = due.astimezone()
    if local.hour < start_hour:
        local = local.replace(hour=start_hour, minute=0, second=0, microsecond=0)
    elif local.hour >= end_hour:
        local = (local + timedelta(days=1)).replace(
            hour=start_hour, minute=0, second=0, microsecond=0
        )
    return local.astimezone(due.tzinfo)


class CycleTrigger(BaseTrigger):
    """An APScheduler trigger that asks ``compute_next_run`` every time."""

    def __init__(
        self,
        last_ok: Callable[[], datetime | None],
        interval: timedelta,
        business_hours: tuple[int, int] | None = None,
    ) -> None:
        self.last_ok = last_ok
        self.interval = interval
        self.business_hours = business_hours

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime:
        last = self.last_ok()
        if previous_fire_time is not None and (last is None or last < previous_fire_time):
            # The previous run failed or is still going: retry one interval after it fired.
            last = previous_fire_time
        return compute_next_run(last, now, self.interval, self.business_hours)


@dataclass(frozen=True)
class SchedulerStatus:
    enabled: bool
    running: bool
    last_ok: datetime | None
    last_error: str | None
    next_run: datetime | None


class SyncScheduler:
    def __init__(
        self,
        profile: str,
        run: Callable[[str], Any],
        *,
        store: Store,
        interval_minutes: int,
        business_hours: tuple[int, int] | None = None,
        timezone: tzinfo = UTC,
    ) -> None:
        self.profile = profile
        self._run = run
        self.store = store
        self.interval = timedelta(minutes=max(1, interval_minutes))
        self.business_hours = business_hours
        self._scheduler = BackgroundScheduler(timezone=timezone)
        self._running = threading.Event()
        self._last_error: str | None = None
        self._enabled = True
        self._job_id = f"sync-{profile}"

    def last_ok(self) -> datetime | None:
        with self.store.read() as session:
            finished = session.execute(
                select(SyncRun.finished_at)
                .where(SyncRun.status == "ok")
                .order_by(SyncRun.finished_at.desc())
                .limit(1)
            ).scalar_one_or_none()
        return finished.replace(tzinfo=UTC) if finished else None

    def _cycle(self, trigger: str) -> None:
        self._running.set()
        try:
            self._run(trigger)
            self._last_error = None
        except SyncBusyError as exc:
            log.info("skipped a %s sync: %s", trigger, exc)
        except expected_errors() as exc:
            # Plain-words problems (no password stored, bad credentials...): one line each.
            self._last_error = str(exc)
            log.warning("sync of profile %s failed: %s", self.profile, exc)
        except Exception as exc:
            self._last_error = str(exc)
            log.exception("sync of profile %s failed", self.profile)
        finally:
            self._running.clear()

    def start(self) -> None:
        trigger = CycleTrigger(self.last_ok, self.interval, self.business_hours)
        self._scheduler.add_job(
            self._cycle,
            trigger,
            args=["schedule"],
            id=self._job_id,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        self._scheduler.start()

    def shutdown(self, wait: bool = True) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)

    def set_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        if enabled:
            self._scheduler.resume_job(self._job_id)
        else:
            self._scheduler.pause_job(self._job_id)

    def trigger_now(self) -> bool:
        """Sync now (in the scheduler's thread); False when a cycle is already running."""
        if self._running.is_set():
            return False
        self._scheduler.add_job(
            self._cycle, args=["manual"], max_instances=1, misfire_grace_time=None
        )
        return True

    def status(self) -> SchedulerStatus:
        job = self._scheduler.get_job(self._job_id)
        next_run = job.next_run_time if job is not None and self._enabled else None
        return SchedulerStatus(
            self._enabled, self._running.is_set(), self.last_ok(), self._last_error, next_run
        )
