"""One card-clearing account (issue 16): Settings → GL accounts → Card clearing decides the
account payments debit and refund and settlement journal entries credit, so clearing nets to
zero for every settled batch. Read back from Sage Pro's books over real sockets."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.config import Settings, load_settings, save_settings
from app.mapping.document import GLCondition, GLRule
from app.mapping.template import load_default_template
from app.store.models import PayTraceTransaction, Proposal
from app.sync.cycle import run_cycle
from app.sync.outbox.mapping_bridge import MappedRecords
from app.sync.review.actions import approve_proposals, rematch_proposal
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv

ZERO = Decimal("0.00")
MOVED_CLEARING = "1060"  # not the template's GL default (1050): the setting must win
SINCE = DEMO_TODAY - timedelta(days=31)


def _clearing_by_reference(env: SyncEnv, account: str) -> dict[str, Decimal]:
    """Sage Pro's books as the clearing account sees them: + debit, − credit, per record."""
    moves: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for payment in env.all_items("/api/payments"):
        if payment["GLAccountID"] == account and payment["PaymentStatus"] != "Failed":
            # A payment of a foreign-currency invoice took BaseAmount off the card.
            card_money = payment.get("BaseAmount") or payment["Amount"]
            moves[payment["PaymentReference"]] += Decimal(card_money)
    for memo in env.all_items("/api/creditmemos"):
        if memo["GLAccountID"] == account:
            moves[memo["Reference"]] -= Decimal(memo["Amount"])
    for entry in env.all_items("/api/journalentries"):
        for line in entry["Lines"]:
            if line["GLAccountID"] == account:
                moves[entry["Reference"]] += Decimal(line["Debit"]) - Decimal(line["Credit"])
    return dict(moves)


def test_payments_and_settlement_entries_use_the_clearing_account_from_settings(
    sync_env: SyncEnv,
):
    env = sync_env
    # As the Settings page does it: change the account, save the settings file, load it.
    env.profile.gl.card_clearing = MOVED_CLEARING
    save_settings(Settings(active_profile=env.profile.name, profiles={"Test": env.profile}))
    env.profile = load_settings().profile()
    assert env.profile.gl.card_clearing == MOVED_CLEARING
    result = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert result.errors == 0 and result.dead_letter == 0, result.notes

    paid = [p for p in env.all_items("/api/payments") if p["PaymentStatus"] == "Paid"]
    assert paid, "the demo month posts payments"
    assert {p["GLAccountID"] for p in paid} == {MOVED_CLEARING}
    settlements = [
        je for je in env.all_items("/api/journalentries") if je["Reference"].startswith("PT-BATCH-")
    ]
    assert settlements, "the demo month settles batches"
    for entry in settlements:
        credited = {line["GLAccountID"] for line in entry["Lines"] if Decimal(line["Credit"])}
        assert MOVED_CLEARING in credited, entry
    assert _clearing_by_reference(env, "1050") == {}, "nothing lands on the old clearing account"


def test_a_month_of_activity_leaves_clearing_at_exactly_the_unsettled_amount(sync_env: SyncEnv):
    env = sync_env
    env.profile.gl.card_clearing = MOVED_CLEARING
    run_cycle(env.context(), since=SINCE, auto_approve=True)
    # The bookkeeper works through the grid: approves what waits, matches reviews by hand
    # where the invoice is known. Payers nobody can name stay in review.
    truth = {t.transaction_id: t for t in env.company.transactions}
    with env.store.read() as session:
        waiting = session.execute(
            select(Proposal.id, Proposal.status, Proposal.transaction_id).where(
                Proposal.status.in_(("proposed", "review"))
            )
        ).all()
    chosen = []
    for proposal_id, status, transaction_id in waiting:
        known = truth[transaction_id].expected_applications
        if status == "review" and known:
            chosen.append(rematch_proposal(env.store, proposal_id, list(known), user="books"))
        else:
            chosen.append(proposal_id)
    approve_proposals(env.store, chosen, user="books", profile=env.profile)
    again = run_cycle(env.context(), since=SINCE, auto_approve=True)
    assert again.errors == 0 and again.dead_letter == 0, again.notes

    moves = _clearing_by_reference(env, MOVED_CLEARING)
    with env.store.read() as session:
        rows = session.execute(
            select(
                PayTraceTransaction.transaction_id,
                PayTraceTransaction.transaction_type,
                PayTraceTransaction.amount_cents,
                PayTraceTransaction.batch_number,
                PayTraceTransaction.match_status,
            )
        ).all()
    per_batch: dict[int, Decimal] = defaultdict(lambda: ZERO)  # clearing left by each batch
    waiting_in_batch: dict[int, Decimal] = defaultdict(lambda: ZERO)
    unsettled_posted = ZERO
    for tid, kind, cents, batch, status in rows:
        in_clearing = sum(
            (amount for ref, amount in moves.items() if ref.startswith(f"PT-{tid}-")), ZERO
        )
        signed = Decimal(cents) / 100 * (-1 if kind == "REFUND" else 1)
        if kind in ("SALE", "REFUND") and status == "posted":
            assert in_clearing == signed, (tid, kind, in_clearing)
        else:
            assert in_clearing == ZERO, (tid, kind, status)
        if batch is None:
            unsettled_posted += in_clearing
            continue
        per_batch[batch] += in_clearing
        if kind in ("SALE", "REFUND") and status != "posted":
            waiting_in_batch[batch] += signed
    for reference, amount in moves.items():
        if reference.startswith("PT-BATCH-"):
            per_batch[int(reference.split("-")[2])] += amount

    assert len(per_batch) >= 10, "a month settles many batches"
    for batch, left in per_batch.items():
        # Zero once every transaction of the batch is posted; otherwise exactly what still
        # waits in review is missing (the settlement credited it, no payment debited it yet).
        assert left == -waiting_in_batch[batch], (batch, left, waiting_in_batch[batch])
    cleared = [b for b, left in per_batch.items() if left == ZERO]
    assert len(cleared) >= len(per_batch) - 6
    total = sum(moves.values(), ZERO)
    assert unsettled_posted > ZERO
    assert total == unsettled_posted - sum(waiting_in_batch.values(), ZERO)
    print(
        f"\nclearing {MOVED_CLEARING}: {total}; unsettled posted {unsettled_posted}; "
        f"{len(cleared)}/{len(per_batch)} batches at zero; waiting {dict(waiting_in_batch)}"
    )


def _sale(transaction_id: int, method: str) -> tuple[PayTraceTransaction, dict]:  # type: ignore[type-arg]
    raw = {
        "transaction_id": transaction_id,
        "transaction_type": "SALE",
        "amount": 125.0,
        "created": {"at": "03/10/2025 10:00:00 AM"},
        "payment_method": method,
        "invoice_id": "1001",
    }
    tx = PayTraceTransaction(transaction_id=transaction_id, transaction_type="SALE")
    return tx, raw


def test_the_setting_replaces_the_gl_default_but_an_explicit_gl_rule_still_wins():
    template = load_default_template()
    rules = dataclasses.replace(
        template.gl_rules,
        rules=(
            *template.gl_rules.rules,
            GLRule("Large sales", "1040", GLCondition(amount_min=Decimal("1000.00"))),
        ),
    )
    mapper = MappedRecords(dataclasses.replace(template, gl_rules=rules), None, MOVED_CLEARING)
    tx, raw = _sale(101, "CC")
    assert mapper.payment_fields(tx, raw, "C001")["GLAccountID"] == MOVED_CLEARING
    raw["amount"] = 2500.0
    assert mapper.payment_fields(tx, raw, "C001")["GLAccountID"] == "1040"
    # Without a clearing setting (old callers), the mapping's own default stands.
    plain = MappedRecords(template, None)
    raw["amount"] = 125.0
    assert plain.payment_fields(tx, raw, "C001")["GLAccountID"] == "1050"
