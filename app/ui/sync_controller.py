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
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from app.domain.words import counted
from app.sync.alerts import Attention, attention_marker, attention_since
from app.sync.cancel import CancelToken
from app.sync.failure_words import failure_advice
from app.ui import links, services
from app.ui.changes import EVERYTHING
from app.ui.context import UiContext
from app.ui.ops import Op, ProgressCallback, describe_error, run_op
from app.ui.services import SyncBusyError, SyncScheduler
from app.ui.signals import announce

log = logging.getLogger(__name__)


class CycleCounts(Protocol):
    """What the window reads from a finished cycle (``services.CycleResult``)."""

    def as_dict(self) -> dict[str, int]: ...


# (trigger, progress, cancel) -> the cycle's counts
CycleRunner = Callable[[str, ProgressCallback, CancelToken], CycleCounts]

SUMMARY_WORDS = (
    ("fetched", "fetched"),
    ("new", "new"),
    ("changed", "changed"),
    ("posted", "posted"),
    ("review", "waiting for review"),
    ("dead_letter", "could not post"),
    ("errors", "errors"),
)


def engine_runner(ctx: UiContext) -> CycleRunner:
    """The real cycle: ``app.sync.cycle.build_context`` + ``run_cycle``."""

    def run(trigger: str, progress: ProgressCallback, cancel: CancelToken) -> services.CycleResult:
        context = services.build_context(ctx.profile, ctx.store)
        return services.run_cycle(context, trigger=trigger, progress=progress, cancel=cancel)

    return run


def counts_words(counts: dict[str, int]) -> str:
    """A run's counts in words ("3 fetched, 1 could not post"); "" when all are zero."""
    return ", ".join(f"{counts[k]} {words}" for k, words in SUMMARY_WORDS if counts.get(k))


def summarise(result: CycleCounts) -> str:
    return "Sync finished: " + (counts_words(result.as_dict()) or "nothing new") + "."


class SyncController(QObject):
    started = Signal(str)  # trigger
    progressed = Signal(str, int, int)
    finished = Signal(bool, str)  # ok, words
    attention = Signal(object)  # Attention: alerts and dead letters this run created
    waiting = Signal(int)  # a scheduled run left this many new payments waiting for review
    _token_ready = Signal(object)

    def __init__(
        self, ctx: UiContext, runner: CycleRunner | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner or engine_runner(ctx)
        self._lock = threading.Lock()
        self._token: CancelToken | None = None
        self.running = False
        self.scheduler: SyncScheduler | None = None
        self.schedule_error = ""
        self._token_ready.connect(self._remember_token)
        signals = ctx.signals
        self.started.connect(signals.sync_started)
        self.progressed.connect(signals.sync_progress)
        # Idle again before anyone hears ``sync_finished``: a Sync now pressed (or asked for by
        # a page) on that signal must start, not be taken for the run that just ended.
        self.finished.connect(self._mark_idle)
        self.finished.connect(signals.sync_finished)
        self.finished.connect(self._after)
        self.attention.connect(self._notify_attention)
        self.waiting.connect(self._notify_waiting)

    # -- the one guarded run ---------------------------------------------------------------

    def _guarded(
        self, trigger: str, progress: ProgressCallback, token: CancelToken
    ) -> CycleCounts | None:
        """The cycle's counts; None when it failed (raised again) or was cancelled."""
        if not self._lock.acquire(blocking=False):
            # The engine's own error: its scheduler logs it as a skip, not a failure.
            raise SyncBusyError("A sync is already running; this one was skipped.")
        result: CycleCounts | None = None
        failure: Exception | None = None
        found: Attention | None = None
        try:
            self._token_ready.emit(token)
            marker = self._attention_marker()
            self.started.emit(trigger)
            try:
                result = self.runner(trigger, lambda *a: self.progressed.emit(*a), token)
            except Exception as exc:  # noqa: BLE001 - raised again below, after ``finished``
                failure = exc
            found = self._attention_since(marker)
        finally:
            self._lock.release()  # before ``finished``, for the same reason as _mark_idle
        if failure is not None:
            advice = failure_advice(failure)
            self.finished.emit(False, advice.words if advice else describe_error(failure))
        elif token.cancelled or result is None:
            self.finished.emit(False, "Sync cancelled; everything fetched so far is kept.")
        else:
            self.finished.emit(True, summarise(result))
            if trigger == "schedule":  # a manual run's summary in the status bar says it
                self.waiting.emit(int(result.as_dict().get("review", 0)))
        # After ``finished``: the alert's words outlive the summary in the status bar.
        self._report_attention(found)
        if failure is not None:
            raise failure
        return result

    def _attention_marker(self) -> int | None:
        try:
            return attention_marker(self.ctx.store)
        except Exception:  # the sync itself must still run; only its notifications are lost
            log.warning("Could not read the exceptions queue before a sync", exc_info=True)
            return None

    def _attention_since(self, marker: int | None) -> Attention | None:
        """On the sync's thread: the alerts and dead letters this run created."""
        if marker is None:
            return None
        try:
            return attention_since(self.ctx.store, marker)
        except Exception:  # as above: logged, and the Exceptions page still shows the items
            log.warning("Could not read the exceptions queue after a sync", exc_info=True)
            return None

    def _report_attention(self, found: Attention | None) -> None:
        if found is not None and found.items:
            self.attention.emit(found)

    def _notify_attention(self, found: Attention) -> None:
        alerts, signals = self.ctx.profile.alerts, self.ctx.signals
        if alerts.notify_failed_sync:
            for item in found.alerts:
                signals.alert.emit(item.title, item.detail, links.exception_item(item.id))
        dead = found.dead_letters
        if alerts.notify_dead_letters and dead:
            if len(dead) == 1:
                signals.alert.emit(
                    "A posting could not be made",
                    f"{dead[0].title}. {dead[0].detail}",
                    links.exception_item(dead[0].id),
                )
            else:
                signals.alert.emit(
                    f"{len(dead)} postings could not be made",
                    "Sage Pro refused them; the Exceptions page says why and lets you retry.",
                    links.OPEN_EXCEPTIONS,
                )

    def _notify_waiting(self, count: int) -> None:
        """The scheduled sync runs unseen: the tray says when payments wait for a person,
        and a click on it opens the grid on them."""
        if count > 0:
            verb = "waits" if count == 1 else "wait"
            self.ctx.signals.alert.emit(
                f"{counted(count, 'new payment')} {verb} for review",
                "Open them in Reconciliation to approve, match or reject.",
                links.REVIEW,
            )

    def _remember_token(self, token: CancelToken) -> None:
        self._token = token
        self.running = True

    def _mark_idle(self, _ok: bool, _words: str) -> None:
        self.running = False
        self._token = None

    def _after(self, ok: bool, words: str) -> None:
        announce(EVERYTHING)  # a cycle may touch every area
        alerts = self.ctx.profile.alerts
        if not ok and alerts.notify_failed_sync and "cancelled" not in words:
            self.ctx.signals.alert.emit("Sync failed", words, links.failure_link(words))
        # New dead letters and alerts are notified from the items themselves (attention).

    def sync_now(self) -> Op[CycleCounts | None] | None:
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
        sync = self.ctx.profile.sync
        hours = (sync.business_start_hour, sync.business_end_hour)
        self.scheduler = SyncScheduler(
            self.ctx.profile.name,
            self._scheduled_run,
            store=self.ctx.store,
            interval_minutes=sync.interval_minutes,
            business_hours=hours if sync.business_hours_only else None,
        )
        self.scheduler.start()
        self.ctx.signals.schedule_changed.emit()

    def _scheduled_run(self, trigger: str) -> CycleCounts | None:
        # On the scheduler's thread: the same guard, a fresh token per run.
        return self._guarded(trigger, lambda *_a: None, CancelToken())

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
        return self.scheduler.status().next_run

    def shutdown(self) -> None:
        self.cancel()
        if self.scheduler is not None:
            self.scheduler.shutdown()
            self.scheduler = None
