"""Migration 0010_status_checks on both engines: a database holding rows of every workflow
state upgrades with all of them kept, and afterwards the database itself refuses a state
its entity does not have."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.exc import IntegrityError

from app.domain.states import (
    ExceptionStatus,
    MatchStatus,
    OutboxStatus,
    ProposalStatus,
    SyncRunStatus,
)
from app.store import Store
from app.store.migrate import alembic_config, current_revision, head_revision, upgrade

CHECKS_REVISION = "0010_status_checks"
# table, status column, states; parents first so foreign keys find their rows
TABLES: tuple[tuple[str, str, type[StrEnum]], ...] = (
    ("transactions", "match_status", MatchStatus),
    ("sync_runs", "status", SyncRunStatus),
    ("proposals", "status", ProposalStatus),
    ("outbox", "status", OutboxStatus),
    ("exception_items", "status", ExceptionStatus),
)
PARENT_ID = 4242  # the transaction, proposal and outbox row the children point at


def _filler(column: sa.Column[Any]) -> object:
    """A value of the column's type for a NOT NULL column the test does not care about."""
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, 2, 3, 4, 5)
    if isinstance(kind, sa.Date):
        return date(2026, 1, 2)
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return PARENT_ID if column.foreign_keys else 1
    if isinstance(kind, sa.JSON):
        return {}
    return "x"


def _row(table: sa.Table, status_column: str, state: str, number: int) -> dict[str, object]:
    row: dict[str, object] = {status_column: state}
    for column in table.columns:
        if column.name in row or column.nullable:
            continue
        if column.primary_key and not column.foreign_keys:
            row[column.name] = number
        elif column.server_default is None:
            row[column.name] = _filler(column)
    if "key" in table.columns:  # outbox keys are unique
        row["key"] = f"K-{number}"
    return row


def _insert_every_state(engine: sa.Engine) -> dict[str, list[str]]:
    metadata = sa.MetaData()
    metadata.reflect(engine, only=[name for name, _, _ in TABLES])
    kept: dict[str, list[str]] = {}
    with engine.begin() as connection:
        for name, column, entity in TABLES:
            table = metadata.tables[name]
            states = [state.value for state in entity]
            rows = [_row(table, column, state, PARENT_ID + i) for i, state in enumerate(states)]
            connection.execute(table.insert(), rows)
            kept[name] = sorted(states)
    return kept


def _states_in(engine: sa.Engine, table: str, column: str) -> list[str]:
    with engine.connect() as connection:
        found = connection.execute(sa.text(f"SELECT {column} FROM {table}")).scalars()
        return sorted(str(value) for value in found)


def _revision_before_checks() -> str:
    script = ScriptDirectory.from_config(alembic_config()).get_revision(CHECKS_REVISION)
    assert script is not None and isinstance(script.down_revision, str)
    return script.down_revision


def test_rows_of_every_state_survive_the_upgrade(store_url: str):
    store = Store(store_url)
    try:
        upgrade(store.writer, _revision_before_checks())
        kept = _insert_every_state(store.writer)
        upgrade(store.writer)
        assert current_revision(store.writer) == head_revision()
        for name, column, _entity in TABLES:
            assert _states_in(store.writer, name, column) == kept[name], name
    finally:
        store.dispose()


@pytest.mark.parametrize(("table", "column", "entity"), TABLES, ids=[t[0] for t in TABLES])
def test_the_database_refuses_an_unknown_state(
    store_url: str, table: str, column: str, entity: type[StrEnum]
):
    store = Store(store_url)
    try:
        upgrade(store.writer)
        _insert_every_state(store.writer)
        first = next(iter(entity)).value
        with pytest.raises(IntegrityError), store.writer.begin() as connection:
            connection.execute(
                sa.text(f"UPDATE {table} SET {column} = 'archived' WHERE {column} = :state"),
                {"state": first},
            )
        assert first in _states_in(store.writer, table, column)  # nothing changed
    finally:
        store.dispose()
