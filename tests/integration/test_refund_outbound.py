"""Refund from a credit memo: void while pending, refund once settled, never twice."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.sandbox.faults import FaultKind
from app.store.models import OutboxItem, PayTraceTransaction, Proposal
from app.sync.outbound.collect import collect_invoices
from app.sync.outbound.refund_outbound import (
    RefundRefusedError,
    card_refund_offer,
    refund_for_credit_memo,
)
from tests.support.outbound_fixtures import OutboundEnv, outbound_fixture  # noqa: F401


def _paid_by_card(o: OutboundEnv, count: int = 1) -> list[tuple[str, int, Decimal]]:
    """Invoices charged through Collect and posted: (invoice, sale id, amount)."""
    invoices = o.free_invoices(count)
    result = collect_invoices(o.env.store, invoices, user="ann", profile=o.env.profile)
    assert result.refused == {}
    assert o.poster().post_due().done == count
    assert o.sync().posted >= count
    paid = []
    for intent in result.queued:
        [sale_id] = o.sales(intent.invoice_id)["transaction_ids"]
        paid.append((intent.invoice_id, sale_id, intent.amount))
    return paid


def _refund(o: OutboundEnv, invoice: str, amount: Decimal):  # type: ignore[no-untyped-def]
    return refund_for_credit_memo(o.env.store, invoice, amount, user="ann", profile=o.env.profile)


def _by_type(o: OutboundEnv, invoice: str) -> dict[str, int]:
    return o.sales(invoice)["by_type"]  # type: ignore[no-any-return]


def test_a_pending_sale_is_voided_and_the_void_reverses_the_payment(outbound: OutboundEnv):
    o = outbound
    [(invoice, sale_id, amount)] = _paid_by_card(o)
    intent = _refund(o, invoice, amount)
    assert (intent.kind, intent.original_transaction_id) == ("paytrace_void", sale_id)
    counts = o.poster().post_due()
    assert counts.done == 1
    assert _by_type(o, invoice) == {"VOID": 1}
    o.sync()
    with o.env.store.read() as session:
        tx = session.get(PayTraceTransaction, sale_id)
        reversal = session.execute(
            select(Proposal).where(Proposal.transaction_id == sale_id, Proposal.kind == "reversal")
        ).scalar_one()
    assert tx is not None and tx.transaction_type == "VOID"
    # PayTrace's own state says the money went back: with auto-approve on, the payment
    # reversal posts in the same cycle and the invoice is open again in Sage Pro.
    assert reversal.status == "posted" and tx.match_status == "reversed"
    reversed_ = o.env.sagepro_get("/api/paymentreversals", Reference=f"PT-{sale_id}-REVERSAL")
    assert reversed_["total"] == 1
    assert o.env.sagepro_get(f"/api/invoices/{invoice}")["Status"] == "Open"
    with pytest.raises(RefundRefusedError, match="No card payment posted"):
        _refund(o, invoice, amount)  # the voided sale has nothing left to give back


def test_settled_meanwhile_the_void_becomes_a_refund_and_the_credit_memo_posts(
    outbound: OutboundEnv,
):
    o = outbound
    [(invoice, _, amount)] = _paid_by_card(o)
    assert o.settle() is not None  # PayTrace settles; the local copy does not know yet
    intent = _refund(o, invoice, amount)
    assert intent.kind == "paytrace_void"
    history = o.drain(o.poster())
    assert history[0].switched == 1 and sum(h.done for h in history) == 1
    assert _by_type(o, invoice) == {"SALE": 1, "REFUND": 1}
    with o.env.store.read() as session:
        item = session.execute(select(OutboxItem).where(OutboxItem.key == intent.key)).scalar_one()
    assert (item.kind, item.status) == ("paytrace_refund", "posted")

    o.sync()  # the REFUND row arrives: credit memo against the invoice, once
    memos = [m for m in o.env.all_items("/api/creditmemos") if m["InvoiceID"] == invoice]
    assert len(memos) == 1 and Decimal(memos[0]["Amount"]) == amount
    assert memos[0]["Reference"] == f"PT-{item.remote_id}-REFUND"
    with pytest.raises(RefundRefusedError, match="left to give back"):
        _refund(o, invoice, Decimal("0.01"))


def test_a_refund_refused_as_unsettled_becomes_a_void(outbound: OutboundEnv):
    o = outbound
    [(invoice, sale_id, amount)] = _paid_by_card(o)
    with o.env.store.write() as session:  # the local copy wrongly believes it settled
        session.execute(
            update(PayTraceTransaction)
            .where(PayTraceTransaction.transaction_id == sale_id)
            .values(settled_local=datetime.now())
        )
    assert _refund(o, invoice, amount).kind == "paytrace_refund"
    history = o.drain(o.poster())
    assert history[0].switched == 1
    assert _by_type(o, invoice) == {"VOID": 1}


def test_a_partial_refund_of_a_pending_sale_waits_for_settlement(outbound: OutboundEnv):
    o = outbound
    [(invoice, _, amount)] = _paid_by_card(o)
    part = (amount / 2).quantize(Decimal("0.01"))
    intent = _refund(o, invoice, part)
    assert intent.kind == "paytrace_refund"
    first = o.poster().post_due()
    assert (first.retry_later, first.done, first.switched) == (1, 0, 0)
    with o.env.store.read() as session:
        item = session.execute(select(OutboxItem).where(OutboxItem.key == intent.key)).scalar_one()
    assert "settles" in (item.last_error or "")
    o.settle()
    assert o.poster().post_due().done == 1
    assert _by_type(o, invoice) == {"SALE": 1, "REFUND": 1}


@pytest.mark.parametrize("fault", [FaultKind.APPLY_THEN_DROP, FaultKind.INTERNAL])
def test_a_refund_is_never_sent_twice_under_faults(outbound: OutboundEnv, fault: FaultKind):
    o = outbound
    [(invoice, _, amount)] = _paid_by_card(o)
    o.settle()
    o.sync()  # now the local copy knows the sale settled: a refund
    assert _refund(o, invoice, amount).kind == "paytrace_refund"
    o.env.paytrace.faults.script(fault, path_contains="refund/for_transaction")
    history = o.drain(o.poster())
    assert o.env.paytrace.faults.counts[fault.value] == 1
    if fault is FaultKind.APPLY_THEN_DROP:
        assert history[0].found == 1
    else:
        assert history[0].retry_later == 1 and sum(h.done for h in history) == 1
    assert _by_type(o, invoice) == {"SALE": 1, "REFUND": 1}


def test_refund_refusals_are_plain_words(outbound: OutboundEnv):
    o = outbound
    [(invoice, sale_id, amount)] = _paid_by_card(o)
    offer = card_refund_offer(o.env.store, invoice)
    assert offer is not None
    assert (offer.transaction_id, offer.refundable, offer.action, offer.under_way) == (
        sale_id,
        amount,
        "void",
        "",
    )
    with pytest.raises(RefundRefusedError, match="left to give back"):
        _refund(o, invoice, amount + Decimal("0.01"))
    intent = _refund(o, invoice, amount)
    assert card_refund_offer(o.env.store, invoice).under_way == intent.key  # type: ignore[union-attr]
    with pytest.raises(RefundRefusedError, match="already under way"):
        _refund(o, invoice, amount)  # approving the same credit memo twice queues nothing
    [unpaid] = o.free_invoices(1)
    with pytest.raises(RefundRefusedError, match="No card payment posted"):
        _refund(o, unpaid, Decimal("1.00"))
    assert card_refund_offer(o.env.store, unpaid) is None
