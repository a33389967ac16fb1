"""What a posting sends, as a two-column table a bookkeeper can read: the field in words,
its value (amounts as money, card numbers redacted)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from app.domain.money import MoneyError, display_money
from app.domain.pan import redact_card_numbers
from app.domain.words import field_words, value_words

MONEY_FIELDS = ("amount", "balance", "total", "fee", "tax")


def payload_value(field: str, value: Any) -> str:
    if any(word in field.lower() for word in MONEY_FIELDS) and not isinstance(value, bool):
        try:
            return display_money(value)
        except MoneyError:
            pass  # not an amount after all: shown as it is
    return redact_card_numbers(value_words(value))


class PayloadTable(QTableWidget):
    def __init__(self) -> None:
        super().__init__(0, 2)
        self.setObjectName("payloadTable")
        self.setHorizontalHeaderLabels(["Field", "Value"])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)

    def show_payload(self, payload: dict[str, Any]) -> None:
        self.setRowCount(len(payload))
        for row, (field, value) in enumerate(payload.items()):
            self.setItem(row, 0, QTableWidgetItem(field_words(str(field))))
            self.setItem(row, 1, QTableWidgetItem(payload_value(str(field), value)))
