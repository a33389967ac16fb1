"""Runs sync cycles for the window: Sync now, the schedule, progress and Cancel.

Manual and scheduled runs go through one guarded function, so they never overlap; the
cycle itself is the Qt-free ``app.sync.cycle`` and runs on a worker or the scheduler's
thread — never on the GUI thread. Everything the window shows arrives as signals.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.errors import PaysageError
from app.ui import services
from app.ui.context import UiContext
from app.ui.ops import CancelTokenLike, Op, ProgressCallback, describe_error, run_op
from app.ui.signals import ALL_ENTITIES, announce_changed

log = logging.getLogger(__name__)
# (trigger, progress, cancel) -> a CycleResult-like object (``as_dict()``)
CycleRunner = Callable[[str, ProgressCallback, CancelTokenLike], Any]

SUMMARY_WORDS = (
    ("fetched", "fetched"),
    ("new", "new"),
    ("changed", "changed"),
    ("posted", "posted"),
    ("review", "waiting for review"),
    ("dead_letter", "could not post"),
    ("errors", "errors"),
)


def _busy_error_class() -> type[Exception]:
    """The engine's own SyncBusyError (its scheduler logs it as a skip, not a failure)."""
    try:
        return services.sync_errors().SyncBusyError  # type: ignore[no-any-return]
    except services.ServiceUnavailableError:
        return SyncBusyError


class SyncBusyError(PaysageError):
    pass


def engine_runner(ctx: UiContext) -> CycleRunner:
    """The real cycle: ``app.sync.cycle.build_context`` + ``run_cycle``."""

    def run(trigger: str, progress: ProgressCallback, cancel: CancelTokenLike) -> Any:
        cycle = services.cycle()
        context = cycle.build_context(ctx.profile, ctx.store)
        return cycle.run_cycle(context, trigger=trigger, progress=progress, cancel=cancel)

    return run


def summarise(result: Any) -> str:
    counts: dict[str, int] = result.as_dict() if hasattr(result, "as_dict") else {}
    parts = [f"{counts[k]} {words}" for k, words in SUMMARY_WORDS if counts.get(k)]
    return "Sync finished: " + (", ".join(parts) if parts else "nothing new") + "."


class SyncController(QObject):
    started = Signal(str)  # trigger
    progressed = Signal(str, int, int)
    finished = Signal(bool, str)  # ok, words
    _token_ready = Signal(object)

    def __init__(
        self, ctx: UiContext, runner: CycleRunner | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner or engine_runner(ctx)
        self._lock = threading.Lock()
        self._token: CancelTokenLike | None = None
        self.running = False
        self.scheduler: Any = None
        self.schedule_error = ""
        self._token_ready.connect(self._remember_token)
        signals = ctx.signals
        self.started.connect(signals.sync_started)
        self.progressed.connect(signals.sync_progress)
        self.finished.connect(signals.sync_finished)
        self.finished.connect(self._after)

    # -- the one guarded run ---------------------------------------------------------------

    def _guarded(self, trigger: str, progress: ProgressCallback, token: CancelTokenLike) -> Any:
        if not self._lock.acquire(blocking=False):
            raise _busy_error_class()("A sync is already running; this one was skipped.")
        try:
            self._token_ready.emit(token)
            self.started.emit(trigger)
            try:
                result = self.runner(trigger, lambda *a: self.progressed.emit(*a), token)
            except Exception as exc:
                self.finished.emit(False, describe_error(exc))
                raise
            if token.cancelled:
                self.finished.emit(False, "Sync cancelled; everything fetched so far is kept.")
            else:
                self.finished.emit(True, summarise(result))
            return result
        finally:
            self._lock.release()

    def _remember_token(self, token: CancelTokenLike) -> None:
        self._token = token
        self.running = True

    def _after(self, ok: bool, words: str) -> None:
        self.running = False
        self._token = None
        announce_changed(*ALL_ENTITIES)
        alerts = self.ctx.profile.alerts
        if not ok and alerts.notify_failed_sync and "cancelled" not in words:
            self.ctx.signals.alert.emit("Sync failed", words)
        elif ok and alerts.notify_dead_letters and "could not post" in words:
            self.ctx.signals.alert.emit("Payments could not be posted", words)

    def sync_now(self) -> Op | None:
        if self.running:
            self.ctx.signals.status_message.emit("A sync is already running.")
            return None
        return run_op(
            lambda progress, token: self._guarded("manual", progress, token), label="Sync"
        )

    def cancel(self) -> None:
        if self._token is not None:
            self._token.cancel()

    # -- schedule --------------------------------------------------------------------------

    def start_schedule(self) -> None:
        """Start the APScheduler job when the schedule is on (and the engine is in the build)."""
        if not self.ctx.profile.sync.enabled or self.scheduler is not None:
            return
        try:
            module = services.scheduler()
        except services.ServiceUnavailableError as exc:
            self.schedule_error = str(exc)
            log.warning("Scheduled sync unavailable: %s", exc)
            return
        sync = self.ctx.profile.sync
        hours = (sync.business_start_hour, sync.business_end_hour)
        self.scheduler = module.SyncScheduler(
            self.ctx.profile.name,
            self._scheduled_run,
            store=self.ctx.store,
            interval_minutes=sync.interval_minutes,
            business_hours=hours if sync.business_hours_only else None,
        )
        self.scheduler.start()
        self.ctx.signals.schedule_changed.emit()

    def _scheduled_run(self, trigger: str) -> Any:
        # On the scheduler's thread: the same guard, a fresh token per run.
        from app.ui.ops import new_cancel_token

        return self._guarded(trigger, lambda *_a: None, new_cancel_token())

    def set_schedule_enabled(self, enabled: bool) -> None:
        self.ctx.profile.sync.enabled = enabled
        self.ctx.save_settings()
        if self.scheduler is not None:
            self.scheduler.set_enabled(enabled)
        elif enabled:
            self.start_schedule()
        self.ctx.signals.schedule_changed.emit()

    def next_run(self) -> datetime | None:
        if self.scheduler is None or not self.ctx.profile.sync.enabled:
            return None
        return getattr(self.scheduler.status(), "next_run", None)

    def shutdown(self) -> None:
        self.cancel()
        if self.scheduler is not None:
            self.scheduler.shutdown()
            self.scheduler = None
