"""The settlement batches grid's SQL: each batch with its totals, and whether its
transactions add up to them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select

from app.queries.sql_query import Column
from app.store.models import PayTraceTransaction, SettlementBatchRow

B = SettlementBatchRow.__table__
T = PayTraceTransaction.__table__


def _members_net() -> Any:
    """Net of the batch's stored transactions: sales minus refunds (ix_transactions_batch)."""
    signed = case((T.c.transaction_type == "REFUND", -T.c.amount_cents), else_=T.c.amount_cents)
    return (
        select(func.coalesce(func.sum(signed), 0))
        .where(T.c.batch_number == B.c.number)
        .scalar_subquery()
    )


def _members_count() -> Any:
    return select(func.count()).where(T.c.batch_number == B.c.number).scalar_subquery()


COLUMNS = (
    Column("number", "Batch", B.c.number, "int", not_null=True, width=80),
    Column("created", "Settled", B.c.created_local, "datetime", width=130),
    Column("count", "Count", B.c.transaction_count, "int", not_null=True, width=70),
    Column("gross", "Gross sales", B.c.sales_cents, "money", not_null=True, width=110),
    Column("refunds", "Refunds", B.c.refund_cents, "money", not_null=True, width=100),
    Column("net", "Net", B.c.net_cents, "money", not_null=True, width=110),
    Column(
        "members_net",
        "Adds up to",
        _members_net(),
        "money",
        width=110,
        tooltip="Net of the batch's transactions held in Paysage",
    ),
    Column(
        "members",
        "Held",
        _members_count(),
        "int",
        width=60,
        tooltip="How many of the batch's transactions Paysage holds",
    ),
    Column("status", "Status", B.c.status, "status", not_null=True, width=90),
)
SOURCE = B
KEY = B.c.number
SUM = B.c.net_cents


def adds_up(row: dict[str, Any]) -> bool:
    """The batch's held transactions match PayTrace's count and net for it."""
    return bool(row["members_net"] == row["net"] and row["members"] == row["count"])
