"""One definition of "waiting for review" (issue 16): the dashboard's tile and the
Reconciliation grid's default view (*Needs review*) count the same payments. They once
disagreed (246 vs 264): the dashboard counted sale transactions by their own status, so a
rejected or never-proposed payment showed there and not in the grid, and a refund in the
grid but not there."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.domain.money import from_cents
from app.queries.dashboard_data import load_dashboard
from app.store import Store
from app.store.models import PayTraceTransaction, Proposal
from app.store.state_guard import arranged_states
from app.ui.models.reconciliation import ReconciliationModel
from tests.gui.ui_app import make_context, make_window
from tests.gui.ui_seed import NOW, TODAY, seed_store


def _proposal(tx: PayTraceTransaction, kind: str, status: str) -> Proposal:
    return Proposal(
        transaction_id=tx.transaction_id,
        kind=kind,
        status=status,
        rule="test",
        confidence=100,
        reason=f"{kind} {status}",
        customer_id="",
        created_at=NOW,
        decided_at=None if status in ("proposed", "review") else NOW,
        decided_by=None if status in ("proposed", "review") else "maria",
    )


@pytest.fixture
def store(tmp_path: Path) -> tuple[Store, dict[str, int]]:
    """The seeded store (proposals in every state, rejected payments back to "unmatched",
    sales never proposed), plus the cases that made the counts disagree; returns the
    transaction id of each case by name."""
    store = seed_store(tmp_path / "ui.db")
    with store.write() as s:
        proposed = select(Proposal.transaction_id)
        bare = list(
            s.scalars(
                select(PayTraceTransaction)
                .where(PayTraceTransaction.transaction_id.not_in(proposed))
                .order_by(PayTraceTransaction.transaction_id)
                .limit(6)
            )
        )
        declined, declined_posted, refund, rejected, superseded, never = bare
        for tx in (declined, declined_posted):  # a decline: no approval code
            tx.transaction_type, tx.approval_code, tx.approval_message = "SALE", "", "DECLINED"
        declined.match_status = "declined"  # listed on the Transactions page, not reviewed
        with arranged_states():  # a scene, not a move the app makes
            declined_posted.match_status = "posted"  # marked Failed in Sage Pro: decided
        s.add(_proposal(declined_posted, "decline", "posted"))
        refund.transaction_type, refund.match_status = "REFUND", "review"
        s.add(_proposal(refund, "refund", "review"))  # a refund waits like a payment does
        rejected.transaction_type, rejected.match_status = "SALE", "review"
        s.add(_proposal(rejected, "payment", "rejected"))  # decided: no longer waiting
        superseded.transaction_type, superseded.match_status = "SALE", "proposed"
        s.add(_proposal(superseded, "payment", "superseded"))  # replaced by a re-match...
        s.add(_proposal(superseded, "payment", "proposed"))  # ...which waits, once
        never.transaction_type, never.match_status = "SALE", "unmatched"  # no proposal yet
        cases = {
            "declined": declined.transaction_id,
            "declined_posted": declined_posted.transaction_id,
            "refund": refund.transaction_id,
            "rejected": rejected.transaction_id,
            "superseded": superseded.transaction_id,
            "never": never.transaction_id,
        }
    return store, cases


def _grid_rows(qtbot, model: ReconciliationModel) -> list[dict]:  # type: ignore[no-untyped-def]
    rows = []
    for row in range(model.rowCount()):
        if not model.is_loaded(row):
            with qtbot.waitSignal(model.block_loaded, timeout=10_000):
                model.request_block(row // model.block_size)
        rows.append(model.row_dict(row))
    return rows


def test_dashboard_waiting_equals_the_grids_default_view(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    store, cases = store
    data = load_dashboard(store, TODAY)
    model = ReconciliationModel(store)
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.refresh()
    rows = _grid_rows(qtbot, model)
    assert data.waiting_for_review.count == model.rowCount() == model.total_count == len(rows)
    assert data.waiting_for_review.total == model.total_sum
    assert data.waiting_for_review.total == sum((from_cents(r["amount"]) for r in rows), Decimal(0))
    shown = [int(r["paytrace_id"]) for r in rows]
    for name in ("declined", "declined_posted", "rejected", "never"):
        assert cases[name] not in shown, f"the {name} payment is counted as waiting"
    assert shown.count(cases["refund"]) == 1 and shown.count(cases["superseded"]) == 1


def test_the_tile_and_the_totals_bar_say_the_same_number(qtbot, tmp_path: Path, store) -> None:  # type: ignore[no-untyped-def]
    store, _cases = store
    window = make_window(qtbot, make_context(tmp_path, store=store))
    window.show()
    dashboard = window.page("dashboard")
    qtbot.waitUntil(lambda: dashboard.data is not None, timeout=10_000)
    window.show_page("reconciliation")
    grid = window.page("reconciliation")
    qtbot.waitUntil(lambda: not grid.model.loading and grid.model.rowCount() > 0, timeout=10_000)
    count = dashboard.data.waiting_for_review.count
    assert dashboard.unmatched.detail.text() == f"{count:,} payments"
    assert grid.totals.text().startswith(f"{count:,} rows · {dashboard.unmatched.value.text()}")


def test_the_tiles_open_link_shows_the_view_it_counts(qtbot, tmp_path: Path, store) -> None:  # type: ignore[no-untyped-def]
    """Whatever view was left selected in the grid, "Open" on "Waiting for review" shows
    Needs review (and the approved tile its own view), so the numbers agree on arrival."""
    store, _cases = store
    window = make_window(qtbot, make_context(tmp_path, store=store))
    window.show()
    dashboard = window.page("dashboard")
    qtbot.waitUntil(lambda: dashboard.data is not None, timeout=10_000)
    grid = window.page("reconciliation")
    grid.status.setCurrentIndex(grid.status.findData("posted"))  # left on another view
    window.show_page("dashboard")

    assert dashboard.unmatched.link is not None
    qtbot.mouseClick(dashboard.unmatched.link, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is grid
    assert grid.status.currentData() == "open"
    qtbot.waitUntil(lambda: not grid.model.loading and grid.model.rowCount() > 0, timeout=10_000)
    assert grid.model.total_count == dashboard.data.waiting_for_review.count

    window.show_page("dashboard")
    assert dashboard.unposted.link is not None
    qtbot.mouseClick(dashboard.unposted.link, Qt.MouseButton.LeftButton)
    assert grid.status.currentData() == "approved"
