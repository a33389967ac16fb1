"""The PyInstaller bundle, built from installer.spec and run as a user (or Task Scheduler) would.

Opt-in (the build takes about a minute; minutes on a cold cache)::

    uv sync --group build
    uv run pytest -m frozen tests/reliability/test_frozen_build.py -s

``FROZEN_BUNDLE_DIR=pyi-dist/Paysage`` skips the build and tests that bundle (the Windows
workflow does this after its own PyInstaller step; not a PAYSAGE_* name, which conftest
clears). Stand-in servers run in this process on free ports; the frozen program reaches them
over real sockets, configured by PAYSAGE_* environment variables exactly as a scheduled
``paysage-cli sync --once`` would be.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.sandbox.demo_data import generate_demo_company
from app.sandbox.http_base import SandboxServer
from app.sandbox.paytrace import PayTraceStandIn
from app.sandbox.sagepro import DEFAULT_API_KEY, build_app

pytestmark = pytest.mark.frozen

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build"))
import bundle_size  # noqa: E402
import release_version  # noqa: E402

ON_WINDOWS = sys.platform == "win32"
CLI = "paysage-cli.exe" if ON_WINDOWS else "paysage"
GUI = "Paysage.exe" if ON_WINDOWS else "paysage-gui"
BUILD_TIMEOUT_S = 1800
RUN_TIMEOUT_S = 300
COUNT_KEYS = {
    "fetched",
    "new",
    "changed",
    "proposals",
    "auto_approved",
    "posted",
    "review",
    "dead_letter",
    "errors",
}
# Shared libraries of Qt modules installer.spec excludes; none may reach the bundle.
EXCLUDED_QT_MARKERS = (
    "Qt6Qml",
    "Qt6Quick",
    "WebEngine",
    "Qt63D",
    "Qt6Multimedia",
    "Qt6Charts",
    "Qt6Pdf",
    "Qt6Designer",
    "QtQml",
    "QtQuick",
)


@dataclass(frozen=True)
class Bundle:
    root: Path
    build_seconds: float | None

    @property
    def cli(self) -> Path:
        return self.root / CLI

    @property
    def gui(self) -> Path:
        return self.root / GUI


def _build() -> Bundle:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.fail("PyInstaller is not installed: run `uv sync --group build` first")
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--workpath",
            str(ROOT / "pyi-work"),
            "--distpath",
            str(ROOT / "pyi-dist"),
            str(ROOT / "installer.spec"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-4000:]
    return Bundle(ROOT / "pyi-dist" / "Paysage", seconds)


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    prebuilt = os.environ.get("FROZEN_BUNDLE_DIR")
    built = Bundle(Path(prebuilt).resolve(), None) if prebuilt else _build()
    assert built.cli.is_file() and built.gui.is_file(), f"no executables in {built.root}"
    size = bundle_size.measure(built.root, top=8)
    if built.build_seconds is not None:
        print(f"\nPyInstaller build: {built.build_seconds:.1f} s")
    print(bundle_size.format_report(size))
    return built


def run(
    exe: Path,
    *args: str,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    started = time.perf_counter()
    result = subprocess.run(
        [str(exe), *args], env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S
    )
    print(
        f"{exe.name} {' '.join(args)}: exit {result.returncode} in "
        f"{time.perf_counter() - started:.2f} s"
    )
    return result


def base_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYSAGE_")}
    env.update({"PAYSAGE_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"})
    return env


@contextmanager
def stand_ins(today: date) -> Iterator[tuple[str, str]]:
    paytrace = PayTraceStandIn(company=generate_demo_company(1, today=today))
    sagepro = build_app(seed=1, today=today)
    try:
        with SandboxServer(paytrace) as pt, SandboxServer(sagepro) as sp:
            yield pt.url, sp.url
    finally:
        sagepro.books.store.close()


def test_version_and_contents(bundle: Bundle, paysage_home: Path) -> None:
    expected = f"paysage {release_version.project_version()}"
    for exe in (bundle.cli, bundle.gui):
        result = run(exe, "--version", env=base_env(paysage_home))
        assert result.returncode == 0, result.stderr
        # A windowed Windows executable may have no stdout at all; its exit code must do.
        if exe == bundle.cli or not ON_WINDOWS:
            assert result.stdout.strip() == expected
    internal = bundle.root / "_internal"
    for needed in (
        "resources/app.png",
        "resources/app.ico",
        "resources/mappings/default.json",
        "app/store/migrations/env.py",
        "app/store/migrations/script.py.mako",
    ):
        assert (internal / needed).is_file(), f"{needed} missing from the bundle"
    assert list((internal / "app/store/migrations/versions").glob("0001_*.py"))
    shipped = [p.name for p in bundle.root.rglob("*")]
    leaked = sorted({n for n in shipped for m in EXCLUDED_QT_MARKERS if m in n})
    assert not leaked, f"excluded Qt modules in the bundle: {leaked}"


def test_sync_once_and_doctor_against_stand_ins(bundle: Bundle, paysage_home: Path) -> None:
    today = date.today()
    with stand_ins(today) as (paytrace_url, sagepro_url):
        env = {
            **base_env(paysage_home),
            # Scheduled-run shape: no keyring, secrets from the environment.
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "PAYSAGE_PAYTRACE_URL": paytrace_url,
            "PAYSAGE_PAYTRACE_USERNAME": "demo",
            "PAYSAGE_PAYTRACE_PASSWORD": "demo",
            "PAYSAGE_PAYTRACE_INTEGRATOR_ID": "DEMOINTEGRA1",
            "PAYSAGE_SAGEPRO_URL": sagepro_url,
            "PAYSAGE_SAGEPRO_API_KEY": DEFAULT_API_KEY,
        }
        since = (today - timedelta(days=31)).isoformat()
        first = run(bundle.cli, "sync", "--once", "--since", since, "--auto-approve", env=env)
        assert first.returncode == 0, first.stderr
        counts = json.loads(first.stdout.strip().splitlines()[-1])
        assert set(counts) == COUNT_KEYS
        assert counts["posted"] > 100 and counts["dead_letter"] == 0 and counts["errors"] == 0
        second = run(bundle.cli, "sync", "--once", "--since", since, "--auto-approve", env=env)
        assert second.returncode == 0, second.stderr
        again = json.loads(second.stdout.strip().splitlines()[-1])
        assert again["posted"] == 0 and again["new"] == 0  # exactly once, frozen too

        doctor = run(bundle.cli, "doctor", env=env)
    levels = doctor_levels(doctor.stdout)
    for name in ("python", "data folder", "database", "audit trail", "paytrace", "sage pro"):
        assert levels.get(name) == "ok", doctor.stdout
    assert "integrity_check ok" in doctor.stdout and "hash chain intact" in doctor.stdout
    # The environment has no keyring on purpose (secrets come from PAYSAGE_* variables), so
    # doctor reports that one failure, in words, and exits 1.
    assert levels.get("keyring") == "fail" and "No usable keyring backend" in doctor.stdout
    failed = {name for name, level in levels.items() if level == "fail"}
    assert doctor.returncode == (1 if failed else 0) and failed == {"keyring"}, doctor.stdout


def doctor_levels(stdout: str) -> dict[str, str]:
    """``{"database": "ok", ...}`` from doctor's ``<level:4>  <name:18> <detail>`` lines."""
    return {line[6:24].strip(): line[:4].strip() for line in stdout.splitlines() if line.strip()}


def test_bad_credentials_are_one_plain_sentence(bundle: Bundle, paysage_home: Path) -> None:
    with stand_ins(date.today()) as (paytrace_url, sagepro_url):
        env = {
            **base_env(paysage_home),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "PAYSAGE_PAYTRACE_URL": paytrace_url,
            "PAYSAGE_PAYTRACE_USERNAME": "demo",
            "PAYSAGE_PAYTRACE_PASSWORD": "wrong",
            "PAYSAGE_PAYTRACE_INTEGRATOR_ID": "DEMOINTEGRA1",
            "PAYSAGE_SAGEPRO_URL": sagepro_url,
            "PAYSAGE_SAGEPRO_API_KEY": DEFAULT_API_KEY,
        }
        bad = run(bundle.cli, "sync", "--once", env=env)
    assert bad.returncode == 2
    assert bad.stderr.startswith("paysage: PayTrace refused the sign-in"), bad.stderr
    assert "Traceback" not in bad.stderr and "wrong" not in bad.stderr


def test_gui_starts_offscreen_and_quits(bundle: Bundle, paysage_home: Path) -> None:
    env = base_env(paysage_home)
    help_text = run(bundle.cli, "gui", "--help", env=env)
    if help_text.returncode != 0:
        pytest.skip(
            "the CLI has no `gui` subcommand yet (app/__main__.py COMMAND_MODULES); "
            "the GUI smoke test needs `paysage gui --smoke`"
        )
    if "--smoke" not in help_text.stdout:
        pytest.skip("`paysage gui` has no --smoke flag (open the window offscreen, quit, exit 0)")
    result = run(bundle.gui, "gui", "--smoke", env=env)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Traceback" not in result.stderr
