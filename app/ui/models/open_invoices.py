"""Open Sage Pro invoices (cached copy), searchable, for the invoice picker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_

from app.store.models import SageProCustomer, SageProInvoice
from app.ui.models.reconciliation import like_pattern
from app.ui.models.sql_query import Column
from app.ui.models.sql_table import SqlTableModel

I = SageProInvoice.__table__  # noqa: E741 - the table alias used in the SQL
C = SageProCustomer.__table__


class OpenInvoicesModel(SqlTableModel):
    columns = (
        Column("invoice_id", "Invoice", I.c.invoice_id, not_null=True, width=80),
        Column("customer", "Customer", C.c.name, width=160),
        Column("date", "Date", I.c.invoice_date, "date", not_null=True, width=100),
        Column(
            "balance",
            "Open balance",
            I.c.balance_cents,
            "money",
            not_null=True,
            width=110,
            currency="currency",  # the invoice's own: "CA$1,234.50"
        ),
        Column("currency", "Currency", I.c.currency, width=60),  # blank = the base currency
        Column("po", "PO", I.c.po_number, width=80),
        Column("order", "Order", I.c.order_number, width=80),
    )
    hidden = (Column("customer_id", "Customer id", I.c.customer_id),)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.text = ""
        self.customer_id = ""
        super().__init__(*args, **kwargs)

    def source(self) -> Any:
        return I.outerjoin(C, C.c.customer_id == I.c.customer_id)

    def key(self) -> Any:
        return I.c.invoice_id

    def where(self) -> list[Any]:
        where: list[Any] = [I.c.status == "Open", I.c.balance_cents > 0]
        if self.customer_id:
            where.append(I.c.customer_id == self.customer_id)
        text = self.text.strip()
        if text:
            pattern = like_pattern(text)
            where.append(
                or_(
                    *(
                        f.like(pattern, escape="\\")
                        for f in (I.c.invoice_id, I.c.po_number, I.c.order_number, C.c.name)
                    )
                )
            )
        return where

    def search(self, text: str, customer_id: str = "") -> None:
        self.text, self.customer_id = text, customer_id
        self.refresh()
