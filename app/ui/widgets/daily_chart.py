"""A bar chart of collected vs posted per day, painted with QPainter (no QtCharts)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

COLLECTED = QColor("#3b6fb6")
POSTED = QColor("#5aa469")
AXIS = QColor("#8a94a3")
TEXT = QColor("#3c4450")


def nice_ceiling(value: Decimal) -> Decimal:
    """The next 1/2/5 × 10^n at or above ``value`` so the axis reads in round numbers."""
    if value <= 0:
        return Decimal(100)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


class DailyChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._days: list[tuple[date, Decimal, Decimal]] = []

    def set_series(self, days: list[tuple[date, Decimal, Decimal]]) -> None:
        """(day, collected, posted) per day, oldest first."""
        self._days = days
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() - 1))
        painter.setFont(font)
        area = QRectF(self.rect()).adjusted(64, 30, -16, -30)
        painter.setPen(TEXT)
        self._legend(painter)
        if not self._days:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No payments in this period yet")
            return
        top = nice_ceiling(max(max(c, p) for _d, c, p in self._days))
        painter.setPen(QPen(QColor("#e3e7ed"), 1))
        for i in range(5):
            y = area.bottom() - area.height() * i / 4
            painter.drawLine(int(area.left()), int(y), int(area.right()), int(y))
            painter.setPen(AXIS)
            label = f"${top * i / 4:,.0f}"
            painter.drawText(QRectF(0, y - 8, 58, 16), Qt.AlignmentFlag.AlignRight, label)
            painter.setPen(QPen(QColor("#e3e7ed"), 1))
        slot = area.width() / len(self._days)
        bar = max(2.0, slot * 0.36)
        label_every = max(1, int(46 // slot) + 1)
        last = len(self._days) - 1
        labelled = {i for i in range(0, last + 1, label_every) if last - i >= label_every}
        labelled.add(last)  # today always has its label; the one crowding it gives way
        for i, (day, collected, posted) in enumerate(self._days):
            x = area.left() + slot * i + (slot - 2 * bar) / 2
            for offset, amount, colour in ((0.0, collected, COLLECTED), (bar, posted, POSTED)):
                height = float(amount / top) * area.height()
                painter.fillRect(QRectF(x + offset, area.bottom() - height, bar, height), colour)
            if i in labelled:
                painter.setPen(AXIS)
                text_rect = QRectF(area.left() + slot * i - 20, area.bottom() + 6, slot + 40, 16)
                painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter, day.strftime("%b %d"))

    def _legend(self, painter: QPainter) -> None:
        x = self.width() - 230
        for colour, words in ((COLLECTED, "Collected"), (POSTED, "Posted to Sage Pro")):
            painter.fillRect(QRectF(x, 10, 12, 12), colour)
            painter.setPen(TEXT)
            painter.drawText(QRectF(x + 18, 6, 150, 20), Qt.AlignmentFlag.AlignVCenter, words)
            x += 92
