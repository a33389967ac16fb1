"""Refunds of sales older than the poll window (or the store), over real sockets.

The store reads only from 03/12 on, so the refunds below have no sale in it. One sale was
posted by Paysage long ago (Sage Pro holds its ``PT-<id>-PAY`` payment); one predates Paysage
(found in PayTrace's history, its invoice paid inside Sage Pro); one refund has no sale at all.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import requests
from sqlalchemy import select

from app.sandbox.paytrace.state import StoredCard, StoredTransaction
from app.store import audit
from app.store.models import PayTraceTransaction, Proposal
from app.sync.cycle import run_cycle
from tests.support.sync_fixtures import SyncEnv

SINCE = date(2025, 3, 12)  # every refund below is newer, every sale below is older
BY_SAGEPRO_KEY = (80096439, 80093671, "104390")  # refund, its sale, the sale's invoice
BY_PAYTRACE_HISTORY = (80097198, 80094927, "104723")


def _pay_in_sage(env: SyncEnv, invoice_id: str, **body: str) -> None:
    url = f"{env.sagepro.url}/_sandbox/invoices/{invoice_id}/pay"
    response = requests.post(url, json=body, timeout=10)
    assert response.status_code in (200, 201), response.text


def _refund_proposal(env: SyncEnv, refund_id: int) -> tuple[str, str, list[str], dict]:  # type: ignore[type-arg]
    with env.store.read() as session:
        row = session.execute(
            select(Proposal).where(Proposal.transaction_id == refund_id, Proposal.kind == "refund")
        ).scalar_one()
        return row.status, row.reason, [a.invoice_id for a in row.applications], row.details


def _memos(env: SyncEnv, refund_id: int) -> list[dict]:  # type: ignore[type-arg]
    return [
        m for m in env.all_items("/api/creditmemos") if m["Reference"] == f"PT-{refund_id}-REFUND"
    ]


def test_refunds_of_old_sales_are_traced_and_credited_once(sync_env: SyncEnv):
    env = sync_env
    truth = {t.transaction_id: t for t in env.company.transactions}
    refund, sale, invoice = BY_SAGEPRO_KEY
    assert truth[refund].refund_of == sale and truth[sale].created_local.date() < SINCE
    # An earlier Paysage (or this one, before its store was replaced) posted the sale.
    _pay_in_sage(
        env,
        invoice,
        Amount=str(truth[sale].amount),
        PaymentReference=f"PT-{sale}-PAY",
        PaymentDate=truth[sale].created_local.date().isoformat(),
    )
    old_refund, old_sale, old_invoice = BY_PAYTRACE_HISTORY
    assert truth[old_refund].refund_of == old_sale
    _pay_in_sage(env, old_invoice, Amount=str(truth[old_sale].amount))  # keyed in by hand

    result = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert result.dead_letter == 0, result.notes

    status, reason, invoices, details = _refund_proposal(env, refund)
    assert (status, invoices, details["original_transaction_id"]) == ("posted", [invoice], sale)
    assert f"PT-{sale}-PAY" in reason and "PayTrace's history" not in reason
    [memo] = _memos(env, refund)
    assert (memo["InvoiceID"], Decimal(memo["Amount"])) == (invoice, truth[refund].amount)

    status, reason, invoices, details = _refund_proposal(env, old_refund)
    assert (status, invoices) == ("posted", [old_invoice])
    assert details["original_transaction_id"] == old_sale
    assert "PayTrace's history" in reason
    [memo] = _memos(env, old_refund)
    assert (memo["InvoiceID"], Decimal(memo["Amount"])) == (old_invoice, truth[old_refund].amount)

    # Exactly once: another cycle proposes and posts nothing more for them.
    again = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert again.posted == 0, again.notes
    assert len(_memos(env, refund)) == len(_memos(env, old_refund)) == 1
    with env.store.read() as session:
        assert audit.verify(session).ok


def test_a_refund_whose_sale_is_nowhere_waits_in_review_with_the_reason(sync_env: SyncEnv):
    env = sync_env
    store = env.paytrace.app.store  # type: ignore[attr-defined]
    refund_id = max(store.transactions) + 100
    store.add(
        StoredTransaction(
            transaction_id=refund_id,
            kind="REFUND",
            amount=Decimal("64.00"),
            created=datetime.combine(SINCE, time(11, 0)),
            card=StoredCard("4111111111111111", 12, 2027),
            customer_id="PT-C00040",
            invoice_id="108888",
            status_code="GB102",
        )
    )
    # The refunds of the demo's sales get the same search; their invoices are unpaid in this
    # Sage Pro (nobody posted the sales), so they wait in review too, saying so.
    result = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert result.errors == 0, result.notes
    status, reason, invoices, _ = _refund_proposal(env, refund_id)
    assert (status, invoices) == ("review", [])
    assert reason.startswith("No sale for invoice '108888' on card ****1111 of at least $64.00")
    assert "PayTrace's last 365 days" in reason
    assert _memos(env, refund_id) == []
    status, reason, _, _ = _refund_proposal(env, BY_SAGEPRO_KEY[0])
    assert status == "review" and "less than this refund gives back" in reason
    assert env.all_items("/api/creditmemos") == []


def test_while_sage_pro_is_down_an_old_refund_waits_for_its_lookup(sync_env: SyncEnv):
    env = sync_env
    truth = {t.transaction_id: t for t in env.company.transactions}
    refund, sale, invoice = BY_SAGEPRO_KEY
    _pay_in_sage(env, invoice, Amount=str(truth[sale].amount), PaymentReference=f"PT-{sale}-PAY")

    env.sagepro.faults.set_random(1.0, ["503"], retry_after_s=0)
    run_cycle(env.context(), since=SINCE, auto_approve=True)
    with env.store.read() as session:
        row = session.get(PayTraceTransaction, refund)
        assert row is not None and row.match_status == "unmatched"  # not "no sale found"
        proposals = select(Proposal).where(Proposal.transaction_id == refund)
        assert session.execute(proposals).first() is None
    env.sagepro.faults.clear()

    run_cycle(env.context(), auto_approve=True)
    status, _, invoices, _ = _refund_proposal(env, refund)
    assert (status, invoices) == ("posted", [invoice])
    assert len(_memos(env, refund)) == 1
