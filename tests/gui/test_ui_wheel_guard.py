"""Scrolling the Settings page with the mouse wheel never changes the spin box or combo box
under the pointer; once the user has clicked into one, the wheel changes it as usual."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget

from tests.gui.ui_app import make_context, make_window


def _wheel(widget: QWidget, notches: int = -1) -> None:
    """One real wheel event at the widget's centre, as the mouse sends it."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_form_not_the_value(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    window = make_window(qtbot, ctx)
    window.show()
    window.show_page("settings")
    page = window.page("settings")
    qtbot.waitExposed(window)
    window.activateWindow()
    window.nav.setFocus()
    date_window, tier = page.date_window, page.tier
    before, tier_before = date_window.value(), tier.currentIndex()

    _wheel(date_window)
    _wheel(date_window.lineEdit())  # what is really under the pointer in a spin box
    _wheel(tier)
    assert date_window.value() == before and tier.currentIndex() == tier_before
    assert not date_window.hasFocus()

    date_window.setFocus()  # the user clicked into it
    qtbot.waitUntil(date_window.hasFocus)
    _wheel(date_window, notches=1)
    assert date_window.value() == before + 1
    ctx.store.dispose()
