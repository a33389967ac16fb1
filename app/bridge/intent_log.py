"""The bridge's durable journal of GL writes (its own SQLite file, never a Sage Pro file).

Before the first engine write the intent is ``writing``, with the key and token; the batch
and sequence numbers are added once taken; ``written`` after the batch row is in. A crash
between tables leaves ``writing``: the next attempt (or the start-up recovery) finds the
token in GLBTCH (done) or cleans the orphan rows and writes again. The token in Sage Pro
stays the truth; this log is what lets the bridge notice a *missing* one (a restored
backup) and raise an alert instead of posting again.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.sandbox.sagepro.store import fold

WRITING, WRITTEN = "writing", "written"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal_intents (
    reference_key TEXT PRIMARY KEY,   -- the app's key, folded
    reference TEXT NOT NULL,          -- as the app sent it
    token TEXT NOT NULL,              -- what BREF and GLREFR carry
    payload_hash TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('writing', 'written')),
    batch_number TEXT NOT NULL DEFAULT '',
    sequence_number TEXT NOT NULL DEFAULT '',
    alert TEXT NOT NULL DEFAULT '',   -- non-empty: needs a person (token gone from Sage Pro)
    updated_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class JournalIntent:
    reference: str
    token: str
    payload_hash: str
    state: str
    batch_number: str
    sequence_number: str
    alert: str


class JournalIntentLog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA synchronous=FULL")  # the log must survive a power cut
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def get(self, reference: str) -> JournalIntent | None:
        rows = self._select("WHERE reference_key = ?", (fold(reference),))
        return rows[0] if rows else None

    def by_token(self, token: str) -> JournalIntent | None:
        rows = self._select("WHERE token = ?", (fold(token),))
        return rows[0] if rows else None

    def all(self) -> list[JournalIntent]:
        return self._select("", ())

    def unfinished(self) -> list[JournalIntent]:
        return self._select("WHERE state = 'writing'", ())

    def alerts(self) -> list[JournalIntent]:
        return self._select("WHERE alert != ''", ())

    def begin(self, reference: str, token: str, payload_hash: str) -> None:
        """``writing``; numbers taken by an earlier attempt are kept for reuse."""
        self._execute(
            "INSERT INTO journal_intents (reference_key, reference, token, payload_hash, state,"
            " updated_at) VALUES (?, ?, ?, ?, 'writing', ?) ON CONFLICT (reference_key) DO "
            "UPDATE SET token = excluded.token, payload_hash = excluded.payload_hash, "
            "state = 'writing', updated_at = excluded.updated_at",
            (fold(reference), reference, token, payload_hash, _now()),
        )

    def numbers_taken(self, reference: str, batch_number: str, sequence_number: str) -> None:
        self._execute(
            "UPDATE journal_intents SET batch_number = ?, sequence_number = ?, updated_at = ? "
            "WHERE reference_key = ?",
            (batch_number, sequence_number, _now(), fold(reference)),
        )

    def written(self, reference: str, batch_number: str) -> None:
        self._execute(
            "UPDATE journal_intents SET state = 'written', batch_number = ?, alert = '', "
            "updated_at = ? WHERE reference_key = ?",
            (batch_number, _now(), fold(reference)),
        )

    def raise_alert(self, reference: str, why: str) -> None:
        self._execute(
            "UPDATE journal_intents SET alert = ?, updated_at = ? WHERE reference_key = ?",
            (why, _now(), fold(reference)),
        )

    def close(self) -> None:
        self._db.close()

    def _execute(self, sql: str, params: tuple[str, ...]) -> None:
        with self._lock:
            self._db.execute(sql, params)

    def _select(self, where: str, params: tuple[str, ...]) -> list[JournalIntent]:
        with self._lock:
            rows = self._db.execute(
                "SELECT reference, token, payload_hash, state, batch_number, sequence_number, "
                f"alert FROM journal_intents {where} ORDER BY updated_at, reference_key",
                params,
            ).fetchall()
        return [JournalIntent(*row) for row in rows]


def _now() -> str:
    return datetime.now(UTC).isoformat()
