"""The grid models without views: SQL sorting, filtering, counts and block loading."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from app.queries.reconciliation import ReconFilter
from app.store import Store
from app.store.models import PayTraceTransaction, Proposal
from app.ui.models.reconciliation import ReconciliationModel
from tests.gui.ui_seed import seed_store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return seed_store(tmp_path / "ui.db")


def _load(qtbot, model) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.refresh()


def _all_rows(qtbot, model) -> list[dict]:  # type: ignore[no-untyped-def]
    rows = []
    for row in range(model.rowCount()):
        if not model.is_loaded(row):
            with qtbot.waitSignal(model.block_loaded, timeout=10_000):
                model.request_block(row // model.block_size)
        rows.append(model.row_dict(row))
    return rows


def test_open_proposals_counted_in_sql(qtbot, store: Store) -> None:
    model = ReconciliationModel(store, block_size=7)
    _load(qtbot, model)
    with store.read() as s:
        expected = s.scalar(select(func.count()).where(Proposal.status.in_(("proposed", "review"))))
    assert expected and model.rowCount() == expected == model.total_count
    assert model.columnCount() == 9
    assert {r["status"] for r in _all_rows(qtbot, model)} <= {"proposed", "review"}


def test_sort_by_amount_both_ways_across_blocks(qtbot, store: Store) -> None:
    model = ReconciliationModel(store, block_size=5)
    amount = model.column_index("amount")
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.sort(amount, Qt.SortOrder.AscendingOrder)
    up = [r["amount"] for r in _all_rows(qtbot, model)]
    assert up == sorted(up) and len(up) == model.rowCount()
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.sort(amount, Qt.SortOrder.DescendingOrder)
    down = [r["amount"] for r in _all_rows(qtbot, model)]
    assert down == sorted(up, reverse=True)


def test_last_block_read_backwards_matches_forward_order(qtbot, store: Store) -> None:
    forward = ReconciliationModel(store, block_size=1000)
    _load(qtbot, forward)
    expected = [forward.row_dict(r)["_key"] for r in range(forward.rowCount())]
    model = ReconciliationModel(store, block_size=4)
    _load(qtbot, model)
    last = model.rowCount() - 1
    with qtbot.waitSignal(model.block_loaded, timeout=10_000):
        model.request_block(last // 4)  # no neighbour loaded: read from the end
    assert model.row_dict(last)["_key"] == expected[-1]
    assert [r["_key"] for r in _all_rows(qtbot, model)] == expected


def test_filters_become_where_clauses(qtbot, store: Store) -> None:
    model = ReconciliationModel(store)
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.set_filter(ReconFilter(status="all", amount_min=Decimal("500"), text="invoice"))
    rows = _all_rows(qtbot, model)
    assert rows, "seeded data has payments over 500 with 'invoice' in the reason"
    assert all(r["amount"] >= 50_000 for r in rows)
    assert all(r["status"] != "superseded" for r in rows)
    assert model.total_sum == sum(Decimal(r["amount"]) for r in rows) / 100


def test_text_filter_finds_a_paytrace_id(qtbot, store: Store) -> None:
    with store.read() as s:
        txn_id = s.scalar(select(Proposal.transaction_id).where(Proposal.status == "proposed"))
    model = ReconciliationModel(store)
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.set_filter(ReconFilter(text=str(txn_id)))
    assert model.rowCount() == 1
    assert model.row_dict(0)["paytrace_id"] == txn_id


def test_customer_and_date_filters(qtbot, store: Store) -> None:
    with store.read() as s:
        day = s.scalar(select(func.max(PayTraceTransaction.merchant_date)))
    model = ReconciliationModel(store)
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.set_filter(ReconFilter(status="all", date_from=day, date_to=day))
    assert all(r["date"] == day for r in _all_rows(qtbot, model))
    name = model.row_dict(0)["customer"] if model.rowCount() else "zzz"
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.set_filter(ReconFilter(status="all", customer=name[:6]))
    assert model.rowCount() >= 1
    assert all(name[:6].lower() in (r["customer"] or "").lower() for r in _all_rows(qtbot, model))
