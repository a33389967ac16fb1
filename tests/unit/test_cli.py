"""CLI manners: --version, --help everywhere, plain one-line errors, doctor."""

from __future__ import annotations

import os
import subprocess
import sys

import keyring
import keyring.backends.fail
import pytest

from app import credentials
from app.__main__ import build_parser, main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    # The subprocess uses the real keyring lookup; pin it to "no backend" on any machine.
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=60, env=env
    )


def test_version_and_help():
    assert run_cli("--version").stdout.startswith("paysage ")
    result = run_cli("--help")
    assert result.returncode == 0 and "doctor" in result.stdout


def test_every_subcommand_has_help(capsys):
    parser = build_parser()
    names = [a for a in parser._subparsers._group_actions[0].choices]  # type: ignore[union-attr]
    assert {"doctor", "credentials"} <= set(names)
    for name in names:
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0
        assert "usage: paysage " + name in capsys.readouterr().out


def test_expected_failure_is_one_plain_sentence_without_traceback():
    """A subprocess has no keyring backend here: the real, unpatched failure path."""
    result = run_cli("credentials", "test", "paytrace")
    assert result.returncode == 2
    assert result.stderr.startswith("paysage: No usable keyring backend")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_doctor_names_missing_keyring_backend(monkeypatch, capsys):
    credentials.install_backend(None)
    monkeypatch.setattr(keyring, "get_keyring", lambda: keyring.backends.fail.Keyring())
    monkeypatch.setenv("PAYSAGE_DOCTOR_OFFLINE", "1")
    code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == 1
    lines = {line.split()[1]: line for line in out.splitlines()}
    assert lines["keyring"].startswith("fail") and "No usable keyring backend" in out
    assert lines["python"].startswith("ok")
    assert "data" in out and "database" in out


def test_doctor_reports_reachable_servers(monkeypatch, capsys):
    from app.sandbox.http_base import SandboxServer
    from tests.unit.test_sandbox_http_base import CounterApp

    with SandboxServer(CounterApp()) as server:
        monkeypatch.setenv("PAYSAGE_PAYTRACE_URL", server.url)
        monkeypatch.setenv("PAYSAGE_SAGEPRO_URL", server.url)
        main(["doctor"])
    out = capsys.readouterr().out
    assert f"ok    paytrace           {server.url} answered HTTP 200" in out
    assert f"ok    sage pro           {server.url} answered HTTP 200" in out


def test_doctor_flags_corrupt_database(capsys, paysage_home, monkeypatch):
    monkeypatch.setenv("PAYSAGE_DOCTOR_OFFLINE", "1")
    (paysage_home / "paysage-sandbox.db").write_bytes(b"not a database at all" * 100)
    assert main(["doctor"]) == 1
    assert "fail  database" in capsys.readouterr().out


def test_credentials_set_prompts_without_echo(monkeypatch, memory_keyring, capsys):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "pw-1234")
    assert main(["credentials", "set", "--profile", "Sandbox", "paytrace"]) == 0
    assert memory_keyring.values() == ["pw-1234"]
    assert "pw-1234" not in capsys.readouterr().out
    assert main(["credentials", "test", "paytrace"]) == 0
    assert main(["credentials", "delete", "paytrace"]) == 0
    assert main(["credentials", "test", "paytrace"]) == 2


def test_doctor_verifies_the_audit_chain(capsys, paysage_home, monkeypatch):
    from sqlalchemy import text

    from app.config import database_path
    from app.store import audit, open_store

    monkeypatch.setenv("PAYSAGE_DOCTOR_OFFLINE", "1")
    store = open_store(database_path("Sandbox"))
    with store.write() as session:
        for i in range(3):
            audit.record(session, "post", "outbox", i)
    main(["doctor"])
    assert "ok    audit trail        3 events, hash chain intact" in capsys.readouterr().out
    with store.write() as session:
        session.execute(text("UPDATE audit_events SET actor='x' WHERE id=2"))
    store.dispose()
    assert main(["doctor"]) == 1
    assert "fail  audit trail        broken at event 2" in capsys.readouterr().out
