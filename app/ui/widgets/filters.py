"""Small filter inputs shared by the pages: a debounced search box, an optional date,
an amount box that yields Decimal (never float) or None."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate, QRegularExpression, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QDateEdit, QLineEdit, QWidget

from app.domain.display_time import patterns
from app.domain.money import MoneyError, to_money

_NO_DATE = QDate(2000, 1, 1)


class SearchBox(QLineEdit):
    """Emits ``search`` 250 ms after the last keystroke, so a query runs once per pause."""

    search = Signal(str)

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(lambda: self.search.emit(self.text()))
        self.textChanged.connect(lambda _t: self._timer.start())
        self.returnPressed.connect(self.flush)

    def flush(self) -> None:
        self._timer.stop()
        self.search.emit(self.text())


class OptionalDateEdit(QDateEdit):
    """A date picker whose lowest value reads "Any" and means no bound."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat(patterns()[0])
        self.setMinimumDate(_NO_DATE)
        self.setSpecialValueText("Any")
        self.setDate(_NO_DATE)
        self.setFixedWidth(112)

    def value(self) -> date | None:
        picked = self.date()
        return None if picked == _NO_DATE else date(picked.year(), picked.month(), picked.day())

    def set_value(self, value: date | None) -> None:
        self.setDate(_NO_DATE if value is None else QDate(value.year, value.month, value.day))


class AmountEdit(QLineEdit):
    """An amount box. As a filter it applies as the user types: ``settled`` fires 250 ms
    after the last keystroke, like the search box (and at once on Enter or leaving it)."""

    settled = Signal()

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.settled.emit)
        self.textEdited.connect(lambda _t: self._timer.start())
        self.editingFinished.connect(self._flush)
        self.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"^-?[0-9,]*(\.[0-9]{0,2})?$"), self)
        )
        self.setFixedWidth(80)

    def _flush(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.settled.emit()

    def value(self) -> Decimal | None:
        text = self.text().strip()
        if not text:
            return None
        try:
            return to_money(text)
        except MoneyError:
            return None
