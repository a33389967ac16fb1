"""The reconciliation grid's totals never hold its first rows: rows first, then the count
(from the proposals' own index when the filter is on proposals alone), then the sum; the
totals bar says "counting…", then the count, then count and sum. Models without views."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.dialects import sqlite

from app.store import Store
from app.store.review_queue import waiting_for_review_totals
from app.ui.models import sql_table
from app.ui.models.reconciliation import ReconciliationModel, ReconFilter
from app.ui.widgets.grid_view import TotalsBar, money_text
from tests.gui.ui_app import make_context, make_window
from tests.gui.ui_seed import seed_store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return seed_store(tmp_path / "ui.db")


def _waiting_totals(store: Store) -> tuple[int, int]:
    with store.read() as session:
        return waiting_for_review_totals(session)


def test_rows_then_count_then_sum_and_the_bar_says_so(qtbot, store: Store) -> None:
    model = ReconciliationModel(store, block_size=5)
    bar = TotalsBar()
    bar.follow(model)
    seen: list[tuple[str, Any, str]] = []  # signal, rows in the model, the bar's words
    model.rows_shown.connect(lambda: seen.append(("rows", model.rowCount(), bar.text())))
    model.counted.connect(lambda n: seen.append(("count", n, bar.text())))
    model.reset_done.connect(lambda: seen.append(("totals", model.total_sum, bar.text())))
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.refresh()

    count, cents = _waiting_totals(store)
    assert count > 5
    assert [s[0] for s in seen] == ["rows", "count", "totals"]
    assert seen[0][1:] == (5, "counting…")  # the first block, nothing counted yet
    assert seen[1][1:] == (count, f"{count:,} rows · adding up…")
    assert model.rowCount() == count
    assert str(seen[2][1]) == f"{cents / 100:.2f}"
    assert seen[2][2] == f"{count:,} rows · {money_text(seen[2][1])}"


def _count_plan(store: Store, model: ReconciliationModel) -> str:
    statement = model.spec.count_statement()
    sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    assert "transactions" not in sql and model.spec.count_alone_cheaper
    with store.read() as session:
        rows = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql)
        return " | ".join(str(row[-1]) for row in rows)


@pytest.mark.parametrize("words", ["", "Invoice", "harbor lane"])
def test_the_count_alone_reads_only_proposals_unless_the_filter_needs_more(
    qtbot, store: Store, words: str
) -> None:
    model = ReconciliationModel(store)
    model.filter = ReconFilter(text=words)
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.refresh()
    plan = _count_plan(store, model)
    assert "COVERING INDEX" in plan, plan  # an index count, no table rows read
    if words:  # a word search scans the search index alone
        assert "ix_proposals_search" in plan, plan

    # A filter on the payment's own columns needs the join: one count-and-sum, no count first.
    model.filter = ReconFilter(status="all", text="$5.00")
    counts: list[int] = []
    model.counted.connect(counts.append)
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.refresh()
    assert not model.spec.count_alone_cheaper and counts == []


def test_the_first_rows_do_not_wait_for_the_count(
    qtbot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    original = sql_table.sql.read_count

    def slow_count(session, spec):  # type: ignore[no-untyped-def]
        assert release.wait(10)
        return original(session, spec)

    monkeypatch.setattr(sql_table.sql, "read_count", slow_count)
    model = ReconciliationModel(store, block_size=5)
    with qtbot.waitSignal(model.rows_shown, timeout=10_000):
        model.refresh()
    assert model.rowCount() == 5 and model.loading  # shown while the count is still running
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        release.set()
    assert model.rowCount() == _waiting_totals(store)[0]


def test_the_page_says_counting_then_the_totals(
    qtbot, tmp_path: Path, store: Store, artifacts_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reconciliation page at 1280×800 while its count is still running, then after."""
    release = threading.Event()
    original = sql_table.sql.read_count

    def slow_count(session, spec):  # type: ignore[no-untyped-def]
        release.wait(10)
        return original(session, spec)

    window = make_window(qtbot, make_context(tmp_path, store))
    window.show()
    window.show_page("reconciliation")
    page = window.page("reconciliation")
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() > 0, timeout=10_000)
    # The seed fits one block of 200 (counted as read): in blocks of 20 the count is a query.
    monkeypatch.setattr(sql_table.sql, "read_count", slow_count)
    page.model.block_size = 20
    with qtbot.waitSignal(page.model.rows_shown, timeout=10_000):
        page.model.refresh()
    qtbot.wait(50)
    assert page.totals.text().startswith("counting…") and page.totals.isVisible()
    assert window.grab().save(str(artifacts_dir / "page-reconciliation-counting.png"))
    release.set()
    qtbot.waitUntil(lambda: not page.model.loading, timeout=10_000)
    count = _waiting_totals(store)[0]
    assert page.totals.text().startswith(f"{count:,} rows · ")
    qtbot.wait(50)
    assert window.grab().save(str(artifacts_dir / "page-reconciliation-counted.png"))


def test_a_resort_keeps_the_totals_whichever_table_it_drives_from(
    qtbot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By date the grid reads transactions first, by customer or card proposals first: the
    same rows, so a re-sort counts nothing again; a new filter does."""
    reads: list[str] = []
    count, totals = sql_table.sql.read_count, sql_table.sql.read_totals
    monkeypatch.setattr(sql_table.sql, "read_count", lambda *a: reads.append("count") or count(*a))
    monkeypatch.setattr(sql_table.sql, "read_totals", lambda *a: reads.append("sum") or totals(*a))
    model = ReconciliationModel(store, block_size=5)
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.refresh()
    assert reads == ["count", "sum"]
    for key in ("customer", "date", "card", "amount", "confidence"):
        with qtbot.waitSignal(model.reset_done, timeout=10_000):
            model.sort(model.column_index(key), Qt.SortOrder.DescendingOrder)
    assert reads == ["count", "sum"]
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.set_filter(ReconFilter(status="all"))
    assert reads == ["count", "sum", "count", "sum"]
