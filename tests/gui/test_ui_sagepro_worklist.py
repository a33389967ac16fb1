"""The Sage Pro worklist in the window: the model without a view (SQL sort, search, tint
of overdue items), the page offered only where Sage Pro answers Staged (or the profile
says it is reached through the bridge), its export and its printout."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select, update

from app.config import load_settings
from app.queries.export_view import export_view
from app.queries.transaction_detail import load_transaction_detail
from app.store import Store
from app.store.models import OutboxItem, StagedPosting
from app.ui.models.sagepro_worklist import WorklistModel
from app.ui.pages.settings import SettingsPage
from tests.gui.ui_app import make_context, make_window
from tests.gui.ui_seed import NOW, seed_store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return seed_store(tmp_path / "ui.db")


def _staged_count(store: Store) -> int:
    with store.read() as session:
        return len(
            session.execute(select(OutboxItem.id).where(OutboxItem.posting_state == "Staged")).all()
        )


def _rows(qtbot, model: WorklistModel) -> list[dict]:  # type: ignore[no-untyped-def]
    return [model.row_dict(r) for r in range(model.rowCount())]


def test_model_lists_the_staged_items_sorted_and_searched_in_sql(qtbot, store: Store) -> None:  # type: ignore[no-untyped-def]
    staged = _staged_count(store)
    assert staged >= 5, "the seeded store has items on the worklist"
    model = WorklistModel(store, clock=lambda: NOW)
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.refresh()
    assert model.rowCount() == staged == model.total_count
    assert [c.header for c in model.columns] == [
        "Customer",
        "Date",
        "Amount",
        "Invoices",
        "Reference to type",
        "Staged since",
    ]
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.sort(model.column_index("amount"), Qt.SortOrder.DescendingOrder)
    amounts = [r["amount"] for r in _rows(qtbot, model)]
    assert amounts == sorted(amounts, reverse=True)
    first = _rows(qtbot, model)[0]
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.set_search(first["token"])
    assert [r["token"] for r in _rows(qtbot, model)] == [first["token"]]
    assert first["customer"].split(" ", 1)[1], "the customer's name comes from the cache"


def test_items_waiting_longer_than_the_setting_are_tinted(qtbot, store: Store) -> None:  # type: ignore[no-untyped-def]
    model = WorklistModel(store, alert_days=3, clock=lambda: NOW)
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.refresh()
    tinted = {
        r: model.data(model.index(r, 0), Qt.ItemDataRole.BackgroundRole) is not None
        for r in range(model.rowCount())
    }
    ages = {r: NOW - model.row_dict(r)["staged_at"] for r in range(model.rowCount())}
    assert any(tinted.values()) and not all(tinted.values())
    assert all(tinted[r] == (ages[r] >= timedelta(days=3)) for r in tinted)


def test_an_entered_item_leaves_the_grid(qtbot, store: Store) -> None:  # type: ignore[no-untyped-def]
    model = WorklistModel(store)
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.refresh()
    before = model.rowCount()
    key = model.row_dict(0)["_key"]
    with store.write() as session:
        session.execute(
            update(OutboxItem).where(OutboxItem.id == key).values(posting_state="Entered")
        )
    with qtbot.waitSignal(model.reset_done, timeout=10_000):
        model.refresh()
    assert model.rowCount() == before - 1


def test_page_is_offered_only_where_sage_pro_answers_staged(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    window = make_window(qtbot, ctx)
    row = [window.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.nav.count())]
    item = window.nav.item(row.index("worklist"))
    qtbot.waitUntil(lambda: window.worklist_available, timeout=10_000)
    assert not item.isHidden()

    empty = make_context(tmp_path / "empty", store=seed_store(tmp_path / "empty.db"))
    with empty.store.write() as session:
        session.execute(update(OutboxItem).values(posting_state=None))
        session.query(StagedPosting).delete()
    other = make_window(qtbot, empty)
    other_item = other.nav.item(row.index("worklist"))
    qtbot.wait(300)  # the check runs off the GUI thread
    assert other_item.isHidden()
    empty.profile.sagepro.through_bridge = True  # "Sage Pro reached through the bridge"
    empty.save_settings()
    assert not other_item.isHidden()


def test_export_and_print_what_the_page_shows(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    window = make_window(qtbot, ctx)
    window.show_page("worklist")
    page = window.page("worklist")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 and not page.model.loading, timeout=10_000)
    n = export_view(ctx.store, page.model.spec, len(page.model.columns), tmp_path / "w.csv")
    rows = list(csv.reader((tmp_path / "w.csv").open(encoding="utf-8-sig")))
    assert n == page.model.rowCount() == len(rows) - 1
    assert rows[0][:5] == ["Customer", "Date", "Amount", "Invoices", "Reference to type"]
    assert all(r[4].startswith("PT-") for r in rows[1:])

    pdf = tmp_path / "worklist.pdf"
    op = page.print_list(pdf)
    assert op is not None
    qtbot.waitUntil(lambda: pdf.exists() and pdf.stat().st_size > 1000, timeout=10_000)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_transactions_postings_show_their_posting_state(store: Store) -> None:
    with store.read() as session:
        staged_tx = (
            session.execute(
                select(OutboxItem.transaction_id).where(OutboxItem.posting_state == "Staged")
            )
            .scalars()
            .first()
        )
    assert staged_tx is not None
    detail = load_transaction_detail(store, staged_tx)
    assert detail is not None
    assert [p[2] for p in detail.postings] == ["posted (Staged in Sage Pro)"]


def test_settings_save_the_bridge_switch_and_the_alert_days(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    ctx.persist_settings = True
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    assert not page.through_bridge.isChecked() and page.worklist_days.value() == 3
    page.through_bridge.setChecked(True)
    page.worklist_days.setValue(5)
    page.save()
    saved = load_settings().profile(ctx.profile.name).sagepro
    assert (saved.through_bridge, saved.worklist_alert_days) == (True, 5)
