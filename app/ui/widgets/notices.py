"""Message boxes that never block the event loop: shown with ``open()``, deleted on close.
(A static ``QMessageBox.warning`` would stall every signal until someone clicks OK.)"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.log import redact

open_notices: list[QMessageBox] = []


def notify(parent: QWidget | None, title: str, text: str, *, warning: bool = False) -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setText(redact(text))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    open_notices.append(box)
    box.finished.connect(lambda _r: open_notices.remove(box) if box in open_notices else None)
    box.open()
    return box
