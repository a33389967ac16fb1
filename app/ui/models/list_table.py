"""``ListTableModel``: a table over a short list a Qt-free service already returned (the
Collect invoices, recurring schedules). Short lists only — a grid over a table that can
grow to millions of rows is a ``SqlTableModel``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.domain.money import display_money

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ListColumn:
    header: str
    value: Callable[[Any], Any]  # the row object -> what the cell shows
    kind: str = "text"  # text / money (Decimal) / int
    width: int = 110
    tooltip: Callable[[Any], str] | None = None
    currency: Callable[[Any], str] | None = None  # money: the row's currency (None: base)


def cell_text(kind: str, value: Any, *, currency: str = "", base: str = "USD") -> str:
    if value is None:
        return ""
    if kind == "money" and isinstance(value, Decimal):
        return display_money(value, currency=currency, base=base)
    return str(value)


class ListTableModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[ListColumn], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []
        self.loaded = False  # True once the first list has arrived
        self.base_currency = "USD"  # the profile's: amounts in it show its own short sign

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.loaded = True
        self.endResetModel()

    def row(self, number: int) -> Any:
        return self.rows[number] if 0 <= number < len(self.rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in ("money", "int"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        column, item = self.columns[index.column()], self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            code = column.currency(item) if column.currency is not None else ""
            value = column.value(item)
            return cell_text(column.kind, value, currency=code, base=self.base_currency)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(item) or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            right = column.kind in ("money", "int")
            align = Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        return None
