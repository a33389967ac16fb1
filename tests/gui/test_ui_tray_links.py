"""A click on a tray notification opens the page the message is about (issue 21): a
missing password → Settings with the cursor in the PayTrace password; a bad Sage Pro address
→ the Sage Pro address; a refused posting → Exceptions with that item selected; new payments
waiting after a scheduled sync → Reconciliation on "Needs review", earlier searches
cleared. Each balloon is clicked by emitting the tray icon's messageClicked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.credentials import CredentialsError
from app.store.models import ExceptionItem
from app.sync.alerts import Attention, NewItem
from app.ui.app import build_window, ensure_application
from tests.gui.demo_app import WAIT_MS, wait_idle
from tests.gui.ui_app import make_context, page_loaded


@pytest.fixture
def app(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    ensure_application()

    def failing(trigger, progress, cancel):  # type: ignore[no-untyped-def]
        raise CredentialsError("No PayTrace password is stored for profile 'Sandbox'.")

    window, controller, tray = build_window(ctx, failing)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    yield window, controller, tray
    wait_idle(qtbot)
    ctx.store.dispose()


def _click_balloon(tray: Any) -> None:
    tray.icon.messageClicked.emit()


def test_a_credentials_failure_opens_settings_on_the_password(qtbot, app) -> None:  # type: ignore[no-untyped-def]
    window, controller, tray = app
    window.show_page("transactions")
    with qtbot.waitSignal(window.ctx.signals.alert, timeout=WAIT_MS) as alert:
        controller.sync_now()
    title, words, link = alert.args
    assert title == "Sync failed" and "Settings → PayTrace" in words
    assert tray.notifications[-1] == (title, words) and tray.link == link
    _click_balloon(tray)
    settings = window.page("settings")
    assert window.stack.currentWidget() is settings
    assert window.focusWidget() is settings.paytrace.secret

    # A wrong address: the address field of the system named.
    words = (
        "The Sage Pro address is not a web address (it looks like http://server:8080). "
        "Correct it in Settings → Sage Pro; nothing was sent."
    )
    window.show_page("dashboard")
    controller._after(False, words)  # what a failed run ends with
    _click_balloon(tray)
    assert window.stack.currentWidget() is settings
    assert window.focusWidget() is settings.sagepro.url


def test_a_refused_posting_opens_exceptions_on_that_item(qtbot, app) -> None:  # type: ignore[no-untyped-def]
    window, controller, tray = app
    ctx = window.ctx
    with ctx.store.write() as s:
        item = ExceptionItem(
            category="dead_letter",
            reason_code="validation",
            title="Sage Pro refused the payment for invoice 104613",
            detail="Invoice 104613 is not open.",
            status="open",
            created_at=utcnow(),  # new: the newest of the queue
        )
        s.add(item)
        s.flush()
        item_id = int(item.id)
    with ctx.store.read() as s:
        older = s.scalars(select(ExceptionItem.id).where(ExceptionItem.id != item_id)).first()
    assert older is not None, "the seeded store holds other exceptions too"
    window.show_page("exceptions")
    page = window.page("exceptions")
    qtbot.waitUntil(lambda: page_loaded(page), timeout=WAIT_MS)
    page.text.setText("something else")  # an earlier search, cleared by the link
    page.text.flush()
    window.show_page("dashboard")
    found = NewItem(item_id, "dead_letter", "validation", "Sage Pro refused", "Not open.")
    controller.attention.emit(Attention([found]))
    assert tray.notifications[-1][0] == "A posting could not be made"
    _click_balloon(tray)
    assert window.stack.currentWidget() is page
    qtbot.waitUntil(lambda: page.model.row_dict(page.grid.currentIndex().row()) is not None)
    qtbot.waitUntil(
        lambda: page.model.row_dict(page.grid.currentIndex().row())["_key"] == item_id,
        timeout=WAIT_MS,
    )
    assert page.text.text() == "" and page.status.currentData() == "open"


def test_payments_waiting_after_a_scheduled_sync_open_the_review_grid(qtbot, app) -> None:  # type: ignore[no-untyped-def]
    window, controller, tray = app

    class Counts:
        def as_dict(self) -> dict[str, int]:
            return {"fetched": 5, "review": 3}

    controller.runner = lambda trigger, progress, cancel: Counts()
    recon = window.page("reconciliation")
    qtbot.waitUntil(lambda: page_loaded(recon), timeout=WAIT_MS)
    recon.show_view("posted")
    recon.text.setText("Bakery")  # an earlier search, cleared by the link
    window.show_page("settlements")
    with qtbot.waitSignal(window.ctx.signals.alert, timeout=WAIT_MS) as alert:
        controller._scheduled_run("schedule")  # what the scheduler's thread calls
    assert alert.args[0] == "3 new payments wait for review"
    _click_balloon(tray)
    assert window.stack.currentWidget() is recon
    assert recon.model.filter.status == "open" and recon.text.text() == ""
    qtbot.waitUntil(lambda: page_loaded(recon), timeout=WAIT_MS)

    # A manual sync's own summary says it in the status bar: no balloon for it.
    seen: list[str] = []
    window.ctx.signals.alert.connect(lambda t, _m, _l: seen.append(t))
    with qtbot.waitSignal(window.ctx.signals.sync_finished, timeout=WAIT_MS):
        controller.sync_now()
    wait_idle(qtbot)
    assert seen == []


def test_a_balloon_without_a_page_just_brings_the_window_back(qtbot, app) -> None:  # type: ignore[no-untyped-def]
    window, _controller, tray = app
    window.show_page("audit")
    window.hide()
    tray.notify("Paysage is still syncing", "Scheduled sync keeps running; use the tray icon.")
    _click_balloon(tray)
    assert window.isVisible() and window.stack.currentWidget() is window.page("audit")
