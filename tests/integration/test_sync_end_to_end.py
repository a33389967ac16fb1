"""A 30-day demo company synced end to end over both stand-ins, with real sockets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.sandbox.paytrace import StandInSettings
from app.store import audit
from app.store.models import AuditEvent, OutboxItem, PayTraceTransaction, Proposal
from app.sync.cycle import run_cycle
from tests.support.clean_month import clean_month, posted_keys
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv, running_sync_env

NEVER_POSTED = {"declined", "voided", "uncaptured_auth"}


def _payments_by_reference(env: SyncEnv) -> dict[str, dict]:
    return {p["PaymentReference"]: p for p in env.all_items("/api/payments")}


def _assert_no_wrong_or_forbidden_postings(env: SyncEnv) -> dict[str, dict]:
    payments = _payments_by_reference(env)
    by_id = {t.transaction_id: t for t in env.company.transactions}
    # Every posted payment is a real sale of the demo company, applied where the truth says.
    wrong = []
    for reference, payment in payments.items():
        tid = int(reference.split("-")[1])
        truth = by_id[tid]
        assert truth.scenario not in NEVER_POSTED, (reference, truth.scenario)
        applied = payment.get("Applications") or (
            [{"InvoiceID": payment["InvoiceID"], "Amount": payment["Amount"]}]
            if payment.get("InvoiceID")
            else []
        )
        got = sorted((a["InvoiceID"], Decimal(a["Amount"])) for a in applied)
        if truth.expected_applications and got != sorted(truth.expected_applications):
            wrong.append((tid, truth.scenario, got, truth.expected_applications))
    assert wrong == []

    # Declines, voids and uncaptured authorizations never post.
    for t in env.company.transactions:
        if t.scenario in NEVER_POSTED:
            assert f"PT-{t.transaction_id}-PAY" not in payments
    # Declines and voids are known as such whatever their rows read; a decline is recorded
    # Failed at most once and never as a payment proposal.
    with env.store.read() as session:
        types = dict(
            session.execute(
                select(PayTraceTransaction.transaction_id, PayTraceTransaction.transaction_type)
            ).all()
        )
        failed = Counter(
            session.scalars(select(OutboxItem.key).where(OutboxItem.key.like("PT-%-FAILED")))
        )
        decline_payments = session.scalar(
            select(func.count()).where(
                Proposal.kind == "payment",
                Proposal.transaction_id.in_(
                    [t.transaction_id for t in env.company.transactions if t.scenario == "declined"]
                ),
            )
        )
    for t in env.company.transactions:
        if t.scenario in ("declined", "voided") and t.transaction_id in types:
            assert types[t.transaction_id] == {"declined": "DECLINED", "voided": "VOID"}[t.scenario]
    assert decline_payments == 0
    assert failed and max(failed.values()) == 1
    return payments


@pytest.fixture(
    params=[
        pytest.param(StandInSettings(), id="rows-as-today"),
        # The unverified shapes the other way: declines read SALE (empty approval code) and
        # are listed unfiltered too; voided sales keep reading SALE.
        pytest.param(
            StandInSettings(
                declined_row_type="SALE", declined_in_unfiltered=True, voided_row_type="SALE"
            ),
            id="declines-and-voids-read-SALE",
        ),
    ]
)
def shaped_env(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SyncEnv]:
    with running_sync_env(tmp_path, paytrace_settings=request.param) as env:
        yield env


def test_thirty_days_sync_end_to_end(shaped_env: SyncEnv):
    env = shaped_env
    since = DEMO_TODAY - timedelta(days=31)
    result = run_cycle(env.context(), since=since, auto_approve=True)
    assert result.errors == 0, result.notes
    assert result.fetched >= len(env.company.transactions) - 5
    assert result.posted > 0 and result.dead_letter == 0
    payments = _assert_no_wrong_or_forbidden_postings(env)

    # Refunds whose sale was posted produce credit memos.
    memos = {m["Reference"] for m in env.all_items("/api/creditmemos")}
    with env.store.read() as session:
        posted_refunds = (
            session.execute(
                select(OutboxItem.key).where(
                    OutboxItem.kind == "credit_memo", OutboxItem.status == "posted"
                )
            )
            .scalars()
            .all()
        )
        assert set(posted_refunds) <= memos
        statuses = Counter(session.execute(select(PayTraceTransaction.match_status)).scalars())
        assert audit.verify(session).ok
    print("\nfirst run:", result.as_dict(), "match statuses:", dict(statuses))
    assert posted_refunds, "the demo has refunds of posted sales"

    # A second run right after posts nothing. Sage Pro's invoices changed by what was posted,
    # so undecided proposals are matched again: any new proposal there is such a re-match.
    again = run_cycle(env.context(), since=since, auto_approve=True)
    assert (again.new, again.changed, again.posted) == (0, 0, 0)
    with env.store.read() as session:
        rematches = (
            session.execute(select(AuditEvent.after).where(AuditEvent.action == "rematch_auto"))
            .scalars()
            .all()
        )
    assert again.proposals == len(rematches)
    # Waiting order payments of unknown payers say the same again: they are left standing.
    assert [r for r in rematches if r["kind"] != "payment"] == []
    # Once Sage Pro has nothing new, a run changes nothing at all.
    third = run_cycle(env.context(), since=since, auto_approve=True)
    assert (third.new, third.changed, third.posted, third.proposals) == (0, 0, 0, 0)
    assert _payments_by_reference(env).keys() == payments.keys()


def test_thirty_days_with_a_sagepro_outage_in_the_first_cycle(tmp_path: Path):
    """Sage Pro is down while the month is first read: nothing posts, everything waits; the
    next cycle reads Sage Pro, matches the waiting payments (order payments and declines
    too) again and posts what a run without the outage posts."""
    since = DEMO_TODAY - timedelta(days=31)
    clean = clean_month()  # shared with the faults test: one fault-free month per process
    assert clean.cycles == 1, "the fault-free month posts everything in its first cycle"
    with running_sync_env(tmp_path / "outage", "Outage") as env:
        env.sagepro.faults.set_random(1.0, ["503"], retry_after_s=0)
        down = run_cycle(env.context(), since=since, auto_approve=True)
        assert down.posted == 0 and down.auto_approved == 0 and down.proposals > 0
        assert any("Sage Pro could not be read" in n for n in down.notes)
        env.sagepro.faults.clear()

        recovered = run_cycle(env.context(), auto_approve=True)
        assert recovered.dead_letter == 0, recovered.notes
        payments = _assert_no_wrong_or_forbidden_postings(env)
        assert len(payments) > 150
        with env.store.read() as session:
            rematched = session.execute(
                select(func.count()).where(AuditEvent.action == "rematch_auto")
            ).scalar_one()
            assert audit.verify(session).ok
        print("\nafter the outage:", recovered.as_dict(), "re-matched:", rematched)
        assert rematched > 150
        assert posted_keys(env) == clean.posted_keys


def test_without_auto_approve_everything_waits_for_review(sync_env: SyncEnv):
    env = sync_env
    result = run_cycle(env.context(), since=DEMO_TODAY - timedelta(days=31), auto_approve=False)
    assert result.auto_approved == 0 and result.proposals > 0
    assert env.all_items("/api/payments") == []
    assert env.all_items("/api/creditmemos") == []
    with env.store.read() as session:
        approved = session.execute(
            select(func.count()).where(Proposal.status == "approved")
        ).scalar_one()
        posted = (
            session.execute(select(OutboxItem.key).where(OutboxItem.status == "posted"))
            .scalars()
            .all()
        )
    assert approved == 0
    # Only settlement journal entries post on their own: they follow from PayTrace's totals.
    assert posted and all(k.startswith("PT-BATCH-") for k in posted)
    assert result.posted == len(posted)
