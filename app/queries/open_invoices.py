"""The invoice picker's SQL: open Sage Pro invoices (cached copy), searchable."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_

from app.queries.sql_query import Column
from app.store.like import like_pattern
from app.store.models import SageProCustomer, SageProInvoice

I = SageProInvoice.__table__  # noqa: E741 - the table alias used in the SQL
C = SageProCustomer.__table__

COLUMNS = (
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
HIDDEN = (Column("customer_id", "Customer id", I.c.customer_id),)
KEY = I.c.invoice_id


def source() -> Any:
    return I.outerjoin(C, C.c.customer_id == I.c.customer_id)


def clauses(text: str, customer_id: str) -> list[Any]:
    """Open invoices with a balance, of ``customer_id`` when given, matching ``text`` in the
    invoice, PO or order number or the customer's name."""
    where: list[Any] = [I.c.status == "Open", I.c.balance_cents > 0]
    if customer_id:
        where.append(I.c.customer_id == customer_id)
    text = text.strip()
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
