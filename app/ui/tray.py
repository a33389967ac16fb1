"""Tray icon: last sync status, Sync now, Open, Quit; notifications for failed syncs,
new dead letters and alerts (as the profile's alert settings allow)."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from app.ui.icon import app_icon
from app.ui.links import open_link
from app.ui.main_window import MainWindow
from app.ui.signals import subscribe

STATUS_LINE_MAX = 70  # characters of a notification shown in the status bar


class Tray(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        ctx = window.ctx
        self.icon = QSystemTrayIcon(app_icon(), self)
        self.icon.setToolTip("Paysage")
        menu = QMenu()
        self.status_action = menu.addAction("Last sync: —")
        self.status_action.setEnabled(False)
        menu.addSeparator()
        menu.addAction("Sync now", window.controller.sync_now)
        menu.addAction("Open Paysage", window.bring_forward)
        menu.addSeparator()
        menu.addAction("Quit", self.quit)
        self.menu = menu
        self.icon.setContextMenu(menu)
        self.icon.activated.connect(self._activated)
        subscribe(self, ctx.signals.sync_started, lambda _t: self._state("running", "Syncing…"))
        subscribe(
            self,
            ctx.signals.sync_finished,
            lambda ok, words: self._state("ok" if ok else "failed", words),
        )
        ctx.signals.alert.connect(self.notify)
        self.notifications: list[tuple[str, str]] = []
        # Where a click on the balloon leads: the newest one's link (one balloon is shown
        # at a time, each replacing the last).
        self.link = ""
        self.icon.messageClicked.connect(lambda: open_link(self.window, self.link))

    def show(self) -> bool:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return False
        self.icon.show()
        self.window.keep_running_in_tray = True
        return True

    def _state(self, state: str, words: str) -> None:
        self.icon.setIcon(app_icon(state))
        self.icon.setToolTip(f"Paysage — {words}")
        self.status_action.setText(words if len(words) < 70 else words[:67] + "…")

    def notify(self, title: str, message: str, link: str = "") -> None:
        self.notifications.append((title, message))
        self.link = link
        if self.icon.isVisible():
            self.icon.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 8000)
        else:  # no system tray here: the status bar is the only place left to say it
            line = f"⚠ {title}. {message}"
            # One short line: a long label would widen the whole window.
            short = line if len(line) <= STATUS_LINE_MAX else line[: STATUS_LINE_MAX - 1] + "…"
            self.window.ctx.signals.status_message.emit(short)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.window.bring_forward()

    def quit(self) -> None:
        self.window.quitting = True
        self.window.controller.shutdown()
        self.icon.hide()
        self.window.close()
        QApplication.quit()
