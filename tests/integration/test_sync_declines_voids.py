"""Whole sync cycles over both stand-ins (real sockets) with declines and voids in every row
shape the PayTrace reference leaves unverified: a declined attempt never posts money, is
recorded Failed once at most, and the customer's real payment afterwards posts normally.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.sandbox.paytrace import PayTraceStandIn, StandInSettings
from app.sandbox.paytrace.state import StoredCard, StoredTransaction
from app.store.models import ExceptionItem, OutboxItem, PayTraceTransaction, Proposal
from app.sync.cycle import run_cycle
from app.sync.review.actions import approve_proposals
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv, running_sync_env

SINCE = DEMO_TODAY - timedelta(days=1)
DECLINE_SHAPES = [
    pytest.param({"declined_row_type": "DECLINED"}, id="DECLINED-filtered-only"),
    pytest.param(
        {"declined_row_type": "DECLINED", "declined_in_unfiltered": True},
        id="DECLINED-also-unfiltered",
    ),
    pytest.param({"declined_row_type": "SALE"}, id="SALE-filtered-only"),
    pytest.param(
        {"declined_row_type": "SALE", "declined_in_unfiltered": True}, id="SALE-also-unfiltered"
    ),
]


@pytest.fixture
def shaped(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SyncEnv]:
    """Demo Sage Pro, an empty PayTrace rendering rows as ``request.param`` says."""
    settings = StandInSettings(**request.param)
    with running_sync_env(tmp_path, paytrace_settings=settings, seed_paytrace=False) as env:
        yield env


def _standin(env: SyncEnv) -> PayTraceStandIn:
    return env.paytrace.app  # type: ignore[attr-defined,no-any-return]


def _open_invoice(env: SyncEnv, nth: int = 0) -> dict:  # type: ignore[type-arg]
    unpaid = [
        i
        for i in env.all_items("/api/invoices")
        if i["Status"] == "Open" and i["PaymentStatus"] == "Unpaid" and i["Balance"] == i["Amount"]
    ]
    return sorted(unpaid, key=lambda i: i["InvoiceID"])[nth]


def _charge(
    env: SyncEnv,
    invoice: dict,
    at: time,
    *,
    declined: bool = False,  # type: ignore[type-arg]
) -> StoredTransaction:
    """A card charge of the whole invoice on DEMO_TODAY, as PayTrace would have stored it."""
    store = _standin(env).store
    txn = StoredTransaction(
        transaction_id=store.next_transaction_id,
        kind="DECLINED" if declined else "SALE",
        amount=Decimal(invoice["Amount"]),
        created=datetime.combine(DEMO_TODAY, at),
        card=StoredCard("4012000098765439", 12, 2030),
        invoice_id=invoice["InvoiceID"],
        billing={"name": "Card Holder"},
        approval_code="" if declined else "TAS123",
        approval_message="  DECLINED" if declined else "  NO  MATCH - Approved and completed",
        status_code="102" if declined else "GB571",
    )
    return store.add(txn)


def _decline_later(txn: StoredTransaction) -> None:
    """PayTrace lists an id under DECLINED only later; its row bytes may not change at all."""
    txn.kind = "DECLINED"


def _payments(env: SyncEnv) -> dict[str, dict]:  # type: ignore[type-arg]
    return {p["PaymentReference"]: p for p in env.all_items("/api/payments")}


def _outbox(env: SyncEnv, key: str) -> list[str]:
    with env.store.read() as session:
        return list(session.scalars(select(OutboxItem.status).where(OutboxItem.key == key)))


def _row(env: SyncEnv, transaction_id: int) -> tuple[str, str]:
    with env.store.read() as session:
        row = session.get(PayTraceTransaction, transaction_id)
        assert row is not None
        return row.transaction_type, row.match_status


def _payment_proposals(env: SyncEnv, transaction_id: int) -> list[str]:
    with env.store.read() as session:
        return list(
            session.scalars(
                select(Proposal.status).where(
                    Proposal.transaction_id == transaction_id, Proposal.kind == "payment"
                )
            )
        )


@pytest.mark.parametrize("shaped", DECLINE_SHAPES, indirect=True)
def test_a_decline_then_the_real_payment(shaped: SyncEnv):
    env = shaped
    invoice = _open_invoice(env)
    declined = _charge(env, invoice, time(10, 0), declined=True)
    real = _charge(env, invoice, time(11, 0))

    result = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert result.errors == 0, result.notes

    payments = _payments(env)
    assert f"PT-{declined.transaction_id}-PAY" not in payments  # 0 declines posted as Paid
    assert [p["PaymentStatus"] for p in payments.values()] == ["Paid"]
    paid = payments[f"PT-{real.transaction_id}-PAY"]
    assert paid["InvoiceID"] == invoice["InvoiceID"]
    assert Decimal(paid["Amount"]) == Decimal(invoice["Amount"])
    after = env.sagepro_get(f"/api/invoices/{invoice['InvoiceID']}")
    assert (after["Status"], after["PaymentStatus"], after["Balance"]) == ("Paid", "Paid", "0.00")

    assert _row(env, declined.transaction_id)[0] == "DECLINED"
    assert _payment_proposals(env, declined.transaction_id) == []  # never "choose an invoice"
    # Recorded Failed once, before the real payment (so the invoice ends Paid, not Failed).
    assert _outbox(env, f"PT-{declined.transaction_id}-FAILED") == ["posted"]

    again = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert (again.new, again.changed, again.proposals, again.posted) == (0, 0, 0, 0)
    assert _payments(env).keys() == payments.keys()
    assert _outbox(env, f"PT-{declined.transaction_id}-FAILED") == ["posted"]


@pytest.mark.parametrize("shaped", DECLINE_SHAPES, indirect=True)
def test_an_id_stored_as_an_approved_sale_then_listed_as_declined(shaped: SyncEnv):
    env = shaped
    invoice = _open_invoice(env)
    attempt = _charge(env, invoice, time(10, 0))
    first = run_cycle(env.context(), since=SINCE, auto_approve=False)
    assert first.errors == 0, first.notes
    assert _row(env, attempt.transaction_id) == ("SALE", "proposed")

    _decline_later(attempt)
    second = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert second.errors == 0, second.notes
    assert _row(env, attempt.transaction_id)[0] == "DECLINED"
    assert _payment_proposals(env, attempt.transaction_id) == ["superseded"]
    assert f"PT-{attempt.transaction_id}-PAY" not in _payments(env)

    real = _charge(env, invoice, time(11, 0))
    third = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert third.errors == 0, third.notes
    payments = _payments(env)
    assert list(payments) == [f"PT-{real.transaction_id}-PAY"]
    assert payments[f"PT-{real.transaction_id}-PAY"]["InvoiceID"] == invoice["InvoiceID"]


@pytest.mark.parametrize(
    "shaped", [{"declined_row_type": "SALE", "declined_in_unfiltered": True}], indirect=True
)
def test_a_decline_learnt_after_posting_is_flagged_for_a_person(shaped: SyncEnv):
    env = shaped
    invoice = _open_invoice(env)
    attempt = _charge(env, invoice, time(10, 0))
    first = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert f"PT-{attempt.transaction_id}-PAY" in _payments(env), first.notes
    before = _payments(env)

    _decline_later(attempt)
    second = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert second.posted == 0  # the books are not silently changed, even with auto-approve
    assert _payments(env) == before
    assert _row(env, attempt.transaction_id) == ("DECLINED", "review")
    key = f"PT-{attempt.transaction_id}-REVERSAL"
    with env.store.read() as session:
        (item,) = session.scalars(
            select(ExceptionItem).where(ExceptionItem.transaction_id == attempt.transaction_id)
        )
        assert (item.status, item.reason_code) == ("open", "became_declined")
        assert "declined but posted as paid" in item.title
        (waiting,) = session.scalars(
            select(Proposal).where(
                Proposal.transaction_id == attempt.transaction_id, Proposal.kind == "reversal"
            )
        )
        assert (waiting.status, waiting.auto_approvable) == ("review", False)
        assert (
            "declined" in waiting.reason and "Check the transaction in PayTrace" in waiting.reason
        )
        waiting_id = waiting.id

    # A person checks PayTrace and approves: the reversal posts once and reopens the invoice.
    answer = approve_proposals(env.store, [waiting_id], user="tester", profile=env.profile)
    assert answer.approved == [waiting_id], answer.refused
    run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert len(env.sagepro_get("/api/paymentreversals", Reference=key)["items"]) == 1
    reopened = env.sagepro_get(f"/api/invoices/{invoice['InvoiceID']}")
    assert (reopened["Status"], reopened["Balance"]) == ("Open", invoice["Balance"])


@pytest.mark.parametrize(
    "shaped",
    [pytest.param({"voided_row_type": s}, id=f"void-as-{s}") for s in ("VOID", "SALE")],
    indirect=True,
)
def test_voids_in_either_shape(shaped: SyncEnv):
    env = shaped
    before_posting = _charge(env, _open_invoice(env, 0), time(9, 0))
    paid_invoice = _open_invoice(env, 1)
    after_posting = _charge(env, paid_invoice, time(9, 30))
    before_posting.voided = True
    first = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert first.errors == 0, first.notes
    assert _row(env, before_posting.transaction_id) == ("VOID", "ignored")
    payments = _payments(env)
    assert list(payments) == [f"PT-{after_posting.transaction_id}-PAY"]

    after_posting.voided = True
    second = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert second.errors == 0, second.notes
    # Detected as a void in either shape, so the payment is reversed in the same cycle.
    assert _row(env, after_posting.transaction_id) == ("VOID", "reversed")
    key = f"PT-{after_posting.transaction_id}-REVERSAL"
    assert len(env.sagepro_get("/api/paymentreversals", Reference=key)["items"]) == 1
    reopened = env.sagepro_get(f"/api/invoices/{paid_invoice['InvoiceID']}")
    assert (reopened["Status"], reopened["Balance"]) == ("Open", paid_invoice["Balance"])


@pytest.mark.parametrize("shaped", [{"declined_row_type": "SALE"}], indirect=True)
def test_a_decline_after_the_real_payment_never_marks_the_paid_invoice_failed(shaped: SyncEnv):
    env = shaped
    invoice = _open_invoice(env)
    real = _charge(env, invoice, time(10, 0))
    declined = _charge(env, invoice, time(11, 0), declined=True)  # a second, failed try

    result = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert result.errors == 0, result.notes
    assert list(_payments(env)) == [f"PT-{real.transaction_id}-PAY"]
    after = env.sagepro_get(f"/api/invoices/{invoice['InvoiceID']}")
    assert (after["Status"], after["PaymentStatus"]) == ("Paid", "Paid")
    assert _outbox(env, f"PT-{declined.transaction_id}-FAILED") == []  # a person decides
    assert _payment_proposals(env, declined.transaction_id) == []

    # Once the cache knows the invoice is paid, approving the decline is refused in words.
    run_cycle(env.context(), since=SINCE, auto_approve=True)
    with env.store.read() as session:
        (decline_id,) = session.scalars(
            select(Proposal.id).where(
                Proposal.transaction_id == declined.transaction_id, Proposal.kind == "decline"
            )
        )
    answer = approve_proposals(env.store, [decline_id], user="tester", profile=env.profile)
    assert answer.approved == [] and "Reject this decline" in answer.refused[decline_id]
    assert _outbox(env, f"PT-{declined.transaction_id}-FAILED") == []
