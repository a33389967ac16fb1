"""Engine-specific SQL, in one place: the rest of the app speaks SQLAlchemy expressions that
mean the same on SQLite and PostgreSQL. (SQLite's PRAGMAs and BEGIN IMMEDIATE stay with the
engine set-up in ``database.py``.)

PostgreSQL pieces: advisory locks (store-wide writer lock, the per-profile poller lock,
migrations), row-lock claims, NOTIFY, sequences after a copy, upserts, and URL handling.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import String

POSTGRES_DRIVER = "postgresql+psycopg"

# Advisory lock names (hashed to 64-bit keys; the key space is per database).
WRITER_LOCK = "paysage:store-writer"
MIGRATION_LOCK = "paysage:migrations"


def is_postgresql(bind: Session | Connection) -> bool:
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    return engine.dialect.name == "postgresql"


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (PostgreSQL advisory locks take a bigint)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


# -- URLs -----------------------------------------------------------------------------------


def normalise_url(url: str) -> str:
    """``postgresql://…`` (or ``postgres://``) → the psycopg 3 driver this app ships."""
    parsed = make_url(url)
    backend = parsed.drivername.split("+")[0]
    if backend in ("postgresql", "postgres") and parsed.drivername != POSTGRES_DRIVER:
        parsed = parsed.set(drivername=POSTGRES_DRIVER)
    return parsed.render_as_string(hide_password=False)


def is_postgresql_url(url: str) -> bool:
    return url.startswith(("postgresql", "postgres:"))


def connect_url(settings_url: str, password: str | None) -> str:
    """The URL to connect with: the settings' URL (never holding a password) plus the password
    from the keyring. Without one, libpq falls back to PGPASSWORD / pgpass / trust."""
    parsed: URL = make_url(normalise_url(settings_url))
    if password:
        parsed = parsed.set(password=password)
    return parsed.render_as_string(hide_password=False)


def without_password(url: str) -> str:
    """For settings and messages: the same URL with any password removed."""
    # (``URL.set(password=None)`` would leave the password as it is.)
    return make_url(url)._replace(password=None).render_as_string(hide_password=False)


def has_password(url: str) -> bool:
    return make_url(url).password is not None


# -- locks ----------------------------------------------------------------------------------


def lock_for_transaction(bind: Session | Connection, name: str, *, shared: bool = False) -> None:
    """PostgreSQL: hold advisory lock ``name`` until this transaction ends. SQLite: nothing to
    do (its single writer connection with BEGIN IMMEDIATE already serialises writers)."""
    if not is_postgresql(bind):
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    bind.execute(text(f"SELECT {function}(:key)"), {"key": advisory_key(name)})


def try_session_lock(connection: Connection, name: str) -> bool:
    """A session-level advisory lock: held until unlocked or the connection closes (a crashed
    process's lock dies with its connection)."""
    got = connection.execute(select(func.pg_try_advisory_lock(advisory_key(name)))).scalar_one()
    connection.commit()
    return bool(got)


def release_session_lock(connection: Connection, name: str) -> None:
    connection.execute(select(func.pg_advisory_unlock(advisory_key(name))))
    connection.commit()


def lock_session_blocking(connection: Connection, name: str) -> None:
    connection.execute(select(func.pg_advisory_lock(advisory_key(name))))
    connection.commit()


# -- statements -----------------------------------------------------------------------------


def notify(session: Session, channel: str, payload: str) -> None:
    """NOTIFY, delivered to listeners when this transaction commits (PostgreSQL only)."""
    if is_postgresql(session):
        session.execute(select(func.pg_notify(channel, payload)))


def insert_missing(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows``, skipping any whose primary key is already there (so re-running a copy
    changes nothing)."""
    if not rows:
        return
    keys = [column.name for column in table.primary_key.columns]
    module: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = module.insert(table).on_conflict_do_nothing(index_elements=keys)
    connection.execute(statement, list(rows))


def reset_sequence(connection: Connection, table: Table) -> None:
    """After rows were inserted with explicit ids, move the id sequence past the highest one
    (PostgreSQL serial columns; SQLite's rowid needs nothing)."""
    if connection.dialect.name != "postgresql":
        return
    for column in table.primary_key.columns:
        sequence = connection.execute(
            select(func.pg_get_serial_sequence(table.name, column.name))
        ).scalar_one()
        if sequence is None:
            continue
        connection.execute(
            text(
                f"SELECT setval(:seq, COALESCE((SELECT max({column.name}) FROM {table.name}), 1),"
                f" (SELECT max({column.name}) FROM {table.name}) IS NOT NULL)"
            ),
            {"seq": sequence},
        )


# -- functions that are spelled differently -------------------------------------------------


class joined_text(GenericFunction[str]):  # noqa: N801 - SQL functions are lower case
    """``joined_text(column, ", ")``: the group's values joined into one string
    (SQLite ``group_concat``, PostgreSQL ``string_agg``)."""

    type = String()
    inherit_cache = True


@compiles(joined_text)
def _joined_text_default(element: joined_text, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)})"


@compiles(joined_text, "postgresql")
def _joined_text_postgresql(element: joined_text, compiler: Any, **kw: Any) -> str:
    args = list(element.clauses)
    value = compiler.process(args[0], **kw)
    separator = compiler.process(args[1], **kw)
    return f"string_agg(CAST({value} AS TEXT), {separator})"
