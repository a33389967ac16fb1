"""Benchmark: re-evaluating a few thousand undecided proposals, in chunks of
``rematch.REMATCH_CHUNK`` transactions, each chunk one set-wise run in its own write
transaction (issue 24: the longest write-lock hold is printed and bounded).

3,000 payments are matched while Sage Pro's cache holds their customers but none of their
invoices (so all wait, most on account or in review); then 6,000 invoices arrive and the next
pass matches every undecided proposal again. Timed next to the first pass over the same
payments (the cost of matching them at all), and a pass where nothing changed.

Run: ``uv run pytest tests/bench/test_bench_rematch.py -m bench -s``
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.config import Profile
from app.connectors.paytrace.parse_transactions import ParsedRecord
from app.store import open_store
from app.store.models import Proposal
from app.sync.inbound.ingest import ingest_transactions
from app.sync.inbound.old_sales import OldSaleLookup
from app.sync.inbound.sagepro_cache import CacheRefresh, apply_changes
from app.sync.outbox.mapping_bridge import active_record_mapper
from app.sync.review import rematch
from app.sync.review.matching_pass import rematch_in_chunks
from app.sync.review.pipeline import propose
from tests.support.matching_scenarios import generate_at_scale

pytestmark = pytest.mark.bench
PAYMENTS = 3_000
INVOICES = 6_000


def _timed_propose(store, profile: Profile) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC).replace(tzinfo=None)
    started = time.perf_counter()
    with store.write() as session:
        mapper = active_record_mapper(session, profile)
        counts = propose(session, profile=profile, mapper=mapper, now=now, auto_approve=False)
    return time.perf_counter() - started, counts.proposals


def _timed_rematch(store, profile: Profile) -> tuple[float, int, float]:  # type: ignore[no-untyped-def]
    """Seconds, proposals re-matched, and the longest write-lock hold while doing it."""
    now = datetime.now(UTC).replace(tzinfo=None)
    store.write_lock.longest_hold_s = 0.0
    started = time.perf_counter()
    counts = rematch_in_chunks(store, profile, lambda: now, False, old_sales=OldSaleLookup())
    return time.perf_counter() - started, counts.rematched, store.write_lock.longest_hold_s


def test_bench_rematch_of_undecided_proposals(tmp_path: Path) -> None:
    data = generate_at_scale(PAYMENTS, INVOICES)
    profile = Profile(name="Bench")
    store = open_store(tmp_path / "bench.db")
    now = datetime.now(UTC).replace(tzinfo=None)
    with store.write() as session:
        ingest_transactions(session, [ParsedRecord(t, {}) for t in data.payments], now=now)
        apply_changes(session, CacheRefresh(list(data.customers), [], True, now))
    first, proposed = _timed_propose(store, profile)

    with store.write() as session:
        applied = apply_changes(session, CacheRefresh([], list(data.invoices), False, now))
        assert len(applied.changed_invoices) == INVOICES
        rematch.mark_due(session, now)
        undecided = len(rematch.undecided_proposals(session, ("payment",)))
    again, rematched, again_hold = _timed_rematch(store, profile)

    with store.write() as session:
        rematch.mark_due(session, now)  # e.g. one unrelated invoice changed
    steady, unchanged, steady_hold = _timed_rematch(store, profile)
    with store.read() as session:
        superseded = session.execute(
            select(func.count()).where(Proposal.status == "superseded")
        ).scalar_one()

    print(f"\n{PAYMENTS:,} payments, {INVOICES:,} invoices arriving after them")
    print(f"first pass (no invoices yet):   {first:.2f} s, {proposed:,} proposals")
    print(
        f"re-evaluation of {undecided:,} undecided: {again:.2f} s, {rematched:,} re-matched, "
        f"longest write held {again_hold * 1000:.0f} ms"
    )
    print(
        f"re-evaluation, nothing changed:  {steady:.2f} s, {unchanged:,} re-matched, "
        f"longest write held {steady_hold * 1000:.0f} ms"
    )
    assert proposed >= undecided > PAYMENTS * 0.9  # a few go to order-to-cash instead
    assert rematched == superseded and rematched > PAYMENTS // 2
    assert unchanged == 0
