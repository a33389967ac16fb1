"""Open Sage Pro invoices for the invoice picker; the SQL is ``app.queries.open_invoices``."""

from __future__ import annotations

from typing import Any

from app.queries import open_invoices
from app.ui.models.sql_table import SqlTableModel


class OpenInvoicesModel(SqlTableModel):
    columns = open_invoices.COLUMNS
    hidden = open_invoices.HIDDEN

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.text = ""
        self.customer_id = ""
        super().__init__(*args, **kwargs)

    def source(self) -> Any:
        return open_invoices.source()

    def key(self) -> Any:
        return open_invoices.KEY

    def where(self) -> list[Any]:
        return open_invoices.clauses(self.text, self.customer_id)

    def search(self, text: str, customer_id: str = "") -> None:
        self.text, self.customer_id = text, customer_id
        self.refresh()
