"""What the reliability suites read from a store after the crashes, on either engine: a
summary that must equal a crash-free run's, and the engine's own integrity check.

SQLite: ``PRAGMA integrity_check`` (pages, b-trees, indexes against rows). PostgreSQL:
``amcheck``'s ``bt_index_check`` with ``heapallindexed`` on every index (each index's
structure, and every row present in it) plus every constraint validated — PostgreSQL keeps
its own files consistent across a client's crash, so what can go wrong is above that.

No pytest here: the crash harness's child processes import this module too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from app.store.database import sqlite_url

STORE_SUMMARY_SQL = {
    "transactions": "SELECT transaction_id, transaction_type, amount_cents, match_status "
    "FROM transactions",
    "outbox": "SELECT key, kind, status FROM outbox",
    "proposals_open": "SELECT transaction_id, kind, status FROM proposals "
    "WHERE status NOT IN ('superseded')",
}

_PG_INDEXES = """
SELECT c.relname FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am a ON a.oid = c.relam
WHERE n.nspname = current_schema() AND a.amname = 'btree'
ORDER BY c.relname
"""
_PG_UNVALIDATED = """
SELECT conname FROM pg_constraint c
JOIN pg_namespace n ON n.oid = c.connamespace
WHERE n.nspname = current_schema() AND NOT c.convalidated
"""


def as_url(store: Path | str) -> str:
    """A store given as a SQLite file path or as a SQLAlchemy URL."""
    return sqlite_url(store) if isinstance(store, Path) else store


def store_summary(store: Path | str) -> dict[str, set[tuple[Any, ...]]]:
    """What must match a crash-free run's store, whatever the crashes did in between."""
    engine = create_engine(as_url(store))
    try:
        with engine.connect() as connection:
            return {
                name: {tuple(row) for row in connection.execute(text(sql))}
                for name, sql in STORE_SUMMARY_SQL.items()
            }
    finally:
        engine.dispose()


def integrity_check(store: Path | str) -> str:
    """``"ok"``, or what the engine's check found."""
    engine = create_engine(as_url(store))
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                return str(connection.execute(text("PRAGMA integrity_check")).scalar_one())
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            problems: list[str] = []
            for (index,) in connection.execute(text(_PG_INDEXES)).all():
                try:
                    connection.execute(
                        text("SELECT bt_index_check(CAST(:index AS regclass), true)"),
                        {"index": index},
                    )
                except DBAPIError as exc:  # a corrupt index is the finding
                    connection.rollback()
                    problems.append(f"{index}: {str(exc).splitlines()[0]}")
            unvalidated = connection.execute(text(_PG_UNVALIDATED)).scalars().all()
            problems += [f"constraint {name} not validated" for name in unvalidated]
            connection.commit()
            return "; ".join(problems) or "ok"
    finally:
        engine.dispose()
