"""Migration 0012_more_status_checks on both engines: settlement batches and recurring
schedules in every state upgrade with their states kept, a batch in the old word
``proposed`` becomes ``queued``, a state nobody knows stops the upgrade with nothing
changed, and afterwards the database itself refuses an unknown state."""

from __future__ import annotations

from enum import StrEnum

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.domain.states import RecurrenceStatus, SettlementBatchStatus
from app.store import Store
from app.store.migrate import current_revision, head_revision, upgrade
from tests.team.test_status_checks import _row, _states_in

BEFORE = "0011_grid_sort_key_columns"  # the revision just before 0012_more_status_checks
TABLES: tuple[tuple[str, str, type[StrEnum]], ...] = (
    ("settlement_batches", "status", SettlementBatchStatus),
    ("recurring_schedules", "status", RecurrenceStatus),
)


def _insert(engine: sa.Engine, table_name: str, states: list[str], first: int = 1) -> None:
    metadata = sa.MetaData()
    metadata.reflect(engine, only=[table_name])
    table = metadata.tables[table_name]
    rows = [_row(table, "status", state, first + i) for i, state in enumerate(states)]
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)


def test_every_state_survives_and_proposed_batches_become_queued(store_url: str):
    store = Store(store_url)
    try:
        upgrade(store.writer, BEFORE)
        for table, _column, entity in TABLES:
            _insert(store.writer, table, [state.value for state in entity])
        _insert(store.writer, "settlement_batches", ["proposed"], first=100)
        upgrade(store.writer)
        assert current_revision(store.writer) == head_revision()
        batches = _states_in(store.writer, "settlement_batches", "status")
        assert batches == sorted(["new", "mismatch", "queued", "posted", "queued"])
        schedules = _states_in(store.writer, "recurring_schedules", "status")
        assert schedules == sorted(state.value for state in RecurrenceStatus)
    finally:
        store.dispose()


def test_a_state_nobody_knows_stops_the_upgrade_and_changes_nothing(store_url: str):
    store = Store(store_url)
    try:
        upgrade(store.writer, BEFORE)
        _insert(store.writer, "settlement_batches", ["proposed", "archived"])
        _insert(store.writer, "recurring_schedules", ["active", "paused"])
        with pytest.raises(RuntimeError) as caught:
            upgrade(store.writer)
        words = str(caught.value)
        assert "settlement_batches.status holds 'archived'" in words
        assert "recurring_schedules.status holds 'paused'" in words
        assert "Nothing was changed" in words
        assert current_revision(store.writer) == BEFORE
        assert _states_in(store.writer, "settlement_batches", "status") == ["archived", "proposed"]
    finally:
        store.dispose()


@pytest.mark.parametrize(("table", "column", "entity"), TABLES, ids=[t[0] for t in TABLES])
def test_the_database_refuses_an_unknown_state(
    store_url: str, table: str, column: str, entity: type[StrEnum]
):
    store = Store(store_url)
    try:
        upgrade(store.writer)
        states = [state.value for state in entity]
        _insert(store.writer, table, states)
        with pytest.raises(IntegrityError), store.writer.begin() as connection:
            connection.execute(
                sa.text(f"UPDATE {table} SET {column} = 'archived' WHERE {column} = :state"),
                {"state": states[0]},
            )
        assert _states_in(store.writer, table, column) == sorted(states)  # nothing changed
    finally:
        store.dispose()
