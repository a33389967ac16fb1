"""Spin boxes and combo boxes ignore the mouse wheel unless they have the keyboard focus:
scrolling a form must never change a value under the pointer (Settings once changed
"Invoice date window" from 60 to 70 that way). One filter, installed on every spin box and
combo box of a page or dialog when it is built (not on the whole application: an
application-wide Python filter sees every event of every object, even while Qt destroys it).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        wheel = event.type() == QEvent.Type.Wheel
        if wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            event.ignore()  # the scroll area around it scrolls instead
            return True
        return False


_guard: WheelGuard | None = None


def guard_wheel(root: QWidget) -> None:
    """Guard every spin box and combo box under ``root`` (``root`` itself included)."""
    global _guard
    if _guard is None:
        _guard = WheelGuard()
    boxes = [*root.findChildren(QAbstractSpinBox), *root.findChildren(QComboBox)]
    if isinstance(root, QAbstractSpinBox | QComboBox):
        boxes.append(root)
    for box in boxes:
        box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel does not focus it either
        box.installEventFilter(_guard)
