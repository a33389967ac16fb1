"""Many new rows in one statement, without SQLAlchemy's per-row parameter processing.

SQLAlchemy's ``connection.execute(table.insert(), rows)`` runs a bind processor for every
value of every row (dates to text, dicts to JSON) and builds a parameter dict per row; on
an ingest of 100,000 transactions that costs more than SQLite's own work. On SQLite the rows
are converted here, column by column, exactly as SQLAlchemy stores them (its DateTime and
Date text formats, JSON via ``json.dumps``) and handed to the driver's ``executemany`` in
the caller's transaction. PostgreSQL keeps SQLAlchemy's path (psycopg does its own typing).
A JSON value may come already encoded, as ``JsonText``: it is stored as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Table
from sqlalchemy.orm import Session

Convert = Callable[[Any], Any]


class JsonText(str):
    """A JSON column's value already encoded as JSON text (made by a quicker encoder)."""


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dicts with the same keys) into ``table`` in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        connection.execute(table.insert(), [_decoded(row) for row in rows])
        return
    names = list(rows[0])
    columns = ", ".join(f'"{name}"' for name in names)
    statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(names))})'
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(statement, _sqlite_values(table, names, rows))
    finally:
        cursor.close()


def _sqlite_values(
    table: Table, names: list[str], rows: Sequence[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """The rows as tuples, converted column by column (C-speed ``map`` and ``zip``; one
    conversion for a column whose rows all hold the same value, like a batch's timestamp)."""
    pick = itemgetter(*names)
    picked = [pick(row) for row in rows] if len(names) > 1 else [(pick(row),) for row in rows]
    converts = [_sqlite_convert(table, name) for name in names]
    if all(convert is None for convert in converts):
        return picked
    values: list[Any] = []
    for convert, column in zip(converts, zip(*picked, strict=True), strict=True):
        if convert is None:
            values.append(column)
        elif len(set(map(id, column))) == 1:  # one object (equal is not enough: 1 == True)
            values.append([convert(column[0])] * len(column))
        else:
            values.append(map(convert, column))
    return list(zip(*values, strict=True))


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    """SQLAlchemy's path encodes JSON values itself: already encoded ones go back to data."""
    return {k: json.loads(v) if type(v) is JsonText else v for k, v in row.items()}


def _sqlite_convert(table: Table, name: str) -> Convert | None:
    """How SQLAlchemy's SQLite dialect stores this column's Python values (None = as is)."""
    kind = table.columns[name].type
    if isinstance(kind, JSON):
        # None is stored as SQL NULL only for none_as_null columns, else as JSON null.
        return _json_or_null if kind.none_as_null else _json
    if isinstance(kind, DateTime):
        return _datetime
    if isinstance(kind, Date):
        return _date
    if isinstance(kind, Boolean):
        return _boolean
    return None


def _json(value: Any) -> str:
    return value if type(value) is JsonText else json.dumps(value)


def _json_or_null(value: Any) -> str | None:
    return None if value is None else _json(value)


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
