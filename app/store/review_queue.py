"""What "waiting for review" means, defined once: the dashboard's tile and the
Reconciliation grid's default view (*Needs review*) both read it, so their counts cannot
disagree. A payment waits for review while its proposal is undecided; a decided proposal
(approved, posted, rejected, reversed, superseded) and a transaction with no proposal
(a decline listed on the Transactions page, a row not yet matched) do not wait.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.store.models import PayTraceTransaction, Proposal

WAITING_STATUSES: tuple[str, ...] = ("proposed", "review")

_P = Proposal.__table__
_T = PayTraceTransaction.__table__


def waiting_for_review() -> ColumnElement[bool]:
    """The WHERE clause, over ``proposals``, for a payment that waits for a person."""
    return _P.c.status.in_(WAITING_STATUSES)


def review_rows() -> Any:
    """Proposals with their transaction: the rows the grid shows and the dashboard counts."""
    return _P.join(_T, _T.c.transaction_id == _P.c.transaction_id)


def waiting_for_review_totals(session: Session) -> tuple[int, int]:
    """(payments waiting, their amount in cents), in one query."""
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(_T.c.amount_cents), 0))
        .select_from(review_rows())
        .where(waiting_for_review())
    ).one()
    return int(row[0]), int(row[1])
