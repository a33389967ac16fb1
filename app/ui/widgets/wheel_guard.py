"""Spin boxes and combo boxes ignore the mouse wheel unless they have the keyboard focus:
scrolling a form must never change a value under the pointer (Settings once changed
"Invoice date window" from 60 to 70 that way). One filter, installed on the application."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if isinstance(watched, QAbstractSpinBox | QComboBox):
            if kind == QEvent.Type.Polish:
                # Wheel over it does not give it the focus either: click or Tab does.
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            elif kind == QEvent.Type.Wheel and not watched.hasFocus():
                event.ignore()  # the scroll area around it scrolls instead
                return True
        return False


def install_wheel_guard(app: QApplication) -> None:
    if getattr(app, "_paysage_wheel_guard", None) is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
        app._paysage_wheel_guard = guard  # type: ignore[attr-defined]


__all__ = ["WheelGuard", "install_wheel_guard"]
