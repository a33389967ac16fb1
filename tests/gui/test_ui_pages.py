"""Every page over realistic data: it loads, shows what the database holds, and a
screenshot of it at 1280x800 lands in the artifacts folder for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.ui.main_window import PAGES
from tests.gui.ui_app import make_context, make_window, wait_page_ready


@pytest.fixture
def window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, make_context(tmp_path))
    window.show()
    qtbot.waitExposed(window)
    return window


def test_screenshot_of_every_page(qtbot, window, artifacts_dir: Path) -> None:  # type: ignore[no-untyped-def]
    for key, _words, _factory in PAGES:
        window.show_page(key)
        page = window.page(key)
        wait_page_ready(qtbot, key, page)
        path = artifacts_dir / f"page-{key}.png"
        assert window.width() == 1280, f"{key} forces the window wider than 1280"
        assert window.grab().save(str(path))
        assert path.stat().st_size > 10_000


def test_dashboard_figures_match_the_database(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    page = window.page("dashboard")
    qtbot.waitUntil(lambda: page.data is not None, timeout=10_000)
    data = page.data
    assert data.dead_letters >= 1 and data.changed_after_posting == 3
    assert page.dead.value.text() == str(data.dead_letters)
    assert len(data.daily) == 30 and sum(c for _d, c, _p in data.daily) > 0


def test_settlements_flag_the_batch_that_does_not_add_up(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    page = window.page("settlements")
    qtbot.waitUntil(lambda: getattr(page, "mismatched", None) is not None, timeout=10_000)
    assert page.mismatched == [5003]
    assert "5003" in page.banner.text()


def test_sandbox_badge_and_status_bar(window) -> None:  # type: ignore[no-untyped-def]
    status = window.status
    assert status.badge.text() == "SANDBOX"
    assert status.badge.property("env") == "sandbox"
    assert status.sync_now.isEnabled()
    assert not status.progress.isVisible()
