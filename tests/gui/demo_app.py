"""The real window over ``paysage demo``'s environment (both stand-ins on localhost, the demo
company, a throw-away data folder), driven the way a bookkeeper would: the nav list, the
Sync now button, the grids. Shared by the demo-flow and Sage-Pro-down tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from sqlalchemy import select

from app.config import database_path
from app.demo import DEMO_PROFILE, DemoEnvironment, demo_environment
from app.sandbox.sagepro import DEFAULT_API_KEY
from app.store import Store, open_store
from app.store.models import OutboxItem
from app.ui.app import build_window, ensure_application
from app.ui.context import UiContext
from app.ui.main_window import PAGES, MainWindow
from app.ui.ops import running_ops
from app.ui.sync_controller import SyncController
from app.ui.tray import Tray

WAIT_MS = 30_000  # the machine may be loaded; every wait is on a signal or a condition


@dataclass
class DemoApp:
    env: DemoEnvironment
    store: Store
    ctx: UiContext
    window: MainWindow
    controller: SyncController
    tray: Tray

    def open_page(self, qtbot: Any, key: str) -> Any:
        """Click ``key``'s entry in the left navigation."""
        row = next(i for i, (k, _w, _f) in enumerate(PAGES) if k == key)
        nav = self.window.nav
        rect = nav.visualItemRect(nav.item(row))
        qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        page = self.window.page(key)
        assert self.window.stack.currentWidget() is page
        return page

    def sync_now(self, qtbot: Any) -> tuple[bool, str]:
        """Press Sync now in the status bar and wait for the cycle to finish."""
        button = self.window.status.sync_now
        assert button.isEnabled()
        with qtbot.waitSignal(self.ctx.signals.sync_finished, timeout=WAIT_MS) as finished:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        wait_idle(qtbot)
        ok, words = finished.args
        return bool(ok), str(words)

    def sagepro_payments(self, reference: str) -> list[dict[str, Any]]:
        """The Sage Pro stand-in's payments with this PaymentReference, over HTTP."""
        response = requests.get(
            f"{self.env.sagepro.url}/api/payments",
            params={"PaymentReference": reference},
            headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
            timeout=10,
        )
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def outbox(self, proposal_id: int) -> list[OutboxItem]:
        with self.store.read() as s:
            rows = s.scalars(select(OutboxItem).where(OutboxItem.proposal_id == proposal_id))
            return list(rows)


def wait_idle(qtbot: Any) -> None:
    """Every background operation has delivered its result to the GUI."""
    qtbot.waitUntil(lambda: not running_ops(), timeout=WAIT_MS)


@dataclass(frozen=True)
class Figures:
    """What the dashboard shows, read from its tiles and the chart's data."""

    waiting: str  # "Waiting for review" detail, e.g. "263 payments"
    unposted_value: str  # "Approved, not yet posted" figure, e.g. "$1,204.00"
    unposted: str  # its detail, e.g. "2 payments"
    posted_in_chart: Decimal  # the chart's "posted to Sage Pro" series, summed
    last_sync: str


def dashboard_figures(qtbot: Any, page: Any) -> Figures:
    wait_idle(qtbot)  # no refresh from before is still on its way
    page.refresh()
    wait_idle(qtbot)
    assert page.data is not None
    return Figures(
        waiting=page.unmatched.detail.text(),
        unposted_value=page.unposted.value.text(),
        unposted=page.unposted.detail.text(),
        posted_in_chart=sum((p for _d, _c, p in page.data.daily), Decimal(0)),
        last_sync=page.sync.value.text(),
    )


def grid_loaded(qtbot: Any, page: Any) -> None:
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() > 0, timeout=WAIT_MS)


@pytest.fixture
def demo_app(qtbot: Any) -> Iterator[DemoApp]:
    ensure_application()
    # The demo company is dated from today, exactly as ``paysage demo`` runs it (the
    # engine's poll window ends on the real today).
    with demo_environment(1, today=date.today()) as env:
        store = open_store(database_path(DEMO_PROFILE))
        ctx = UiContext(
            store=store,
            settings=env.settings,
            profile=env.profile,
            user="maria",
            demo=True,
            persist_settings=False,
        )
        window, controller, tray = build_window(ctx)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        try:
            yield DemoApp(env, store, ctx, window, controller, tray)
        finally:
            controller.shutdown()
            wait_idle(qtbot)
            window.close()
            store.dispose()


def widget_with_text(parent: QWidget, cls: type[QWidget], text: str) -> Any:
    """The one child ``cls`` widget (a button, say) whose text is ``text``."""
    found = [w for w in parent.findChildren(cls) if getattr(w, "text", lambda: "")() == text]
    assert len(found) == 1, f"{len(found)} widgets say {text!r}"
    return found[0]
