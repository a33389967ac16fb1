"""The global exception hook: log the error (redacted) and show a dialog whose details can
be copied into a support e-mail. Never shows a secret or a card number."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.log import redact

log = logging.getLogger("paysage.crash")


class CrashDialog(QDialog):
    def __init__(self, summary: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Paysage hit a problem")
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        words = QLabel(
            f"{summary}\n\nYour data is safe: every change is saved in its own transaction. "
            "If this keeps happening, copy the details below into an e-mail to support."
        )
        words.setWordWrap(True)
        layout.addWidget(words)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setObjectName("crashDetails")
        layout.addWidget(self.details, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy details")
        copy.clicked.connect(self.copy)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy(self) -> None:
        QApplication.clipboard().setText(self.details.toPlainText())


_showing = False
last_dialog: CrashDialog | None = None


def handle_exception(
    kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    global _showing, last_dialog
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    details = redact("".join(traceback.format_exception(kind, exc, tb)))
    log.critical("Unhandled error:\n%s", details)
    app = QApplication.instance()
    if app is None or _showing:
        return
    _showing = True
    try:
        summary = redact(f"{kind.__name__}: {exc}")
        # A top-level dialog: the active window may be the very thing that is failing (or
        # already destroyed on the C++ side), so it must not be the dialog's parent.
        last_dialog = CrashDialog(summary, details)
        last_dialog.setModal(True)
        last_dialog.show()
    finally:
        _showing = False


def install_exception_hook() -> None:
    sys.excepthook = handle_exception
