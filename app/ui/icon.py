"""The application icon, painted (no binary asset needed for the window and tray)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap


def app_icon(state: str = "ok") -> QIcon:
    """A rounded "P"; the dot in the corner shows the last sync (ok / failed / running)."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QColor("#2f5d8c"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
        font = QFont("Segoe UI")
        font.setPixelSize(int(size * 0.7))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "P")
        dot = {"failed": "#d9480f", "running": "#f2b705"}.get(state)
        if dot:
            painter.setBrush(QColor(dot))
            painter.setPen(QColor("white"))
            painter.drawEllipse(QRectF(size * 0.58, size * 0.58, size * 0.4, size * 0.4))
        painter.end()
        icon.addPixmap(pixmap)
    return icon
