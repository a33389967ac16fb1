"""Suite-wide isolation: offscreen Qt, a temp data folder and an in-memory keyring per test."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app import credentials

# Shared fixtures (stand-ins, sync environments) for every test module, without imports.
pytest_plugins = [
    "tests.support.paytrace_fixtures",
    "tests.support.sagepro_fixtures",
    "tests.support.sync_fixtures",
    "tests.support.reliability_run",  # xdist for the default run and -m reliability; figures
]

for _name in list(os.environ):
    # Developer overrides must never leak into tests.
    if _name.startswith("PAYSAGE_") and _name != "PAYSAGE_ARTIFACTS":
        del os.environ[_name]


@pytest.fixture(autouse=True, scope="session")
def collect_garbage_on_the_main_thread() -> Iterator[None]:
    """No automatic GC: it could run in a worker thread and destroy Qt objects there (a
    crash). Garbage is collected after every test instead, on the main thread."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _collect_after_each_test() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def paysage_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "paysage-home"
    home.mkdir()
    monkeypatch.setenv("PAYSAGE_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[credentials.MemoryKeyring]:
    backend = credentials.MemoryKeyring()
    previous = credentials.install_backend(backend)
    yield backend
    credentials.install_backend(previous)


@pytest.fixture
def artifacts_dir() -> Path:
    path = Path(os.environ.get("PAYSAGE_ARTIFACTS", Path(__file__).parent / "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path
