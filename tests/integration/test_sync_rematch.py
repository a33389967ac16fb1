"""Late invoices and Sage Pro outages: undecided proposals are matched again when Sage Pro's
customers or invoices change, over real sockets against both stand-ins. A person's decision
is never overridden; each re-match is in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

import requests
from sqlalchemy import select

from app.sandbox.paytrace.state import StoredCard, StoredTransaction
from app.sandbox.sagepro import DEFAULT_API_KEY
from app.store import audit
from app.store.models import AuditEvent, Proposal
from app.sync.cycle import run_cycle
from app.sync.review.actions import approve_proposals, reject_proposal, rematch_proposal
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv

SINCE = DEMO_TODAY - timedelta(days=1)
NEW_CUSTOMER = "CLATE"
VAULT_ID = "PT-CLATE"
CARD = StoredCard("4111111111111111", 12, 2027)


def _sagepro_post(env: SyncEnv, path: str, body: dict) -> dict:  # type: ignore[type-arg]
    response = requests.post(
        env.sagepro.url + path,
        json=body,
        headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
        timeout=10,
    )
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


def _enter_customer(env: SyncEnv) -> None:
    _sagepro_post(
        env,
        "/api/customers",
        {
            "CustomerID": NEW_CUSTOMER,
            "Name": "Latecomer Hardware LLC",
            "Email": "ap@latecomer.example.com",
            "PayTraceCustomerID": VAULT_ID,
        },
    )


def _enter_invoice(env: SyncEnv, invoice_id: str, amount: str) -> None:
    _sagepro_post(
        env,
        "/api/invoices",
        {
            "InvoiceID": invoice_id,
            "CustomerID": NEW_CUSTOMER,
            "InvoiceDate": (DEMO_TODAY - timedelta(days=2)).isoformat(),
            "Amount": amount,
        },
    )


def _card_sale(env: SyncEnv, invoice_id: str, amount: str, minute: int = 0) -> int:
    """A sale on the new customer's vault card, as PayTrace would export it today."""
    store = env.paytrace.app.store  # type: ignore[attr-defined]
    transaction_id = max(store.transactions) + 100 + minute
    store.add(
        StoredTransaction(
            transaction_id=transaction_id,
            kind="SALE",
            amount=Decimal(amount),
            created=datetime.combine(DEMO_TODAY, time(9, minute)),
            card=CARD,
            customer_id=VAULT_ID,
            invoice_id=invoice_id,
            email="ap@latecomer.example.com",
            billing={"name": "Latecomer Hardware LLC", "country": "US"},
            approval_code="TAS901",
            approval_message="  NO  MATCH - Approved and completed",
            status_code="GB101",
        )
    )
    return transaction_id


def _payment(env: SyncEnv, transaction_id: int) -> dict | None:  # type: ignore[type-arg]
    items = env.sagepro_get("/api/payments", PaymentReference=f"PT-{transaction_id}-PAY")["items"]
    return items[0] if items else None


@dataclass(frozen=True)
class Seen:
    id: int
    status: str
    decided_by: str | None
    invoices: list[str]


def _proposals(env: SyncEnv, transaction_id: int) -> list[Seen]:
    with env.store.read() as session:
        rows = session.execute(
            select(Proposal).where(Proposal.transaction_id == transaction_id).order_by(Proposal.id)
        ).scalars()
        return [
            Seen(r.id, r.status, r.decided_by, [a.invoice_id for a in r.applications]) for r in rows
        ]


def _rematch_events(env: SyncEnv, transaction_id: int) -> list[AuditEvent]:
    with env.store.read() as session:
        events = session.execute(
            select(AuditEvent).where(AuditEvent.action == "rematch_auto").order_by(AuditEvent.id)
        ).scalars()
        found = [e for e in events if (e.after or {}).get("transaction_id") == transaction_id]
        assert audit.verify(session).ok
        return found


def test_a_payment_before_its_invoice_posts_once_the_invoice_is_entered(sync_env: SyncEnv):
    env = sync_env
    sale = _card_sale(env, "209001", "123.45")
    first = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert first.errors == 0, first.notes
    [waiting] = _proposals(env, sale)
    assert waiting.status == "review" and not waiting.invoices  # nobody to pay yet
    assert _payment(env, sale) is None

    # The bookkeeper enters the customer and the invoice in Sage Pro after the payment came in.
    _enter_customer(env)
    _enter_invoice(env, "209001", "123.45")
    second = run_cycle(env.context(), auto_approve=True)

    payment = _payment(env, sale)
    assert payment is not None, second.notes
    assert (payment["InvoiceID"], payment["Amount"]) == ("209001", "123.45")
    assert payment["CustomerID"] == NEW_CUSTOMER
    old, new = _proposals(env, sale)
    assert (old.status, old.decided_by) == ("superseded", "system")
    assert new.status == "posted" and new.invoices == ["209001"]
    [event] = _rematch_events(env, sale)
    assert event.before["proposal"] == old.id and event.before["applications"] == []
    assert event.after["applications"] == [["209001", 12345]]

    # Nothing changed since: the next cycle matches nothing again and posts nothing.
    third = run_cycle(env.context(), auto_approve=True)
    assert (third.proposals, third.posted) == (0, 0)
    assert len(_rematch_events(env, sale)) == 1


def test_a_persons_decisions_are_never_overridden(sync_env: SyncEnv):
    env = sync_env
    _enter_customer(env)
    rejected, manual, approved, undecided = (
        _card_sale(env, f"20910{n}", f"{n}10.00", minute=n) for n in range(1, 5)
    )
    run_cycle(env.context(), since=SINCE, auto_approve=False)
    # The customer is known but none of its invoices exist: each waits as a payment on account.
    proposal_of = {t: _proposals(env, t)[-1].id for t in (rejected, manual, approved, undecided)}
    reject_proposal(env.store, proposal_of[rejected], user="pat", reason="not ours")
    manual_id = rematch_proposal(
        env.store, proposal_of[manual], [], user="pat", on_account=Decimal("210.00")
    )
    assert approve_proposals(
        env.store, [proposal_of[approved]], user="pat", profile=env.profile
    ).approved == [proposal_of[approved]]

    for n in range(1, 5):
        _enter_invoice(env, f"20910{n}", f"{n}10.00")
    run_cycle(env.context(), auto_approve=True)

    assert [p.status for p in _proposals(env, rejected)] == ["rejected"]
    assert _payment(env, rejected) is None
    manual_rows = _proposals(env, manual)
    assert [(p.id, p.status) for p in manual_rows][-1] == (manual_id, "proposed")
    assert _payment(env, manual) is None  # chosen by a person, not approved yet: it waits
    approved_payment = _payment(env, approved)
    assert approved_payment is not None and approved_payment["InvoiceID"] is None  # as approved
    assert [p.status for p in _proposals(env, approved)] == ["posted"]
    undecided_payment = _payment(env, undecided)
    assert undecided_payment is not None and undecided_payment["InvoiceID"] == "209104"
    for decided in (rejected, manual, approved):
        assert _rematch_events(env, decided) == []
    assert len(_rematch_events(env, undecided)) == 1


def test_an_invoice_entered_during_an_outage_is_matched_after_it(sync_env: SyncEnv):
    env = sync_env
    run_cycle(env.context(), since=SINCE, auto_approve=True)  # the cache is filled
    _enter_customer(env)
    _enter_invoice(env, "209201", "77.70")
    sale = _card_sale(env, "209201", "77.70")

    env.sagepro.faults.set_random(1.0, ["503"], retry_after_s=0)
    down = run_cycle(env.context(), auto_approve=True)
    assert any("Sage Pro could not be read" in note for note in down.notes)
    assert [p.status for p in _proposals(env, sale)] == ["review"]  # the stale copy lacks it
    env.sagepro.faults.clear()

    up = run_cycle(env.context(), auto_approve=True)
    payment = _payment(env, sale)
    assert payment is not None, up.notes
    assert (payment["InvoiceID"], payment["Amount"]) == ("209201", "77.70")
    assert len(_rematch_events(env, sale)) == 1


def test_a_waiting_order_payment_that_says_the_same_again_is_left_standing(sync_env: SyncEnv):
    env = sync_env
    # An unknown payer pays web order WEB-55501 (no invoice, no order, no customer known).
    sale = _card_sale(env, "WEB-55501", "45.00")
    run_cycle(env.context(), since=SINCE, auto_approve=True)
    [waiting] = _proposals(env, sale)
    assert waiting.status == "review"

    # Sage Pro changes, but nothing about this payer: the proposal stands, nothing churns.
    _sagepro_post(env, "/api/customers", {"CustomerID": "COTHER", "Name": "Other Shop"})
    run_cycle(env.context(), auto_approve=True)
    assert _proposals(env, sale) == [waiting]
    assert _rematch_events(env, sale) == []

    # Once the payer is a Sage Pro customer (linked by the vault id), the order payment is
    # recorded for that customer instead of proposing to create a new one.
    _enter_customer(env)
    run_cycle(env.context(), auto_approve=True)
    old, new = _proposals(env, sale)
    assert (old.id, old.status, new.status) == (waiting.id, "superseded", "posted")
    [event] = _rematch_events(env, sale)
    assert (event.before["rule"], event.after["kind"]) == ("unknown_payer_order", "order_payment")
    assert event.after["customer_id"] == NEW_CUSTOMER
