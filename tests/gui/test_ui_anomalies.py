"""Anomaly flags (open ``exception_items`` of category "anomaly") in the reconciliation grid,
the dashboard's Anomalies card, and chargebacks grouped on the Exceptions page; plus the
query plans that keep the grid instant at a million rows (checked with EXPLAIN QUERY PLAN)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select, text
from sqlalchemy.dialects import sqlite as sqlite_dialect

from app.queries.dashboard_data import load_dashboard
from app.queries.reconciliation import ReconFilter
from app.queries.windowing import plan_block
from app.store import Store
from app.store.models import ExceptionItem, Proposal
from app.ui.models.reconciliation import ReconciliationModel
from tests.gui.ui_app import make_context, make_window
from tests.gui.ui_seed import TODAY, seed_store

NOW = datetime(2025, 11, 20, 14, 5)


def _flag(transaction_id: int, title: str, *, status: str = "open", category: str = "anomaly"):  # type: ignore[no-untyped-def]
    return ExceptionItem(
        category=category,
        reason_code="amount_outlier" if category == "anomaly" else "fraud",
        title=title,
        detail="Ten times this customer's usual payment.",
        payload={},
        transaction_id=transaction_id,
        status=status,
        created_at=NOW,
    )


@pytest.fixture
def flagged(tmp_path: Path) -> tuple[Store, list[int]]:
    store = seed_store(tmp_path / "ui.db")
    with store.write() as s:
        ids = list(
            s.execute(
                select(Proposal.transaction_id)
                .where(Proposal.status.in_(("proposed", "review")))
                .order_by(Proposal.id)
                .limit(3)
            ).scalars()
        )
        s.add(_flag(ids[0], "Unusual amount"))
        s.add(_flag(ids[0], "Card used in two states within an hour"))
        s.add(_flag(ids[1], "Duplicate-looking payment"))
        s.add(_flag(ids[2], "Old flag, looked at", status="resolved"))
        s.add(_flag(ids[2], "Chargeback received", category="chargeback"))
    return store, ids


def _load(qtbot, model, new: ReconFilter | None = None) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.set_filter(new or ReconFilter())


def test_flagged_payments_show_an_icon_and_the_words(qtbot, flagged) -> None:  # type: ignore[no-untyped-def]
    store, ids = flagged
    model = ReconciliationModel(store, block_size=1000)
    _load(qtbot, model)
    rows = {model.value(r, "paytrace_id"): r for r in range(model.rowCount())}
    first = model.index(rows[ids[0]], 0)
    assert first.data(Qt.ItemDataRole.DecorationRole) is not None
    tip = first.data(Qt.ItemDataRole.ToolTipRole)
    assert "Card used in two states" in tip and "1 more" in tip  # newest first, then a count
    assert "Duplicate-looking" in model.index(rows[ids[1]], 0).data(Qt.ItemDataRole.ToolTipRole)
    resolved_only = model.index(rows[ids[2]], 0)
    assert resolved_only.data(Qt.ItemDataRole.DecorationRole) is None
    assert model.columnCount() == 9  # the flag lives on the first cell, not a new column


def test_unusual_only_keeps_the_flagged_payments(qtbot, flagged) -> None:  # type: ignore[no-untyped-def]
    store, ids = flagged
    model = ReconciliationModel(store)
    _load(qtbot, model, ReconFilter(unusual_only=True))
    assert sorted(model.value(r, "paytrace_id") for r in range(model.rowCount())) == sorted(ids[:2])
    assert model.total_count == 2


def test_dashboard_counts_open_anomalies(qtbot, tmp_path: Path, flagged) -> None:  # type: ignore[no-untyped-def]
    store, _ids = flagged
    assert load_dashboard(store, TODAY).anomalies == 3
    window = make_window(qtbot, make_context(tmp_path, store))
    page = window.page("dashboard")
    qtbot.waitUntil(lambda: page.data is not None, timeout=10_000)
    assert page.anomalies.value.text() == "3"
    assert page.anomalies.property("warn") is True


def test_chargebacks_and_anomalies_are_grouped_on_the_exceptions_page(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, flagged, artifacts_dir: Path
) -> None:
    store, _ids = flagged
    window = make_window(qtbot, make_context(tmp_path, store))
    window.show()
    window.show_page("exceptions")
    page = window.page("exceptions")
    qtbot.waitUntil(lambda: page.groups.topLevelItemCount() > 1, timeout=10_000)
    groups = {
        page.groups.topLevelItem(i).text(0): page.groups.topLevelItem(i).text(1)
        for i in range(page.groups.topLevelItemCount())
    }
    assert groups["Chargeback: fraud"] == "1"
    assert groups["Unusual: amount outlier"] == "3"
    window.show_page("reconciliation")
    recon = window.page("reconciliation")
    qtbot.waitUntil(lambda: not recon.model.loading and recon.model.rowCount() > 0, timeout=10_000)
    recon.status.setCurrentIndex(recon.status.findData("unusual"))
    qtbot.waitUntil(lambda: not recon.model.loading and recon.model.rowCount() == 2, timeout=10_000)
    qtbot.wait(50)
    path = artifacts_dir / "page-reconciliation-unusual.png"
    assert window.width() == 1280
    assert window.grab().save(str(path))


# -- the plans that make a million rows instant ------------------------------------------


def _plan(store: Store, stmt) -> str:  # type: ignore[no-untyped-def]
    sql = str(
        stmt.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True})
    )
    with store.read() as s:
        return "\n".join(r[3] for r in s.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


def _first_block(model: ReconciliationModel):  # type: ignore[no-untyped-def]
    return model.spec.block_statement(plan_block(0, block_size=200, total=200))


@pytest.mark.parametrize(
    ("sort", "index"), [("date", "ix_transactions_date"), ("amount", "ix_transactions_amount")]
)
def test_sorted_first_block_walks_the_transactions_index(
    qtbot, flagged, sort: str, index: str
) -> None:  # type: ignore[no-untyped-def]
    store, _ids = flagged
    model = ReconciliationModel(store)
    model.set_sort_key(sort, descending=True)
    model.refresh()
    plan = _plan(store, _first_block(model))
    assert plan.splitlines()[0] == f"SCAN transactions USING INDEX {index}"  # no full sort
    assert "FOR RIGHT PART OF ORDER BY" in plan  # only ties are sorted
    assert "ix_exception_items_transaction_id" in plan  # the flag: a seek per shown row
    totals = _plan(store, model.spec.totals_statement())
    assert "ix_proposals_transaction" in totals


def test_searching_an_id_or_amount_seeks_indexes(qtbot, flagged) -> None:  # type: ignore[no-untyped-def]
    store, _ids = flagged
    model = ReconciliationModel(store)
    for words in ("10500017", "$1,234.56"):
        model.filter = ReconFilter(text=words)
        model.refresh()
        plan = _plan(store, model.spec.totals_statement())
        assert "SCAN transactions" not in plan, plan
    model.filter = ReconFilter(unusual_only=True)
    model.refresh()
    assert "ix_exception_items_open" in _plan(store, model.spec.totals_statement())
