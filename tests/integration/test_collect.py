"""Collect: charge stored cards for open invoices over both stand-ins, exactly once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.sandbox.faults import FaultKind
from app.store import audit
from app.store.models import (
    ExceptionItem,
    OutboxAttempt,
    OutboxItem,
    SageProCustomer,
    SageProInvoice,
)
from app.sync.outbound.collect import collect_invoices
from app.sync.outbound.paytrace_poster import utcnow
from app.sync.review.exception_queue import retry_item
from tests.support.outbound_fixtures import OutboundEnv, outbound_fixture  # noqa: F401

SALE_PATH = "sale/by_customer"


def _collect(o: OutboundEnv, invoices: list[str]):  # type: ignore[no-untyped-def]
    result = collect_invoices(o.env.store, invoices, user="ann", profile=o.env.profile)
    assert result.refused == {}
    return result


def _assert_posted_once(o: OutboundEnv, invoices: list[str]) -> None:
    """One sale per invoice in PayTrace; after a sync, one payment per invoice in Sage Pro."""
    for invoice_id in invoices:
        assert o.sales(invoice_id)["sales"] == 1, o.sales(invoice_id)
    result = o.sync()
    assert result.errors == 0, result.notes
    payments = o.env.all_items("/api/payments")
    for invoice_id in invoices:
        paid = [p for p in payments if p.get("InvoiceID") == invoice_id]
        assert len(paid) == 1, (invoice_id, paid)
        sale_id = o.sales(invoice_id)["transaction_ids"][0]
        assert paid[0]["PaymentReference"] == f"PT-{sale_id}-PAY"
        invoice = o.env.sagepro_get(f"/api/invoices/{invoice_id}")
        assert invoice["Status"] == "Paid" and invoice["Balance"] == "0.00"
    # A second sync and a second executor run change nothing.
    assert o.poster().post_due().done == 0
    again = o.sync()
    assert (again.new, again.posted) == (0, 0)
    assert len(o.env.all_items("/api/payments")) == len(payments)


def test_collect_charges_each_invoice_once_and_it_posts_by_hard_key(outbound: OutboundEnv):
    o = outbound
    invoices = o.free_invoices(3)
    result = _collect(o, invoices)
    with o.env.store.read() as session:
        items = session.execute(select(OutboxItem).where(OutboxItem.target == "paytrace")).scalars()
        by_key = {i.key: i for i in items}
    assert sorted(by_key) == sorted(f"COLLECT-{i}-1" for i in invoices)
    assert {i.status for i in by_key.values()} == {"pending"}
    assert [o.sales(i)["sales"] for i in invoices] == [0, 0, 0]  # intents only: no call yet
    # A sync sends the intents first, then reads the charges back and posts them.
    assert o.sync(auto_approve=True).dead_letter == 0
    with o.env.store.read() as session:
        for intent in result.queued:
            item = session.execute(
                select(OutboxItem).where(OutboxItem.key == intent.key)
            ).scalar_one()
            assert item.status == "posted"
            assert int(item.remote_id) in o.sales(intent.invoice_id)["transaction_ids"]
    assert [o.sales(i)["sales"] for i in invoices] == [1, 1, 1]
    assert o.poster().post_due().done == 0  # nothing left to send
    _assert_posted_once(o, invoices)


@pytest.mark.parametrize(
    "fault", [FaultKind.APPLY_THEN_DROP, FaultKind.HANG, FaultKind.INTERNAL, FaultKind.RESET]
)
def test_a_card_is_never_charged_twice_under_faults(outbound: OutboundEnv, fault: FaultKind):
    o = outbound
    invoices = o.free_invoices(2)
    _collect(o, invoices)
    o.env.paytrace.faults.settings.hang_s = 1.0
    client = o.client(money_read_s=0.3)  # a hung sale times out quickly
    # Every first try of each sale meets the fault.
    o.env.paytrace.faults.script(fault, count=2, path_contains=SALE_PATH)
    later = [timedelta(0)]
    poster = o.poster(client, grace_s=120, clock=lambda: utcnow() + later[0])
    first = poster.post_due()
    if fault is FaultKind.APPLY_THEN_DROP:  # charged, answer lost: found by the search
        assert (first.found, first.done, first.retry_later) == (2, 0, 0)
    else:  # never applied: nothing found; no new try before the grace period is over
        assert (first.found, first.done, first.retry_later) == (0, 0, 2)
        assert poster.post_due().keys == {}
        later[0] = timedelta(seconds=121)
        second = poster.post_due()  # searches again, finds nothing, charges
        assert (second.found, second.done) == (0, 2)
    assert o.env.paytrace.faults.counts[fault.value] == 2
    with o.env.store.read() as session:
        statuses = (
            session.execute(select(OutboxItem.status).where(OutboxItem.target == "paytrace"))
            .scalars()
            .all()
        )
        notes = session.execute(select(OutboxAttempt.detail)).scalars().all()
    assert statuses == ["posted", "posted"]
    assert any("did not confirm" in n for n in notes)
    assert sum("searching PayTrace's export first" in n for n in notes) == (
        0 if fault is FaultKind.APPLY_THEN_DROP else 2
    )
    _assert_posted_once(o, invoices)


def test_a_crash_after_the_claim_searches_before_charging(outbound: OutboundEnv):
    """The charge happened, then the process died before recording it: the row is left
    in flight. The next run finds the sale in the export instead of charging again."""
    o = outbound
    [invoice] = o.free_invoices(1)
    _collect(o, [invoice])
    poster = o.poster()
    claim = poster._claim(set())
    assert claim is not None and not claim.sent_before
    poster._call(claim)  # the charge goes through; then "the power goes out"
    assert o.sales(invoice)["sales"] == 1

    counts = o.poster().post_due()
    assert (counts.found, counts.done) == (1, 0)
    _assert_posted_once(o, [invoice])


def test_a_decline_is_a_dead_letter_and_a_new_collect_may_follow(outbound: OutboundEnv):
    o = outbound
    [invoice] = o.free_invoices(1)
    # The stand-in declines 1.12: charge that much of the invoice.
    result = collect_invoices(
        o.env.store,
        [invoice],
        user="ann",
        profile=o.env.profile,
        amounts={invoice: Decimal("1.12")},
    )
    assert result.refused == {}
    counts = o.poster().post_due()
    assert counts.dead_letter == 1
    with o.env.store.read() as session:
        item = session.execute(
            select(OutboxItem).where(OutboxItem.target == "paytrace")
        ).scalar_one()
    assert item.status == "dead" and "declined" in (item.last_error or "")
    assert item.remote_id  # the declined transaction is remembered, never "found" later

    again = collect_invoices(o.env.store, [invoice], user="ann", profile=o.env.profile)
    assert [q.key for q in again.queued] == [f"COLLECT-{invoice}-2"]
    assert o.poster().post_due().done == 1
    assert o.sales(invoice)["sales"] == 1


def test_collect_refuses_in_plain_words(outbound: OutboundEnv):
    o = outbound
    paid, queued = o.free_invoices(2)
    with o.env.store.read() as session:
        no_card = (
            session.execute(
                select(SageProInvoice.invoice_id)
                .join(SageProCustomer, SageProCustomer.customer_id == SageProInvoice.customer_id)
                .where(SageProInvoice.status == "Open", SageProCustomer.paytrace_customer_id == "")
            )
            .scalars()
            .first()
        )
    assert no_card
    _collect(o, [paid])
    assert o.poster().post_due().done == 1
    o.sync()  # the charge posts: the invoice is paid in Sage Pro and in the cache
    _collect(o, [queued])
    result = collect_invoices(
        o.env.store, [no_card, paid, queued, "NOPE1"], user="ann", profile=o.env.profile
    )
    assert result.queued == []
    assert "no stored card" in result.refused[no_card]
    assert "only open invoices" in result.refused[paid]
    assert "already queued" in result.refused[queued]
    assert "sync first" in result.refused["NOPE1"]
    assert o.sales(paid)["sales"] == 1 and o.sales(queued)["sales"] == 0
    with o.env.store.read() as session:
        assert audit.verify(session).ok


def test_a_rewritten_payload_still_searches_before_charging_again(outbound: OutboundEnv):
    """The answer is lost and the search fails too; then the payload loses its "first sent"
    stamp (an edit). The attempt history alone makes the next try search, not charge."""
    o = outbound
    [invoice] = o.free_invoices(1)
    _collect(o, [invoice])
    faults = o.env.paytrace.faults
    faults.script(FaultKind.APPLY_THEN_DROP, path_contains=SALE_PATH)
    faults.script(
        FaultKind.INTERNAL, count=6, path_contains="export/by_date_range"
    )  # every read retry
    first = o.poster().post_due()
    assert first.retry_later == 1 and o.sales(invoice)["sales"] == 1
    with o.env.store.write() as session:
        item = session.execute(
            select(OutboxItem).where(OutboxItem.target == "paytrace")
        ).scalar_one()
        item.payload = {k: v for k, v in item.payload.items() if k != "first_sent_on"}
    assert o.poster().post_due().found == 1
    _assert_posted_once(o, [invoice])


def test_retrying_a_declined_charge_from_the_exceptions_page_tries_the_card_again(
    outbound: OutboundEnv,
):
    o = outbound
    [invoice] = o.free_invoices(1)
    collect_invoices(
        o.env.store,
        [invoice],
        user="ann",
        profile=o.env.profile,
        amounts={invoice: Decimal("1.12")},
    )
    assert o.poster().post_due().dead_letter == 1
    with o.env.store.read() as session:
        dead = (
            session.execute(select(ExceptionItem).where(ExceptionItem.category == "dead_letter"))
            .scalars()
            .all()
        )
    [item] = [d for d in dead if d.title.startswith(f"COLLECT-{invoice}-1")]
    retry_item(o.env.store, item.id, user="ann")
    again = o.poster().post_due()
    assert again.dead_letter == 1  # the same test amount declines again...
    assert o.sales(invoice)["by_type"] == {"DECLINED": 2}  # ...but the card was really tried
