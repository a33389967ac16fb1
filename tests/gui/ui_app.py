"""Building the whole window over a seeded store, for the UI tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.config import Settings
from app.store import Store
from app.ui.app import build_window, ensure_application
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from tests.gui.ui_seed import TODAY, seed_store


def make_context(tmp_path: Path, store: Store | None = None) -> UiContext:
    settings = Settings()
    return UiContext(
        store=store or seed_store(tmp_path / "ui.db"),
        settings=settings,
        profile=settings.profile("Sandbox"),
        user="maria",
        persist_settings=False,
        today_override=TODAY,
    )


def make_window(qtbot: Any, ctx: UiContext, runner: Any = None) -> MainWindow:
    ensure_application()
    window, _controller, _tray = build_window(ctx, runner)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    return window


def page_loaded(page: object) -> bool:
    """The page's grids have their first block and the dashboard its figures."""
    for name in ("model", "members"):
        model = getattr(page, name, None)
        if model is not None and (model.loading or (name == "model" and not model.rowCount())):
            return False
    return getattr(page, "data", True) is not None  # the dashboard's figures


def wait_page_ready(qtbot: Any, key: str, page: Any) -> None:
    """Wait until ``page`` shows what it loads: its grids, then its detail panels, then
    one more round of paints and layouts."""
    qtbot.waitUntil(lambda: page_loaded(page), timeout=15_000)
    if key == "settlements":
        qtbot.waitUntil(lambda: page.members.rowCount() > 0, timeout=10_000)
    if key == "transactions":
        qtbot.waitUntil(lambda: page.detail.raw.toPlainText() != "", timeout=10_000)
    if key == "reconciliation":
        qtbot.waitUntil(lambda: page.detail.detail is not None, timeout=10_000)
    qtbot.wait(80)  # let queued paints and layouts of just-loaded blocks land
