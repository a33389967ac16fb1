"""The reconciliation grid's Qt side: row tints by confidence band and the anomaly flag's
icon and tooltip. Its SQL (columns, filters, plans) is ``app.queries.reconciliation``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle
from sqlalchemy.orm import Session

from app.domain.words import counted
from app.queries import reconciliation as recon
from app.queries.reconciliation import ReconFilter
from app.queries.sql_query import QuerySpec
from app.ui.models.sql_table import SqlTableModel

# Confidence bands: calm tints that keep black text readable.
BAND_COLOURS = {
    "high": QColor("#e6f4ea"),
    "medium": QColor("#fff4d6"),
    "low": QColor("#fde7e4"),
    "done": QColor("#eef1f5"),
}


class ReconciliationModel(SqlTableModel):
    columns = recon.COLUMNS
    hidden = recon.HIDDEN

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.filter = ReconFilter()
        super().__init__(*args, **kwargs)
        _warning_icon()  # loaded once here, not inside a paint

    def source(self) -> Any:
        return recon.source(None if self._sort is None else self._sort.key)

    def adapt_spec(self, session: Session, spec: QuerySpec) -> QuerySpec:
        return recon.adapt_spec(session, spec, self.filter)

    def key(self) -> Any:
        return recon.KEY

    def where(self) -> list[Any]:
        return self.filter.clauses()

    def sum_expr(self) -> Any:
        return recon.SUM

    def count_from(self) -> Any:
        return recon.COUNT_FROM

    def set_filter(self, new: ReconFilter) -> None:
        self.filter = new
        self.refresh()

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A flagged payment: a warning icon on its first cell, its words as every tooltip."""
        if index.isValid() and role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            return _warning_icon() if self.value(index.row(), "anomalies") else None
        if index.isValid() and role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            words = self.value(index.row(), "anomalies")
            if words:
                more = int(self.value(index.row(), "anomaly_count") or 1) - 1
                return f"Unusual: {words}" + (
                    f"\n(and {counted(more, 'more flag')})" if more else ""
                )
        return super().data(index, role)

    def row_background(self, row: dict[str, Any]) -> QColor | None:
        return BAND_COLOURS[recon.row_band(row)]


_icon: QIcon | None = None


def _warning_icon() -> QIcon:
    global _icon
    if _icon is None:
        _icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
    return _icon
