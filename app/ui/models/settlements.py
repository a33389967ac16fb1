"""Settlement batches; a batch whose transactions do not add up is tinted. The SQL is
``app.queries.settlements``."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor

from app.queries import settlements
from app.ui.models.sql_table import SqlTableModel

MISMATCH = QColor("#fde7e4")


class SettlementsModel(SqlTableModel):
    columns = settlements.COLUMNS

    def source(self) -> Any:
        return settlements.SOURCE

    def key(self) -> Any:
        return settlements.KEY

    def sum_expr(self) -> Any:
        return settlements.SUM

    def row_background(self, row: dict[str, Any]) -> QColor | None:
        return None if settlements.adds_up(row) else MISMATCH

    def data(self, index: Any, role: int = 0) -> Any:
        from PySide6.QtCore import Qt

        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            row = self.row_dict(index.row())
            if row is not None and not settlements.adds_up(row):
                return (
                    "The transactions held for this batch do not add up to PayTrace's totals "
                    "(missing or changed transactions). Sync again or check the batch."
                )
        return super().data(index, role)
