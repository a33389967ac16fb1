"""Driving a dialog that a page opens with ``exec()``: the test cannot click it from the
line that opened it, so the clicks run from the event loop once the dialog is showing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

DialogT = TypeVar("DialogT", bound=QDialog)


def when_modal(kind: type[DialogT], drive: Callable[[DialogT], None]) -> list[bool]:
    """Run ``drive`` on the ``kind`` dialog once its ``exec()`` is showing it; the list
    returned gets an entry when ``drive`` has run."""
    ran: list[bool] = []

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            QTimer.singleShot(20, run)  # not open yet
            return
        try:
            drive(dialog)
        except BaseException:
            dialog.reject()  # never leave exec() waiting for a click that will not come
            raise
        finally:
            ran.append(True)

    QTimer.singleShot(0, run)
    return ran
