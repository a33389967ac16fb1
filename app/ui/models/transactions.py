"""The transactions grid; its SQL is ``app.queries.transactions``."""

from __future__ import annotations

from typing import Any

from app.queries import transactions
from app.queries.transactions import TransactionFilter
from app.ui.models.sql_table import SqlTableModel


class TransactionsModel(SqlTableModel):
    columns = transactions.COLUMNS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.filter = TransactionFilter()
        super().__init__(*args, **kwargs)

    def source(self) -> Any:
        return transactions.SOURCE

    def key(self) -> Any:
        return transactions.KEY

    def where(self) -> list[Any]:
        return self.filter.clauses()

    def sum_expr(self) -> Any:
        return transactions.SUM

    def set_filter(self, new: TransactionFilter) -> None:
        self.filter = new
        self.refresh()
