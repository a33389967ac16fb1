"""The first-run wizard tests its connections against the stand-ins and stores secrets in the
keyring (never in settings). The checks themselves: tests/unit/test_connection_checks.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app import credentials
from app.config import settings_path
from app.sandbox.http_base import SandboxServer
from app.sandbox.paytrace.app import PayTraceStandIn
from app.sandbox.paytrace.settings import StandInSettings
from app.sandbox.sagepro.app import build_app
from app.ui.dialogs.connections_wizard import ConnectionsWizard
from tests.gui.ui_app import make_context


@pytest.fixture
def paytrace() -> Iterator[tuple[str, StandInSettings]]:
    settings = StandInSettings(password="s3cret-Pass-77")
    server = SandboxServer(PayTraceStandIn(settings)).start()
    yield server.url, settings
    server.stop()


@pytest.fixture
def sagepro() -> Iterator[str]:
    server = SandboxServer(build_app(seed=None, today=date(2025, 11, 20))).start()
    yield server.url
    server.stop()


def test_wizard_puts_secrets_in_the_keyring_only(
    qtbot, tmp_path: Path, paytrace, sagepro, artifacts_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    url, settings = paytrace
    ctx = make_context(tmp_path)
    ctx.persist_settings = True
    wizard = ConnectionsWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.paytrace.url.setText(url)
    wizard.paytrace.username.setText(settings.username)
    wizard.paytrace.secret.setText(settings.password)
    wizard.paytrace.integrator.setText("ABC123")
    with qtbot.waitSignal(wizard.paytrace.tested, timeout=10_000) as tested:
        wizard.paytrace.test()
    assert tested.args[0] is True
    wizard.grab().save(str(artifacts_dir / "wizard-paytrace.png"))
    wizard.next()
    wizard.sagepro.url.setText(sagepro)
    wizard.sagepro.secret.setText("demo-key")
    wizard.accept()
    assert credentials.get_secret(ctx.profile.name, "paytrace") == settings.password
    assert credentials.get_secret(ctx.profile.name, "sagepro") == "demo-key"
    text = settings_path().read_text(encoding="utf-8")
    assert settings.password not in text and "demo-key" not in text
    assert url in text
