"""The latest sync run, for the status bar and tray (Qt-free)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.store import Store
from app.store.models import SyncRun


@dataclass(frozen=True)
class LastRun:
    status: str  # ok / failed / cancelled / running
    at: datetime  # UTC
    error: str | None


def last_sync_run(store: Store) -> LastRun | None:
    with store.read() as s:
        run = s.scalar(select(SyncRun).order_by(SyncRun.started_at.desc()).limit(1))
        return (
            None
            if run is None
            else LastRun(run.status, run.finished_at or run.started_at, run.error)
        )
