"""The bridge's own SQLite file of staged postings: payments, credit memos and reversals
waiting to be entered in Sage Pro, plus the invoice and customer fields Sage Pro has no
column for. Never a Sage Pro file; ``staging`` reads and writes it."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from app.bridge.company import Record
from app.sandbox.sagepro.store import fold

_SCHEMA = """
CREATE TABLE IF NOT EXISTS staged (
    kind TEXT NOT NULL,               -- 'payment', 'creditmemo' or 'reversal'
    reference_key TEXT NOT NULL,      -- the app's key, folded
    token TEXT NOT NULL,
    record TEXT NOT NULL,             -- the contract record as answered (JSON)
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, reference_key)
);
-- PaymentStatus (Failed/Refunded) and DueDate set by the app: Sage Pro has no field for them
-- (bridge doc §3.5), so they stay here, and PaymentStatus holds until money moves on the
-- invoice (AmountPaid differs from amount_paid_at).
CREATE TABLE IF NOT EXISTS customer_vault (
    customer_key TEXT PRIMARY KEY,
    paytrace_customer_id TEXT NOT NULL,
    card_last4 TEXT NOT NULL,
    card_expiry TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS invoice_marks (
    invoice_key TEXT PRIMARY KEY,
    payment_status TEXT,
    due_date TEXT,
    amount_paid_at TEXT NOT NULL
);
"""
PAYMENT, CREDIT_MEMO, REVERSAL = "payment", "creditmemo", "reversal"  # staged postings


class StagedStore:
    """The bridge's own SQLite file of staged postings (never a Sage Pro file)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def add(
        self, reference: str, token: str, record: Record, created: datetime, kind: str = PAYMENT
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO staged (kind, reference_key, token, record, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (kind, fold(reference), token, json.dumps(record), created.isoformat()),
            )

    def all(self, kind: str = PAYMENT) -> list[tuple[str, Record, datetime]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT token, record, created_at FROM staged WHERE kind = ?"
                " ORDER BY created_at, reference_key",
                (kind,),
            ).fetchall()
        return [(r[0], json.loads(r[1]), datetime.fromisoformat(r[2])) for r in rows]

    def mark_invoice(
        self, invoice_id: str, payment_status: str | None, due_date: str | None, amount_paid: str
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO invoice_marks (invoice_key, payment_status, due_date, amount_paid_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (invoice_key) DO UPDATE SET"
                " payment_status = COALESCE(excluded.payment_status, payment_status),"
                " due_date = COALESCE(excluded.due_date, due_date),"
                " amount_paid_at = excluded.amount_paid_at",
                (fold(invoice_id), payment_status, due_date, amount_paid),
            )

    def set_vault(self, customer_id: str, vault: tuple[str, str, str]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO customer_vault VALUES (?, ?, ?, ?)",
                (fold(customer_id), *vault),
            )

    def vaults(self) -> dict[str, tuple[str, str, str]]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM customer_vault").fetchall()
        return {row[0]: (row[1], row[2], row[3]) for row in rows}

    def invoice_marks(self) -> dict[str, tuple[str | None, str | None, str]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT invoice_key, payment_status, due_date, amount_paid_at FROM invoice_marks"
            ).fetchall()
        return {row[0]: (row[1], row[2], row[3]) for row in rows}

    def close(self) -> None:
        self._db.close()
