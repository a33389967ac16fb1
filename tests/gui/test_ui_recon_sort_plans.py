"""Sorting the reconciliation grid by a proposal column: a large status group walks the
column's index (checking each row's status), a small one seeks by status, and either way
the rows come in exactly the order ``ORDER BY <column>, id`` gives, block after block."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.dialects import sqlite

from app.queries import reconciliation
from app.queries.reconciliation import ReconFilter
from app.queries.windowing import plan_block
from app.store import Store
from app.ui.models import sql_reads, sql_table
from app.ui.models.reconciliation import ReconciliationModel
from tests.gui.ui_seed import seed_store

SORTS = ["date", "customer", "amount", "confidence", "status", "reason", "paytrace_id", "card"]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return seed_store(tmp_path / "ui.db")


def _sorted_keys(qtbot, model, key: str, order: Qt.SortOrder) -> list[tuple]:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.sort(model.column_index(key), order)
    rows = []
    for row in range(model.rowCount()):
        if not model.is_loaded(row):
            with qtbot.waitSignal(model.block_loaded, timeout=10_000):
                model.request_block(row // model.block_size)
        values = model.row_dict(row)
        rows.append((values[key], values["_key"]))
    return rows


def _first_block_plan(store: Store, model: ReconciliationModel) -> str:
    statement = model.spec.block_statement(plan_block(0, block_size=200, total=200))
    sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with store.read() as session:
        raw = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql)
        return " | ".join(str(row[-1]) for row in raw)


@pytest.mark.parametrize("status", ["open", "all"])
def test_walked_sorts_give_the_same_rows_in_the_same_order(
    qtbot, store: Store, monkeypatch: pytest.MonkeyPatch, status: str
) -> None:
    seeked = ReconciliationModel(store, block_size=1000)  # the seed is a small group
    seeked.filter = ReconFilter(status=status)
    expected = {
        (key, order): _sorted_keys(qtbot, seeked, key, order)
        for key in SORTS
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder)
    }
    monkeypatch.setattr(reconciliation, "SMALL_GROUP", 0)  # every group is large now
    walked = ReconciliationModel(store, block_size=7)  # keyset paging across many blocks
    walked.filter = ReconFilter(status=status)
    for (key, order), rows in expected.items():
        descending = order == Qt.SortOrder.DescendingOrder
        assert len(rows) > 20
        assert rows == sorted(rows, reverse=descending), (key, order)
        assert _sorted_keys(qtbot, walked, key, order) == rows, (key, order)


@pytest.mark.parametrize(
    ("key", "index"),
    [
        ("confidence", "ix_proposals_confidence"),
        ("reason", "ix_proposals_reason"),
        ("customer", "ix_proposals_customer_sort"),
        ("card", "ix_proposals_card_sort"),
    ],
)
def test_a_large_group_walks_the_sort_index(
    qtbot, store: Store, monkeypatch: pytest.MonkeyPatch, key: str, index: str
) -> None:
    model = ReconciliationModel(store)
    _sorted_keys(qtbot, model, key, Qt.SortOrder.DescendingOrder)
    assert "TEMP B-TREE" in _first_block_plan(store, model)  # small group: seek, then sort

    monkeypatch.setattr(reconciliation, "SMALL_GROUP", 0)
    _sorted_keys(qtbot, model, key, Qt.SortOrder.AscendingOrder)
    plan = _first_block_plan(store, model)
    assert f"SCAN proposals USING INDEX {index}" in plan
    assert "TEMP B-TREE" not in plan

    # Another filter may keep few rows of the walk: the planner chooses again.
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.set_filter(ReconFilter(text="Invoice"))
    assert "+proposals.status" not in str(
        model.spec.block_statement(plan_block(0, block_size=9, total=9)).compile(
            dialect=sqlite.dialect()
        )
    )


def test_status_sort_reads_each_status_in_id_order(qtbot, store: Store) -> None:
    model = ReconciliationModel(store)
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        _sorted_keys(qtbot, model, "status", order)
        plan = _first_block_plan(store, model)
        assert "ix_proposals_status_id" in plan and "TEMP B-TREE" not in plan, plan


def test_no_block_is_read_while_a_new_order_is_on_its_way(
    qtbot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows cached until the new first block comes are the old order's: a block read
    then would take its keyset boundary from the wrong rows."""
    expected = _sorted_keys(
        qtbot, ReconciliationModel(store, block_size=5), "amount", Qt.SortOrder.DescendingOrder
    )
    model = ReconciliationModel(store, block_size=5)
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.refresh()  # by date: the first block only, and the count
    assert model.rowCount() > 10 and not model.is_loaded(5)
    read: list[int] = []

    def spy(session, spec, plan):  # type: ignore[no-untyped-def]
        read.append(plan.block)
        return original(session, spec, plan)

    original = sql_table.sql.read_block
    monkeypatch.setattr(sql_table.sql, "read_block", spy)
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.sort(model.column_index("amount"), Qt.SortOrder.DescendingOrder)
        model.request_block(1)  # the view painting a row not cached yet
    sql_reads.query_pool().waitForDone(10_000)
    assert read == [0]
    assert _sorted_keys(qtbot, model, "amount", Qt.SortOrder.DescendingOrder) == expected
