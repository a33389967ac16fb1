"""Reversals that reverse the receivable, over real sockets with both stand-ins: a void
after posting (auto-approve on and off), Unreconcile → re-match → post, Undo approval →
approve again, and a reversal whose answer was lost posting exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from app.domain.money import from_cents
from app.store.models import (
    OutboxItem,
    PayTraceTransaction,
    Proposal,
    ProposalApplication,
    SageProInvoice,
)
from app.sync.cycle import run_cycle
from app.sync.outbound.poster import OutboxPoster
from app.sync.review import actions as review
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv

SINCE = DEMO_TODAY - timedelta(days=31)


@dataclass
class PostedSale:
    transaction_id: int
    proposal_id: int
    invoice_id: str
    customer_id: str
    amount: Decimal
    invoice_balance_before: Decimal  # the invoice before the payment was posted
    customer_balance_before: Decimal


def _money(text: str) -> Decimal:
    return Decimal(text)


def _synced(env: SyncEnv, **kwargs: object) -> None:
    result = run_cycle(env.context(), since=SINCE, **kwargs)  # type: ignore[arg-type]
    assert result.errors == 0, result.notes


def _post(env: SyncEnv) -> int:
    ctx = env.context()
    poster = OutboxPoster(env.store, ctx.sagepro, worker="test", **ctx.poster_options)  # type: ignore[arg-type]
    counts = poster.post_due()
    assert counts.dead_letter == 0
    return counts.posted


def _invoice(env: SyncEnv, invoice_id: str) -> dict:  # type: ignore[type-arg]
    return env.sagepro_get(f"/api/invoices/{invoice_id}")


def _customer_balance(env: SyncEnv, customer_id: str) -> Decimal:
    return _money(env.sagepro_get(f"/api/customers/{customer_id}")["Balance"])


def _posted_unsettled_sale(env: SyncEnv) -> PostedSale:
    """A card sale posted in full on one invoice that PayTrace has not settled yet (so it
    can still be voided)."""
    pt = env.paytrace.app.store  # type: ignore[attr-defined]
    with env.store.read() as session:
        rows = session.execute(
            select(Proposal, OutboxItem.payload)
            .join(OutboxItem, OutboxItem.proposal_id == Proposal.id)
            .where(
                Proposal.kind == "payment",
                Proposal.status == "posted",
                OutboxItem.kind == "payment",
                OutboxItem.status == "posted",
            )
            .order_by(Proposal.transaction_id)
        ).all()
        for proposal, payload in rows:
            stored = pt.transactions.get(proposal.transaction_id)
            if stored is None or stored.settled is not None or stored.voided:
                continue
            if stored.export_type != "SALE" or not payload.get("InvoiceID"):
                continue
            invoice_id = str(payload["InvoiceID"])
            invoice = _invoice(env, invoice_id)
            if invoice["Status"] != "Paid":
                continue  # a partial payment: the tests follow a sale that paid its invoice
            amount = _money(payload["Amount"])
            customer_id = str(payload["CustomerID"])
            return PostedSale(
                proposal.transaction_id,
                proposal.id,
                invoice_id,
                customer_id,
                amount,
                _money(invoice["Balance"]) + amount,
                _customer_balance(env, customer_id) + amount,
            )
    raise AssertionError("no posted, unsettled card sale in the demo company")


def _reversals(env: SyncEnv, key: str) -> list[dict]:  # type: ignore[type-arg]
    return env.sagepro_get("/api/paymentreversals", Reference=key)["items"]  # type: ignore[no-any-return]


def _assert_reversed(env: SyncEnv, sale: PostedSale, key: str) -> None:
    (made,) = _reversals(env, key)
    payment_id = made["PaymentID"]
    payment = env.sagepro_get(f"/api/payments/{payment_id}")
    assert payment["PaymentReference"] == f"PT-{sale.transaction_id}-PAY"
    assert payment["Reversed"] is True and payment["ReversalID"] == made["ReversalID"]
    assert _money(made["Amount"]) == sale.amount
    invoice = _invoice(env, sale.invoice_id)
    assert invoice["Status"] == "Open"
    assert _money(invoice["Balance"]) == sale.invoice_balance_before
    assert _customer_balance(env, sale.customer_id) == sale.customer_balance_before
    # No journal entry under the reversal's key: the reversal itself undoes AR and clearing.
    assert env.sagepro_get("/api/journalentries", Reference=key)["items"] == []


def _waiting_sure_payment(env: SyncEnv) -> tuple[int, int]:
    """After a sync without auto-approval: one sure payment proposal (id, transaction)."""
    run_cycle(env.context(), since=SINCE, auto_approve=False)
    with env.store.read() as session:
        proposal_id, transaction_id = session.execute(
            select(Proposal.id, Proposal.transaction_id)
            .where(
                Proposal.status == "proposed",
                Proposal.auto_approvable,
                Proposal.kind == "payment",
            )
            .order_by(Proposal.id)  # without an order the plan (an index) would choose
            .limit(1)
        ).one()
    return proposal_id, transaction_id


def _void_in_paytrace(env: SyncEnv, transaction_id: int) -> None:
    env.paytrace.app.store.void(transaction_id)  # type: ignore[attr-defined]


def test_void_after_posting_with_auto_approve_reverses_in_the_same_cycle(sync_env: SyncEnv):
    env = sync_env
    _synced(env, auto_approve=True)
    sale = _posted_unsettled_sale(env)
    _void_in_paytrace(env, sale.transaction_id)

    result = run_cycle(env.context(), auto_approve=True)
    assert result.errors == 0 and result.dead_letter == 0, result.notes
    key = f"PT-{sale.transaction_id}-REVERSAL"
    _assert_reversed(env, sale, key)
    with env.store.read() as session:
        tx = session.get(PayTraceTransaction, sale.transaction_id)
        assert tx is not None and tx.match_status == "reversed"
        assert session.get(Proposal, sale.proposal_id).status == "reversed"
        (reversal,) = session.execute(
            select(Proposal).where(
                Proposal.transaction_id == sale.transaction_id, Proposal.kind == "reversal"
            )
        ).scalars()
        assert reversal.status == "posted" and reversal.decided_by == "auto-approve"
    # The cached invoice is open again at once (a re-match could use it).
    with env.store.read() as session:
        cached = session.get(SageProInvoice, sale.invoice_id)
        assert cached is not None and cached.status == "Open"

    # Another cycle posts nothing more.
    again = run_cycle(env.context(), auto_approve=True)
    assert again.dead_letter == 0
    assert len(_reversals(env, key)) == 1


def test_void_after_posting_without_auto_approve_waits_in_the_grid(sync_env: SyncEnv):
    env = sync_env
    _synced(env, auto_approve=True)
    sale = _posted_unsettled_sale(env)
    _void_in_paytrace(env, sale.transaction_id)

    run_cycle(env.context(), auto_approve=False)
    key = f"PT-{sale.transaction_id}-REVERSAL"
    assert _reversals(env, key) == []
    assert _invoice(env, sale.invoice_id)["Status"] == "Paid"
    with env.store.read() as session:
        (waiting,) = session.execute(
            select(Proposal).where(
                Proposal.transaction_id == sale.transaction_id, Proposal.kind == "reversal"
            )
        ).scalars()
        assert waiting.status == "proposed" and waiting.auto_approvable
        assert "voided" in waiting.reason and f"PT-{sale.transaction_id}-PAY" in waiting.reason
        assert [a.invoice_id for a in waiting.applications] == [sale.invoice_id]
        waiting_id = waiting.id

    approved = review.approve_proposals(env.store, [waiting_id], user="amy", profile=env.profile)
    assert approved.approved == [waiting_id], approved.refused
    run_cycle(env.context(), auto_approve=False)
    _assert_reversed(env, sale, key)
    with env.store.read() as session:
        assert session.get(Proposal, waiting_id).status == "posted"


def test_unreconcile_then_rematch_posts_the_new_match_once(sync_env: SyncEnv):
    env = sync_env
    _synced(env, auto_approve=True)
    sale = _posted_unsettled_sale(env)

    new_id = review.unreconcile(env.store, sale.proposal_id, user="amy", profile=env.profile)
    with pytest.raises(review.ReviewError):
        review.unreconcile(env.store, sale.proposal_id, user="amy", profile=env.profile)
    with env.store.read() as session:
        fresh = session.get(Proposal, new_id)
        assert fresh is not None and fresh.status == "review" and fresh.kind == "payment"
        assert fresh.customer_id == sale.customer_id and "Unreconciled by amy" in fresh.reason
        tx = session.get(PayTraceTransaction, sale.transaction_id)
        assert tx is not None and tx.match_status == "review"

    assert _post(env) == 1  # the reversal
    _assert_reversed(env, sale, f"PT-{sale.transaction_id}-REVERSAL")

    # The reversal reopened the invoice, so Sage Pro's picture changed and the next sync
    # re-matches undecided lines: the unreconciled one is a person's call and stays as it is
    # (re-matching it could post the very match the person took back).
    _synced(env, auto_approve=True)
    with env.store.read() as session:
        kept = session.get(Proposal, new_id)
        assert kept is not None and kept.status == "review"
    refs = [p["PaymentReference"] for p in env.all_items("/api/payments")]
    assert f"PT-{sale.transaction_id}-PAY-2" not in refs

    # Re-match to the same invoice (open again) and approve: it posts under the next key.
    chosen = review.rematch_proposal(
        env.store, new_id, [(sale.invoice_id, sale.amount)], user="amy"
    )
    result = review.approve_proposals(env.store, [chosen], user="amy", profile=env.profile)
    assert result.approved == [chosen], result.refused
    assert _post(env) == 1
    assert _post(env) == 0
    refs = [p["PaymentReference"] for p in env.all_items("/api/payments")]
    assert refs.count(f"PT-{sale.transaction_id}-PAY-2") == 1
    assert refs.count(f"PT-{sale.transaction_id}-PAY") == 1
    invoice = _invoice(env, sale.invoice_id)
    assert invoice["Status"] == "Paid"
    assert _money(invoice["Balance"]) == sale.invoice_balance_before - sale.amount
    assert _customer_balance(env, sale.customer_id) == sale.customer_balance_before - sale.amount
    with env.store.read() as session:
        assert session.get(Proposal, chosen).status == "posted"
        tx = session.get(PayTraceTransaction, sale.transaction_id)
        assert tx is not None and tx.match_status == "posted"

    # Unreconcile the new match too: its reversal takes the next key, PT-<id>-REVERSAL-2.
    review.unreconcile(env.store, chosen, user="amy", profile=env.profile)
    assert _post(env) == 1
    assert len(_reversals(env, f"PT-{sale.transaction_id}-REVERSAL-2")) == 1
    assert _invoice(env, sale.invoice_id)["Status"] == "Open"


def test_undo_approval_then_approve_again_posts(sync_env: SyncEnv):
    env = sync_env
    proposal_id, transaction_id = _waiting_sure_payment(env)
    review.approve_proposals(env.store, [proposal_id], user="amy", profile=env.profile)
    review.undo_approval(env.store, proposal_id, user="amy")
    again = review.approve_proposals(env.store, [proposal_id], user="amy", profile=env.profile)
    assert again.approved == [proposal_id], again.refused
    with env.store.read() as session:
        (row,) = session.execute(
            select(OutboxItem).where(OutboxItem.proposal_id == proposal_id)
        ).scalars()
        assert row.status == "pending" and row.key == f"PT-{transaction_id}-PAY"
    assert _post(env) >= 1
    with env.store.read() as session:
        assert session.get(Proposal, proposal_id).status == "posted"
    refs = [p["PaymentReference"] for p in env.all_items("/api/payments")]
    assert refs.count(f"PT-{transaction_id}-PAY") == 1


def test_undo_approval_then_rematch_then_approve_posts_the_new_choice(sync_env: SyncEnv):
    env = sync_env
    run_cycle(env.context(), since=SINCE, auto_approve=False)
    with env.store.read() as session:
        proposal = (
            session.execute(
                select(Proposal).where(
                    Proposal.status == "proposed",
                    Proposal.auto_approvable,
                    Proposal.kind == "payment",
                    Proposal.on_account_cents == 0,
                )
            )
            .scalars()
            .first()
        )
        assert proposal is not None
        proposal_id, transaction_id = proposal.id, proposal.transaction_id
        amount = from_cents(sum(a.amount_cents for a in proposal.applications))
    review.approve_proposals(env.store, [proposal_id], user="amy", profile=env.profile)
    review.undo_approval(env.store, proposal_id, user="amy")
    chosen = review.rematch_proposal(env.store, proposal_id, [], user="amy", on_account=amount)
    result = review.approve_proposals(env.store, [chosen], user="amy", profile=env.profile)
    assert result.approved == [chosen], result.refused
    assert _post(env) >= 1
    (posted,) = [
        p
        for p in env.all_items("/api/payments")
        if p["PaymentReference"] == f"PT-{transaction_id}-PAY"
    ]
    assert posted["InvoiceID"] is None and posted["Applications"] == []  # on account, as chosen
    with env.store.read() as session:
        assert session.get(Proposal, chosen).status == "posted"


def test_an_approval_stuck_on_a_discarded_row_can_be_undone_and_approved(sync_env: SyncEnv):
    """Before the fix, approving again after an undo left the proposal approved with only a
    discarded row: nothing posted and Undo refused. Such a store is released now."""
    env = sync_env
    proposal_id, transaction_id = _waiting_sure_payment(env)
    review.approve_proposals(env.store, [proposal_id], user="amy", profile=env.profile)
    review.undo_approval(env.store, proposal_id, user="amy")
    with env.store.write() as session:  # the state the old code left behind
        stuck = session.get(Proposal, proposal_id)
        assert stuck is not None
        stuck.status = "approved"
    review.undo_approval(env.store, proposal_id, user="amy")
    result = review.approve_proposals(env.store, [proposal_id], user="amy", profile=env.profile)
    assert result.approved == [proposal_id], result.refused
    assert _post(env) >= 1
    refs = [p["PaymentReference"] for p in env.all_items("/api/payments")]
    assert refs.count(f"PT-{transaction_id}-PAY") == 1


def test_reversal_whose_answer_was_lost_posts_once(sync_env: SyncEnv):
    env = sync_env
    _synced(env, auto_approve=True)
    sale = _posted_unsettled_sale(env)
    review.unreconcile(env.store, sale.proposal_id, user="amy", profile=env.profile)
    # Sage Pro writes the reversal, then the connection drops before the answer.
    env.sagepro.faults.script("apply_then_drop", path_contains="/api/paymentreversals")  # type: ignore[attr-defined]
    assert _post(env) == 1
    key = f"PT-{sale.transaction_id}-REVERSAL"
    assert len(_reversals(env, key)) == 1
    assert env.sagepro.faults.counts["apply_then_drop"] == 1  # type: ignore[attr-defined]
    _assert_reversed(env, sale, key)
    with env.store.read() as session:
        (row,) = session.execute(select(OutboxItem).where(OutboxItem.key == key)).scalars()
        assert row.status == "posted" and row.remote_id == _reversals(env, key)[0]["ReversalID"]


def test_a_void_after_unreconcile_keeps_the_queued_reversal(sync_env: SyncEnv):
    """Unreconciled (its reversal queued, the line back in review), then voided in PayTrace
    before the reversal went out: the reversal still posts, once, and the waiting line is
    withdrawn so nobody can post the voided money again."""
    env = sync_env
    _synced(env, auto_approve=True)
    sale = _posted_unsettled_sale(env)
    new_id = review.unreconcile(env.store, sale.proposal_id, user="amy", profile=env.profile)
    _void_in_paytrace(env, sale.transaction_id)

    _synced(env, auto_approve=True)  # reads the void first, then posts
    _assert_reversed(env, sale, f"PT-{sale.transaction_id}-REVERSAL")
    assert _reversals(env, f"PT-{sale.transaction_id}-REVERSAL-2") == []
    with env.store.read() as session:
        waiting = session.get(Proposal, new_id)
        assert waiting is not None and waiting.status == "superseded"
        reversal = session.execute(
            select(OutboxItem).where(OutboxItem.key == f"PT-{sale.transaction_id}-REVERSAL")
        ).scalar_one()
        assert reversal.status == "posted"
    _synced(env, auto_approve=True)
    refs = [p["PaymentReference"] for p in env.all_items("/api/payments")]
    assert f"PT-{sale.transaction_id}-PAY-2" not in refs
    assert _reversals(env, f"PT-{sale.transaction_id}-REVERSAL-2") == []


def test_an_undone_approval_is_never_re_matched_and_re_approved_by_a_sync(sync_env: SyncEnv):
    """The bookkeeper took an approval back (the invoice was wrong); Sage Pro's invoices
    change, so the next sync re-matches waiting lines: this one stays the person's call."""
    env = sync_env
    proposal_id, transaction_id = _waiting_sure_payment(env)
    with env.store.read() as session:
        (invoice_id,) = session.execute(
            select(ProposalApplication.invoice_id).where(
                ProposalApplication.proposal_id == proposal_id
            )
        ).one()
    review.approve_proposals(env.store, [proposal_id], user="amy", profile=env.profile)
    review.undo_approval(env.store, proposal_id, user="amy")
    # Someone in Sage Pro takes 1.00 off that invoice: the same payment now matches in
    # another shape, so a re-match would replace the line the person is deciding on.
    paid = requests.post(
        f"{env.sagepro.url}/_sandbox/invoices/{invoice_id}/pay", json={"Amount": "1.00"}, timeout=5
    )
    assert paid.status_code in (200, 201), paid.text

    _synced(env, auto_approve=True)
    with env.store.read() as session:
        kept = session.get(Proposal, proposal_id)
        assert kept is not None and kept.status == "proposed"
    refs = [p["PaymentReference"] for p in env.all_items("/api/payments")]
    assert f"PT-{transaction_id}-PAY" not in refs
