"""Schema migrations at start-up: back the database file up, then upgrade to head."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def all_revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite's own recipe for rebuilding a table (batch mode): foreign keys off
            # outside the transaction, checked by hand before commit, on again after.
            _sqlite_foreign_keys(connection, on=False)
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    _refuse_broken_references(connection)
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    # On the driver connection: SQLAlchemy's execute would BEGIN first, and the pragma is a
    # no-op inside a transaction.
    connection.connection.driver_connection.execute(  # type: ignore[union-attr]
        f"PRAGMA foreign_keys={'ON' if on else 'OFF'}"
    )


def _refuse_broken_references(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise RuntimeError(
            f"The upgrade would leave rows pointing at nothing in {', '.join(tables)}; "
            "nothing was changed."
        )


def backup_sqlite_file(db_path: Path, revision: str | None) -> Path:
    """A consistent copy via SQLite's backup API (safe with a live WAL)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = db_path.parent / "backups" / f"{db_path.stem}-{stamp}-{revision or 'base'}.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(db_path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


def migrate_to_head(engine: Engine, db_path: Path | None) -> Path | None:
    """Upgrade when behind; returns the backup made first (None when nothing to do)."""
    current = current_revision(engine)
    if current == head_revision():
        return None
    backup = None
    if db_path is not None and db_path.exists() and current is not None:
        backup = backup_sqlite_file(db_path, current)
    upgrade(engine)
    return backup
