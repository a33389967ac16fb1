"""`paysage sync --once` as Windows Task Scheduler would run it: a subprocess, settings from
the environment, secrets from PAYSAGE_* variables, the JSON counts as the last line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta

from app.sandbox.demo_data import generate_demo_company
from app.sandbox.http_base import SandboxServer
from app.sandbox.paytrace import PayTraceStandIn
from app.sandbox.sagepro import DEFAULT_API_KEY, build_app

KEYS = {
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


def run_sync(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "sync", "--once", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_headless_sync_twice(paysage_home):
    today = date.today()
    paytrace = PayTraceStandIn(company=generate_demo_company(1, today=today))
    sagepro = build_app(seed=1, today=today)
    with SandboxServer(paytrace) as pt, SandboxServer(sagepro) as sp:
        env = {
            **os.environ,
            "PAYSAGE_HOME": str(paysage_home),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "PAYSAGE_PAYTRACE_URL": pt.url,
            "PAYSAGE_PAYTRACE_USERNAME": "demo",
            "PAYSAGE_PAYTRACE_PASSWORD": "demo",
            "PAYSAGE_PAYTRACE_INTEGRATOR_ID": "DEMOINTEGRA1",
            "PAYSAGE_SAGEPRO_URL": sp.url,
            "PAYSAGE_SAGEPRO_API_KEY": DEFAULT_API_KEY,
        }
        since = (today - timedelta(days=31)).isoformat()
        first = run_sync(env, "--since", since, "--auto-approve")
        assert first.returncode == 0, first.stderr
        counts = json.loads(first.stdout.strip().splitlines()[-1])
        assert set(counts) == KEYS
        assert counts["posted"] > 100 and counts["dead_letter"] == 0
        second = run_sync(env, "--since", since, "--auto-approve")
        assert second.returncode == 0, second.stderr
        again = json.loads(second.stdout.strip().splitlines()[-1])
        assert again["posted"] == 0 and again["new"] == 0
        settings_text = (
            (paysage_home / "settings.json").read_text()
            if (paysage_home / "settings.json").exists()
            else ""
        )
        assert DEFAULT_API_KEY not in settings_text
        # Bad credentials: one plain sentence, non-zero, no traceback.
        bad = run_sync({**env, "PAYSAGE_PAYTRACE_PASSWORD": "wrong"})
        assert bad.returncode == 2
        assert bad.stderr.startswith("paysage: PayTrace refused the sign-in")
        assert "Traceback" not in bad.stderr and "wrong" not in bad.stderr
    sagepro.books.store.close()


def test_unreachable_server_is_one_plain_sentence(paysage_home, tmp_path):
    env = {
        **os.environ,
        "PAYSAGE_HOME": str(paysage_home),
        "PAYSAGE_PAYTRACE_URL": "http://127.0.0.1:9",
        "PAYSAGE_PAYTRACE_USERNAME": "shop",  # set up, so the sync gets as far as the server
        "PAYSAGE_PAYTRACE_PASSWORD": "x",
        "PAYSAGE_SAGEPRO_URL": "http://127.0.0.1:9",
        "PAYSAGE_SAGEPRO_API_KEY": "k" * 8,
    }
    result = run_sync(env)
    assert result.returncode == 2
    assert "could not be read" in result.stderr or "refused" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
