"""Sage Pro down while approved payments wait: Sync now pauses posting with one alert, the
Exceptions page shows it and a notification says so; once Sage Pro answers again, Retry on
the alert posts every waiting payment exactly once (and a refusal becomes a dead letter,
notified too). The notifications follow the profile's alert switches."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from app.store.models import ExceptionItem, OutboxItem, Proposal, ProposalApplication
from app.sync.outbound.sagepro_unreachable_alert import ALERT_CODE
from app.sync.review.actions import approve_proposals
from app.ui.sync_controller import SyncController
from tests.gui.demo_app import (
    WAIT_MS,
    DemoApp,
    demo_app,
    wait_idle,
    widget_with_text,
)
from tests.gui.ui_app import make_context

__all__ = ["demo_app"]  # the fixture, used by name below

ALERT_TITLE = "Sage Pro cannot be reached: posting is paused"


def _approve_sure_payments(app: DemoApp, count: int) -> list[tuple[int, str, str]]:
    """(proposal id, outbox key, invoice) of ``count`` approved hard-key payments."""
    with app.store.read() as s:
        rows = s.execute(
            select(Proposal.id, Proposal.transaction_id, ProposalApplication.invoice_id)
            .join(ProposalApplication, ProposalApplication.proposal_id == Proposal.id)
            .where(
                Proposal.status == "proposed",
                Proposal.rule == "hard_key",
                Proposal.kind == "payment",
            )
            .order_by(Proposal.id)
        ).all()
    one_invoice = [r for r in rows if sum(1 for o in rows if o[0] == r[0]) == 1][:count]
    ids = [r[0] for r in one_invoice]
    result = approve_proposals(app.store, ids, user="maria", profile=app.ctx.profile)
    assert result.approved == ids, result.refused
    return [(pid, f"PT-{tx}-PAY", invoice) for pid, tx, invoice in one_invoice]


def _outbox(app: DemoApp, key: str) -> OutboxItem:
    with app.store.read() as s:
        item = s.scalars(select(OutboxItem).where(OutboxItem.key == key)).one()
        s.expunge(item)
        return item


def _open_items(app: DemoApp) -> list[tuple[str, str, str]]:
    with app.store.read() as s:
        rows = s.execute(
            select(ExceptionItem.category, ExceptionItem.reason_code, ExceptionItem.title).where(
                ExceptionItem.status == "open",
                ExceptionItem.category.in_(("alert", "dead_letter")),  # not the anomaly checks
            )
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _select_row(qtbot: Any, page: Any, category: str) -> None:
    model = page.model
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() > 0, timeout=WAIT_MS)
    row = next(r for r in range(model.rowCount()) if model.value(r, "category") == category)
    page.grid.select_only(row)
    title = str(model.value(row, "title"))
    qtbot.waitUntil(lambda: page.title_label.text() == title, timeout=WAIT_MS)


def test_sagepro_down_pauses_notifies_and_retry_posts_once(
    qtbot, demo_app: DemoApp, artifacts_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    app = demo_app
    ok, words = app.sync_now(qtbot)
    assert ok, words
    waiting = _approve_sure_payments(app, 3)
    keys = [key for _pid, key, _inv in waiting]

    # Sage Pro answers every request with 503 (Retry-After 0 keeps the test quick).
    app.env.sagepro.faults.set_random(1.0, ["503"], retry_after_s=0)
    ok, words = app.sync_now(qtbot)
    assert ok, words  # PayTrace was read; only posting paused
    assert all(_outbox(app, key).status == "pending" for key in keys)
    assert [item for item in _open_items(app) if item[0] == "alert"] == [
        ("alert", ALERT_CODE, ALERT_TITLE)
    ]
    # A notification (the tray's; the status bar where no tray exists).
    assert [t for t, _m in app.tray.notifications].count(ALERT_TITLE) == 1
    assert ALERT_TITLE in app.window.status.message.text()

    # Still down: another sync raises no second alert and no second notification.
    ok, _words = app.sync_now(qtbot)
    assert [i for i in _open_items(app) if i[0] == "alert"] == [("alert", ALERT_CODE, ALERT_TITLE)]
    assert [t for t, _m in app.tray.notifications].count(ALERT_TITLE) == 1

    page = app.open_page(qtbot, "exceptions")
    _select_row(qtbot, page, "alert")
    assert "Nothing was lost" in page.detail_label.text()
    wait_idle(qtbot)
    app.window.grab().save(str(artifacts_dir / "exceptions-sagepro-down.png"))
    assert app.window.width() == 1280  # the notification line did not widen the window

    # Sage Pro is back; meanwhile someone voided the third payment's invoice there.
    app.env.sagepro.faults.clear()
    voided = waiting[2][2]
    requests.post(f"{app.env.sagepro.url}/_sandbox/invoices/{voided}/void", json={}, timeout=10)
    retry = widget_with_text(page, QPushButton, "Retry")
    with qtbot.waitSignal(app.ctx.signals.sync_finished, timeout=WAIT_MS) as finished:
        qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert finished.args[0] is True and "2 posted" in finished.args[1], finished.args

    for key in keys[:2]:
        item = _outbox(app, key)
        assert item.status == "posted"
        [payment] = app.sagepro_payments(key)  # exactly once
        assert payment["PaymentID"] == item.remote_id
    assert _outbox(app, keys[2]).status == "dead" and app.sagepro_payments(keys[2]) == []
    everything = requests.get(
        f"{app.env.sagepro.url}/api/payments",
        params={"page_size": 1000},
        headers={"Authorization": "Bearer demo-key"},
        timeout=10,
    ).json()["items"]
    references = Counter(p["PaymentReference"] for p in everything if p["PaymentReference"])
    assert all(references[key] == 1 for key in keys[:2])
    assert max(references.values()) == 1

    with app.store.read() as s:
        alert = s.scalars(select(ExceptionItem).where(ExceptionItem.category == "alert")).one()
        assert (alert.status, alert.resolved_by) == ("resolved", "maria")
    # The refusal is a dead letter, on the page and in a notification.
    assert [i[:1] for i in _open_items(app)] == [("dead_letter",)]
    [refused] = [m for t, m in app.tray.notifications if t == "A posting could not be made"]
    assert keys[2] in refused and "not open" in refused.lower()
    _select_row(qtbot, page, "dead_letter")
    assert keys[2] in page.title_label.text()


def _dead_letter_runner(ctx: Any) -> Any:
    """A cycle that only produces one dead letter and one alert (what the poster would)."""

    class Result:
        def as_dict(self) -> dict[str, int]:
            return {"dead_letter": 1}

    def run(_trigger: str, _progress: Any, _cancel: Any) -> Result:
        with ctx.store.write() as s:
            for category, code, title in (
                ("dead_letter", "period_closed", "PT-1-PAY: Sage Pro refused the payment"),
                ("alert", ALERT_CODE, ALERT_TITLE),
            ):
                s.add(
                    ExceptionItem(
                        category=category,
                        reason_code=code,
                        title=title,
                        detail="",
                        created_at=datetime(2025, 11, 20, 14, 0),
                    )
                )
        return Result()

    return run


def test_notifications_follow_the_alert_switches(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, str]] = []
    for dead_letters, failed_sync in ((True, True), (False, False), (True, False)):
        folder = tmp_path / f"{dead_letters}-{failed_sync}"
        folder.mkdir()
        ctx = make_context(folder)
        ctx.profile.alerts.notify_dead_letters = dead_letters
        ctx.profile.alerts.notify_failed_sync = failed_sync
        controller = SyncController(ctx, _dead_letter_runner(ctx))
        seen.clear()
        ctx.signals.alert.connect(_collect := lambda t, m: seen.append((t, m)))
        with qtbot.waitSignal(ctx.signals.sync_finished, timeout=WAIT_MS):
            controller.sync_now()
        wait_idle(qtbot)
        ctx.signals.alert.disconnect(_collect)
        titles = [t for t, _m in seen]
        assert (ALERT_TITLE in titles) is failed_sync
        assert ("A posting could not be made" in titles) is dead_letters
        ctx.store.dispose()
