"""`paysage sync --once` before anything is set up says exactly what is missing and how to
set it up, exits 2, and creates nothing (no database, no log, no settings file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app import credentials
from app.commands.sync_cmd import setup_missing
from app.config import Profile, Settings, save_settings


def _sync_once(home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PAYSAGE_")  # no connection or secret from the environment
    }
    env |= {"PAYSAGE_HOME": str(home), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    return subprocess.run(
        [sys.executable, "-m", "app", "sync", "--once"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_no_profile_says_how_to_set_one_up_and_creates_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    result = _sync_once(home)
    assert result.returncode == 2
    assert result.stderr.startswith("paysage: cannot sync yet: no profile is set up yet.")
    assert "Settings → PayTrace" in result.stderr and "paysage credentials set" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(home.iterdir()) == []


def test_a_profile_without_credentials_names_each_missing_one(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PAYSAGE_HOME", str(home))
    save_settings(Settings(active_profile="Shop", profiles={"Shop": Profile(name="Shop")}))
    result = _sync_once(home)
    assert result.returncode == 2
    assert "profile 'Shop' has no PayTrace API user name" in result.stderr
    assert "No usable keyring backend" in result.stderr  # this subprocess has none
    assert "paysage credentials set --profile Shop paytrace" in result.stderr
    assert sorted(p.name for p in home.iterdir()) == ["settings.json"]  # nothing new


def test_each_missing_secret_is_named(paysage_home: Path) -> None:
    """In-process, over the tests' memory keyring: a working keyring that holds nothing."""
    save_settings(Settings(active_profile="Shop", profiles={"Shop": Profile(name="Shop")}))
    profile = Profile(name="Shop")
    profile.paytrace.username = "shop-api"
    assert setup_missing(profile) == [
        "no PayTrace password is stored for profile 'Shop'",
        "no Sage Pro API key is stored for profile 'Shop'",
    ]
    credentials.set_secret("Shop", "paytrace", "pt-secret")
    credentials.set_secret("Shop", "sagepro", "sp-secret")
    assert setup_missing(profile) == []
