"""Set up recurring billing: a customer's stored card, amount, how often, from
when, how many charges and a description. The page runs ``create_recurrence`` off the GUI
thread with the profile's PayTrace client (``app.connectors.factory``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.domain.display_time import patterns
from app.queries.card_customers import CardCustomer
from app.sync.outbound.recurring import FREQUENCIES
from app.ui.widgets.filters import AmountEdit
from app.ui.widgets.wheel_guard import guard_wheel


@dataclass(frozen=True)
class RecurrenceSpec:
    customer_id: str
    amount: Decimal
    frequency: int
    start_date: date
    total_count: int
    description: str


class RecurrenceDialog(QDialog):
    def __init__(
        self, customers: list[CardCustomer], today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New recurring billing schedule")
        form = QFormLayout(self)
        self.customer = QComboBox()
        for c in customers:
            card = f" · card {c.card}" if c.card else ""
            self.customer.addItem(f"{c.customer_id} {c.name}{card}", c.customer_id)
        form.addRow("Customer", self.customer)
        self.amount_edit = AmountEdit("Amount")
        form.addRow("Amount", self.amount_edit)
        self.frequency = QComboBox()
        for code, words in FREQUENCIES.items():
            self.frequency.addItem(words.capitalize(), code)
        self.frequency.setCurrentIndex(self.frequency.findData(3))  # monthly
        form.addRow("How often", self.frequency)
        self.start = QDateEdit(QDate(today.year, today.month, today.day))
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat(patterns()[0])
        form.addRow("First charge", self.start)
        self.count = QSpinBox()
        self.count.setRange(1, 999)
        self.count.setValue(12)
        form.addRow("Charges", self.count)
        self.description = QLineEdit()
        self.description.setMaxLength(200)
        form.addRow("Description", self.description)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        form.addRow(self.hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.amount_edit.textChanged.connect(lambda _t: self._update())
        self.customer.currentIndexChanged.connect(lambda _i: self._update())
        self._update()
        guard_wheel(self)

    def spec(self) -> RecurrenceSpec | None:
        """What was entered, or None while it is incomplete."""
        amount = self.amount_edit.value()
        customer_id = self.customer.currentData()
        if amount is None or amount <= 0 or not customer_id:
            return None
        start = self.start.date()
        return RecurrenceSpec(
            str(customer_id),
            amount,
            int(self.frequency.currentData()),
            date(start.year(), start.month(), start.day()),
            self.count.value(),
            self.description.text().strip(),
        )

    def _update(self) -> None:
        ok = self.spec() is not None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        if self.customer.count() == 0:
            self.hint.setText("No customer has a stored card (PayTrace customer profile) yet.")
        elif not ok:
            self.hint.setText("Choose a customer and enter an amount above zero.")
        else:
            self.hint.setText(
                "PayTrace is told now and charges the stored card on every date; the charges "
                "arrive with the sync after each date."
            )

    def accept(self) -> None:
        if self.spec() is not None:
            super().accept()
