"""One callback for any edit anywhere in a form: typing, ticking, choosing, spinning."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QWidget


def watch_edits(form: QWidget, edited: Callable[[], None]) -> None:
    for line in form.findChildren(QLineEdit):
        line.textChanged.connect(lambda _t: edited())
    for combo in form.findChildren(QComboBox):
        combo.currentIndexChanged.connect(lambda _i: edited())
    for spin in form.findChildren(QAbstractSpinBox):
        spin.editingFinished.connect(edited)
        if hasattr(spin, "valueChanged"):
            spin.valueChanged.connect(lambda _v: edited())
    for button in form.findChildren(QAbstractButton):
        if button.isCheckable():
            button.toggled.connect(lambda _on: edited())
