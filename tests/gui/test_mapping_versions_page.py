"""The Versions tab of the Mapping page over a real store: the history (who, when, what
changed), a grouped diff of two versions, restore as a new version, export → import
without a difference, a broken import refused with nothing changed, and promote to
Production (diff, confirmation, a new version there, audit events in both stores).
Screenshots of each go to ``PAYSAGE_ARTIFACTS``."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.domain.display_time import show_local
from app.mapping import list_versions, save_version
from app.mapping.version_actions import compare
from app.store import open_profile_store
from app.store.models import AuditEvent, MappingVersion
from app.ui.main_window import MainWindow
from app.ui.mapping import MappingPage
from app.ui.mapping.promote_dialog import PromoteDialog
from tests.gui.demo_app import WAIT_MS, wait_idle
from tests.gui.ui_app import make_context, make_window


@pytest.fixture
def ctx(tmp_path: Path):  # type: ignore[no-untyped-def]
    context = make_context(tmp_path)
    yield context
    context.store.dispose()


def _shot(widget: Any, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("PAYSAGE_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    assert widget.grab().save(str(path))
    return path


def _versions_tab(qtbot: Any, ctx: Any) -> tuple[MainWindow, MappingPage]:
    """The window on the Mapping page's Versions tab, with a second version saved by ann
    (no memo on payments, declines posted as 'Rejected')."""
    window = make_window(qtbot, ctx)
    window.show()
    window.show_page("mapping")
    page = window.page("mapping")
    assert isinstance(page, MappingPage)
    qtbot.waitUntil(lambda: page.editor is not None, timeout=WAIT_MS)
    document = page.editor.state.document  # type: ignore[union-attr]
    values = {**document.status_map.values, "Declined": "Rejected"}
    changed = document.without_mapping("Payment.Memo")
    from dataclasses import replace

    changed = replace(changed, status_map=replace(changed.status_map, values=values))
    with ctx.store.write() as session:
        save_version(session, changed, "ann", "No memo; declines are Rejected")
    with qtbot.waitSignal(page.versions.history_loaded, timeout=WAIT_MS):
        page.tabs.setCurrentWidget(page.versions)
    wait_idle(qtbot)
    return window, page


@pytest.fixture
def in_chicago(monkeypatch):  # type: ignore[no-untyped-def]
    """The computer's local time zone is not UTC (stored times must be converted)."""
    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_history_and_grouped_diff(qtbot, ctx, tmp_path, in_chicago) -> None:  # type: ignore[no-untyped-def]
    window, page = _versions_tab(qtbot, ctx)
    panel = page.versions
    rows = [
        [panel.model.item(r, c).text() for c in range(panel.model.columnCount())]
        for r in range(panel.model.rowCount())
    ]
    assert rows[0][0] == "2  (active)" and rows[0][1] == "ann"
    assert rows[0][3:] == ["No memo; declines are Rejected", "2 changes: Payment 1, Status map 1"]
    assert rows[1][0] == "1" and rows[1][3:] == ["Default template", "First version"]
    with ctx.store.read() as session:
        saved = session.scalars(
            select(MappingVersion.created_at).where(MappingVersion.version == 2)
        ).one()
    assert rows[0][2] == show_local(saved) != f"{saved:%Y-%m-%d %H:%M}"
    qtbot.waitUntil(lambda: bool(panel.diff.changes), timeout=WAIT_MS)  # 2 against 1
    assert panel.diff.headings() == ["Payment", "Status map"]
    assert "'Declined' now → 'Rejected' (was 'Failed')" in panel.diff.changes[1].description
    assert (panel.old_combo.currentData(), panel.new_combo.currentData()) == (1, 2)
    wait_idle(qtbot)
    _shot(window, "mapping-versions-history-diff.png", tmp_path)


def test_restore_as_a_new_version(qtbot, ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window, page = _versions_tab(qtbot, ctx)
    panel = page.versions
    panel.select_version(1)
    assert panel.restore_button.isEnabled()
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):  # the editor reopens on it
        qtbot.mouseClick(panel.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=WAIT_MS)
    wait_idle(qtbot)
    with ctx.store.read() as s:
        newest = list_versions(s)[0]
        assert [e.action for e in s.scalars(select(AuditEvent))][-1] == "mapping_restore"
    assert (newest.version, newest.author, newest.comment, newest.active) == (
        3,
        "maria",
        "Restored version 1",
        True,
    )
    assert compare(ctx.store, 1, 3) == []
    assert panel.model.item(0, 4).text() == "2 changes: Payment 1, Status map 1"
    assert panel.outcome.text() == "Version 1 restored as version 3, now active."
    assert "version 3" in page.editor.title_label.text()  # type: ignore[union-attr]
    _shot(window, "mapping-versions-restored.png", tmp_path)


def test_export_import_round_trip_and_a_broken_import(qtbot, ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window, page = _versions_tab(qtbot, ctx)
    panel = page.versions
    exported = tmp_path / "v2.json"
    panel.ask_export_path = lambda _parent, _name: exported
    with qtbot.waitSignal(panel.finished, timeout=WAIT_MS):
        qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    assert json.loads(exported.read_text(encoding="utf-8"))["version"] == 2
    panel.ask_import_path = lambda _parent, _name: exported
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=WAIT_MS)
    wait_idle(qtbot)
    assert panel.model.item(0, 4).text() == "No changes"  # 3 (imported) against 2
    assert compare(ctx.store, 2, 3) == []

    broken = tmp_path / "broken.json"
    data = json.loads(exported.read_text(encoding="utf-8"))
    data["mappings"] = [m for m in data["mappings"] if m["target"] != "Payment.Amount"]
    broken.write_text(json.dumps(data), encoding="utf-8")
    panel.ask_import_path = lambda _parent, _name: broken
    with qtbot.waitSignal(panel.finished, timeout=WAIT_MS):
        qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert panel.outcome.text().startswith("broken.json was refused; nothing was changed.")
    assert "Amount is required" in panel.outcome.text()
    with ctx.store.read() as s:
        assert [v.version for v in list_versions(s)] == [3, 2, 1]
    _shot(window, "mapping-versions-import-refused.png", tmp_path)


def test_promote_to_production(qtbot, ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window, page = _versions_tab(qtbot, ctx)
    panel = page.versions
    panel.select_version(2)
    with qtbot.waitSignal(panel.finished, timeout=WAIT_MS * 2) as outcome:
        qtbot.mouseClick(panel.promote_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: isinstance(getattr(panel, "promote_dialog", None), PromoteDialog))
        dialog = panel.promote_dialog
        qtbot.waitExposed(dialog)
        assert dialog.diff.headings() == ["Payment", "Status map"]
        assert "no mapping yet" in dialog.plan.against
        _shot(dialog, "mapping-promote-dialog.png", tmp_path)
        qtbot.mouseClick(dialog.promote_button, Qt.MouseButton.LeftButton)
    assert outcome.args[0].startswith("Version 2 promoted: Production now uses it as its version 1")
    wait_idle(qtbot)
    production = open_profile_store(ctx.settings.profile("Production"))
    try:
        with production.read() as s:
            [promoted] = list_versions(s)
            events = list(s.scalars(select(AuditEvent)))
        assert (promoted.comment, promoted.author) == ("Promoted from Sandbox version 2", "maria")
        assert [(e.action, e.after["from_version"]) for e in events] == [("mapping_promoted_in", 2)]
    finally:
        production.dispose()
    with ctx.store.read() as s:
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "mapping_promote"))
    assert event.after == {"to_profile": "Production", "new_version": 1}
    _shot(window, "mapping-promoted.png", tmp_path)
