"""The Settings page protects what the user typed: values out of range, an address that is
not a web address or a key Sage Pro just refused are not saved silently; "Saved." goes
away after a new edit; leaving with unsaved changes asks; Save stays in view at 1280x800;
the focus stays on Test connection after the test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from app.config import settings_path
from app.sandbox.http_base import SandboxServer
from app.sandbox.sagepro.app import build_app
from app.ui.widgets import notices
from tests.gui.demo_app import WAIT_MS
from tests.gui.modal import when_modal
from tests.gui.ui_app import make_context, make_window


@pytest.fixture
def window(qtbot, tmp_path: Path) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    ctx.persist_settings = True  # Save writes settings.json
    window = make_window(qtbot, ctx)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("settings")
    yield window
    for box in list(notices.open_notices):
        box.close()
    ctx.store.dispose()


def _save(qtbot: Any, page: Any) -> None:
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)


def test_save_stays_in_view_below_the_scrolling_form(window) -> None:  # type: ignore[no-untyped-def]
    page = window.page("settings")
    button = page.save_button
    assert button.isVisible() and not page.form_scroll.isAncestorOf(button)
    corner = button.mapTo(window, QPoint(button.width(), button.height()))
    assert window.rect().contains(corner), "the Save button is below the window's edge"


def test_out_of_range_values_are_refused_one_reason_each(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    page = window.page("settings")
    page.business_only.setChecked(True)
    page.start_hour.setValue(20)
    page.end_hour.setValue(8)
    page.card_pct.setText("150")
    page.large_amount.setText("0")
    page.paytrace.url.setText("api.paytrace.com")
    _save(qtbot, page)
    assert not settings_path().exists()
    shown = notices.open_notices[-1].text()
    for reason in (
        "Business hours must start before they end (from 20:00 to 8:00).",
        "Card % of gross must be between 0 and 100, not 150.00.",
        "Large payment from $ must be 0.01 or more, not 0.00.",
        "The PayTrace API address must be a web address",
    ):
        assert reason in shown and reason in page.saved_label.text()
    assert len(shown.splitlines()) == 4  # one line per field


def test_the_settings_rules_refuse_what_the_form_lets_through(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """The page also applies the rules that refuse a hand-edited settings.json (app/config.py
    ``validate_settings``): a tolerance the form accepts but the rules cap is not saved, and
    the profile in memory keeps its old value."""
    page = window.page("settings")
    before = page.ctx.profile.policy.amount_tolerance
    page.tolerance.setText("5000")
    _save(qtbot, page)
    assert not settings_path().exists()
    shown = notices.open_notices[-1].text()
    assert "Amount tolerance" in shown and "5000" in shown
    assert page.ctx.profile.policy.amount_tolerance == before


def test_saved_goes_away_after_a_new_edit(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    page = window.page("settings")
    page.interval.setValue(10)
    _save(qtbot, page)
    assert page.saved_label.text() == "Saved." and not page.dirty
    page.lookback.setValue(page.lookback.value() + 1)
    assert page.saved_label.text() == "" and page.dirty


def _leave_for_dashboard(qtbot: Any, window: Any, answer: QMessageBox.StandardButton) -> None:
    ran = when_modal(QMessageBox, lambda box: box.button(answer).click())
    row = next(i for i in range(window.nav.count()) if window.nav.item(i).text() == "Dashboard")
    rect = window.nav.visualItemRect(window.nav.item(row))
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: bool(ran), timeout=WAIT_MS)


def test_leaving_with_unsaved_changes_asks(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    page = window.page("settings")
    saved_interval = page.interval.value()
    page.interval.setValue(saved_interval + 7)
    _leave_for_dashboard(qtbot, window, QMessageBox.StandardButton.Cancel)
    assert window.stack.currentWidget() is page and page.interval.value() == saved_interval + 7
    assert window.nav.currentItem().text() == "Settings"
    _leave_for_dashboard(qtbot, window, QMessageBox.StandardButton.Discard)
    assert window.stack.currentWidget() is window.page("dashboard")
    assert page.interval.value() == saved_interval and not page.dirty
    assert not settings_path().exists()


@pytest.fixture
def sagepro() -> Iterator[str]:
    server = SandboxServer(build_app(seed=None, today=date(2025, 11, 20))).start()
    yield server.url
    server.stop()


def test_a_refused_key_is_not_saved_silently_and_focus_stays(qtbot, window, sagepro) -> None:  # type: ignore[no-untyped-def]
    page = window.page("settings")
    form = page.sagepro
    form.url.setText(sagepro)
    form.secret.setText("not-the-key")
    window.activateWindow()
    form.test_button.setFocus()
    qtbot.waitUntil(form.test_button.hasFocus, timeout=WAIT_MS)
    with qtbot.waitSignal(form.tested, timeout=WAIT_MS) as tested:
        qtbot.keyClick(form.test_button, Qt.Key.Key_Space)
    assert tested.args[0] is False
    assert form.test_button.hasFocus(), "the focus jumped away from Test connection"
    asked: list[str] = []

    def decline(box: QMessageBox) -> None:
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.No).click()

    ran = when_modal(QMessageBox, decline)
    _save(qtbot, page)
    qtbot.waitUntil(lambda: bool(ran), timeout=WAIT_MS)
    assert "refused this API key" in asked[0] and "Save anyway?" in asked[0]
    assert not settings_path().exists() and page.saved_label.text() == "Not saved."
