"""What a posting sends, as a two-column table a bookkeeper can read: the field in words,
its value (amounts as money, card numbers redacted)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from app.domain.money import MoneyError, display_money
from app.domain.pan import redact_card_numbers
from app.domain.words import field_words, value_words

MONEY_FIELDS = ("amount", "balance", "total", "fee", "tax")
# Amounts a foreign-currency posting keeps in the payment's own currency beside its Amount
# in the invoice's (app/sync/review/foreign_currency.py).
BASE_MONEY_FIELDS = ("BaseAmount",)


def payload_value(field: str, value: Any, *, currency: str = "", base: str = "USD") -> str:
    """One field's value; an amount in ``currency`` (the posting's "Currency", blank: the
    company's ``base``) carries that currency's sign."""
    if any(word in field.lower() for word in MONEY_FIELDS) and not isinstance(value, bool):
        code = "" if field in BASE_MONEY_FIELDS else currency
        try:
            return display_money(value, currency=code, base=base)
        except MoneyError:
            pass  # not an amount after all: shown as it is
    return redact_card_numbers(value_words(value))


class PayloadTable(QTableWidget):
    def __init__(self) -> None:
        super().__init__(0, 2)
        self.setObjectName("payloadTable")
        self.base_currency = "USD"  # the profile's
        self.setHorizontalHeaderLabels(["Field", "Value"])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)

    def show_payload(self, payload: dict[str, Any]) -> None:
        self.setRowCount(len(payload))
        currency = str(payload.get("Currency") or "")
        for row, (field, value) in enumerate(payload.items()):
            text = payload_value(str(field), value, currency=currency, base=self.base_currency)
            self.setItem(row, 0, QTableWidgetItem(field_words(str(field))))
            self.setItem(row, 1, QTableWidgetItem(text))
