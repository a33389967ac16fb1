"""Which settlement batches do not add up: their stored transactions' net or count differs
from the totals PayTrace reported for the batch (one grouped query). Qt-free."""

from __future__ import annotations

from sqlalchemy import case, func, select

from app.store import Store
from app.store.models import PayTraceTransaction, SettlementBatchRow

T = PayTraceTransaction.__table__
B = SettlementBatchRow.__table__


def batches_not_adding_up(store: Store) -> list[int]:
    signed = case((T.c.transaction_type == "REFUND", -T.c.amount_cents), else_=T.c.amount_cents)
    members = (
        select(
            T.c.batch_number.label("number"),
            func.sum(signed).label("net"),
            func.count().label("n"),
        )
        .where(T.c.batch_number.is_not(None))
        .group_by(T.c.batch_number)
        .subquery()
    )
    stmt = (
        select(B.c.number)
        .select_from(B.outerjoin(members, members.c.number == B.c.number))
        .where(
            (func.coalesce(members.c.net, 0) != B.c.net_cents)
            | (func.coalesce(members.c.n, 0) != B.c.transaction_count)
        )
        .order_by(B.c.number)
    )
    with store.read() as s:
        return [int(n) for n in s.scalars(stmt)]
