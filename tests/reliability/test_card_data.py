"""Card data is never stored (DESIGN §3): after a full demo sync with test card numbers
planted in PayTrace's descriptions, references, billing names and discretionary data, no
card number is found in the database file, its WAL, the logs, the exports (CSV and xlsx),
the settings, a crash report — nor in anything the app sent to Sage Pro. And no column of
the migrated schema could hold a card security code, track or PIN data.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from app.config import database_path
from app.demo import demo_environment
from app.log import setup_logging
from app.queries.export_view import export_view
from app.queries.sql_query import Column, QuerySpec
from app.sandbox.paytrace import PayTraceStandIn
from app.sandbox.sagepro.books import (
    CREDIT_MEMOS,
    CUSTOMERS,
    INVOICES,
    JOURNAL_ENTRIES,
    ORDERS,
    PAYMENTS,
)
from app.store import Store, open_store
from app.store.models import PayTraceTransaction
from app.sync.cycle import build_context, run_cycle
from tests.support.reliability_env import TODAY
from tests.support.reliability_payloads import CARD_NUMBERS
from tests.support.reliability_scan import card_number_hits, files_under

FORMATS = (
    lambda n: n,
    lambda n: " ".join(n[i : i + 4] for i in range(0, len(n), 4)),
    lambda n: "-".join(n[i : i + 4] for i in range(0, len(n), 4)),
)


def plant_card_numbers(paytrace: PayTraceStandIn, every: int = 5) -> int:
    """Card numbers typed where a payer or clerk could type them (test-only edits of the
    stand-in's rows); returns how many rows carry one."""
    planted = 0
    rows = sorted(paytrace.store.transactions.values(), key=lambda t: t.transaction_id)
    for index, txn in enumerate(rows[::every]):
        number = CARD_NUMBERS[index % len(CARD_NUMBERS)]
        shown = FORMATS[index % len(FORMATS)](number)
        txn.description = f"{txn.description} paid with card {shown}, thanks".strip()
        txn.discretionary_data = {
            **txn.discretionary_data,
            "Note": f"cc {shown} exp 12/27",
            "Card": number,
            "CardDigits": int(number),  # a JSON number spelling the card
        }
        if index % 3 == 0:
            txn.customer_reference_id = f"PO / {shown}"
        if index % 4 == 0:
            txn.billing = {**txn.billing, "name": f"{txn.billing.get('name', '')} {number}"}
        planted += 1
    return planted


def export_everything(store: Store, folder: Path) -> list[Path]:
    """What the Export… buttons would write, for the grids' tables, as CSV and xlsx."""
    table = PayTraceTransaction.__table__
    columns = [Column(c.name, c.name, c) for c in table.columns]
    spec = QuerySpec(columns=columns, source=table, key=table.c.transaction_id)
    paths = [folder / "transactions.csv", folder / "transactions.xlsx"]
    for path in paths:
        assert export_view(store, spec, len(columns), path) > 0
    return paths


def write_crash_report() -> None:
    from app.ui.crash import handle_exception

    number = CARD_NUMBERS[0]
    try:
        raise RuntimeError(f"could not read the row with card {number} in its description")
    except RuntimeError as exc:
        handle_exception(type(exc), exc, exc.__traceback__)


def sagepro_texts(books) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    import json

    kinds = (PAYMENTS, CREDIT_MEMOS, JOURNAL_ENTRIES, ORDERS, INVOICES, CUSTOMERS)
    return [(f"sagepro:{kind}", json.dumps(books.store.all(kind))) for kind in kinds]


def test_no_card_number_anywhere_after_a_full_demo_sync(tmp_path: Path):
    with demo_environment(1, today=TODAY) as demo:
        planted = plant_card_numbers(demo.paytrace.app)  # type: ignore[arg-type]
        logs = setup_logging(logging.DEBUG, directory=demo.home / "logs").parent
        store = open_store(database_path(demo.profile.name))
        try:
            ctx = build_context(demo.profile, store)
            ctx.today = lambda: TODAY
            result = run_cycle(ctx, since=TODAY - timedelta(days=31), auto_approve=True)
            assert result.posted > 100, result.notes
            exports = export_everything(store, demo.home)
            write_crash_report()
            for handler in logging.getLogger().handlers:
                handler.flush()
            files = files_under(demo.home, logs)
            assert any(p.name.endswith("-wal") for p in files), "the WAL must be scanned too"
            assert all(p in files for p in exports)
            hits = card_number_hits(files, sagepro_texts(demo.sagepro.app.books))  # type: ignore[attr-defined]
        finally:
            store.dispose()
            setup_logging(directory=tmp_path / "logs")  # let go of the demo folder's log
    print(f"\ncard-number scan: rows planted={planted} files scanned={len(files)} hits={len(hits)}")
    assert planted >= 50
    assert [str(h) for h in hits] == []


# -- the schema ---------------------------------------------------------------------------
# (tests/unit/test_store_database.py checks the ORM models; this checks the migrated file.)

FORBIDDEN_WORDS = {
    "cvv",
    "cvv2",
    "cvc",
    "cvc2",
    "csc",
    "cid",
    "cav2",
    "track",
    "track1",
    "track2",
    "magstripe",
    "pin",
    "pinblock",
    "pan",
    "cardnumber",
    "securitycode",
}
FORBIDDEN_PAIRS = {("card", "number"), ("security", "code"), ("full", "number"),
                   ("account", "number"), ("card", "code")}  # fmt: skip


def card_security_columns(db_path: Path) -> list[str]:
    connection = sqlite3.connect(db_path)
    try:
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        found = []
        for table in tables:
            for column in connection.execute(f'PRAGMA table_info("{table}")'):
                words = column[1].lower().split("_")
                pairs = set(itertools.pairwise(words))
                if FORBIDDEN_WORDS & set(words) or FORBIDDEN_PAIRS & pairs:
                    found.append(f"{table}.{column[1]}")
        return found
    finally:
        connection.close()


def test_no_column_of_the_migrated_schema_can_hold_card_security_data(tmp_path: Path):
    db = tmp_path / "paysage.db"
    open_store(db).dispose()
    assert card_security_columns(db) == []


@pytest.mark.parametrize("column", ["card_cvv", "track2_data", "pin", "card_number", "cvc"])
def test_the_schema_check_would_see_such_a_column(tmp_path: Path, column: str):
    db = tmp_path / "paysage.db"
    open_store(db).dispose()
    with sqlite3.connect(db) as connection:
        connection.execute(f"ALTER TABLE transactions ADD COLUMN {column} TEXT")
    assert card_security_columns(db) == [f"transactions.{column}"]
