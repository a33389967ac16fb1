"""A failed sync that a setting would fix says so in words, and the status bar and the
dashboard offer a link straight to Settings; other failures and successes offer none."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt

from app.store.models import SyncRun
from app.sync.failure_words import FailureAdvice
from tests.gui.ui_app import make_context, make_window

BAD_ADDRESS = FailureAdvice(
    "The PayTrace address is not a web address (it looks like https://api.paytrace.com). "
    "Correct it in Settings → PayTrace.",
    "paytrace",
)


def test_status_bar_and_dashboard_link_to_the_setting(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    window = make_window(qtbot, ctx)
    window.show()
    qtbot.waitExposed(window)
    status = window.status
    assert not status.fix.isVisible()
    ctx.signals.sync_finished.emit(False, BAD_ADDRESS.words)
    assert status.message.text() == BAD_ADDRESS.words and status.fix.isVisible()
    qtbot.mouseClick(status.fix, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.page("settings")
    assert window.focusWidget() is window.page("settings").paytrace.url  # the field to fix
    ctx.signals.sync_finished.emit(True, "Sync finished: nothing new.")
    assert not status.fix.isVisible()

    with ctx.store.write() as s:  # the newest run failed with those words
        started = datetime(2025, 11, 20, 15, 0)
        s.add(
            SyncRun(
                trigger="manual",
                started_at=started,
                finished_at=started + timedelta(seconds=2),
                status="failed",
                counts={},
                error=BAD_ADDRESS.words,
            )
        )
    window.show_page("dashboard")
    dashboard = window.page("dashboard")
    dashboard.refresh()
    link = dashboard.sync.link
    qtbot.waitUntil(lambda: link.isVisible(), timeout=10_000)
    assert BAD_ADDRESS.words in dashboard.sync.detail.text()
    window.page("settings").paytrace.username.setFocus()
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.page("settings")
    assert window.focusWidget() is window.page("settings").paytrace.url
    ctx.store.dispose()


def test_the_dashboard_words_a_good_sync_as_the_status_bar_does(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The last run's counts in words, never its field names ("auto_approved")."""
    ctx = make_context(tmp_path)
    window = make_window(qtbot, ctx)
    counts = {"fetched": 12, "new": 2, "auto_approved": 3, "review": 1, "dead_letter": 2}
    with ctx.store.write() as s:
        started = datetime(2025, 11, 20, 15, 0)
        s.add(
            SyncRun(
                trigger="schedule",
                started_at=started,
                finished_at=started + timedelta(seconds=2),
                status="ok",
                counts=counts,
            )
        )
    window.show_page("dashboard")
    dashboard = window.page("dashboard")
    dashboard.refresh()
    detail = dashboard.sync.detail
    qtbot.waitUntil(lambda: "could not post" in detail.text(), timeout=10_000)
    assert detail.text().endswith("12 fetched, 2 new, 1 waiting for review, 2 could not post")
    ctx.store.dispose()
