"""Recurring billing over the stand-ins: set up once, charges arrive and match, stop."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from app.sandbox.faults import FaultKind
from app.store.models import ExceptionItem, PayTraceTransaction, Proposal, SageProCustomer
from app.sync.outbound.recurring import (
    RecurrenceError,
    charge_dates,
    create_recurrence,
    delete_recurrence,
    resolve_unknown_recurrence,
    upcoming_charges,
)
from tests.support.outbound_fixtures import OutboundEnv, outbound_fixture  # noqa: F401
from tests.support.sync_fixtures import DEMO_TODAY


def _customer_with_card(o: OutboundEnv) -> SageProCustomer:
    with o.env.store.read() as session:
        return (
            session.execute(
                select(SageProCustomer).where(SageProCustomer.paytrace_customer_id != "")
            )
            .scalars()
            .first()
        )  # type: ignore[return-value]


def _create(o: OutboundEnv, customer_id: str, **overrides: object):  # type: ignore[no-untyped-def]
    spec: dict[str, object] = dict(
        customer_id=customer_id,
        amount=Decimal("49.95"),
        frequency=3,
        start_date=DEMO_TODAY,
        total_count=3,
        description="Monthly service plan",
        user="ann",
    )
    spec.update(overrides)
    return create_recurrence(o.env.store, o.ctx.paytrace, **spec)  # type: ignore[arg-type]


def test_recurrence_is_created_once_charges_match_and_it_can_be_stopped(outbound: OutboundEnv):
    o = outbound
    customer = _customer_with_card(o)
    schedule = _create(o, customer.customer_id)
    assert schedule.status == "active" and schedule.recurrence_id
    assert _create(o, customer.customer_id) == schedule  # asked twice: recorded, not re-sent
    assert len(o.standin.store.recurrences) == 1

    upcoming = upcoming_charges(o.env.store, 70, today=DEMO_TODAY)
    assert [(c.charge_date, c.number) for c in upcoming] == [
        (date(2025, 3, 15), 1),
        (date(2025, 4, 15), 2),
        (date(2025, 5, 15), 3),
    ]
    assert len(upcoming_charges(o.env.store, 40, today=DEMO_TODAY)) == 2

    made = requests.post(o.env.paytrace.url + "/_sandbox/run_recurrences", timeout=5).json()
    [charge_id] = made["transaction_ids"]
    o.sync(auto_approve=False)
    with o.env.store.read() as session:
        tx = session.get(PayTraceTransaction, charge_id)
        proposal = session.execute(
            select(Proposal).where(Proposal.transaction_id == charge_id)
        ).scalar_one()
    assert tx is not None and tx.paytrace_customer_id == customer.paytrace_customer_id
    assert tx.amount_cents == 4995
    assert proposal.kind == "payment" and proposal.customer_id == customer.customer_id

    stopped = delete_recurrence(o.env.store, o.ctx.paytrace, schedule.schedule_id, user="ann")
    assert stopped.status == "deleted" and o.standin.store.recurrences == {}
    assert upcoming_charges(o.env.store, 70, today=DEMO_TODAY) == []
    with pytest.raises(RecurrenceError, match="active"):
        delete_recurrence(o.env.store, o.ctx.paytrace, schedule.schedule_id, user="ann")


def test_an_unanswered_setup_is_never_repeated_blindly(outbound: OutboundEnv):
    o = outbound
    customer = _customer_with_card(o)
    o.env.paytrace.faults.script(FaultKind.APPLY_THEN_DROP, path_contains="recurrence/create")
    with pytest.raises(RecurrenceError, match="unknown"):
        _create(o, customer.customer_id)
    with pytest.raises(RecurrenceError, match="no clear answer"):
        _create(o, customer.customer_id)
    assert len(o.standin.store.recurrences) == 1  # created once, answer lost
    with o.env.store.read() as session:
        item = session.execute(
            select(ExceptionItem).where(ExceptionItem.reason_code == "recurrence_unknown")
        ).scalar_one()
    [real_id] = o.standin.store.recurrences
    found = resolve_unknown_recurrence(
        o.env.store, item.payload["schedule_id"], recurrence_id=real_id, user="ann"
    )
    assert found.status == "active" and _create(o, customer.customer_id) == found


def test_charge_dates_follow_the_calendar():
    assert charge_dates(date(2025, 1, 31), 3, 3) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
    ]
    assert charge_dates(date(2025, 1, 10), 7, 3) == [
        date(2025, 1, 15),
        date(2025, 2, 1),
        date(2025, 2, 15),
    ]
    assert charge_dates(date(2025, 1, 1), 4, 2) == [date(2025, 1, 1), date(2025, 1, 15)]


def test_a_customer_without_a_stored_card_is_refused(outbound: OutboundEnv):
    o = outbound
    with o.env.store.read() as session:
        no_card = (
            session.execute(
                select(SageProCustomer.customer_id).where(
                    SageProCustomer.paytrace_customer_id == ""
                )
            )
            .scalars()
            .first()
        )
    with pytest.raises(RecurrenceError, match="no stored card"):
        _create(o, no_card)
    assert o.standin.store.recurrences == {}
