"""The transactions grid's SQL: every PayTrace transaction, filterable by status, type, date
range, amount and text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_

from app.domain.states import MatchStatus, values_of
from app.queries.payment_ranges import payment_range_clauses
from app.queries.reconciliation import search_amount
from app.queries.sql_query import Column, prefix_range
from app.store.grid_sort_keys import card_text
from app.store.like import like_pattern
from app.store.models import PayTraceTransaction

T = PayTraceTransaction.__table__

MATCH_STATUSES = values_of(MatchStatus)  # every state, "reversed" included
TYPES = ("SALE", "AUTHORIZATION", "REFUND", "VOID", "DECLINED")


@dataclass(frozen=True)
class TransactionFilter:
    match_status: str = ""  # "" = any
    transaction_type: str = ""
    date_from: date | None = None
    date_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    text: str = ""
    batch_number: int | None = None

    def clauses(self) -> list[Any]:
        where: list[Any] = []
        if self.match_status:
            where.append(T.c.match_status == self.match_status)
        if self.transaction_type:
            where.append(T.c.transaction_type == self.transaction_type)
        if self.batch_number is not None:
            where.append(T.c.batch_number == self.batch_number)
        where += payment_range_clauses(
            self.date_from, self.date_to, self.amount_min, self.amount_max
        )
        text = self.text.strip()
        if text:
            where.append(_text_clause(text))
        return where


def _text_clause(text: str) -> Any:
    """Ids, invoice numbers and amounts through indexes; words by a scan of the text
    columns (the grid shows its first block of matches before counting the rest)."""
    cents = search_amount(text)
    if cents is not None:
        return T.c.amount_cents == cents
    if text.isdigit():
        return or_(T.c.transaction_id == int(text), prefix_range(T.c.invoice_ref, text))
    pattern = like_pattern(text)
    return or_(
        *[
            f.like(pattern, escape="\\")
            for f in (T.c.billing_name, T.c.invoice_ref, T.c.description, T.c.email)
        ]
    )


COLUMNS = (
    Column("date", "Date", T.c.merchant_date, "date", not_null=True, width=95),
    Column("created", "Time", T.c.created_local, "time", not_null=True, width=60),
    Column("paytrace_id", "PayTrace id", T.c.transaction_id, "int", not_null=True),
    Column("type", "Type", T.c.transaction_type, not_null=True, width=110),
    Column("amount", "Amount", T.c.amount_cents, "money", not_null=True, width=100),
    Column("card", "Card / ACH", card_text(), width=125),
    Column("name", "Billing name", T.c.billing_name, width=190),
    Column("invoice_ref", "Invoice ref", T.c.invoice_ref, width=110),
    Column("batch", "Batch", T.c.batch_number, "int", width=70),
    Column("status", "Match status", T.c.match_status, "status", not_null=True, width=120),
)
SOURCE = T
KEY = T.c.transaction_id
SUM = T.c.amount_cents
