"""What the window remembers between runs: its size, and the folder exports went to (the
export dialog never suggests the data folder, which the demo throws away)."""

from __future__ import annotations

from pathlib import Path

from app.config import data_dir
from app.ui.app import build_window
from app.ui.ui_state import export_folder, remember_export_folder
from tests.gui.ui_app import make_context, make_window


def test_the_window_comes_back_at_the_size_it_was_left(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    first = make_window(qtbot, ctx)
    first.show()
    qtbot.waitExposed(first)
    first.resize(1366, 860)
    qtbot.waitUntil(lambda: first.width() == 1366)
    first.hide()
    second, _controller, _tray = build_window(ctx)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (1366, 860)
    ctx.store.dispose()


def test_exports_suggest_the_last_folder_never_the_data_folder(tmp_path: Path) -> None:
    assert data_dir() not in (export_folder(), *export_folder().parents)
    chosen = tmp_path / "month-end"
    chosen.mkdir()
    remember_export_folder(chosen / "paysage-reconciliation.xlsx")
    assert export_folder() == chosen
