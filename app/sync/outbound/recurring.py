"""Recurring billing: set up and stop PayTrace recurrences for a customer's stored card, and
the schedule view's data (``upcoming_charges``).

No money moves when a recurrence is created, but a duplicate would charge the card twice on
every date, so creation is recorded first (``creating``, unique key per schedule) and never
repeated blindly: an unknown outcome (``unknown``) waits for a person to look in PayTrace
(``resolve_unknown_recurrence``), because PayTrace v1 offers no way to list recurrences.
The charges themselves arrive in the transaction exports and are matched like any other
payment (vault customer link, amount). Qt-free.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.connectors.paytrace.client import PayTraceClient
from app.connectors.paytrace.errors import (
    PayTraceError,
    PayTraceNotFoundError,
    PayTraceOutcomeUnknownError,
    PayTraceResponseError,
)
from app.domain.money import format_money, from_cents, to_cents
from app.store import Store, audit
from app.store.models import ExceptionItem, RecurringSchedule, SageProCustomer

# PayTrace frequency codes (A: as the stand-in reads them) → months or days between charges.
MONTHS = {1: 12, 8: 6, 2: 3, 9: 2, 3: 1}
DAYS = {4: 14, 5: 7, 6: 1}
TWICE_MONTHLY = 7  # the 1st and the 15th
FREQUENCIES = {
    **{k: "every month" if v == 1 else f"every {v} months" for k, v in MONTHS.items()},
    **{k: "every day" if v == 1 else f"every {v} days" for k, v in DAYS.items()},
    TWICE_MONTHLY: "on the 1st and the 15th",
}


class RecurrenceError(Exception):
    """A recurrence could not be set up or stopped; the message says why in plain words."""


@dataclass(frozen=True)
class ScheduleInfo:
    schedule_id: int
    key: str
    customer_id: str
    paytrace_customer_id: str
    amount: Decimal
    frequency: int
    start_date: date
    total_count: int
    description: str
    status: str
    recurrence_id: int | None


@dataclass(frozen=True)
class UpcomingCharge:
    charge_date: date
    schedule_id: int
    customer_id: str
    paytrace_customer_id: str
    amount: Decimal
    description: str
    number: int  # 1-based: the n-th charge of ``total_count``
    total_count: int


def _info(row: RecurringSchedule) -> ScheduleInfo:
    return ScheduleInfo(
        row.id,
        row.key,
        row.sagepro_customer_id,
        row.paytrace_customer_id,
        from_cents(row.amount_cents),
        row.frequency,
        row.start_date,
        row.total_count,
        row.description,
        row.status,
        row.recurrence_id,
    )


def schedule_key(token: str, cents: int, frequency: int, start: date, count: int, text: str) -> str:
    digest = hashlib.sha256(f"{token}|{cents}|{frequency}|{start}|{count}|{text}".encode())
    return f"RECUR-{token[:40]}-{digest.hexdigest()[:12]}"


def create_recurrence(
    store: Store,
    client: PayTraceClient,
    *,
    customer_id: str,
    amount: Decimal,
    frequency: int,
    start_date: date,
    total_count: int,
    description: str = "",
    user: str,
    clock: Callable[[], datetime] = utcnow,
) -> ScheduleInfo:
    """Set up recurring billing of Sage Pro customer ``customer_id``'s stored card, once.

    Asking again for the same schedule returns the recorded one without calling PayTrace.
    """
    cents = to_cents(amount)
    if cents <= 0 or total_count <= 0:
        raise RecurrenceError("A recurrence needs an amount above zero and at least one charge.")
    if frequency not in FREQUENCIES:
        raise RecurrenceError(f"PayTrace has no billing frequency {frequency}.")
    with store.write() as session:
        token = _stored_card_token(session, customer_id)
        key = schedule_key(token, cents, frequency, start_date, total_count, description)
        row = session.execute(
            select(RecurringSchedule).where(RecurringSchedule.key == key)
        ).scalar_one_or_none()
        if row is not None and _set_up_before(row):
            return _info(row)
        now = clock()
        if row is None:
            row = RecurringSchedule(
                key=key,
                sagepro_customer_id=customer_id,
                paytrace_customer_id=token,
                amount_cents=cents,
                frequency=frequency,
                start_date=start_date,
                total_count=total_count,
                description=description[:200],
                created_by=user,
                created_at=now,
            )
            session.add(row)
        row.status, row.recurrence_id, row.last_error, row.updated_at = "creating", None, None, now
        session.flush()
        schedule_id = row.id
        audit.record(
            session,
            "recurrence_create",
            "recurrence",
            key,
            actor=user,
            after={"status": "creating", "amount": format_money(amount)},
        )
    try:
        result = client.create_recurrence(
            token,
            from_cents(cents),
            frequency=frequency,
            start_date=start_date,
            total_count=total_count,
            description=description,
        )
    except (PayTraceOutcomeUnknownError, PayTraceResponseError) as exc:
        _finish(store, schedule_id, "unknown", str(exc), user, clock)
        raise RecurrenceError(
            f"{exc}. The schedule is kept as 'unknown' until someone checks PayTrace."
        ) from None
    except PayTraceError as exc:  # refused, or provably never sent
        _finish(store, schedule_id, "failed", str(exc), user, clock)
        raise RecurrenceError(f"PayTrace did not set up the recurrence: {exc}") from None
    return _finish(store, schedule_id, "active", "", user, clock, result.recurrence_id)


def _stored_card_token(session: Session, customer_id: str) -> str:
    """The PayTrace customer profile (stored card) linked to the Sage Pro customer."""
    customer = session.get(SageProCustomer, customer_id)
    token = customer.paytrace_customer_id.strip() if customer else ""
    if not token:
        raise RecurrenceError(
            f"Customer {customer_id} has no stored card: no PayTrace profile is linked."
        )
    return token


def _set_up_before(row: RecurringSchedule) -> bool:
    """True when PayTrace has the schedule already; an earlier setup with no clear answer
    must be checked in PayTrace first; a failed one may be tried again (False)."""
    if row.status == "active":
        return True
    if row.status in ("creating", "unknown"):
        raise RecurrenceError(
            f"The earlier setup of this schedule ({row.key}) got no clear answer from PayTrace. "
            "Look for it in PayTrace's recurring billing list, then mark it found or absent."
        )
    return False


def _finish(
    store: Store,
    schedule_id: int,
    status: str,
    error: str,
    user: str,
    clock: Callable[[], datetime],
    recurrence_id: int | None = None,
) -> ScheduleInfo:
    now = clock()
    with store.write() as session:
        row = session.get(RecurringSchedule, schedule_id)
        assert row is not None
        row.status, row.last_error, row.updated_at = status, error or None, now
        if recurrence_id is not None:
            row.recurrence_id = recurrence_id
        if status == "unknown":
            session.add(
                ExceptionItem(
                    category="review",
                    reason_code="recurrence_unknown",
                    title=f"{row.key}: did PayTrace set up this recurring billing?",
                    detail=f"{error}. Check PayTrace's recurring billing for customer "
                    f"{row.paytrace_customer_id}, then mark the schedule found or absent.",
                    payload={"schedule_id": row.id},
                    created_at=now,
                )
            )
        audit.record(
            session,
            f"recurrence_{status}",
            "recurrence",
            row.key,
            actor=user,
            after={"status": status, "recurrence_id": row.recurrence_id, "error": error},
        )
        return _info(row)


def resolve_unknown_recurrence(
    store: Store,
    schedule_id: int,
    *,
    recurrence_id: int | None,
    user: str,
    clock: Callable[[], datetime] = utcnow,
) -> ScheduleInfo:
    """A person looked in PayTrace: it exists as ``recurrence_id``, or (None) it does not."""
    with store.read() as session:
        row = session.get(RecurringSchedule, schedule_id)
        if row is None or row.status not in ("unknown", "creating"):
            raise RecurrenceError("Only a schedule whose setup got no clear answer can be marked.")
    if recurrence_id is None:
        return _finish(
            store, schedule_id, "failed", f"Not in PayTrace (checked by {user}).", user, clock
        )
    return _finish(store, schedule_id, "active", "", user, clock, recurrence_id)


def delete_recurrence(
    store: Store,
    client: PayTraceClient,
    schedule_id: int,
    *,
    user: str,
    clock: Callable[[], datetime] = utcnow,
) -> ScheduleInfo:
    """Stop a schedule in PayTrace. Safe to repeat: one PayTrace no longer knows is gone."""
    with store.read() as session:
        row = session.get(RecurringSchedule, schedule_id)
        if row is None or row.status != "active" or row.recurrence_id is None:
            raise RecurrenceError("Only an active recurring schedule can be stopped.")
        recurrence_id = row.recurrence_id
    try:
        client.delete_recurrence(recurrence_id)
    except PayTraceNotFoundError:
        pass  # deleted already (an earlier try whose answer was lost, or in PayTrace itself)
    except PayTraceError as exc:
        raise RecurrenceError(
            f"PayTrace did not confirm stopping the schedule ({exc}); it still runs until "
            "PayTrace confirms. Stopping again is safe."
        ) from None
    return _finish(store, schedule_id, "deleted", "", user, clock)


def list_schedules(store: Store) -> list[ScheduleInfo]:
    with store.read() as session:
        rows = session.execute(
            select(RecurringSchedule).order_by(RecurringSchedule.start_date, RecurringSchedule.id)
        ).scalars()
        return [_info(r) for r in rows]


def charge_dates(start: date, frequency: int, count: int) -> list[date]:
    """The dates of a schedule's ``count`` charges."""
    if frequency in DAYS:
        return [start + timedelta(days=DAYS[frequency] * n) for n in range(count)]
    if frequency == TWICE_MONTHLY:
        dates: list[date] = []
        month = date(start.year, start.month, 1)
        while len(dates) < count:
            for day in (month, month.replace(day=15)):
                if day >= start and len(dates) < count:
                    dates.append(day)
            month = _add_months(month, 1)
        return dates
    return [_add_months(start, MONTHS[frequency] * n) for n in range(count)]


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def upcoming_charges(store: Store, days: int, *, today: date | None = None) -> list[UpcomingCharge]:
    """Charges of active schedules from ``today`` to ``today + days``, by date (the view)."""
    first = today or date.today()
    last = first + timedelta(days=days)
    with store.read() as session:
        schedules = _active(session)
    charges = [
        UpcomingCharge(
            when,
            s.id,
            s.sagepro_customer_id,
            s.paytrace_customer_id,
            from_cents(s.amount_cents),
            s.description,
            number,
            s.total_count,
        )
        for s in schedules
        for number, when in enumerate(charge_dates(s.start_date, s.frequency, s.total_count), 1)
        if first <= when <= last
    ]
    return sorted(charges, key=lambda c: (c.charge_date, c.schedule_id))


def _active(session: Session) -> list[RecurringSchedule]:
    return list(
        session.execute(
            select(RecurringSchedule).where(RecurringSchedule.status == "active")
        ).scalars()
    )
