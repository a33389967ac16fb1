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
from app.store.models import OutboxItem, PayTraceTransaction, Proposal
from app.sync.cycle import run_cycle
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv, running_sync_env

NEVER_POSTED = {"declined", "voided", "uncaptured_auth"}


def _payments_by_reference(env: SyncEnv) -> dict[str, dict]:
    return {p["PaymentReference"]: p for p in env.all_items("/api/payments")}


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

    # A second run right after posts nothing and changes nothing.
    again = run_cycle(env.context(), since=since, auto_approve=True)
    assert (again.new, again.changed, again.posted, again.proposals) == (0, 0, 0, 0)
    assert _payments_by_reference(env).keys() == payments.keys()


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
