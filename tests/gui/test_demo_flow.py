"""The demo, headless, as a bookkeeper clicks through it: Sync now, approve in the
reconciliation grid, Sync now again — and the payments are in Sage Pro (the stand-in, over
HTTP), exactly once, and the dashboard's figures moved. Plus the screenshots the README and
a person reviewing the app look at."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from app.domain.money import from_cents
from app.ui.widgets import notices
from tests.gui.demo_app import (
    WAIT_MS,
    DemoApp,
    dashboard_figures,
    demo_app,
    grid_loaded,
    wait_idle,
)

__all__ = ["demo_app"]  # the fixture, used by name below


def _payment_rows(page: Any, count: int) -> list[int]:
    """Rows of sure invoice matches (hard key) that are plain payments."""
    model = page.model
    rows = [
        r
        for r in range(model.rowCount())
        if model.value(r, "rule") == "hard_key"
        and model.value(r, "kind") == "payment"
        and model.value(r, "status") == "proposed"
    ]
    assert len(rows) >= count, "the demo company has fewer sure matches than expected"
    return rows[:count]


def _approve_two_in_the_grid(qtbot: Any, page: Any) -> list[dict[str, Any]]:
    """One with the A key, one with the Approve button; returns their grid rows."""
    approved: list[dict[str, Any]] = []
    for how in ("key", "button"):
        row = _payment_rows(page, 1)[0]
        page.grid.select_only(row)
        page.grid.setFocus()
        values = page.model.row_dict(row)
        with qtbot.waitSignal(page.model.reset_done, timeout=WAIT_MS):
            if how == "key":
                qtbot.keyClick(page.grid, Qt.Key.Key_A)
            else:
                qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
        assert not notices.open_notices, notices.open_notices[0].text()
        approved.append(values)
    return approved


def test_sync_approve_in_the_grid_sync_again_posts_to_sage_pro(qtbot, demo_app: DemoApp) -> None:  # type: ignore[no-untyped-def]
    app = demo_app
    dashboard = app.open_page(qtbot, "dashboard")
    never = dashboard_figures(qtbot, dashboard)
    assert never.last_sync == "Never"

    ok, words = app.sync_now(qtbot)
    assert ok, words
    assert "fetched" in words and "waiting for review" in words
    synced = dashboard_figures(qtbot, dashboard)
    assert synced.last_sync == "OK"
    assert synced.unposted == "0 payments" and synced.posted_in_chart == 0
    waiting_before = int(synced.waiting.split()[0].replace(",", ""))
    assert waiting_before > 100  # the demo month is waiting for review

    page = app.open_page(qtbot, "reconciliation")
    grid_loaded(qtbot, page)
    approved = _approve_two_in_the_grid(qtbot, page)
    keys = [f"PT-{row['paytrace_id']}-PAY" for row in approved]
    amounts = [from_cents(int(row["amount"])) for row in approved]
    for row, key in zip(approved, keys, strict=True):
        [item] = app.outbox(int(row["_key"]))
        assert item.key == key and item.status == "pending"
        assert app.sagepro_payments(key) == []  # nothing is posted before the next sync

    dashboard = app.open_page(qtbot, "dashboard")
    waiting = dashboard_figures(qtbot, dashboard)
    assert waiting.unposted == "2 payments"
    assert waiting.unposted_value == f"${sum(amounts, Decimal(0)):,.2f}"

    ok, words = app.sync_now(qtbot)
    assert ok and "posted" in words, words
    for row, key, amount in zip(approved, keys, amounts, strict=True):
        [item] = app.outbox(int(row["_key"]))
        assert item.status == "posted" and item.remote_id
        [payment] = app.sagepro_payments(key)  # exactly one per key
        assert Decimal(str(payment["Amount"])) == amount
        assert payment["CustomerID"] == row["customer_id"]
        assert payment["PaymentID"] == item.remote_id

    posted = dashboard_figures(qtbot, dashboard)
    assert posted.unposted == "0 payments"
    assert posted.posted_in_chart == sum(amounts, Decimal(0))
    assert int(posted.waiting.split()[0].replace(",", "")) == waiting_before - 2


def test_screenshots_of_the_demo_after_a_sync(
    qtbot, demo_app: DemoApp, artifacts_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    app = demo_app
    ok, words = app.sync_now(qtbot)
    assert ok, words

    mapping = app.open_page(qtbot, "mapping")
    qtbot.waitUntil(lambda: mapping.editor is not None, timeout=WAIT_MS)
    assert len(mapping.data.sample_rows) == 25 and mapping.data.customer_links
    customers = [c for c in mapping.sample_values("Payment.CustomerID") if c]
    assert customers and all(c in mapping.data.customer_links.values() for c in customers)
    # No row fails for want of a customer link; Checks, like the preview, names only the
    # rows that carry no PayTrace customer at all.
    customer_issues = [i for i in mapping.editor.state.issues() if i.target == "Payment.CustomerID"]
    assert all(
        i.severity == "warning" and "the value is empty" in i.message for i in customer_issues
    )
    wait_idle(qtbot)
    qtbot.wait(50)  # let the queued paints land before grabbing
    assert app.window.width() == 1280, "the mapping page forces the window wider"
    path = artifacts_dir / "page-mapping.png"
    assert app.window.grab().save(str(path)) and path.stat().st_size > 10_000

    page = app.open_page(qtbot, "reconciliation")
    grid_loaded(qtbot, page)
    qtbot.waitUntil(lambda: page.detail.detail is not None, timeout=WAIT_MS)
    wait_idle(qtbot)
    qtbot.wait(50)
    assert (app.window.width(), app.window.height()) == (1280, 800)
    path = artifacts_dir / "readme-reconciliation.png"
    assert app.window.grab().save(str(path)) and path.stat().st_size > 10_000
