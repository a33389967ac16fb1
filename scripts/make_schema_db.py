"""Make the small SQLite database a released schema revision leaves behind, for the upgrade
tests in tests/test_schema_upgrade_files (see tests/data/schema/README.md).

    uv run python scripts/make_schema_db.py 0007            # -> tests/data/schema/0007.sqlite
    uv run python scripts/make_schema_db.py 0007 --out x.sqlite

The script upgrades an empty file to exactly that revision, then reads the tables that
revision has (not today's models, which may have moved on) and inserts a few rows into every
one of them: parents before children, foreign keys pointing at real rows, states taken from
the values the app writes, and audit events through the app's own hash chain.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, Numeric, String, Table
from sqlalchemy.engine import Connection

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.store import audit  # noqa: E402 - after the path setup above
from app.store.database import Store, sqlite_url  # noqa: E402
from app.store.migrate import all_revisions, current_revision, upgrade  # noqa: E402

SCHEMA_DIR = ROOT / "tests" / "data" / "schema"
ROWS_PER_TABLE = 3

# Values the app really writes, so a later CHECK constraint or state machine accepts them;
# rows cycle through them.
KNOWN_VALUES: dict[str, tuple[object, ...]] = {
    "transactions.match_status": ("unmatched", "proposed", "posted"),
    "transactions.transaction_type": ("SALE", "REFUND", "VOID"),
    "sync_runs.status": ("ok", "failed", "cancelled"),
    "settlement_batches.status": ("new", "queued", "posted"),
    "sagepro_customers.status": ("Active", "Active", "Inactive"),
    "sagepro_invoices.status": ("Open", "Paid", "Open"),
    "sagepro_invoices.payment_status": ("Unpaid", "Paid", "Partial"),
    "proposals.status": ("review", "approved", "posted"),
    "proposals.kind": ("payment", "refund", "decline"),
    "sync_runs.trigger": ("schedule", "manual", "cli"),
    "raw_records.source": ("paytrace.transaction", "paytrace.batch", "paytrace.customer"),
    "transactions.payment_method": ("CC", "ACH", "CC"),
    "outbox.target": ("sagepro", "sagepro", "paytrace"),
    "outbox.status": ("pending", "posted", "dead"),
    "outbox.kind": ("payment", "refund", "reversal"),
    "outbox.key": ("PT-1-PAY", "PT-2-REFUND", "PT-3-REVERSAL"),
    "transactions.card_last4": ("4242", "1111", "0005"),
    "customer_profiles.card_last4": ("4242", "1111", "0005"),
    "outbox.posting_state": (None, "Posted", "Staged"),
    "exception_items.status": ("open", "resolved", "discarded"),
    "recurring_schedules.status": ("active", "creating", "unknown"),
    "sagepro_orders.status": ("Open", "Shipped", "Open"),
    "sagepro_orders.payment_status": ("Unpaid", "Paid", "Failed"),
}


def _generic_value(column: Any, index: int) -> object:
    """A plausible value by type: cents as integers, dates in January 2026, short text."""
    kind = column.type
    if isinstance(kind, Boolean):
        return index % 2 == 0
    if isinstance(kind, DateTime):
        return datetime(2026, 1, index, 12, 30, index)
    if isinstance(kind, Date):
        return date(2026, 1, index)
    if isinstance(kind, Integer):
        return 12_345 * index if column.name.endswith("_cents") else index
    if isinstance(kind, Numeric):
        return f"{index}.25"
    if type(kind).__name__ == "JSON":
        return {"row": index, "amount_cents": 12_345 * index}
    text = f"{column.name[:6]}-{index}"
    length = getattr(kind, "length", None) if isinstance(kind, String) else None
    return text[-length:] if length else text


def _row(table: Table, index: int, parents: dict[str, list[dict[str, object]]]) -> dict:
    row: dict[str, object] = {}
    for column in table.columns:
        known = KNOWN_VALUES.get(f"{table.name}.{column.name}")
        foreign = next(iter(column.foreign_keys), None)
        if foreign is not None and foreign.column.table.name in parents:
            parent_rows = parents[foreign.column.table.name]
            row[column.name] = parent_rows[(index - 1) % len(parent_rows)][foreign.column.name]
        elif known is not None:
            row[column.name] = known[(index - 1) % len(known)]
        else:
            row[column.name] = _generic_value(column, index)
    return row


def fill_every_table(connection: Connection) -> dict[str, int]:
    """Rows in every table of the revision in the file (parents first); count per table."""
    metadata = MetaData()
    metadata.reflect(connection)
    inserted: dict[str, list[dict[str, object]]] = {}
    for table in metadata.sorted_tables:
        if table.name in ("alembic_version", "audit_events"):
            continue  # the version is Alembic's; the audit chain is written by the app below
        rows = [_row(table, index, inserted) for index in range(1, ROWS_PER_TABLE + 1)]
        connection.execute(table.insert(), rows)
        inserted[table.name] = rows
    return {name: len(rows) for name, rows in inserted.items()}


def make_schema_db(revision: str, out: Path) -> dict[str, int]:
    if revision not in all_revisions():
        raise SystemExit(f"No migration has revision {revision!r}: {', '.join(all_revisions())}")
    out.unlink(missing_ok=True)
    store = Store(sqlite_url(out))
    try:
        upgrade(store.writer, revision)
        assert current_revision(store.writer) == revision
        with store.writer.begin() as connection:
            counts = fill_every_table(connection)
        with store.write() as session:
            for index in range(1, ROWS_PER_TABLE + 1):
                after = {"status": "approved", "amount_cents": 12_345 * index}
                audit.record(
                    session, "approve", "proposal", index, actor="schema-fixture", after=after
                )
        counts["audit_events"] = ROWS_PER_TABLE
    finally:
        store.dispose()
    _compact(out)
    return counts


def _compact(path: Path) -> None:
    """One self-contained small file: WAL folded in, free pages dropped."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("PRAGMA page_size=1024")  # ~60 tables and indexes, a page each
        connection.execute("VACUUM")
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="Alembic revision id, e.g. 0006")
    parser.add_argument("--out", type=Path, help="default: tests/data/schema/<revision>.sqlite")
    args = parser.parse_args()
    out = args.out or SCHEMA_DIR / f"{args.revision}.sqlite"
    out.parent.mkdir(parents=True, exist_ok=True)
    counts = make_schema_db(args.revision, out)
    print(f"{out}: revision {args.revision}, {sum(counts.values())} rows in {len(counts)} tables")
    print(f"size {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
