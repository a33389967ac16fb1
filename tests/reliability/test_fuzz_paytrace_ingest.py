"""Fuzzing PayTrace payloads through the whole ingest path into a store (Hypothesis).

Whatever PayTrace sends, each row ends as a stored transaction or as a typed ``ParseError``
plus an open ``exception_items`` row that says what was wrong — never an exception out of
ingest, never a crashed cycle, and the good rows of the same export are stored with them.
Known crashers are strict xfails: they turn red the day the bug is fixed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.connectors.paytrace import parse_transaction_rows
from app.domain.money import to_cents
from app.domain.records import ParseError
from app.sandbox.demo_data import generate_demo_company
from app.store import Store, open_store
from app.store.models import ExceptionItem, PayTraceTransaction, SyncRun
from app.sync.cycle import TRANSACTIONS_CURSOR, run_cycle
from app.sync.inbound.ingest import get_cursor, ingest_transactions
from tests.support.reliability_env import (
    TODAY,
    InjectedRows,
    StandIns,
    fast_context,
    running_stand_ins,
)
from tests.support.reliability_payloads import (
    BESIDE_OTHER_NUMBERS,
    KNOWN_CRASHES,
    KNOWN_LEAKS,
    SHORTENED_EXCERPT,
    hostile_rows,
    planted_card_numbers,
    row_with,
)

NOW = datetime(2025, 3, 15, 12, 0, 0)


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store(tmp_path_factory.mktemp("fuzz") / "paysage.db")
    yield store
    store.dispose()


def _error_item(session: Any, error: ParseError) -> ExceptionItem | None:
    title = f"PayTrace record {error.transaction_id or '(no id)'} could not be read"
    return session.execute(
        select(ExceptionItem).where(
            ExceptionItem.category == "parse_error",
            ExceptionItem.status == "open",
            ExceptionItem.reason_code == f"parse:{error.field}"[:40],
            ExceptionItem.title == title,
        )
    ).scalar_one_or_none()


def check_ingest(store: Store, rows: list[Any], *, known_leaks: bool = False) -> None:
    export = parse_transaction_rows(rows)
    assert len(export.records) + len(export.errors) == len(rows)
    with store.write() as session:
        ingest_transactions(session, export.records, export.errors, now=NOW)
    latest = {r.transaction.transaction_id: r.transaction for r in export.records}
    with store.read() as session:
        stored = {
            row.transaction_id: row
            for row in session.execute(
                select(PayTraceTransaction).where(PayTraceTransaction.transaction_id.in_(latest))
            ).scalars()
        }
        assert stored.keys() == latest.keys(), "a readable row was not stored"
        for tid, txn in latest.items():
            assert stored[tid].amount_cents == to_cents(txn.amount)
            row = stored[tid]
            texts = (row.description, row.invoice_ref, row.customer_reference_id,
                     row.billing_name, row.email, row.paytrace_customer_id)  # fmt: skip
            assert planted_card_numbers(" | ".join(texts)) == []
        for error in export.errors:
            assert isinstance(error, ParseError) and error.field and error.message
            item = _error_item(session, error)
            assert item is not None, f"no visible queue item for {error}"
            assert error.field in item.detail and "the rest" in item.detail
            detail = item.detail if known_leaks else SHORTENED_EXCERPT.sub("'…", item.detail)
            assert planted_card_numbers(f"{item.payload} | {detail} | {item.title}") == []


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.large_base_example, HealthCheck.data_too_large],
)  # fmt: skip
@given(st.lists(hostile_rows(), max_size=6))
def test_hostile_rows_are_stored_or_queued(fuzz_store: Store, rows: list[Any]):
    check_ingest(fuzz_store, rows)


@pytest.mark.reliability
@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.large_base_example, HealthCheck.data_too_large],
)  # fmt: skip
@given(st.lists(hostile_rows(), max_size=12))
def test_hostile_rows_are_stored_or_queued_long(fuzz_store: Store, rows: list[Any]):
    check_ingest(fuzz_store, rows)


@pytest.mark.parametrize("patch", KNOWN_CRASHES.values(), ids=list(KNOWN_CRASHES))
def test_known_crashers_are_queued_too(fuzz_store: Store, patch: dict[str, Any]):
    check_ingest(fuzz_store, [row_with(patch), row_with({})])


@pytest.mark.parametrize("patch", BESIDE_OTHER_NUMBERS.values(), ids=list(BESIDE_OTHER_NUMBERS))
def test_card_numbers_beside_other_numbers_are_redacted(fuzz_store: Store, patch: dict[str, Any]):
    check_ingest(fuzz_store, [row_with(patch)], known_leaks=True)


@pytest.mark.xfail(
    strict=True,
    reason="known limit: a card glued inside a longer unseparated digit run (22 digits here) "
    "is not cut out of the raw record; windows of long runs would mask ordinary long numbers",
)
@pytest.mark.parametrize("patch", KNOWN_LEAKS.values(), ids=list(KNOWN_LEAKS))
def test_known_card_leaks_are_redacted_too(fuzz_store: Store, patch: dict[str, Any]):
    check_ingest(fuzz_store, [row_with(patch)], known_leaks=True)


# -- through a whole cycle, over HTTP ------------------------------------------------------


@pytest.fixture(scope="module")
def cycle_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StandIns, Store]]:
    company = generate_demo_company(4, customers=6, transactions=16, days=4, today=TODAY)
    folder = tmp_path_factory.mktemp("fuzz-cycle")
    with running_stand_ins(company) as stand_ins:
        store = open_store(folder / "paysage.db")
        stand_ins.injected = InjectedRows(stand_ins)  # type: ignore[attr-defined]
        run_cycle(fast_context(stand_ins.connection(), store), since=TODAY, auto_approve=True)
        yield stand_ins, store
        store.dispose()


def check_cycle(stand_ins: StandIns, store: Store, rows: list[Any], home: Path) -> None:
    stand_ins.injected.rows = rows  # type: ignore[attr-defined]
    ctx = fast_context(stand_ins.connection(), store)
    result = run_cycle(ctx, since=TODAY, auto_approve=True)  # must not raise
    export = parse_transaction_rows(rows)
    with store.read() as session:
        run = session.execute(select(SyncRun).order_by(SyncRun.id.desc()).limit(1)).scalar_one()
        assert run.status == "ok", run.error
        ids = [r.transaction.transaction_id for r in export.records]
        stored = session.execute(
            select(func.count()).where(PayTraceTransaction.transaction_id.in_(ids))
        ).scalar_one()
        assert stored == len(set(ids))
        for error in export.errors:
            assert _error_item(session, error) is not None, error
        cursor = get_cursor(session, TRANSACTIONS_CURSOR)
        assert cursor is not None and cursor.cursor_date == TODAY
    assert result.errors >= len(export.errors)


_cycle_settings = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                              HealthCheck.large_base_example, HealthCheck.data_too_large],
}  # fmt: skip


@settings(max_examples=8, **_cycle_settings)  # type: ignore[arg-type]
@given(st.lists(hostile_rows(), min_size=1, max_size=5))
def test_hostile_rows_never_crash_a_cycle(cycle_env, paysage_home, rows):
    check_cycle(*cycle_env, rows, paysage_home)


@pytest.mark.reliability
@settings(max_examples=200, **_cycle_settings)  # type: ignore[arg-type]
@given(st.lists(hostile_rows(), min_size=1, max_size=8))
def test_hostile_rows_never_crash_a_cycle_long(cycle_env, paysage_home, rows):
    check_cycle(*cycle_env, rows, paysage_home)


def test_a_transaction_id_beyond_64_bits_does_not_crash_the_cycle(cycle_env, paysage_home):
    check_cycle(*cycle_env, [row_with(KNOWN_CRASHES["transaction id beyond 64 bits"])],
                paysage_home)  # fmt: skip
