from __future__ import annotations

import keyring
import keyring.backends.fail
import pytest

from app import credentials
from app.credentials import (
    MissingSecretError,
    NoKeyringBackendError,
    SecretTooLongError,
    delete_secret,
    get_secret,
    has_secret,
    set_secret,
)


def test_round_trip_with_memory_backend(memory_keyring):
    set_secret("Sandbox", "paytrace", "s3cret-pw")
    assert get_secret("Sandbox", "paytrace") == "s3cret-pw"
    assert has_secret("Sandbox", "paytrace")
    assert not has_secret("Production", "paytrace")
    assert memory_keyring.values() == ["s3cret-pw"]
    assert delete_secret("Sandbox", "paytrace") is True
    assert delete_secret("Sandbox", "paytrace") is False
    with pytest.raises(MissingSecretError, match="paysage credentials set --profile Sandbox"):
        get_secret("Sandbox", "paytrace")


def test_profiles_and_systems_are_separate():
    set_secret("Sandbox", "paytrace", "a")
    set_secret("Sandbox", "sagepro", "b")
    set_secret("Production", "paytrace", "c")
    assert [get_secret("Sandbox", "paytrace"), get_secret("Sandbox", "sagepro"),
            get_secret("Production", "paytrace")] == ["a", "b", "c"]  # fmt: skip


def test_secret_over_windows_limit_is_refused_without_echoing_it():
    secret = "k" * 1281
    with pytest.raises(SecretTooLongError) as info:
        set_secret("Sandbox", "sagepro", secret)
    assert "1280" in str(info.value) and secret not in str(info.value)
    set_secret("Sandbox", "sagepro", "k" * 1280)  # exactly at the limit is fine


def test_no_backend_gives_one_clear_error_and_no_fallback(monkeypatch):
    credentials.install_backend(None)
    monkeypatch.setattr(keyring, "get_keyring", lambda: keyring.backends.fail.Keyring())
    with pytest.raises(NoKeyringBackendError, match="No usable keyring backend"):
        set_secret("Sandbox", "paytrace", "pw")
    with pytest.raises(NoKeyringBackendError):
        get_secret("Sandbox", "paytrace")
    with pytest.raises(NoKeyringBackendError):
        credentials.backend_name()


def test_headless_env_override_only_when_headless(monkeypatch):
    monkeypatch.setenv("PAYSAGE_PAYTRACE_PASSWORD", "from-env")
    assert get_secret("Sandbox", "paytrace", headless=True) == "from-env"
    with pytest.raises(MissingSecretError):
        get_secret("Sandbox", "paytrace")


def test_memory_keyring_is_never_auto_discovered():
    import keyring.backend

    viable = [type(backend).__name__ for backend in keyring.backend.get_all_keyring()]
    assert "MemoryKeyring" not in viable
