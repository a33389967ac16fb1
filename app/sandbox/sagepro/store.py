"""Where the stand-in keeps its company: one SQLite table of JSON documents.

Each record is stored under its kind ("customers", "invoices", ...) with its id and, when
it has one, its unique reference, both folded to upper case so look-ups ignore case. A
unique index on the reference is the last line of defence against a duplicate. One write
step (a payment plus its invoice and customer balances) is one SQLite transaction, so a
crash never leaves half an effect. ``path=None`` keeps everything in memory (tests).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id_key TEXT NOT NULL,
    ref_key TEXT,
    doc TEXT NOT NULL,
    UNIQUE (kind, id_key)
);
CREATE UNIQUE INDEX IF NOT EXISTS records_ref ON records (kind, ref_key)
    WHERE ref_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

Doc = dict[str, Any]


def fold(key: str) -> str:
    """The case-insensitive form of an id or reference."""
    return key.strip().upper()


class RecordStore:
    """JSON documents by kind, id and optional unique reference."""

    def __init__(self, path: str | Path | None = None) -> None:
        target = ":memory:" if path is None else str(path)
        self._db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        self._lock = threading.RLock()
        self._depth = 0
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all (nesting joins the outer one)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def get(self, kind: str, record_id: str) -> Doc | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM records WHERE kind = ? AND id_key = ?", (kind, fold(record_id))
            ).fetchone()
        return None if row is None else _load(row[0])

    def find_by_ref(self, kind: str, reference: str) -> Doc | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM records WHERE kind = ? AND ref_key = ?", (kind, fold(reference))
            ).fetchone()
        return None if row is None else _load(row[0])

    def all(self, kind: str) -> list[Doc]:
        """Every record of ``kind`` in the order they were created."""
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM records WHERE kind = ? ORDER BY seq", (kind,)
            ).fetchall()
        return [_load(row[0]) for row in rows]

    def put(self, kind: str, record_id: str, doc: Doc, reference: str | None = None) -> None:
        """Insert or replace the record ``record_id`` of ``kind`` (keeping its place)."""
        text = json.dumps(doc, sort_keys=True)
        ref_key = fold(reference) if reference else None
        with self._lock:
            self._db.execute(
                "INSERT INTO records (kind, id_key, ref_key, doc) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, id_key) DO UPDATE SET doc = excluded.doc, "
                "ref_key = excluded.ref_key",
                (kind, fold(record_id), ref_key, text),
            )

    def count(self, kind: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM records WHERE kind = ?", (kind,))
            return int(row.fetchone()[0])

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT kind, COUNT(*) FROM records GROUP BY kind")
            return {str(kind): int(n) for kind, n in rows.fetchall()}

    def next_number(self, name: str, first: int) -> int:
        """The next value of counter ``name`` (``first`` the first time)."""
        with self.transaction():
            row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,))
            found = row.fetchone()
            value = first if found is None else int(found[0]) + 1
            self._db.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
        return value

    def bump_number(self, name: str, at_least: int) -> None:
        """Make sure counter ``name`` never hands out ``at_least`` or anything below it."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value)",
                (name, at_least),
            )

    def is_empty(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None


def _load(text: str) -> Doc:
    doc: Doc = json.loads(text)
    return doc
