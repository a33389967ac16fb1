"""Persistence: SQLAlchemy engine + pragmas, ORM models, Alembic migrations, repositories."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.store.audit_anchor import anchor_path_for_url
from app.store.database import Store, sqlite_url
from app.store.location import ensure_local_data_folder
from app.store.migrate import migrate_to_head
from app.store.state_guard import install as install_state_guard

install_state_guard()  # every ORM status write checks its transition table

if TYPE_CHECKING:
    from app.config import Profile


def open_store(db_path: Path) -> Store:
    """Open (creating or upgrading as needed) the SQLite store at ``db_path``."""
    ensure_local_data_folder(db_path.parent)
    url = sqlite_url(db_path)
    store = Store(url, audit_anchor=anchor_path_for_url(url, db_path.parent))
    migrate_to_head(store.writer, db_path)
    return store


def open_store_url(url: str) -> Store:
    """Open a store by SQLAlchemy URL (team mode: PostgreSQL). Workstations starting at once
    take turns on the migration lock, so the schema is upgraded exactly once."""
    from app.config import data_dir
    from app.store import dialect

    store = Store(url, audit_anchor=anchor_path_for_url(url, data_dir()))
    if store.is_sqlite:
        migrate_to_head(store.writer, None)
        return store
    try:
        with store.writer.connect() as connection:
            dialect.lock_session_blocking(connection, dialect.MIGRATION_LOCK)
            try:
                migrate_to_head(store.writer, None)
            finally:
                dialect.release_session_lock(connection, dialect.MIGRATION_LOCK)
    except BaseException:
        store.dispose()
        raise
    return store


def profile_connect_url(profile: Profile) -> str:
    """The URL a team-mode profile connects with: its settings URL (which must hold no
    password) plus the password stored in the keyring under ``postgresql``, if any."""
    from app import credentials
    from app.config import SettingsError
    from app.store import dialect

    if dialect.has_password(profile.database_url):
        raise SettingsError(
            f"The database URL of profile {profile.name!r} holds a password; settings are "
            "plain text. Remove it from the URL and store it with `paysage credentials set "
            f"--profile {profile.name} postgresql`."
        )
    try:
        password = credentials.get_secret(profile.name, credentials.SecretSystem.POSTGRESQL)
    except credentials.MissingSecretError:
        password = None  # libpq may still find PGPASSWORD / pgpass, or the server trusts us
    return dialect.connect_url(profile.database_url, password)


def open_profile_store(profile: Profile) -> Store:
    """The profile's store: the local SQLite file, or its PostgreSQL server in team mode."""
    from app.config import database_path

    if profile.database_url:
        return open_store_url(profile_connect_url(profile))
    return open_store(database_path(profile.name))


__all__ = ["Store", "open_profile_store", "open_store", "open_store_url", "profile_connect_url"]
