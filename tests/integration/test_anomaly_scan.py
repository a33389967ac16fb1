"""The anomaly scan over a store filled by a real sync against both stand-ins: injected
anomalies are flagged on their transactions, a re-scan adds nothing, a dismissed flag stays
dismissed, and a settled sale that PayTrace later shows as VOID is caught."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.sandbox.demo_data import DemoCompany, generate_demo_company
from app.store.models import ExceptionItem, PayTraceTransaction
from app.sync.cycle import run_cycle
from app.sync.inbound.anomaly_scan import scan_anomalies
from app.sync.outbound.paytrace_intents import VOID, amount_text, queue_intent
from app.sync.outbound.paytrace_poster import PayTraceOutboxPoster
from app.sync.review.exception_queue import resolve_item
from tests.support import sync_fixtures
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv, running_sync_env


def _with_anomalies(company: DemoCompany) -> tuple[DemoCompany, dict[str, int]]:
    rows = list(company.transactions)
    sale = next(t for t in rows if t.scenario == "clean" and t.customer is not None
                and t.customer.paytrace_customer_id and not t.settled)  # fmt: skip
    base = max(t.transaction_id for t in rows) + 1000
    duplicate = dataclasses.replace(
        sale, transaction_id=base + 1, created_local=sale.created_local + timedelta(minutes=3),
        scenario="injected", expected_applications=())  # fmt: skip
    night = dataclasses.replace(
        sale, transaction_id=base + 2, amount=sale.amount + Decimal("1.00"), invoice_id="",
        created_local=datetime.combine(sale.created_local.date(), time(3, 12)),
        scenario="injected", expected_applications=())  # fmt: skip
    large = dataclasses.replace(
        sale, transaction_id=base + 3, amount=Decimal("18250.00"), invoice_id="",
        created_local=sale.created_local + timedelta(hours=2),
        scenario="injected", expected_applications=())  # fmt: skip
    rows += [duplicate, night, large]
    rows.sort(key=lambda t: t.created_local)
    ids = {"duplicate_charge": base + 1, "unusual_hour": base + 2, "large_amount": base + 3}
    return dataclasses.replace(company, transactions=tuple(rows)), ids


@pytest.fixture
def seeded_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    company, ids = _with_anomalies(generate_demo_company(1, today=DEMO_TODAY))
    monkeypatch.setattr(sync_fixtures, "generate_demo_company", lambda *a, **k: company)
    with running_sync_env(tmp_path) as env:
        yield env, ids


NOW = datetime(2025, 3, 15, 23, 0)


def _scan(env: SyncEnv) -> int:
    with env.store.write() as session:
        return scan_anomalies(session, env.profile, NOW)


def _anomalies(env: SyncEnv) -> list[ExceptionItem]:
    with env.store.read() as session:
        items = (
            session.execute(select(ExceptionItem).where(ExceptionItem.category == "anomaly"))
            .scalars()
            .all()
        )
        session.expunge_all()
    return list(items)


def _cycle(env: SyncEnv) -> None:
    result = run_cycle(env.context(), since=DEMO_TODAY - timedelta(days=31), auto_approve=True)
    assert result.errors == 0, result.notes


def test_scan_flags_injected_anomalies_once_and_keeps_dismissals(seeded_env):
    env, injected = seeded_env
    _cycle(env)  # the cycle itself scans after posting
    items = _anomalies(env)
    assert items and _scan(env) == 0  # a second scan adds nothing
    flagged = {(i.reason_code, i.transaction_id) for i in items}
    for kind, tid in injected.items():
        assert (kind, tid) in flagged, kind
    for item in items:
        assert item.transaction_id is not None and item.detail and item.payload["fingerprint"]
    clean = Counter(i.reason_code for i in items if i.transaction_id not in injected.values())
    print(f"\nstand-in demo company: {len(env.company.transactions)} transactions, "
          f"flags on clean ones: {dict(clean)}")  # fmt: skip
    assert sum(clean.values()) <= 0.02 * len(env.company.transactions)

    assert _scan(env) == 0  # nothing new: no duplicate open items for the same finding
    night = next(i for i in items if i.reason_code == "unusual_hour")
    resolve_item(env.store, night.id, user="ann", note="Night shift at the depot.")
    assert _scan(env) == 0  # a dismissed flag is not raised again
    _cycle(env)
    assert _scan(env) == 0


def test_voids_of_settled_sales_are_flagged(sync_env: SyncEnv):
    env = sync_env
    _cycle(env)  # scans too
    store = env.paytrace.app.store  # type: ignore[attr-defined]
    with store.lock:
        victim = next(t for t in sorted(store.transactions.values(), key=lambda t: t.transaction_id)
                      if t.kind == "SALE" and t.settled is not None and not t.voided)  # fmt: skip
        victim.voided = True  # what PayTrace should refuse (818), seen in its export anyway
    _cycle(env)  # reads the void and flags it
    assert _scan(env) == 0
    (item,) = [i for i in _anomalies(env) if i.reason_code == "void_after_settlement"]
    assert item.transaction_id == victim.transaction_id
    assert "818" in item.detail and f"batch {victim.batch_number}" in item.detail

    # The collect flow asks PayTrace to void another settled sale: refused with 818.
    with env.store.write() as session:
        sale = (
            session.execute(
                select(PayTraceTransaction)
                .where(
                    PayTraceTransaction.transaction_type == "SALE",
                    PayTraceTransaction.batch_number.is_not(None),
                    PayTraceTransaction.transaction_id != victim.transaction_id,
                )
                .order_by(PayTraceTransaction.transaction_id)
            )
            .scalars()
            .first()
        )
        assert sale is not None
        amount = amount_text(Decimal(sale.amount_cents) / 100)
        queue_intent(session, key=f"PT-{sale.transaction_id}-VOID", kind=VOID, now=NOW,
                     user="ann", transaction_id=sale.transaction_id,
                     payload={"transaction_id": sale.transaction_id, "amount": amount,
                              "sale_amount": amount, "invoice_id": sale.invoice_ref,
                              "customer_id": sale.paytrace_customer_id,
                              "card_last4": sale.card_last4, "known_refunds": []})  # fmt: skip
        refused_id = sale.transaction_id
    ctx = env.context()
    PayTraceOutboxPoster(env.store, ctx.paytrace, today=lambda: DEMO_TODAY).post_due()
    assert _scan(env) == 1
    (refused,) = [i for i in _anomalies(env) if i.reason_code == "void_refused_settled"]
    assert refused.transaction_id == refused_id and "refund instead" in refused.detail
