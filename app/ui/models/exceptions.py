"""The exceptions queue grid; its SQL is ``app.queries.exceptions``."""

from __future__ import annotations

from typing import Any

from app.queries import exceptions
from app.queries.exceptions import ExceptionFilter
from app.ui.models.sql_table import SqlTableModel


class ExceptionsModel(SqlTableModel):
    columns = exceptions.COLUMNS
    hidden = exceptions.HIDDEN

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.filter = ExceptionFilter()
        super().__init__(*args, **kwargs)

    def source(self) -> Any:
        return exceptions.SOURCE

    def key(self) -> Any:
        return exceptions.KEY

    def where(self) -> list[Any]:
        return self.filter.clauses()

    def set_filter(self, new: ExceptionFilter) -> None:
        self.filter = new
        self.refresh()

    def data(self, index: Any, role: int = 0) -> Any:
        from PySide6.QtCore import Qt

        value = super().data(index, role)
        shown = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
        if role in shown and index.column() == 1 and value:
            return exceptions.category_words(str(value))
        return value
