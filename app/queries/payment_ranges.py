"""The date and amount range both payment grids filter by, on the PayTrace transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.domain.money import to_cents
from app.store.models import PayTraceTransaction

T = PayTraceTransaction.__table__


def payment_range_clauses(
    date_from: date | None,
    date_to: date | None,
    amount_min: Decimal | None,
    amount_max: Decimal | None,
) -> list[Any]:
    """WHERE clauses for the bounds that are set (inclusive; the merchant's own date)."""
    where: list[Any] = []
    if date_from is not None:
        where.append(T.c.merchant_date >= date_from)
    if date_to is not None:
        where.append(T.c.merchant_date <= date_to)
    if amount_min is not None:
        where.append(T.c.amount_cents >= to_cents(amount_min))
    if amount_max is not None:
        where.append(T.c.amount_cents <= to_cents(amount_max))
    return where
