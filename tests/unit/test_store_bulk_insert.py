"""``insert_rows`` stores exactly what SQLAlchemy's own executemany would (SQLite)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Integer, MetaData, String, Table
from sqlalchemy.orm import Session

from app.store import open_store
from app.store.bulk_insert import JsonText, insert_rows
from app.store.models import Base, RawRecord, TransactionEvent

ROWS = [
    {
        "id": 1,
        "name": "plain",
        "at": datetime(2025, 3, 15, 12, 0),
        "day": date(2025, 3, 1),
        "flag": True,
        "doc": {"b": [1, "two"], "a": None, "é": "ü"},
        "maybe": None,
    },
    {
        "id": 2,
        "name": None,
        "at": datetime(2025, 3, 15, 12, 0, 1, 250),
        "day": None,
        "flag": False,
        "doc": None,
        "maybe": {"x": 1},
    },
]


def _table(metadata: MetaData) -> Table:
    return Table(
        "things",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(20)),
        Column("at", DateTime),
        Column("day", Date),
        Column("flag", Boolean),
        Column("doc", JSON),
        Column("maybe", JSON(none_as_null=True)),
    )


def _stored(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as raw:
        return raw.execute(
            "SELECT id, name, typeof(at), at, day, flag, typeof(doc), doc, typeof(maybe), maybe "
            "FROM things ORDER BY id"
        ).fetchall()


def test_rows_read_back_the_same_as_through_sqlalchemy(tmp_path: Path):
    results = []
    for name, ours in (("sqlalchemy.db", False), ("ours.db", True)):
        store = open_store(tmp_path / name)
        table = _table(MetaData())
        table.create(store.writer)
        with store.write() as session:
            if ours:
                insert_rows(session, table, ROWS)
            else:
                session.execute(table.insert(), ROWS)
        with Session(store.reader) as session:
            read = [dict(r._mapping) for r in session.execute(table.select().order_by(table.c.id))]
        store.dispose()
        results.append((_stored(tmp_path / name), read))
    assert results[0] == results[1]
    assert results[1][1][0]["doc"] == ROWS[0]["doc"] and results[1][1][1]["maybe"] == {"x": 1}


def test_ingest_tables_take_their_rows(tmp_path: Path):
    store = open_store(tmp_path / "s.db")
    now = datetime(2025, 3, 15, 9, 30)
    raw = {"source": "paytrace.transaction", "source_id": "7", "content_hash": "h" * 64}
    with store.write() as session:
        insert_rows(
            session,
            Base.metadata.tables["raw_records"],
            [{**raw, "payload": {"amount": "1.00"}, "fetched_at": now}],
        )
        insert_rows(session, Base.metadata.tables["transaction_events"], [])
    with store.read() as session:
        record = session.query(RawRecord).one()
        assert record.payload == {"amount": "1.00"} and record.fetched_at == now
        assert session.query(TransactionEvent).count() == 0
    store.dispose()


def test_shared_and_equal_values_and_encoded_json_are_stored_as_sqlalchemy_does(tmp_path: Path):
    at = datetime(2025, 3, 15, 9, 30)
    shared = {"first_seen": True}
    rows = [
        # one object in every row of a column is converted once; equal values are not
        # (1 == True == 1.0, but JSON writes them differently)
        {"id": n, "name": "x", "at": at, "day": None, "flag": True, "doc": value, "maybe": shared}
        for n, value in enumerate([1, True, 1.0, {"a": 1}, shared], start=1)
    ]
    encoded = [dict(row, doc=JsonText(json.dumps(row["doc"]))) for row in rows]
    results = []
    for name, ours, data in (("a.db", False, rows), ("b.db", True, rows), ("c.db", True, encoded)):
        store = open_store(tmp_path / name)
        table = _table(MetaData())
        table.create(store.writer)
        with store.write() as session:
            if ours:
                insert_rows(session, table, data)
            else:
                session.execute(table.insert(), data)
        store.dispose()
        results.append(_stored(tmp_path / name))
    assert results[0] == results[1] == results[2]
    docs = [row[7] for row in results[0]]  # (SQLite's NUMERIC affinity reads "1" as 1)
    assert docs[1] == "true" and docs[4] == '{"first_seen": true}'
