"""The status bar: profile and environment badge, last and next sync, Sync now, progress
with Cancel while a cycle runs, and the schedule switch."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

from app.config import environment_kind
from app.domain.display_time import show_local, show_time, to_local
from app.queries.last_sync import LastRun, last_sync_run
from app.sync.failure_words import setting_named_in
from app.ui.context import UiContext
from app.ui.links import failure_link
from app.ui.ops import run_call
from app.ui.sync_controller import SyncController


def local_time(utc: datetime) -> str:
    """Today's time alone, another day's date and time (local)."""
    local = to_local(utc)
    today = datetime.now().astimezone().date()
    return show_time(local) if local.date() == today else show_local(utc)


class SyncStatusBar(QStatusBar):
    def __init__(
        self, ctx: UiContext, controller: SyncController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller
        self.setSizeGripEnabled(False)
        env = ctx.profile.environment
        self.badge = QLabel(env.upper())
        self.badge.setObjectName("envBadge")
        kind = environment_kind(env)
        self.badge.setProperty("env", kind)
        self.badge.setToolTip(
            {
                "sandbox": "Sandbox: PayTrace's test system — no real money moves.",
                "production": "Production: real payments.",
            }.get(kind, f"{env}: an environment of its own, with its own store.")
        )
        self.profile = QLabel(f"Profile: {ctx.profile.name}" + ("  (demo)" if ctx.demo else ""))
        self.last = QLabel("Last sync: —")
        self.next = QLabel("Next: —")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel = QPushButton("Cancel")
        self.cancel.hide()
        self.cancel.clicked.connect(controller.cancel)
        self.sync_now = QPushButton("Sync now")
        self.sync_now.setObjectName("primaryButton")
        self.sync_now.clicked.connect(controller.sync_now)
        self.schedule = QCheckBox("Schedule")
        self.schedule.setObjectName("scheduleSwitch")
        self.schedule.setChecked(ctx.profile.sync.enabled)
        self.schedule.toggled.connect(controller.set_schedule_enabled)
        self.addWidget(self.badge)
        self.addWidget(self.profile)
        self.addWidget(self.last)
        self.addWidget(self.next)
        self.message = QLabel("")
        self.message.setObjectName("statusMessage")
        self.addWidget(self.message, 1)
        # A failure a setting fixes: one click to that setting.
        self.fix = QPushButton("Open Settings")
        self.fix.setObjectName("linkButton")
        self.fix.hide()
        self.fix_link = "settings"  # the field that fixes the failure shown (see ``say``)
        self.fix.clicked.connect(lambda: ctx.signals.open_link.emit(self.fix_link))
        self.addWidget(self.fix)
        for widget in (self.progress, self.cancel, self.schedule, self.sync_now):
            self.addPermanentWidget(widget)
        signals = ctx.signals
        signals.sync_started.connect(self._started)
        signals.sync_progress.connect(self._progress)
        signals.sync_finished.connect(self._finished)
        signals.schedule_changed.connect(self.show_next)
        signals.status_message.connect(self.say)
        self._timer = QTimer(self, interval=30_000)
        self._timer.timeout.connect(self.show_next)
        self._timer.start()
        self.refresh_last()
        self.show_next()

    def say(self, words: str) -> None:
        self.message.setText(words)
        self.message.setToolTip(words)
        self.fix.setVisible(bool(setting_named_in(words)))
        self.fix_link = failure_link(words)

    def refresh_last(self) -> None:
        run_call(
            last_sync_run,
            self.ctx.store,
            label="Reading last sync",
            on_done=self._show_last,
            on_error=self.say,
            owner=self,
        )

    def _show_last(self, run: LastRun | None) -> None:
        if run is None:
            self.last.setText("Last sync: never")
            return
        mark = {"ok": "✔", "failed": "✖", "cancelled": "■"}.get(run.status, "…")
        self.last.setText(f"Last sync: {mark} {local_time(run.at)}")
        self.last.setToolTip(run.error or run.status)

    def show_next(self) -> None:
        self.schedule.blockSignals(True)
        self.schedule.setChecked(self.ctx.profile.sync.enabled)
        self.schedule.blockSignals(False)
        if not self.ctx.profile.sync.enabled:
            self.next.setText("Schedule off")
            return
        when = self.controller.next_run()
        if when is not None:
            self.next.setText(f"Next: {show_time(when.astimezone())}")
        else:
            self.next.setText(f"Every {self.ctx.profile.sync.interval_minutes} min")
        self.next.setToolTip(self.controller.schedule_error)

    def _started(self, trigger: str) -> None:
        self.sync_now.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setFormat("Starting…")
        self.progress.show()
        self.cancel.show()
        self.say("Scheduled sync running…" if trigger == "schedule" else "Syncing…")

    def _progress(self, stage: str, done: int, total: int) -> None:
        # The stage goes in the message line (it has room, and a tooltip when cut); the
        # narrow bar shows only how far along it is.
        self.say(f"{stage}…")
        self.progress.setToolTip(stage)
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat("%v of %m")
        else:
            self.progress.setRange(0, 0)
            self.progress.setFormat("")

    def _finished(self, ok: bool, words: str) -> None:
        self.sync_now.setEnabled(True)
        self.progress.hide()
        self.cancel.hide()
        self.say(words)
        self.refresh_last()
        self.show_next()
