"""Schema upgrades from the committed databases each released revision left behind
(tests/data/schema/<revision>.sqlite, made by scripts/make_schema_db.py): each file
upgrades to head with its rows intact, matches today's models, and passes `paysage doctor`'s
database and audit-trail checks. Generated-at-test-time databases (test_store_database)
cannot catch a migration that only breaks on data an older release really wrote.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, select

from app.config import Profile, database_path
from app.doctor import Level, check_audit_chain, check_database
from app.store.database import Store, sqlite_url
from app.store.migrate import all_revisions, current_revision, head_revision, migrate_to_head
from app.store.models import Base

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "data" / "schema"
COMMITTED = sorted(SCHEMA_DIR.glob("*.sqlite"))

Rows = dict[str, set[tuple[object, ...]]]

# The rows a migration rewrites on purpose: table -> (column, {old value: new value}).
# 0012_more_status_checks: a settlement batch in "proposed" (the schema comment's old word
# for one whose entry waits in the outbox) is "queued", the state the app writes.
REWRITTEN: dict[str, tuple[str, dict[object, object]]] = {
    "settlement_batches": ("status", {"proposed": "queued"}),
}


def _rows(url: str, columns_of: dict[str, list[str]] | None = None) -> Rows:
    """Every table's rows (only ``columns_of[table]`` when given), alembic_version aside."""
    engine = create_engine(url)
    metadata = MetaData()
    try:
        with engine.connect() as connection:
            metadata.reflect(connection)
            found: Rows = {}
            for table in metadata.sorted_tables:
                if table.name == "alembic_version" or (
                    columns_of is not None and table.name not in columns_of
                ):
                    continue  # Alembic's own, or a table newer than the revision
                names = columns_of[table.name] if columns_of else list(table.columns.keys())
                query = select(*(table.c[name] for name in names))
                found[table.name] = {_hashable(row) for row in connection.execute(query)}
            return found
    finally:
        engine.dispose()


def _hashable(row: Sequence[object]) -> tuple[object, ...]:
    """JSON columns read back as dicts and lists: compare them by their sorted text."""
    return tuple(
        json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value
        for value in row
    )


def _rewritten(rows: Rows, columns_of: dict[str, list[str]]) -> Rows:
    """``rows`` as the migrations' documented rewrites leave them."""
    expected = dict(rows)
    for table, (column, values) in REWRITTEN.items():
        if table in rows:
            at = columns_of[table].index(column)
            expected[table] = {
                (*row[:at], values.get(row[at], row[at]), *row[at + 1 :]) for row in rows[table]
            }
    return expected


def _columns(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    metadata = MetaData()
    try:
        with engine.connect() as connection:
            metadata.reflect(connection)
    finally:
        engine.dispose()
    return {name: list(table.columns.keys()) for name, table in metadata.tables.items()}


def test_every_revision_has_a_committed_database():
    """A new migration ships with the database its revision leaves behind."""
    missing = [rev for rev in all_revisions() if not (SCHEMA_DIR / f"{rev}.sqlite").exists()]
    assert missing == [], (
        f"no committed database for revision(s) {', '.join(missing)}: run "
        f"`uv run python scripts/make_schema_db.py <revision>` for each and commit the files"
    )


@pytest.mark.parametrize("committed", COMMITTED, ids=[path.stem for path in COMMITTED])
def test_committed_database_is_small(committed: Path):
    assert committed.stat().st_size < 200_000


@pytest.mark.parametrize("committed", COMMITTED, ids=[path.stem for path in COMMITTED])
def test_committed_database_upgrades_to_head_with_its_rows(committed: Path):
    db = database_path(Profile().name)
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(committed, db)  # the committed file itself stays as released
    url = sqlite_url(db)
    before_columns = _columns(url)
    before = _rows(url)
    assert all(before[table] for table in before), "every table of the revision has rows"

    store = Store(url)
    try:
        assert current_revision(store.writer) == committed.stem
        backup = migrate_to_head(store.writer, db)
        assert current_revision(store.writer) == head_revision()
        if committed.stem != head_revision():
            assert backup is not None and backup.exists()
        with store.writer.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == [], f"upgraded schema differs from the models: {diff}"
    finally:
        store.dispose()

    # The old columns of every old table still hold exactly the old rows (as rewritten).
    after = _rows(url, {table: cols for table, cols in before_columns.items() if table in before})
    for table, rows in _rewritten(before, before_columns).items():
        assert after[table] == rows, f"{table}: rows changed by the upgrade"

    assert check_database(Profile()).level is Level.OK
    audit = check_audit_chain(Profile())
    assert audit.level is not Level.FAIL, audit.line()
    assert "3 events, hash chain intact" in audit.detail
