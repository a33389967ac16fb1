"""``app.connectors.factory`` is the one place connectors are built: from the profile's
settings and the keyring's secrets, over real sockets to both stand-ins. No other module
builds a PayTrace client or a Sage Pro client of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app import credentials
from app.config import Profile
from app.connectors import factory
from app.connectors.paytrace.errors import PayTraceAuthError
from app.connectors.sagepro.errors import UnauthorizedError
from app.sandbox.http_base import SandboxServer
from app.sandbox.sagepro import DEFAULT_API_KEY
from tests.support.paytrace_fixtures import StartPayTrace

APP = Path(__file__).resolve().parents[2] / "app"
CLIENT_CLASSES = {"PayTraceClient", "SageProClient"}


@pytest.fixture
def profile(paytrace_server: StartPayTrace, sagepro_empty_server: SandboxServer) -> Profile:
    paytrace = paytrace_server()
    profile = Profile(name="Factory")
    profile.paytrace.base_url = paytrace.url
    profile.paytrace.username = paytrace.app.settings.username
    profile.paytrace.integrator_id = paytrace.app.settings.integrator_id
    profile.sagepro.base_url = sagepro_empty_server.url
    credentials.set_secret(profile.name, "paytrace", paytrace.app.settings.password)
    credentials.set_secret(profile.name, "sagepro", DEFAULT_API_KEY)
    return profile


def test_both_connectors_sign_in_with_the_profile_and_its_stored_secrets(
    profile: Profile,
) -> None:
    with factory.paytrace_client(profile) as paytrace:
        paytrace.authenticate()
    gateway = factory.sagepro_gateway(profile)
    assert gateway.list_gl_accounts() is not None  # the key was accepted


def test_the_secrets_come_from_the_keyring_of_that_profile(profile: Profile) -> None:
    credentials.set_secret(profile.name, "paytrace", "not-the-password")
    credentials.set_secret(profile.name, "sagepro", "not-the-key")
    with factory.paytrace_client(profile) as paytrace, pytest.raises(PayTraceAuthError):
        paytrace.authenticate()
    with pytest.raises(UnauthorizedError):
        factory.sagepro_gateway(profile).list_gl_accounts()


def test_a_missing_secret_is_refused_in_plain_words_before_any_call() -> None:
    with pytest.raises(
        credentials.MissingSecretError, match="No paytrace secret is stored for profile 'Nobody'"
    ):
        factory.paytrace_client(Profile(name="Nobody"))


def _client_builds(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in CLIENT_CLASSES:
                found.append(f"{path.relative_to(APP.parent)}:{node.lineno} builds {name}")
    return found


def test_no_module_but_the_factory_builds_a_connector() -> None:
    builds = [
        found
        for path in sorted(APP.rglob("*.py"))
        if path != APP / "connectors" / "factory.py"
        for found in _client_builds(path)
    ]
    assert not builds, "build connectors with app.connectors.factory:\n" + "\n".join(builds)
