from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.config import (
    Settings,
    SettingsError,
    data_dir,
    load_settings,
    save_settings,
    settings_path,
    with_env_overrides,
)
from app.domain.matching.tiers import AutoApproveTier


def test_paysage_home_overrides_data_dir(paysage_home: Path):
    assert data_dir() == paysage_home
    assert settings_path() == paysage_home / "settings.json"


def test_defaults_when_no_file_and_round_trip():
    settings = load_settings()
    assert set(settings.profiles) == {"Sandbox", "Production"}
    settings.profiles["Sandbox"].fees.card_percent = Decimal("3.10")
    settings.profiles["Sandbox"].sync.interval_minutes = 15
    settings.profiles["Sandbox"].policy.auto_approve_tier = AutoApproveTier.WITH_ON_ACCOUNT
    path = save_settings(settings)
    text = path.read_text()
    assert '"card_percent": "3.10"' in text  # money as text, never a float
    assert '"auto_approve_tier": "with_on_account"' in text
    assert load_settings() == settings


@pytest.mark.parametrize(
    "patch,message",
    [
        ({"sync": {"interval_minutes": "often"}}, "interval_minutes must be a whole number"),
        ({"fees": {"card_percent": 2.9}}, "amount written as text"),
        ({"policy": {"auto_approve": "yes"}}, "must be true or false"),
        ({"policy": {"auto_approve_tier": "everything"}}, "must be one of off, exact_only"),
        ({"paytrace": {"password": "hunter2"}}, "looks like a secret"),
        ({"gl": []}, "must be an object"),
    ],
)
def test_bad_values_are_named_in_plain_words(patch: dict, message: str):
    data = {"profiles": {"Sandbox": patch}}
    settings_path().write_text(json.dumps(data))
    with pytest.raises(SettingsError, match=message) as info:
        load_settings()
    assert "hunter2" not in str(info.value)


def test_unreadable_file_is_a_settings_error():
    settings_path().write_text("{not json")
    with pytest.raises(SettingsError, match="cannot be read"):
        load_settings()


def test_unknown_profile_is_named():
    with pytest.raises(SettingsError, match="no profile named 'Nope'"):
        Settings().profile("Nope")


def test_env_overrides_apply_in_memory_only(monkeypatch):
    monkeypatch.setenv("PAYSAGE_PROFILE", "Production")
    monkeypatch.setenv("PAYSAGE_PAYTRACE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PAYSAGE_SAGEPRO_URL", "http://127.0.0.1:10")
    monkeypatch.setenv("PAYSAGE_PAYTRACE_USERNAME", "bob")
    settings = Settings()
    profile = with_env_overrides(settings.profile())
    assert profile.name == "Production"
    assert profile.paytrace.base_url == "http://127.0.0.1:9"
    assert profile.paytrace.username == "bob"
    assert profile.sagepro.base_url == "http://127.0.0.1:10"
    assert settings.profiles["Production"].paytrace.base_url == "https://api.paytrace.com"
