"""Persistence: SQLAlchemy engine + pragmas, ORM models, Alembic migrations, repositories."""

from __future__ import annotations

from pathlib import Path

from app.store.database import Store, sqlite_url
from app.store.location import ensure_local_data_folder
from app.store.migrate import migrate_to_head


def open_store(db_path: Path) -> Store:
    """Open (creating or upgrading as needed) the SQLite store at ``db_path``."""
    ensure_local_data_folder(db_path.parent)
    store = Store(sqlite_url(db_path))
    migrate_to_head(store.writer, db_path)
    return store


def open_store_url(url: str) -> Store:
    """Open a store by SQLAlchemy URL (team mode: PostgreSQL)."""
    store = Store(url)
    migrate_to_head(store.writer, None)
    return store


__all__ = ["Store", "open_store", "open_store_url"]
