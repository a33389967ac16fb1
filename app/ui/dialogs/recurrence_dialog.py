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
from sqlalchemy import select

from app.domain.display_time import patterns
from app.store import Store
from app.store.models import CustomerProfileRow, SageProCustomer
from app.sync.outbound.recurring import FREQUENCIES
from app.ui.widgets.filters import AmountEdit
from app.ui.widgets.wheel_guard import guard_wheel


@dataclass(frozen=True)
class CardCustomer:
    customer_id: str
    name: str
    card: str  # "Visa 5439", or "" when the vault profile is not cached


@dataclass(frozen=True)
class RecurrenceSpec:
    customer_id: str
    amount: Decimal
    frequency: int
    start_date: date
    total_count: int
    description: str


def customers_with_card(store: Store) -> list[CardCustomer]:
    """Sage Pro customers linked to a PayTrace vault profile (a stored card), by id."""
    with store.read() as session:
        rows = session.execute(
            select(SageProCustomer, CustomerProfileRow)
            .outerjoin(
                CustomerProfileRow,
                CustomerProfileRow.customer_id == SageProCustomer.paytrace_customer_id,
            )
            .where(SageProCustomer.paytrace_customer_id != "")
            .order_by(SageProCustomer.customer_id)
        ).all()
    out = []
    for customer, vault in rows:
        last4 = (vault.card_last4 if vault else "") or customer.card_last4
        brand = vault.card_brand if vault else ""
        card = f"{brand} {last4}".strip() if last4 else ""
        out.append(CardCustomer(customer.customer_id, customer.name, card))
    return out


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
