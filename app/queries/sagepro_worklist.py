"""The Sage Pro worklist: postings a bridge over a real Sage Pro answered as Staged, which
the bookkeeper still has to enter in Sage Pro's cash receipts (Check/Reference No. = the
token). Qt-free: the page's table model, its export and its printout all read these
columns, this source and these filters, so sorting and searching happen in SQL. Items
waiting longer than the alert setting are overdue (``is_overdue``).

An item leaves the list by itself once a sync finds it Entered (``posting_states``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, FromClause, exists, func, or_, select
from sqlalchemy.orm import Session

from app.queries.sql_query import Column, QuerySpec
from app.store import Store
from app.store.like import like_pattern
from app.store.models import OutboxItem, SageProCustomer, StagedPosting

OUTBOX = OutboxItem.__table__
S = StagedPosting.__table__
C = SageProCustomer.__table__
STAGED = "Staged"


CUSTOMER = S.c.customer_id + " " + func.coalesce(C.c.name, "")

COLUMNS: tuple[Column, ...] = (
    Column("customer", "Customer", CUSTOMER, not_null=True, width=260),
    Column("date", "Date", S.c.document_date, "date", width=95),
    Column(
        "amount",
        "Amount",
        S.c.amount_cents,
        "money",
        not_null=True,
        width=110,
        currency="currency",  # a payment of an invoice in another currency is entered in it
    ),
    Column(
        "invoices",
        "Invoices",
        S.c.invoices,
        not_null=True,
        width=240,
        tooltip="Invoices to apply it to, each with its amount (blank: on account)",
    ),
    Column(
        "token",
        "Reference to type",
        S.c.token,
        not_null=True,
        width=160,
        tooltip="Type this in Sage Pro's Check/Reference No. so Paysage finds the receipt",
    ),
    Column("staged_at", "Staged since", S.c.staged_at, "datetime", not_null=True, width=135),
)
HIDDEN: tuple[Column, ...] = (
    Column("kind", "Kind", OUTBOX.c.kind, not_null=True),
    Column("key", "Paysage key", OUTBOX.c.key, not_null=True),
    # The posting's currency when not the base (app/sync/review/foreign_currency.py), else NULL.
    Column("currency", "Currency", OUTBOX.c.payload["Currency"].as_string()),
)


def source() -> FromClause:
    staged = S.join(OUTBOX, OUTBOX.c.id == S.c.outbox_id)
    return staged.outerjoin(C, C.c.customer_id == S.c.customer_id)


def key() -> ColumnElement[Any]:
    return S.c.outbox_id


def filters(search: str = "") -> list[ColumnElement[bool]]:
    """Still Staged, and matching ``search`` in customer, invoices, token or key."""
    where: list[ColumnElement[bool]] = [OUTBOX.c.posting_state == STAGED]
    text = search.strip()
    if text:
        pattern = like_pattern(text)
        where.append(
            or_(
                *(
                    expr.like(pattern, escape="\\")
                    for expr in (CUSTOMER, S.c.invoices, S.c.token, OUTBOX.c.key)
                )
            )
        )
    return where


def currencies_shown(session: Session, where: Sequence[ColumnElement[bool]]) -> int:
    """How many currencies the rows passing ``where`` are in (blank: the base currency): a
    total over more than one would add, say, dollars to Canadian dollars."""
    code = func.coalesce(OUTBOX.c.payload["Currency"].as_string(), "")
    query = select(func.count(func.distinct(code))).select_from(source()).where(*where)
    return int(session.scalar(query) or 0)


def without_mixed_sum(session: Session, spec: QuerySpec) -> QuerySpec:
    """``spec`` without its sum when its rows are in more than one currency."""
    if spec.sum_expr is None or currencies_shown(session, spec.where) <= 1:
        return spec
    return replace(spec, sum_expr=None)


@dataclass(frozen=True)
class WorklistRow:
    customer: str
    date: date | None
    amount_cents: int
    invoices: str
    token: str
    staged_at: datetime
    kind: str
    key: str
    currency: str = ""  # blank: the base currency


def rows(
    session: Session, *, search: str = "", sort: str = "staged_at", descending: bool = False
) -> list[WorklistRow]:
    """Every open worklist item in the order asked (ties by outbox id), for tests, the
    printout and anything else that wants the whole list."""
    by_key = {c.key: c.expr for c in (*COLUMNS, *HIDDEN)}
    order = by_key[sort].desc() if descending else by_key[sort].asc()
    query = (
        select(*(c.expr for c in (*COLUMNS, *HIDDEN)))
        .select_from(source())
        .where(*filters(search))
        .order_by(order, key())
    )
    return [
        WorklistRow(
            customer=str(r[0]).strip(),
            date=r[1],
            amount_cents=int(r[2]),
            invoices=str(r[3]),
            token=str(r[4]),
            staged_at=r[5],
            kind=str(r[6]),
            key=str(r[7]),
            currency=str(r[8] or ""),
        )
        for r in session.execute(query).all()
    ]


def read_rows(
    store: Store, *, search: str = "", sort: str = "staged_at", descending: bool = False
) -> list[WorklistRow]:
    """``rows`` in a read transaction of its own (the printout's worker calls this)."""
    with store.read() as session:
        return rows(session, search=search, sort=sort, descending=descending)


def has_staged_postings(session: Session) -> bool:
    """Whether Sage Pro ever answered Staged here (then the worklist page is shown)."""
    return bool(session.execute(select(exists().where(S.c.outbox_id.is_not(None)))).scalar())


def is_overdue(row: dict[str, Any], now: datetime, alert_days: int) -> bool:
    """Staged at least ``alert_days`` ago (the page tints it)."""
    staged = row.get("staged_at")
    return isinstance(staged, datetime) and staged <= now - timedelta(days=alert_days)
