"""Telling open windows that another workstation changed rows, on both engines.

- Polling (SQLite and PostgreSQL): ``changes_since(store, token)``. The token is the highest
  audit event id; every change a bookkeeper can see is written with an audit event in the
  same transaction, so "new audit events" means "something changed", and their entity types
  say which grids to refresh.
- Push (PostgreSQL): every write transaction that touched proposals, outbox, transactions
  (or their children) sends ``NOTIFY paysage_changes`` with the table names as a JSON list,
  delivered when it commits. ``ChangeListener`` waits for those on its own connection; on a
  wake-up the window calls ``changes_since`` as usual (a NOTIFY is a hint, the token is the
  truth, so a lost notification costs only a delay until the next poll).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from app.store.database import Store
from app.store.dialect import notify
from app.store.models import AuditEvent

CHANNEL = "paysage_changes"
WATCHED_TABLES = frozenset(
    {"proposals", "proposal_applications", "outbox", "transactions", "exception_items"}
)
_TOUCHED = "paysage_touched_tables"


@dataclass(frozen=True)
class Changes:
    token: str  # pass back on the next call
    entity_types: frozenset[str]  # audit entity types changed since the old token

    @property
    def any(self) -> bool:
        return bool(self.entity_types)


def current_token(session: Session) -> str:
    return str(session.execute(select(func.coalesce(func.max(AuditEvent.id), 0))).scalar_one())


def changes_since(store: Store, token: str | None) -> Changes:
    """What changed after ``token`` (None: nothing yet, just the token to start from)."""
    with store.read() as session:
        now = current_token(session)
        if token is None or token == now:
            return Changes(now, frozenset())
        kinds = session.execute(
            select(AuditEvent.entity_type)
            .where(AuditEvent.id > int(token), AuditEvent.id <= int(now))
            .distinct()
        ).scalars()
        return Changes(now, frozenset(kinds))


# -- NOTIFY after writes (installed by Store on PostgreSQL) ---------------------------------


def _note(session: Session, tables: Iterable[str | None]) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    touched.update(t for t in tables if t in WATCHED_TABLES)


def notify_after_writes(factory: sessionmaker[Session]) -> None:
    """Make every session from ``factory`` NOTIFY ``CHANNEL`` before it commits a change to a
    watched table (ORM units of work and bulk ``update()``/``delete()`` statements alike)."""

    @event.listens_for(factory, "after_flush")
    def _after_flush(session: Session, _context: Any) -> None:
        objects = chain(session.new, session.dirty, session.deleted)
        _note(session, (getattr(obj, "__tablename__", None) for obj in objects))

    @event.listens_for(factory, "do_orm_execute")
    def _on_statement(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(state.statement, "table", None)
            _note(state.session, [getattr(table, "name", None)])

    @event.listens_for(factory, "before_commit")
    def _before_commit(session: Session) -> None:
        session.flush()  # the commit's own flush comes after this hook
        touched = session.info.pop(_TOUCHED, None)
        if touched:
            notify(session, CHANNEL, json.dumps(sorted(touched)))

    @event.listens_for(factory, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(_TOUCHED, None)


# -- LISTEN (PostgreSQL) --------------------------------------------------------------------


class ChangeListener:
    """A dedicated connection that waits for ``NOTIFY paysage_changes``. Run ``wait`` on a
    worker thread (it blocks up to its timeout); ``close`` when the window closes."""

    def __init__(self, url: str) -> None:
        import psycopg

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
        self._connection = psycopg.connect(conninfo, autocommit=True)
        self._connection.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout_s: float) -> list[frozenset[str]]:
        """The notifications that arrived within ``timeout_s`` (empty: none): each is the
        set of tables one committed transaction changed. Returns at the first one."""
        received = []
        for note in self._connection.notifies(timeout=timeout_s, stop_after=1):
            received.append(frozenset(json.loads(note.payload or "[]")))
        # Drain whatever else already arrived, without waiting again.
        for note in self._connection.notifies(timeout=0):
            received.append(frozenset(json.loads(note.payload or "[]")))
        return received

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> ChangeListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def listener_for(store: Store) -> ChangeListener | None:
    """A listener on a PostgreSQL store; None on SQLite (poll ``changes_since`` instead)."""
    if store.is_sqlite:
        return None
    return ChangeListener(store.url)
