"""The amount filters apply as the user types (after a short pause, like the search box),
not only on Enter, and no keystroke is lost while the grid reloads."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt

from tests.gui.ui_app import make_context, make_window


def test_amount_filter_applies_while_typing(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    window = make_window(qtbot, ctx)
    window.show()
    window.show_page("reconciliation")
    window.activateWindow()
    qtbot.waitActive(window)
    page = window.page("reconciliation")
    model = page.model
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() > 0, timeout=10_000)
    everything = model.rowCount()
    box = page.amount_min
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    qtbot.keyClicks(box, "10")
    qtbot.waitUntil(lambda: model.filter.amount_min == Decimal("10"), timeout=5_000)
    qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
    qtbot.keyClicks(box, "00")  # typed on after the grid reloaded: nothing lost
    qtbot.waitUntil(lambda: model.filter.amount_min == Decimal("1000"), timeout=5_000)
    qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
    assert box.text() == "1000" and box.hasFocus()
    assert 0 < model.rowCount() < everything
    qtbot.keyClick(box, Qt.Key.Key_Backspace)
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter applies at once
    assert model.filter.amount_min == Decimal("100")
    ctx.store.dispose()
