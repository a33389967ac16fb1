"""Many new rows in one statement, without SQLAlchemy's per-row parameter processing.

SQLAlchemy's ``connection.execute(table.insert(), rows)`` runs a bind processor for every
value of every row (dates to text, dicts to JSON) and builds a parameter dict per row; on
an ingest of 100,000 transactions that costs more than SQLite's own work. On SQLite the rows
are converted here, column by column, exactly as SQLAlchemy stores them (its DateTime and
Date text formats, JSON via ``json.dumps``) and handed to the driver's ``executemany`` in
the caller's transaction. PostgreSQL keeps SQLAlchemy's path (psycopg does its own typing).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Table
from sqlalchemy.orm import Session

Convert = Callable[[Any], Any]


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dicts with the same keys) into ``table`` in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        connection.execute(table.insert(), list(rows))
        return
    names = list(rows[0])
    converts = [(name, _sqlite_convert(table, name)) for name in names]
    columns = ", ".join(f'"{name}"' for name in names)
    statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(names))})'
    values = [
        tuple(row[name] if convert is None else convert(row[name]) for name, convert in converts)
        for row in rows
    ]
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(statement, values)
    finally:
        cursor.close()


def _sqlite_convert(table: Table, name: str) -> Convert | None:
    """How SQLAlchemy's SQLite dialect stores this column's Python values (None = as is)."""
    kind = table.columns[name].type
    if isinstance(kind, JSON):
        # None is stored as SQL NULL only for none_as_null columns, else as JSON null.
        return _json_or_null if kind.none_as_null else json.dumps
    if isinstance(kind, DateTime):
        return _datetime
    if isinstance(kind, Date):
        return _date
    if isinstance(kind, Boolean):
        return _boolean
    return None


def _json_or_null(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _datetime(value: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DateTime format: always with microseconds (isoformat leaves them
    # out when zero; it is several times quicker than strftime).
    if value is None:
        return None
    text = value.isoformat(" ")
    return text if value.microsecond else text + ".000000"


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _boolean(value: bool | None) -> int | None:
    return None if value is None else int(value)
