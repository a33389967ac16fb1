"""`paysage store migrate --to postgresql://…`: one bookkeeper's synced SQLite history copied
into PostgreSQL, verified by counts and checksums, idempotent, and usable afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from app import credentials
from app.__main__ import main
from app.config import SettingsError, load_settings
from app.store import audit, open_profile_store, open_store, open_store_url, profile_connect_url
from app.store.copy import copied_tables, copy_store, verify_copy
from app.store.models import AuditEvent, OutboxItem, SyncCursor
from app.store.presence import WorkstationIdentity, heartbeat
from app.sync.cycle import run_cycle
from tests.support.sync_fixtures import DEMO_TODAY, running_sync_env


@pytest.fixture(scope="module")
def synced_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A local store after a real sync — transactions, proposals, posted outbox, audit chain —
    made once for this module (the tests only read it). Module scope runs before the suite's
    per-test keyring and data folder exist, so it sets up its own."""
    folder = tmp_path_factory.mktemp("synced")
    previous_keyring = credentials.install_backend(credentials.MemoryKeyring())
    previous_home = os.environ.get("PAYSAGE_HOME")
    os.environ["PAYSAGE_HOME"] = str(folder / "home")
    try:
        with running_sync_env(folder / "local") as env:
            since = DEMO_TODAY - timedelta(days=10)
            assert run_cycle(env.context(), since=since, auto_approve=True).posted > 0
            path = env.db_path
    finally:
        credentials.install_backend(previous_keyring)
        if previous_home is None:
            os.environ.pop("PAYSAGE_HOME", None)
        else:
            os.environ["PAYSAGE_HOME"] = previous_home
    yield path


def _split(url: str) -> tuple[str, str]:
    """(URL without password, password)."""
    parsed = make_url(url)
    bare = parsed._replace(password=None).render_as_string(hide_password=False)
    return bare.replace("postgresql+psycopg://", "postgresql://"), str(parsed.password or "")


def test_cli_copies_verifies_and_is_idempotent(
    synced_sqlite: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
):
    bare, password = _split(pg_url)
    credentials.set_secret("Sandbox", "postgresql", password)  # the URL itself holds none
    assert main(["store", "migrate", "--to", bare, "--from", str(synced_sqlite), "--use"]) == 0
    out = capsys.readouterr().out
    assert "Verified" in out and "MISMATCH" not in out and "audit chain" in out

    source = open_store(synced_sqlite)
    target = open_store_url(pg_url)
    try:
        report = verify_copy(source, target)
        assert report.ok and report.audit_ok and report.audit_events > 0
        counts = {t.table: t.target_rows for t in report.tables}
        assert counts["transactions"] > 0 and counts["outbox"] > 0 and counts["proposals"] > 0

        # Again: nothing new is copied and everything still matches.
        again = copy_store(source, target)
        assert again.ok and again.inserted == 0

        # The copy is a working store: new rows get fresh ids after the copied ones.
        with target.write() as session:
            event = audit.record(session, "test", "store", "copy", actor="team")
            assert event.id == report.audit_events + 1
        with target.read() as session:
            assert audit.verify(session).ok
    finally:
        source.dispose()
        target.dispose()

    # --use pointed the profile at the server, without the password in the settings file.
    profile = load_settings().profile("Sandbox")
    assert profile.database_url.startswith("postgresql+psycopg://")
    assert password not in profile.database_url
    store = open_profile_store(profile)
    try:
        assert not store.is_sqlite
        with store.read() as session:
            assert session.execute(select(func.count()).select_from(OutboxItem)).scalar() > 0
        heartbeat(store, WorkstationIdentity("bob", "PC-BOB"))
    finally:
        store.dispose()
    capsys.readouterr()
    assert main(["store", "status"]) == 0
    out = capsys.readouterr().out
    assert "PostgreSQL (team mode)" in out and "Also connected: bob on PC-BOB" in out
    assert password not in out


def test_a_changed_row_on_the_target_is_a_mismatch(synced_sqlite: Path, pg_url: str):
    source = open_store(synced_sqlite)
    target = open_store_url(pg_url)
    try:
        assert copy_store(source, target).ok
        with target.write() as session:
            session.execute(text("UPDATE outbox SET remote_id = 'X' WHERE id = 1"))
        report = verify_copy(source, target)
        assert not report.ok
        assert [t.table for t in report.tables if not t.ok] == ["outbox"]
    finally:
        source.dispose()
        target.dispose()


def test_a_different_store_already_on_the_server_is_refused(
    synced_sqlite: Path, pg_url: str, tmp_path: Path
):
    """Another bookkeeper's rows with other keys under the same ids: never merged silently."""
    other = open_store(tmp_path / "other.db")
    target = open_store_url(pg_url)
    source = open_store(synced_sqlite)
    try:
        with other.write() as session:
            session.add(SyncCursor(name="paytrace.transactions", updated_at=DEMO_TODAY))
            audit.record(session, "other", "store", "x", actor="someone else")
        assert copy_store(other, target).ok
        report = copy_store(source, target)
        assert not report.ok and not report.audit_ok
        assert {"audit_events", "sync_cursors"} <= {t.table for t in report.tables if not t.ok}
        with target.read() as session:  # ... and nothing of it was written
            assert session.execute(select(func.count()).select_from(AuditEvent)).scalar() == 1
            assert session.execute(select(func.count()).select_from(OutboxItem)).scalar() == 0
    finally:
        for store in (other, target, source):
            store.dispose()


def test_every_table_but_presence_is_copied():
    names = {t.name for t in copied_tables()}
    assert {"transactions", "proposals", "outbox", "audit_events", "raw_records"} <= names
    assert "workstations" not in names


def test_a_password_in_the_settings_url_is_refused():
    profile = load_settings().profile("Sandbox")
    profile.database_url = "postgresql://amy:secret@db.example/paysage"
    with pytest.raises(SettingsError, match="credentials set --profile Sandbox postgresql"):
        profile_connect_url(profile)
    profile.database_url = "postgresql://amy@db.example/paysage"
    credentials.set_secret("Sandbox", "postgresql", "s3cret")
    url = make_url(profile_connect_url(profile))
    assert (url.drivername, url.password, url.username) == ("postgresql+psycopg", "s3cret", "amy")
