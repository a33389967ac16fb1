"""Typing in the Reconciliation filter boxes as a person does (issue 16): bursts of letters,
including the grid's shortcut letters a, r and j, with pauses longer than the search box's
debounce between them. Found in a real window: after a pause the grid's reload took the
focus, so the next letters approved and rejected payments. Every key event here goes to
``QApplication.focusWidget()``, wherever the focus really is, never to a chosen widget."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import func, select

from app.store.models import OutboxItem, Proposal
from tests.gui.ui_app import make_context, make_window

# Every filter input of the page, by attribute name.
FILTER_BOXES = ("customer", "text", "amount_min", "amount_max", "date_from", "date_to", "status")
BURSTS = ("ar", "ja", "r")  # typed with a pause after each
PAUSE_MS = 1_500  # as in the report; the search box fires 250 ms after the last key


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


@pytest.fixture
def dialogs_opened(qtbot) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Closes (and lists) any modal dialog, so a stray R cannot leave the test waiting."""
    opened: list[str] = []

    def close_modal() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            opened.append(dialog.windowTitle())
            dialog.close()

    timer = QTimer()
    timer.timeout.connect(close_modal)
    timer.start(50)
    yield opened
    timer.stop()


def _decisions(store: Any) -> tuple[dict[int, str], int]:
    with store.read() as s:
        statuses = {pid: status for pid, status in s.execute(select(Proposal.id, Proposal.status))}
        outbox = s.scalar(select(func.count()).select_from(OutboxItem)) or 0
    return statuses, int(outbox)


def _type_as_a_person(qtbot: Any, text: str) -> None:
    for letter in text:
        qtbot.keyClick(QApplication.focusWidget(), letter)


def _focus_is_in(box: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and (focused is box or box.isAncestorOf(focused))


def _clear(page: Any, name: str) -> None:
    box = getattr(page, name)
    if name == "status":
        box.setCurrentIndex(0)
    elif name.startswith("date_"):
        box.set_value(None)
    else:
        box.clear()
        page.apply_filter()


def test_typing_in_every_filter_box_with_pauses_decides_nothing(  # type: ignore[no-untyped-def]
    qtbot, page, dialogs_opened
) -> None:
    store = page.ctx.store
    before = _decisions(store)
    assert any(status == "proposed" for status in before[0].values())
    for name in FILTER_BOXES:
        box = getattr(page, name)
        page.grid.select_only(0)  # a payment is current: a stray A would approve it
        box.setFocus(Qt.FocusReason.MouseFocusReason)  # clicked into, as a person does
        qtbot.waitUntil(lambda b=box: _focus_is_in(b), timeout=2_000)
        for burst in BURSTS:
            _type_as_a_person(qtbot, burst)
            qtbot.wait(PAUSE_MS)
            qtbot.waitUntil(lambda: not page.model.loading, timeout=10_000)
            focused = QApplication.focusWidget()
            where = focused.objectName() or type(focused).__name__ if focused else None
            assert _focus_is_in(box), f"typing {burst!r} in {name} moved the focus to {where}"
        assert _decisions(store) == before, f"typing in {name} changed a decision"
        assert not dialogs_opened, f"typing in {name} opened {dialogs_opened}"
        _clear(page, name)
        qtbot.waitUntil(lambda: not page.model.loading, timeout=10_000)


def test_a_filter_that_shows_rows_leaves_the_focus_in_its_box(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    """The case of the report: the pause reloads the grid with rows in it (an empty result
    never took the focus), and the next letter is an A."""
    store = page.ctx.store
    before = _decisions(store)
    name = str(page.model.row_dict(0)["customer"])
    page.customer.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(lambda: _focus_is_in(page.customer), timeout=2_000)
    with qtbot.waitSignal(page.model.reset_done, timeout=10_000):
        _type_as_a_person(qtbot, name[:3])
    qtbot.wait(PAUSE_MS)
    assert page.model.rowCount() > 0 and page.grid.currentIndex().isValid()
    _type_as_a_person(qtbot, "a")
    qtbot.wait(100)
    assert _focus_is_in(page.customer)
    assert page.customer.text() == name[:3] + "a"
    assert _decisions(store) == before


def test_a_filter_that_shows_nothing_says_nothing_is_selected(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    page.grid.select_only(0)
    qtbot.waitUntil(lambda: "Selected: 1" in page.totals.text(), timeout=5_000)
    page.text.setFocus(Qt.FocusReason.MouseFocusReason)
    with qtbot.waitSignal(page.model.reset_done, timeout=10_000):
        _type_as_a_person(qtbot, "no such payer anywhere")
    assert page.model.rowCount() == 0
    assert page.totals.text() == "0 rows · $0.00"
