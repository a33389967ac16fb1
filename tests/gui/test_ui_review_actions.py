"""Approving through the reconciliation grid (keyboard and button) writes outbox rows via
the review service; rejecting (which asks why) and the totals bar work off the same
selection."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.store.models import AuditEvent, OutboxItem, Proposal
from app.ui.dialogs.reject_dialog import RejectDialog
from app.ui.widgets import notices
from tests.gui.modal import when_modal
from tests.gui.ui_app import make_context, make_window


@pytest.fixture
def page(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, make_context(tmp_path))
    window.show()
    window.show_page("reconciliation")
    window.activateWindow()
    qtbot.waitActive(window)
    page = window.page("reconciliation")
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() > 0, timeout=10_000)
    return page


def _first_proposed_row(page) -> int:  # type: ignore[no-untyped-def]
    model = page.model
    return next(r for r in range(model.rowCount()) if model.value(r, "status") == "proposed")


def _outbox_for(store, proposal_id: int) -> list[OutboxItem]:  # type: ignore[no-untyped-def]
    with store.read() as s:
        return list(s.scalars(select(OutboxItem).where(OutboxItem.proposal_id == proposal_id)))


def _status(store, proposal_id: int) -> str:  # type: ignore[no-untyped-def]
    with store.read() as s:
        return s.get(Proposal, proposal_id).status


def test_approve_with_the_keyboard_writes_the_outbox(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    store = page.ctx.store
    row = _first_proposed_row(page)
    page.grid.select_only(row)
    page.grid.setFocus()
    proposal_id = int(page.model.row_dict(row)["_key"])
    before = page.model.rowCount()
    with qtbot.waitSignal(page.model.reset_done, timeout=10_000):
        qtbot.keyClick(page.grid, Qt.Key.Key_A)
    assert not notices.open_notices, notices.open_notices[0].text()
    assert _status(store, proposal_id) == "approved"
    [item] = _outbox_for(store, proposal_id)
    assert item.status == "pending" and item.key.startswith("PT-")
    assert page.model.rowCount() == before - 1  # it left the "Needs review" view
    assert page.grid.currentIndex().row() == row  # and the next payment is selected


def test_approve_with_the_button_and_ctrl_enter(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    store = page.ctx.store
    row = _first_proposed_row(page)
    page.grid.select_only(row)
    first = int(page.model.row_dict(row)["_key"])
    with qtbot.waitSignal(page.model.reset_done, timeout=10_000):
        qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    assert _outbox_for(store, first)
    row = _first_proposed_row(page)
    page.grid.select_only(row)
    page.grid.setFocus()
    second = int(page.model.row_dict(row)["_key"])
    with qtbot.waitSignal(page.model.reset_done, timeout=10_000):
        qtbot.keyClick(page.grid, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert _outbox_for(store, second)


def test_reject_with_r_asks_why_and_records_the_reason(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    store = page.ctx.store
    page.grid.select_only(1)
    page.grid.setFocus()
    values = page.model.row_dict(1)
    qtbot.waitUntil(lambda: "Selected: 1" in page.totals.text(), timeout=5_000)
    assert f"{values['amount'] / 100:,.2f}" in page.totals.text()

    def give_a_reason(dialog: RejectDialog) -> None:
        assert not dialog.reject_button.isEnabled()  # no reason, no rejection
        qtbot.keyClicks(dialog.reason, "Paid twice")
        assert dialog.reject_button.isEnabled()
        qtbot.mouseClick(dialog.reject_button, Qt.MouseButton.LeftButton)

    asked = when_modal(RejectDialog, give_a_reason)
    with qtbot.waitSignal(page.model.reset_done, timeout=10_000):
        qtbot.keyClick(page.grid, Qt.Key.Key_R)
    assert asked
    assert _status(store, int(values["_key"])) == "rejected"
    assert not _outbox_for(store, int(values["_key"]))
    with store.read() as s:
        event = s.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "reject", AuditEvent.entity_id == str(values["_key"])
            )
        ).one()
    assert event.after == {"status": "rejected", "reason": "Paid twice"}


def test_cancelling_the_reject_question_rejects_nothing(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    store = page.ctx.store
    row = _first_proposed_row(page)
    page.grid.select_only(row)
    page.grid.setFocus()
    proposal_id = int(page.model.row_dict(row)["_key"])
    asked = when_modal(RejectDialog, lambda dialog: dialog.reject())  # Cancel
    qtbot.keyClick(page.grid, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: bool(asked), timeout=5_000)
    qtbot.wait(200)  # a rejection, had one been queued, would be written by now
    assert _status(store, proposal_id) == "proposed"


def test_typing_a_in_the_search_box_approves_nothing(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    store = page.ctx.store
    page.grid.select_only(_first_proposed_row(page))
    proposal_id = int(page.model.row_dict(page.grid.currentIndex().row())["_key"])
    page.text.setFocus()
    qtbot.keyClicks(page.text, "a")
    with qtbot.waitSignal(page.model.reset_done, timeout=10_000):
        page.text.flush()
    assert _status(store, proposal_id) == "proposed"
