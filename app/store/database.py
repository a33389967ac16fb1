"""The SQLAlchemy engines behind one store, with the SQLite settings docs/storage.md asks for.

SQLite: WAL, ``synchronous=FULL``, ``foreign_keys=ON``, a busy timeout derived from the
longest write transaction the code allows (``write_lock``), and the pysqlite transaction fix
from SQLAlchemy's docs — the driver's own implicit BEGIN is turned off
(``isolation_level = None``) and we emit BEGIN ourselves: ``BEGIN IMMEDIATE`` on the single
writer connection (so a write transaction takes the lock up front instead of failing with
"database is locked" on upgrade; a BEGIN that still finds the lock busy is tried again, as
nothing of the unit has run yet), a deferred ``BEGIN`` on readers.

PostgreSQL (team mode): each write transaction first takes the store-wide writer lock (a
transaction-level advisory lock, ``dialect.WRITER_LOCK``) — the server-side equivalent of
BEGIN IMMEDIATE. Every write appends to the one hash-chained audit trail anyway, and taking
that lock up front keeps one lock order (no deadlocks) and keeps each read-then-write check
in app/sync as valid as on SQLite. Only the poster's claim runs beside other claimers
(``claim()``: shared lock + ``FOR UPDATE SKIP LOCKED``), so posters never queue on one row.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.store.audit_anchor import HeadAnchor
from app.store.dialect import WRITER_LOCK, lock_for_transaction, normalise_url
from app.store.grid_sort_keys import keep_sort_keys
from app.store.write_lock import (
    BUSY_TIMEOUT_MS,
    WriteLockFigures,
    WriteLockMeter,
    instrument_sqlite_writer,
)

SQLITE_PRAGMAS = (
    ("journal_mode", "WAL"),
    ("synchronous", "FULL"),
    ("foreign_keys", "ON"),
    ("busy_timeout", str(BUSY_TIMEOUT_MS)),
)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for name, value in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {name}={value}")
        cursor.close()


def make_engines(url: str, meter: WriteLockMeter | None = None) -> tuple[Engine, Engine]:
    """(writer, reader) engines for ``url``. The writer pool holds exactly one connection;
    on SQLite ``meter`` times its waits for the write lock and its holds of it."""
    if url.startswith("sqlite"):
        writer = create_engine(url, pool_size=1, max_overflow=0, pool_timeout=60)
        reader = create_engine(url, pool_size=4, max_overflow=4)
        _configure_sqlite(writer)
        _configure_sqlite(reader)
        instrument_sqlite_writer(writer, meter or WriteLockMeter())

        @event.listens_for(reader, "begin")
        def _on_read_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")

        return writer, reader
    # Server databases (team mode) do their own row locking; one engine serves both.
    # A lock wait ends in an error after a minute rather than hanging a window for ever
    # (SQLite's writer likewise gives up after pool_timeout=60).
    engine = create_engine(
        normalise_url(url), pool_pre_ping=True, connect_args={"options": "-c lock_timeout=60s"}
    )
    return engine, engine


class Store:
    """The database of one profile: ``write()`` and ``read()`` give short-lived sessions."""

    def __init__(self, url: str, audit_anchor: Path | None = None) -> None:
        """``audit_anchor``: the file where this computer notes the audit chain's head after
        every write that appended to it (see app/store/audit_anchor.py); None: not noted."""
        self.url = url
        self.write_lock = WriteLockMeter()
        self.writer, self.reader = make_engines(url, self.write_lock)
        self._write_sessions = sessionmaker(self.writer, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)
        keep_sort_keys(self._write_sessions)
        if audit_anchor is not None:
            HeadAnchor(audit_anchor).attach(self._write_sessions)
        if not self.is_sqlite:
            from app.store.change_feed import notify_after_writes

            notify_after_writes(self._write_sessions)

    @property
    def is_sqlite(self) -> bool:
        return self.writer.dialect.name == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error."""
        with self._write_transaction(shared=False) as session:
            yield session

    @contextmanager
    def claim(self) -> Iterator[Session]:
        """A short write transaction that only claims rows it has locked with ``FOR UPDATE
        SKIP LOCKED``. PostgreSQL: it shares the writer lock with other claimers (so it never
        runs inside another write's read-then-write) but not with writers. SQLite: ``write()``.
        """
        with self._write_transaction(shared=True) as session:
            yield session

    @contextmanager
    def _write_transaction(self, *, shared: bool) -> Iterator[Session]:
        """The lock is taken before the unit of work runs a line. SQLite: BEGIN IMMEDIATE
        right away (timed and retried by the writer engine's events, which also time the
        hold). PostgreSQL: the advisory writer lock, timed here with its hold."""
        with self._write_sessions() as session, session.begin():
            if self.is_sqlite:
                session.connection()
                yield session
                return
            started = time.monotonic()
            lock_for_transaction(session, WRITER_LOCK, shared=shared)
            taken = time.monotonic()
            self.write_lock.waited(taken - started, 0)
            try:
                yield session
                session.flush()  # the unit's last writes are part of what it held
            finally:
                self.write_lock.held(time.monotonic() - taken)

    def write_lock_figures(self) -> WriteLockFigures:
        """The longest wait for, and hold of, the write lock by this store's writers so far."""
        return self.write_lock.figures()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()
