"""Store engine: pragmas on live connections, BEGIN IMMEDIATE, migrations, backups."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from app.store import open_store
from app.store.database import Store, sqlite_url
from app.store.migrate import (
    all_revisions,
    current_revision,
    head_revision,
    migrate_to_head,
    upgrade,
)
from app.store.models import Base, SyncCursor
from app.store.write_lock import BUSY_TIMEOUT_MS


def test_pragmas_read_back_from_live_connections(tmp_path: Path):
    store = open_store(tmp_path / "p.db")
    for engine in (store.writer, store.reader):
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
    store.dispose()


def test_write_transaction_takes_the_lock_up_front(tmp_path: Path):
    """BEGIN IMMEDIATE: another writer is kept out from the first statement, even a read."""
    db = tmp_path / "lock.db"
    store = open_store(db)
    with store.write() as session:
        session.execute(text("SELECT 1"))  # a read only; deferred BEGIN would hold no lock
        other = sqlite3.connect(db, timeout=0.1, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    store.dispose()


def test_write_rolls_back_on_error_and_commits_on_success(tmp_path: Path):
    store = open_store(tmp_path / "rb.db")
    now = datetime(2026, 1, 1)
    with pytest.raises(RuntimeError), store.write() as session:
        session.add(SyncCursor(name="a", updated_at=now))
        session.flush()
        raise RuntimeError("boom")
    with store.write() as session:
        session.add(SyncCursor(name="b", updated_at=now))
    with store.read() as session:
        names = session.execute(text("SELECT name FROM sync_cursors")).scalars().all()
    assert names == ["b"]
    store.dispose()


def test_single_writer_connection_serialises_threads(tmp_path: Path):
    store = open_store(tmp_path / "w.db")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                with store.write() as session:
                    session.add(SyncCursor(name=f"{n}-{i}", updated_at=datetime(2026, 1, 1)))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.read() as session:
        assert session.execute(text("SELECT count(*) FROM sync_cursors")).scalar() == 80
    store.dispose()


def _schema_diff(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    return diff


def test_fresh_database_matches_the_models(tmp_path: Path):
    db = tmp_path / "fresh.db"
    open_store(db).dispose()
    assert _schema_diff(sqlite_url(db)) == []


@pytest.mark.parametrize("revision", all_revisions())
def test_upgrade_from_every_revision(tmp_path: Path, revision: str):
    """A database created at each earlier revision upgrades to head, with a backup first."""
    db = tmp_path / f"at-{revision}.db"
    store = Store(sqlite_url(db))
    upgrade(store.writer, revision)
    assert current_revision(store.writer) == revision
    with store.writer.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO sync_cursors (name, updated_at) VALUES ('kept', '2026-01-01 00:00:00')"
        )
    backup = migrate_to_head(store.writer, db)
    assert current_revision(store.writer) == head_revision()
    if revision != head_revision():
        assert backup is not None and backup.exists()
    with store.reader.connect() as conn:
        assert conn.exec_driver_sql("SELECT name FROM sync_cursors").scalar() == "kept"
    store.dispose()
    assert _schema_diff(sqlite_url(db)) == []


def test_empty_file_upgrades_without_backup(tmp_path: Path):
    db = tmp_path / "new.db"
    store = Store(sqlite_url(db))
    assert migrate_to_head(store.writer, db) is None
    assert "transactions" in inspect(store.writer).get_table_names()
    assert migrate_to_head(store.writer, db) is None  # already at head: nothing to do
    store.dispose()


def test_no_column_can_hold_card_security_data(tmp_path: Path):
    forbidden = ("cvv", "csc", "cvc", "track", "pin", "card_number", "pan")
    for table in Base.metadata.tables.values():
        for column in table.columns:
            name = column.name.lower()
            assert not any(
                name == word or name.startswith(word + "_") or name.endswith("_" + word)
                for word in forbidden
            ), f"{table.name}.{column.name}"
