"""Copy a store into another — in practice one bookkeeper's SQLite history into the team's
PostgreSQL store (`paysage store migrate --to postgresql://…`).

Both stores are first brought to the same schema head. Rows go across in key order, in one
target transaction holding the writer lock; a row whose primary key is already there is left
alone, so running the copy again changes nothing. Then every table is verified by row count
and a checksum over its values, read back through the same typed models on both engines, and
the audit chain is verified on the target.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.errors import PaysageError
from app.store import audit, dialect
from app.store.database import Store
from app.store.migrate import current_revision, head_revision
from app.store.models import Base

# Presence rows describe live connections to one store, not history worth carrying over.
NOT_COPIED = frozenset({"workstations"})
_MODULUS = 2**256

Progress = Callable[[str, int], None]  # (table, rows copied so far)


class CopyError(PaysageError):
    """The copy could not be done; the message says which table and why."""


@dataclass(frozen=True)
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    inserted: int
    source_checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        return (self.source_rows, self.source_checksum) == (self.target_rows, self.target_checksum)


@dataclass(frozen=True)
class CopyReport:
    tables: list[TableCheck]
    audit_events: int
    audit_ok: bool

    @property
    def ok(self) -> bool:
        return self.audit_ok and all(t.ok for t in self.tables)

    @property
    def inserted(self) -> int:
        return sum(t.inserted for t in self.tables)


def copied_tables() -> list[Table]:
    """Every table, parents before children (foreign keys hold at each insert)."""
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_COPIED]


def _ordered(table: Table) -> Any:
    return select(table).order_by(*table.primary_key.columns)


def _batches(connection: Connection, table: Table, size: int) -> Iterator[list[dict[str, Any]]]:
    result = connection.execution_options(stream_results=True).execute(_ordered(table))
    for chunk in result.mappings().partitions(size):
        yield [dict(row) for row in chunk]


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def table_fingerprint(connection: Connection, table: Table, size: int = 2000) -> tuple[int, str]:
    """(rows, checksum). The checksum adds up one hash per row, so it does not depend on the
    order each engine returns rows in (string collations differ)."""
    rows, total = 0, 0
    names = [c.name for c in table.columns]
    for batch in _batches(connection, table, size):
        for row in batch:
            body = json.dumps([_plain(row[n]) for n in names], sort_keys=True, default=str)
            total = (total + int.from_bytes(hashlib.sha256(body.encode()).digest(), "big")) % (
                _MODULUS
            )
            rows += 1
    return rows, f"{total:064x}"


def _require_head(store: Store, role: str) -> None:
    revision = current_revision(store.writer)
    if revision != head_revision():
        raise CopyError(
            f"The {role} store is at schema {revision or 'none'}, not {head_revision()}; "
            "open it with this version of Paysage first."
        )


def copy_store(
    source: Store, target: Store, *, batch_size: int = 1000, progress: Progress | None = None
) -> CopyReport:
    """Copy ``source`` into ``target`` (both at the schema head) and verify, all in one target
    transaction: when anything does not match (say, another store's rows already sit under
    the same keys) it is rolled back and the report says which table differs."""
    _require_head(source, "source")
    _require_head(target, "target")
    with source.reader.connect() as reading, target.writer.connect() as writing:
        transaction = writing.begin()
        try:
            dialect.lock_for_transaction(writing, dialect.WRITER_LOCK)
            inserted = {
                table.name: _copy_table(reading, writing, table, batch_size, progress)
                for table in copied_tables()
            }
            report = _verify(reading, writing, inserted)
        except BaseException:
            transaction.rollback()
            raise
        if report.ok:
            transaction.commit()
        else:
            transaction.rollback()
    return report


def _copy_table(
    reading: Connection,
    writing: Connection,
    table: Table,
    batch_size: int,
    progress: Progress | None,
) -> int:
    """Rows of ``table`` not on the target yet; returns how many were added."""
    before = _count(writing, table)
    done = 0
    for batch in _batches(reading, table, batch_size):
        try:
            dialect.insert_missing(writing, table, batch)
        except DBAPIError as exc:
            first_line = (str(exc.orig).splitlines() or [""])[0]
            raise CopyError(
                f"Rows of table {table.name} could not be written to the target "
                f"({type(exc.orig).__name__}: {first_line}). Nothing was copied."
            ) from None
        done += len(batch)
        if progress:
            progress(table.name, done)
    dialect.reset_sequence(writing, table)
    return _count(writing, table) - before


def _verify(source: Connection, target: Connection, inserted: dict[str, int]) -> CopyReport:
    checks = []
    for table in copied_tables():
        source_rows, source_sum = table_fingerprint(source, table)
        target_rows, target_sum = table_fingerprint(target, table)
        checks.append(
            TableCheck(
                table.name,
                source_rows,
                target_rows,
                inserted.get(table.name, 0),
                source_sum,
                target_sum,
            )
        )
    with Session(bind=target) as session:
        chain = audit.verify(session)
    return CopyReport(checks, chain.events, chain.ok)


def verify_copy(source: Store, target: Store) -> CopyReport:
    """Compare two stores as they are now (nothing is written)."""
    with source.reader.connect() as left, target.reader.connect() as right:
        return _verify(left, right, {})
