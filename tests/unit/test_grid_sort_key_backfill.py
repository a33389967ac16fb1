"""Revision 0011 fills the grid's sort keys of the proposals a store already has, with the
same values the store computes for new writes (app/store/grid_sort_keys.py)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, select

from app.store.database import sqlite_url
from app.store.grid_sort_keys import card_key, customer_key, search_key
from app.store.migrate import upgrade
from app.store.models import Proposal

BEFORE = Path(__file__).resolve().parents[1] / "data" / "schema" / "0010_status_checks.sqlite"


def _arrange(path: Path) -> None:
    """Every branch of both keys, in the old schema: a Sage Pro name, a billing name, the
    bare id; a card, ACH, a method without a card."""
    with sqlite3.connect(path) as con:
        ids = [r[0] for r in con.execute("SELECT id FROM proposals ORDER BY id")]
        tx = [r[0] for r in con.execute("SELECT transaction_id FROM proposals ORDER BY id")]
        customer = con.execute("SELECT customer_id FROM sagepro_customers LIMIT 1").fetchone()[0]
        con.execute("UPDATE proposals SET customer_id = ? WHERE id = ?", (customer, ids[0]))
        con.execute("UPDATE proposals SET customer_id = 'NOBODY' WHERE id IN (?, ?)", ids[1:])
        con.execute("UPDATE transactions SET billing_name = 'Billed As' WHERE 1")
        con.execute("UPDATE transactions SET billing_name = '' WHERE transaction_id = ?", tx[2:])
        con.execute(
            "UPDATE transactions SET payment_method = 'CC', card_brand = 'Visa', "
            "card_last4 = '1111' WHERE transaction_id = ?",
            tx[:1],
        )
        con.execute(
            "UPDATE transactions SET payment_method = 'ACH' WHERE transaction_id = ?", tx[1:2]
        )
        con.execute(
            "UPDATE transactions SET payment_method = 'CC', card_last4 = '' "
            "WHERE transaction_id = ?",
            tx[2:],
        )


def test_upgrade_fills_each_proposals_keys_as_the_store_computes_them(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    shutil.copy(BEFORE, path)
    _arrange(path)
    engine = create_engine(sqlite_url(path))
    try:
        upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                select(
                    Proposal.customer_sort_key,
                    customer_key(),
                    Proposal.card_sort_key,
                    card_key(),
                    Proposal.search_text,
                    search_key(),
                ).order_by(Proposal.id)
            ).all()
    finally:
        engine.dispose()
    stored = [(r[0], r[2]) for r in rows]
    assert [(r[1], r[3]) for r in rows] == stored  # as the store computes them
    assert [r[4] for r in rows] == [r[5] for r in rows]
    assert rows[1][4].startswith("Billed As\nBilled As\n")
    assert stored[1:] == [("Billed As", "ACH"), ("NOBODY", "CC")]
    assert stored[0][0] not in ("", "Billed As") and stored[0][1] == "Visa ··1111"
