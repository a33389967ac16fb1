"""Settlement batches are read after all the days' transactions, but the transactions
cursor moves with each day. When the batch export fails (or the process dies) in between,
the next scheduled cycle — which starts from the cursor minus the look-back — must still
read the older batches, or their journal entries would never be posted."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.store import open_store
from app.store.models import PayTraceTransaction, SettlementBatchRow
from app.sync.cycle import run_cycle
from app.sync.errors import SyncFatalError
from app.sync.inbound.settlements import BATCH_CATCH_UP, batch_window_start
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv


def _batches(env: SyncEnv) -> tuple[set[int], set[int]]:
    """(batches the transactions name, batches stored)."""
    with env.store.read() as session:
        named = set(
            session.execute(
                select(PayTraceTransaction.batch_number).where(
                    PayTraceTransaction.batch_number.is_not(None)
                )
            ).scalars()
        )
        stored = set(session.execute(select(SettlementBatchRow.number)).scalars())
    return named, stored


def test_a_failed_batch_export_is_caught_up_by_the_next_scheduled_cycle(sync_env: SyncEnv):
    env = sync_env
    env.paytrace.faults.script("500", 50, path_contains="/v1/batches/export")
    with pytest.raises(SyncFatalError, match="PayTrace could not be read"):
        run_cycle(env.context(), since=DEMO_TODAY - timedelta(days=31), auto_approve=True)
    named, stored = _batches(env)
    assert len(named) > 10 and stored == set()  # every day is in, no batch yet

    env.paytrace.faults.clear()
    result = run_cycle(env.context(), auto_approve=True)  # from the cursor, as scheduled
    assert result.dead_letter == 0, result.notes
    named, stored = _batches(env)
    assert named <= stored
    journal = {j["Reference"] for j in env.all_items("/api/journalentries")}
    assert {f"PT-BATCH-{n}-JE" for n in named} <= journal


def _transaction(transaction_id: int, day: date, batch: int | None) -> PayTraceTransaction:
    at = datetime.combine(day, datetime.min.time())
    return PayTraceTransaction(
        transaction_id=transaction_id, transaction_type="SALE", amount_cents=100,
        created_local=at, created_text=at.isoformat(), merchant_date=day,
        payment_method="CC", content_hash="x", batch_number=batch, first_seen_at=at,
        last_changed_at=at,
    )  # fmt: skip


def test_the_batch_window_reaches_back_to_missing_batches_only_so_far(tmp_path: Path):
    store = open_store(tmp_path / "store.db")
    start = date(2025, 3, 12)
    try:
        with store.write() as session:
            session.add_all([_transaction(1, date(2025, 3, 1), 7), _transaction(2, start, None)])
        with store.read() as session:
            assert batch_window_start(session, start) == date(2025, 3, 1)
        with store.write() as session:
            session.add(_transaction(3, date(2024, 1, 2), 3))  # a batch PayTrace never lists
        with store.read() as session:
            assert batch_window_start(session, start) == start - BATCH_CATCH_UP
        with store.write() as session:
            for number in (3, 7):
                session.add(
                    SettlementBatchRow(
                        number=number, transaction_count=1, sales_count=1, sales_cents=100,
                        refund_count=0, refund_cents=0, net_cents=100, content_hash="x",
                        updated_at=datetime(2025, 3, 12),
                    )
                )  # fmt: skip
        with store.read() as session:
            assert batch_window_start(session, start) == start  # nothing missing
    finally:
        store.dispose()
