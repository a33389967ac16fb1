"""The dashboard's figures, read in one short transaction (Qt-free)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from app.domain.money import from_cents
from app.store import Store
from app.store.models import ExceptionItem, PayTraceTransaction, SyncRun
from app.store.review_queue import waiting_for_review_totals

T = PayTraceTransaction.__table__
COLLECTED_TYPES = ("SALE",)


@dataclass(frozen=True)
class CountSum:
    count: int
    total: Decimal


@dataclass(frozen=True)
class LastSync:
    status: str
    started_at: datetime
    finished_at: datetime | None
    error: str | None
    counts: dict[str, int]


@dataclass(frozen=True)
class DashboardData:
    today: date
    collected_today: CountSum
    collected_month: CountSum
    unposted: CountSum  # approved, waiting to be posted
    waiting_for_review: CountSum  # the grid's "Needs review" rows, by the same query
    dead_letters: int
    changed_after_posting: int
    other_open: int
    last_sync: LastSync | None
    daily: list[tuple[date, Decimal, Decimal]]  # day, collected, posted
    anomalies: int = 0  # open anomaly flags (unusual payments) waiting for a look


def _count_sum(session: Session, *where: ColumnElement[bool]) -> CountSum:
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(T.c.amount_cents), 0)).where(*where)
    ).one()
    return CountSum(int(row[0]), from_cents(int(row[1])))


def _waiting(session: Session) -> CountSum:
    count, cents = waiting_for_review_totals(session)
    return CountSum(count, from_cents(cents))


def load_dashboard(store: Store, today: date, *, days: int = 30) -> DashboardData:
    month_start = today.replace(day=1)
    first_day = today - timedelta(days=days - 1)
    sale = T.c.transaction_type.in_(COLLECTED_TYPES)
    with store.read() as s:
        posted_cents = case((T.c.match_status == "posted", T.c.amount_cents), else_=0)
        daily_rows = s.execute(
            select(T.c.merchant_date, func.sum(T.c.amount_cents), func.sum(posted_cents))
            .where(and_(sale, T.c.merchant_date >= first_day, T.c.merchant_date <= today))
            .group_by(T.c.merchant_date)
        ).all()
        by_day = {d: (int(c or 0), int(p or 0)) for d, c, p in daily_rows}
        open_items = dict(
            s.execute(
                select(ExceptionItem.category, func.count())
                .where(ExceptionItem.status == "open")
                .group_by(ExceptionItem.category)
            ).all()
        )
        run = s.execute(select(SyncRun).order_by(SyncRun.started_at.desc()).limit(1)).scalar()
        last = (
            None
            if run is None
            else LastSync(run.status, run.started_at, run.finished_at, run.error, run.counts or {})
        )
        return DashboardData(
            today=today,
            collected_today=_count_sum(s, sale, T.c.merchant_date == today),
            collected_month=_count_sum(
                s, sale, T.c.merchant_date >= month_start, T.c.merchant_date <= today
            ),
            unposted=_count_sum(s, T.c.match_status == "approved"),
            waiting_for_review=_waiting(s),
            dead_letters=int(open_items.pop("dead_letter", 0)),
            changed_after_posting=int(open_items.pop("changed_after_posting", 0)),
            anomalies=int(open_items.pop("anomaly", 0)),
            other_open=int(sum(open_items.values())),
            last_sync=last,
            daily=[
                (
                    first_day + timedelta(days=i),
                    from_cents(by_day.get(first_day + timedelta(days=i), (0, 0))[0]),
                    from_cents(by_day.get(first_day + timedelta(days=i), (0, 0))[1]),
                )
                for i in range(days)
            ],
        )
