"""The profile switcher in the main window: an unmistakable environment badge, and choosing
another profile reopens the window over that profile's own store (the pages show its data,
not the previous profile's), remembered as the active profile. A switch during a sync is
refused in words. Screenshots of each environment go to ``PAYSAGE_ARTIFACTS``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from app.config import Profile
from app.mapping import ensure_active_version, load_default_template, save_version
from app.ui.app import ensure_application
from app.ui.dialogs.new_profile_dialog import NewProfileDialog
from app.ui.main_window import MainWindow
from app.ui.mapping import MappingPage
from app.ui.window_host import WindowHost
from tests.gui.demo_app import WAIT_MS, wait_idle
from tests.gui.modal import when_modal
from tests.gui.ui_app import make_context

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def ctx(tmp_path: Path):  # type: ignore[no-untyped-def]
    context = make_context(tmp_path)
    context.settings.profiles["Training"] = Profile(name="Training", environment="Training")
    with context.store.write() as session:
        ensure_active_version(session)
        save_version(session, load_default_template(), "ann", "Sandbox only")
    yield context
    context.store.dispose()


def _shot(window: QWidget, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("PAYSAGE_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(folder / name))


def _switch(qtbot: Any, host: WindowHost, name: str) -> MainWindow:
    combo = host.window.profile_combo
    with qtbot.waitSignal(host.switched, timeout=WAIT_MS):
        combo.activated.emit(combo.findData(name))  # what choosing it in the list sends
    window = host.window
    assert window.isVisible()
    return window


def _mapping_history(qtbot: Any, window: MainWindow) -> list[str]:
    window.show_page("mapping")
    page = window.page("mapping")
    assert isinstance(page, MappingPage)
    qtbot.waitUntil(lambda: page.editor is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(page.versions.history_loaded, timeout=WAIT_MS):
        page.tabs.setCurrentWidget(page.versions)
    wait_idle(qtbot)
    return [item.info.comment for item in page.versions.history]


def test_switching_profile_reopens_the_window_on_its_own_store(qtbot, ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ensure_application()
    host = WindowHost(ctx, owns_store=False)
    first = host.window
    first.resize(1280, 800)
    first.show()
    try:
        assert first.env_badge.text().startswith("SANDBOX")
        assert first.env_badge.property("env") == "sandbox"
        assert [first.profile_combo.itemText(i) for i in range(4)] == [
            "Sandbox",
            "Production",
            "Training",
            "New profile…",
        ]
        assert _mapping_history(qtbot, first) == ["Sandbox only", "Default template"]
        _shot(first, "profile-switcher-sandbox.png", tmp_path)

        production = _switch(qtbot, host, "Production")
        qtbot.waitUntil(lambda: not first.isVisible(), timeout=WAIT_MS)
        assert production is not first and production.width() == 1280
        assert production.ctx.profile.name == "Production"
        assert "paysage-production.db" in str(production.ctx.store.writer.url)
        assert production.ctx.user == "maria"
        assert production.env_badge.text().startswith("PRODUCTION")
        assert production.env_badge.property("env") == "production"
        assert production.status.badge.text() == "PRODUCTION"
        assert "Production" in production.windowTitle()
        assert ctx.settings.active_profile == "Production"
        # The pages read Production's store: none of Sandbox's versions are there.
        assert _mapping_history(qtbot, production) == ["Default template"]
        _shot(production, "profile-switcher-production.png", tmp_path)

        host.controller.running = True  # a sync in progress: the switch waits
        host.window.profile_combo.activated.emit(2)
        assert host.window is production
        assert "A sync is running" in production.status.message.text()
        assert production.profile_combo.currentData() == "Production"
        host.controller.running = False

        training = _switch(qtbot, host, "Training")
        assert training.env_badge.property("env") == "other"
        assert training.env_badge.text().startswith("TRAINING")
        wait_idle(qtbot)
        _shot(training, "profile-switcher-training.png", tmp_path)
    finally:
        host.window.quitting = True
        host.window.close()
        host.shutdown()
        wait_idle(qtbot)
        host.window.deleteLater()  # like the windows it replaced: nothing outlives the test
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_new_profile_with_its_own_environment(qtbot, ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ensure_application()
    host = WindowHost(ctx, owns_store=False)
    host.window.resize(1280, 800)
    host.window.show()
    refused: list[str] = []

    def fill(dialog: NewProfileDialog) -> None:
        dialog.name.setText("sandbox")  # taken (whatever the case)
        dialog.environment.setEditText("Training room")
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)
        refused.append(dialog.error.text())
        _shot(dialog, "profile-new-refused.png", tmp_path)
        dialog.name.setText("Staff training")
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)

    try:
        combo = host.window.profile_combo
        assert combo.itemText(combo.count() - 1) == "New profile…"
        ran = when_modal(NewProfileDialog, fill)
        with qtbot.waitSignal(host.switched, timeout=WAIT_MS):
            combo.activated.emit(combo.count() - 1)
        assert ran and "too close to the profile 'Sandbox'" in refused[0]
        window = host.window
        assert window.ctx.profile.name == "Staff training"
        assert window.ctx.profile.environment == "Training room"
        assert window.env_badge.property("env") == "other"
        assert window.profile_combo.currentText() == "Staff training (Training room)"
        assert "paysage-staff_training.db" in str(window.ctx.store.writer.url)
    finally:
        host.window.quitting = True
        host.window.close()
        host.shutdown()
        wait_idle(qtbot)
        host.window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
