"""Fault soak (DESIGN §2.4, §5): both stand-ins misbehave at random — latency, 429/503 with
Retry-After, 500, connection resets, expired PayTrace tokens, Sage Pro applying a post and
dropping the answer, truncated bodies — and the sync, run as the scheduler runs it, still
ends with exactly the Sage Pro books of a fault-free run.

Default run: a 60-transaction company. ``-m reliability``: 2,000 transactions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.sandbox.demo_data import DemoCompany, generate_demo_company
from app.store import open_store
from app.store.models import OutboxAttempt, OutboxItem
from app.sync.cycle import run_cycle
from app.sync.errors import SyncFatalError
from tests.support.reliability_crash import since_of
from tests.support.reliability_env import (
    TODAY,
    Sleeps,
    StandIns,
    audit_chain_ok,
    compare_snapshots,
    fast_context,
    running_stand_ins,
    sagepro_snapshot,
)
from tests.support.store_checks import integrity_check

PAYTRACE_FAULTS = ["latency", "429", "503", "500", "reset", "expired_token", "malformed"]
SAGEPRO_FAULTS = ["latency", "429", "503", "500", "reset", "apply_then_drop", "malformed"]


class SteppingClock:
    """The app's clock, moved on between cycles as the scheduler's five minutes would, so
    persisted backoffs (at least Retry-After) come due without the test sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC).replace(tzinfo=None) + self.offset

    def next_cycle(self) -> None:
        self.offset += timedelta(minutes=5)


@dataclass
class SoakResult:
    books: dict[str, dict[str, object]]
    cycles: int
    fatal: int
    in_call_retries: int
    persisted_retries: int
    dead_letters: int
    integrity: str
    audit_ok: bool
    faults: dict[str, dict[str, int]]


def sync_until_drained(stand_ins: StandIns, folder: Path, max_cycles: int = 40) -> SoakResult:
    store = open_store(folder / "paysage.db")
    sleeps, clock = Sleeps(), SteppingClock()
    since = since_of(stand_ins.company)
    fatal = 0
    try:
        for cycle in range(1, max_cycles + 1):
            ctx = fast_context(stand_ins.connection(), store, sleeps=sleeps)
            ctx.clock = clock
            try:
                # The first cycle reads the whole history; later ones the usual lookback.
                run_cycle(ctx, since=since if cycle == 1 else None, auto_approve=True)
            except SyncFatalError:
                fatal += 1
                since = since if cycle == 1 else None
                continue
            finally:
                clock.next_cycle()
            with store.read() as session:
                waiting = session.execute(
                    select(func.count()).where(OutboxItem.status.in_(("pending", "in_flight")))
                ).scalar_one()
            if waiting == 0:
                break
        else:
            raise AssertionError(f"outbox not drained after {max_cycles} cycles")
        with store.read() as session:
            dead = session.execute(
                select(func.count()).where(OutboxItem.status == "dead")
            ).scalar_one()
            persisted = session.execute(
                select(func.count()).where(OutboxAttempt.outcome == "transient")
            ).scalar_one()
        chain = audit_chain_ok(store)
    finally:
        store.dispose()
    faults = {
        "paytrace": dict(stand_ins.paytrace.faults.counts),
        "sagepro": dict(stand_ins.sagepro.faults.counts),
    }
    stand_ins.paytrace.faults.clear()
    stand_ins.sagepro.faults.clear()
    return SoakResult(
        sagepro_snapshot(stand_ins.sagepro.url),
        cycle,
        fatal,
        len(sleeps.waits),
        persisted,
        dead,
        integrity_check(folder / "paysage.db"),
        chain.ok,
        faults,
    )


def soak(company: DemoCompany, tmp_path: Path, rate: float) -> None:
    started = time.perf_counter()
    with running_stand_ins(company) as clean:
        expected = sync_until_drained(clean, tmp_path / "clean")
    print(f"\nfault-free run: {time.perf_counter() - started:.1f}s, {expected.cycles} cycle(s)")
    started = time.perf_counter()
    with running_stand_ins(company) as faulty:
        faulty.paytrace.faults.set_random(
            rate, PAYTRACE_FAULTS, seed=21, retry_after_s=1, fault_latency_s=0.02
        )
        faulty.sagepro.faults.set_random(
            rate, SAGEPRO_FAULTS, seed=22, retry_after_s=1, fault_latency_s=0.02
        )
        got = sync_until_drained(faulty, tmp_path / "faulty")
    elapsed = time.perf_counter() - started
    comparison = compare_snapshots(expected.books, got.books)
    print(
        f"\nfault soak: transactions={len(company.transactions)} cycles={got.cycles} "
        f"fatal_cycles={got.fatal} retries={got.in_call_retries + got.persisted_retries} "
        f"(in-call {got.in_call_retries}, rescheduled {got.persisted_retries}) "
        f"dead_letters={got.dead_letters} lost={len(comparison.lost)} "
        f"unexpected={len(comparison.unexpected)} "
        f"duplicate_posts={sum(faulty.sagepro_app.duplicate_posts.values())} "
        f"elapsed={elapsed:.1f}s\n  faults injected: {got.faults}"
    )
    assert expected.dead_letters == 0 and got.dead_letters == 0
    assert got.in_call_retries + got.persisted_retries > 0, "no fault was ever retried"
    assert comparison.lost == [] and comparison.unexpected == [], comparison
    assert got.integrity == "ok" and got.audit_ok
    assert len(expected.books["payments"]) > len(company.transactions) // 3


def test_fault_soak_small_company(tmp_path: Path):
    company = generate_demo_company(5, customers=12, transactions=60, days=8, today=TODAY)
    soak(company, tmp_path, rate=0.25)


@pytest.mark.reliability
@pytest.mark.timeout(4 * 3600)
def test_fault_soak_two_thousand_transactions(tmp_path: Path):
    company = generate_demo_company(7, customers=200, transactions=2000, days=45, today=TODAY)
    soak(company, tmp_path, rate=0.2)
