"""Settings → Save settings: every box lands in settings.json (and reads back the same), the
secrets typed into the connection forms go to the keyring and nowhere on disk, and the GL
lists come from Sage Pro's chart (a stand-in over a real socket)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app import credentials
from app.config import data_dir, load_settings, settings_path
from app.sandbox.http_base import SandboxServer
from app.sandbox.sagepro.app import build_app
from app.ui.pages.settings import SettingsPage
from tests.gui.demo_app import WAIT_MS
from tests.gui.ui_app import make_context

PAYTRACE_PASSWORD = "Pt-pass-8812-secret"
SAGEPRO_KEY = "demo-key"  # the stand-in's key


@pytest.fixture
def sagepro() -> Iterator[str]:
    server = SandboxServer(build_app(seed=None, today=date(2025, 11, 20))).start()
    yield server.url
    server.stop()


@pytest.fixture
def page(qtbot, tmp_path: Path) -> Iterator[SettingsPage]:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path)
    ctx.persist_settings = True  # a real profile: Save writes settings.json
    widget = SettingsPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1060, 700)
    widget.show()
    yield widget
    ctx.store.dispose()


def _files_under(folder: Path) -> dict[Path, str]:
    return {
        p: p.read_text(encoding="utf-8", errors="replace")
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in (".json", ".txt", ".ini", ".log", "")
    }


def test_save_writes_settings_json_without_secrets(qtbot, page: SettingsPage, sagepro: str) -> None:  # type: ignore[no-untyped-def]
    ctx = page.ctx
    assert not settings_path().exists()
    page.paytrace.preset.setCurrentIndex(2)  # "Other address"
    page.paytrace.url.setText("https://paytrace.example.test")
    page.paytrace.username.setText("bookkeeper@example.test")
    page.paytrace.integrator.setText("INTEG-77")
    page.paytrace.secret.setText(PAYTRACE_PASSWORD)
    page.sagepro.url.setText(sagepro)
    page.sagepro.company.setText("02")
    page.sagepro.secret.setText(SAGEPRO_KEY)
    with qtbot.waitSignal(page.sagepro.tested, timeout=WAIT_MS) as tested:
        qtbot.mouseClick(page.sagepro.test_button, Qt.MouseButton.LeftButton)
    assert tested.args[0] is True, tested.args
    qtbot.waitUntil(lambda: page.gl["bank"].count() > 0, timeout=WAIT_MS)
    bank = page.gl["bank"]
    choice = next(
        i for i in range(bank.count()) if bank.itemData(i) not in ("", ctx.profile.gl.bank)
    )
    bank.setCurrentIndex(choice)
    chosen_bank = str(bank.itemData(choice))

    page.sync_enabled.setChecked(False)
    page.interval.setValue(15)
    page.lookback.setValue(7)
    page.auto_approve.setChecked(True)
    assert page.tier.currentData() == "recommended"  # the default tier
    assert page.tier_precision.text().startswith("100.00% right")  # measured, from data
    page.tier.setCurrentIndex(page.tier.findData("with_on_account"))
    page.threshold.setValue(97)
    page.tolerance.setText("0.05")
    page.card_pct.setText("2.75")
    page.notify_dead.setChecked(False)
    page.notify_failed.setChecked(True)
    page.large_amount.setText("2500.00")

    with qtbot.waitSignal(ctx.signals.settings_changed, timeout=WAIT_MS):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.saved_label.text() == "Saved."

    text = settings_path().read_text(encoding="utf-8")
    for secret in (PAYTRACE_PASSWORD, SAGEPRO_KEY):
        assert secret not in text
        for path, content in _files_under(data_dir()).items():
            assert secret not in content, f"{secret!r} written to {path}"
    assert credentials.get_secret(ctx.profile.name, "paytrace") == PAYTRACE_PASSWORD
    assert credentials.get_secret(ctx.profile.name, "sagepro") == SAGEPRO_KEY
    assert page.paytrace.secret.text() == "" and "Stored" in page.paytrace.secret.placeholderText()

    saved = load_settings().profile(ctx.profile.name)
    assert saved.paytrace.base_url == "https://paytrace.example.test"
    assert (saved.paytrace.username, saved.paytrace.integrator_id) == (
        "bookkeeper@example.test",
        "INTEG-77",
    )
    assert (saved.sagepro.base_url, saved.sagepro.company) == (sagepro, "02")
    assert (saved.sync.enabled, saved.sync.interval_minutes, saved.sync.lookback_days) == (
        False,
        15,
        7,
    )
    assert (saved.policy.auto_approve, saved.policy.auto_approve_threshold) == (True, 97)
    assert saved.policy.auto_approve_tier.value == "with_on_account"
    assert saved.policy.amount_tolerance == Decimal("0.05")
    assert saved.fees.card_percent == Decimal("2.75")
    assert (saved.alerts.notify_dead_letters, saved.alerts.notify_failed_sync) == (False, True)
    assert saved.alerts.large_payment_amount == Decimal("2500.00")
    assert saved.gl.bank == chosen_bank


def test_saving_again_keeps_the_stored_secret(qtbot, page: SettingsPage) -> None:  # type: ignore[no-untyped-def]
    name = page.ctx.profile.name
    credentials.set_secret(name, "paytrace", PAYTRACE_PASSWORD)
    page.load()
    assert page.paytrace.secret.text() == ""  # write-only: never shown back
    page.interval.setValue(30)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert credentials.get_secret(name, "paytrace") == PAYTRACE_PASSWORD
    assert load_settings().profile(name).sync.interval_minutes == 30
    assert PAYTRACE_PASSWORD not in settings_path().read_text(encoding="utf-8")
