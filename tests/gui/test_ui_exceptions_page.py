"""The Exceptions page's buttons, clicked: retry one, retry a whole group, resolve by hand
with a note, discard with a reason, edit the payload — each through the exception-queue
service (checked in the database) and refused in plain words where it cannot be done."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QPushButton
from sqlalchemy import select

from app.store.models import AuditEvent, ExceptionItem, OutboxItem
from app.ui.pages.exceptions import ExceptionsPage
from app.ui.widgets import notices
from tests.gui.demo_app import WAIT_MS, wait_idle, widget_with_text
from tests.gui.ui_app import make_context


@pytest.fixture
def page(qtbot, tmp_path: Path) -> Iterator[ExceptionsPage]:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    widget = ExceptionsPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1060, 700)
    widget.show()
    qtbot.waitUntil(
        lambda: not widget.model.loading and widget.model.rowCount() > 0, timeout=WAIT_MS
    )
    yield widget
    wait_idle(qtbot)
    for box in list(notices.open_notices):
        box.close()
    ctx.store.dispose()


def _select(qtbot: Any, page: ExceptionsPage, reason_code: str, nth: int = 0) -> int:
    """Select the ``nth`` open item with this reason; returns its id."""
    model = page.model
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT_MS)
    rows = [r for r in range(model.rowCount()) if model.value(r, "reason_code") == reason_code]
    row = rows[nth]
    page.grid.select_only(row)
    values = model.row_dict(row)
    assert values is not None
    qtbot.waitUntil(lambda: page.title_label.text() == str(values["title"]), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.payload.toPlainText() != "", timeout=WAIT_MS)
    return int(values["_key"])


def _click(qtbot: Any, page: ExceptionsPage, text: str) -> None:
    qtbot.mouseClick(widget_with_text(page, QPushButton, text), Qt.MouseButton.LeftButton)
    wait_idle(qtbot)


def _answer_input(qtbot: Any, answer: str) -> list[str]:
    """Type ``answer`` into the next QInputDialog and press OK."""
    asked: list[str] = []

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, run)
            return
        asked.append(dialog.labelText())
        dialog.setTextValue(answer)
        dialog.accept()

    QTimer.singleShot(0, run)
    return asked


def _item(page: ExceptionsPage, item_id: int) -> ExceptionItem:
    with page.ctx.store.read() as s:
        item = s.get(ExceptionItem, item_id)
        assert item is not None
        s.expunge(item)
        return item


def _outbox_of(page: ExceptionsPage, item: ExceptionItem) -> OutboxItem:
    with page.ctx.store.read() as s:
        outbox = s.get(OutboxItem, item.outbox_id)
        assert outbox is not None
        s.expunge(outbox)
        return outbox


def _audit(page: ExceptionsPage, action: str) -> list[AuditEvent]:
    with page.ctx.store.read() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _gone_from_open_view(qtbot: Any, page: ExceptionsPage, item_id: int) -> None:
    qtbot.waitUntil(
        lambda: not page.model.loading and page.model.row_of_key(item_id) is None,
        timeout=WAIT_MS,
    )


def test_retry_one_queues_the_posting_again(qtbot, page: ExceptionsPage) -> None:  # type: ignore[no-untyped-def]
    item_id = _select(qtbot, page, "invoice_not_open")
    _click(qtbot, page, "Retry")
    item = _item(page, item_id)
    assert (item.status, item.resolved_by) == ("resolved", "maria")
    outbox = _outbox_of(page, item)
    assert (outbox.status, outbox.attempts) == ("pending", 0)
    assert [e.entity_id for e in _audit(page, "retry")] == [outbox.key]
    _gone_from_open_view(qtbot, page, item_id)
    assert page.ctx.store and not notices.open_notices


def test_retry_without_a_posting_is_disabled_with_the_reason(qtbot, page: ExceptionsPage) -> None:  # type: ignore[no-untyped-def]
    """Issue 21: a button that does not apply is disabled, not refused after the click."""
    item_id = _select(qtbot, page, "period_closed")  # a seeded dead letter with no outbox row
    retry = widget_with_text(page, QPushButton, "Retry")
    assert not retry.isEnabled() and "not about a posting" in retry.toolTip()
    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert not notices.open_notices and _item(page, item_id).status == "open"


def test_retry_whole_group(qtbot, page: ExceptionsPage) -> None:  # type: ignore[no-untyped-def]
    with page.ctx.store.read() as s:
        ids = list(
            s.scalars(
                select(ExceptionItem.id).where(
                    ExceptionItem.reason_code == "invoice_not_open", ExceptionItem.status == "open"
                )
            )
        )
    assert len(ids) >= 2, "the seed has too few dead letters of one reason for a group"
    qtbot.waitUntil(lambda: page.groups.topLevelItemCount() > 1, timeout=WAIT_MS)
    group = next(
        page.groups.topLevelItem(i)
        for i in range(page.groups.topLevelItemCount())
        if page.groups.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
        == ("dead_letter", "invoice_not_open")
    )
    assert group.text(1) == str(len(ids))
    page.groups.setCurrentItem(group)  # the grid shows that group only
    qtbot.waitUntil(
        lambda: not page.model.loading and page.model.rowCount() == len(ids), timeout=WAIT_MS
    )
    _select(qtbot, page, "invoice_not_open")
    _click(qtbot, page, "Retry whole group")
    items = [_item(page, i) for i in ids]
    assert {i.status for i in items} == {"resolved"}
    assert {_outbox_of(page, i).status for i in items} == {"pending"}
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() == 0, timeout=WAIT_MS)
    assert page.title_label.text() == "Nothing here. Good."


def test_resolve_by_hand_with_a_note(qtbot, page: ExceptionsPage) -> None:  # type: ignore[no-untyped-def]
    item_id = _select(qtbot, page, "invoice_not_open")
    asked = _answer_input(qtbot, "  Entered by hand in Sage Pro as cheque 1042.  ")
    _click(qtbot, page, "Resolve by hand…")
    assert asked and "What did you do in Sage Pro?" in asked[0]
    item = _item(page, item_id)
    assert item.status == "resolved"
    assert item.resolution_note == "Entered by hand in Sage Pro as cheque 1042."
    assert _outbox_of(page, item).status == "resolved"  # never sent now
    [event] = _audit(page, "resolve")
    assert event.after == {"note": "Entered by hand in Sage Pro as cheque 1042."}
    _gone_from_open_view(qtbot, page, item_id)


def test_resolving_without_a_note_does_nothing(qtbot, page: ExceptionsPage) -> None:  # type: ignore[no-untyped-def]
    item_id = _select(qtbot, page, "invoice_not_open")
    _answer_input(qtbot, "   ")
    _click(qtbot, page, "Resolve by hand…")
    assert _item(page, item_id).status == "open" and not _audit(page, "resolve")


def test_discard_with_a_reason(qtbot, page: ExceptionsPage) -> None:  # type: ignore[no-untyped-def]
    item_id = _select(qtbot, page, "invoice_not_open")
    asked = _answer_input(qtbot, "Customer paid by wire; already in Sage Pro.")
    _click(qtbot, page, "Discard…")
    assert asked == ["Why is this safe to discard?"]
    item = _item(page, item_id)
    assert (item.status, item.resolution_note) == (
        "discarded",
        "Customer paid by wire; already in Sage Pro.",
    )
    outbox = _outbox_of(page, item)
    assert outbox.status == "discarded" and "paid by wire" in (outbox.last_error or "")
    assert len(_audit(page, "discard")) == 1
    page.status.setCurrentIndex(page.status.findData("discarded"))  # Show: Discarded
    qtbot.waitUntil(
        lambda: not page.model.loading and page.model.row_of_key(item_id) is not None,
        timeout=WAIT_MS,
    )


def _edit_and_save(qtbot: Any, page: ExceptionsPage, edit: Callable[[str], str]) -> None:
    page.payload.setPlainText(edit(page.payload.toPlainText()))
    _click(qtbot, page, "Save payload")


def test_edit_payload(qtbot, page: ExceptionsPage) -> None:  # type: ignore[no-untyped-def]
    item_id = _select(qtbot, page, "invoice_not_open")
    before = _outbox_of(page, _item(page, item_id))
    _edit_and_save(qtbot, page, lambda _text: '{"CustomerID": "C00001", "Amount": "10.00"}')
    assert not notices.open_notices, [n.text() for n in notices.open_notices]
    item = _item(page, item_id)
    after = _outbox_of(page, item)
    assert after.payload == item.payload == {"CustomerID": "C00001", "Amount": "10.00"}
    assert after.key == before.key and after.status == "dead"  # same key: still exactly once
    [event] = _audit(page, "edit_payload")
    assert event.before == before.payload


def test_edit_payload_refusals(qtbot, page: ExceptionsPage) -> None:  # type: ignore[no-untyped-def]
    item_id = _select(qtbot, page, "invoice_not_open")
    before = _outbox_of(page, _item(page, item_id)).payload

    _edit_and_save(qtbot, page, lambda text: text + "}")  # broken JSON
    assert "not valid JSON" in notices.open_notices[-1].text()
    _edit_and_save(qtbot, page, lambda _text: "[1, 2]")
    assert "must be a JSON object" in notices.open_notices[-1].text()
    _edit_and_save(qtbot, page, lambda _text: '{"Memo": "card 4012000098765439"}')
    qtbot.waitUntil(lambda: "card number" in notices.open_notices[-1].text(), timeout=WAIT_MS)
    assert "4012000098765439" not in notices.open_notices[-1].text()

    assert _outbox_of(page, _item(page, item_id)).payload == before
    assert not _audit(page, "edit_payload")


def test_buttons_that_do_not_apply_are_disabled_with_the_reason(
    qtbot, page: ExceptionsPage
) -> None:  # type: ignore[no-untyped-def]
    buttons = page.action_buttons
    _select(qtbot, page, "voided_after_posting")  # about PayTrace's change, no posting
    for text in ("Save payload", "Retry", "Retry whole group"):
        assert not buttons[text].isEnabled(), text
        assert "not about a posting" in buttons[text].toolTip()
    assert buttons["Resolve by hand…"].isEnabled() and buttons["Discard…"].isEnabled()
    assert not page.edit_text.isEnabled()
    _select(qtbot, page, "invoice_not_open")  # a posting Sage Pro refused
    assert all(b.isEnabled() for b in buttons.values()) and page.edit_text.isEnabled()
    assert buttons["Retry"].toolTip() == ""
