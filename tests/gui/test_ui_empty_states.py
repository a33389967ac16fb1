"""Empty and in-between states explain themselves: Recurring billing with no schedule says
what it is for; the dashboard says "First sync running…" while the first sync runs; its
"Open" links land on the counted view with earlier searches cleared; the selection line
under the grid clears when a filter leaves nothing to select."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import delete

from app.store.models import SyncRun
from tests.gui.ui_app import make_context, make_window, page_loaded


def _window(qtbot: Any, tmp_path: Path, *, no_sync_yet: bool = False) -> Any:
    ctx = make_context(tmp_path)
    if no_sync_yet:
        with ctx.store.write() as s:
            s.execute(delete(SyncRun))
    window = make_window(qtbot, ctx)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_recurring_billing_says_what_it_is_for(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path)
    window.show_page("schedules")
    page = window.page("schedules")
    qtbot.waitUntil(lambda: page.schedules.loaded, timeout=10_000)
    assert page.schedules.rowCount() == 0
    hint = page.empty_schedules.label
    assert hint.isVisible() and "New schedule…" in hint.text()
    assert page.empty_upcoming.label.isVisible()
    window.ctx.store.dispose()


def test_dashboard_says_the_first_sync_is_running(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path, no_sync_yet=True)
    page = window.page("dashboard")
    qtbot.waitUntil(lambda: page.data is not None, timeout=10_000)
    assert page.sync.value.text() == "Never"
    window.ctx.signals.sync_started.emit("manual")
    assert page.sync.detail.text().startswith("First sync running…")
    page.refresh()  # a refresh while it runs keeps saying so
    qtbot.wait(300)
    assert page.sync.detail.text().startswith("First sync running…")
    window.ctx.store.dispose()


def test_open_link_clears_earlier_searches_and_empty_grid_clears_the_selection(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path)
    window.show_page("reconciliation")
    recon = window.page("reconciliation")
    qtbot.waitUntil(lambda: page_loaded(recon), timeout=10_000)
    qtbot.waitUntil(lambda: "Selected: 1" in recon.totals.text(), timeout=10_000)
    recon.text.setText("no payer is called this")
    recon.text.flush()
    qtbot.waitUntil(lambda: not recon.model.loading and recon.model.rowCount() == 0)
    assert "Selected" not in recon.totals.text()

    window.show_page("dashboard")
    dashboard = window.page("dashboard")
    qtbot.waitUntil(lambda: dashboard.data is not None, timeout=10_000)
    link = dashboard.unmatched.link
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is recon
    assert recon.text.text() == "" and recon.status.currentData() == "open"
    qtbot.waitUntil(lambda: not recon.model.loading, timeout=10_000)
    assert recon.model.rowCount() == dashboard.data.waiting_for_review.count
    window.ctx.store.dispose()
