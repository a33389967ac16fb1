"""One transaction's story read from the store, Qt-free: its facts (card numbers redacted,
empty ones left out), its history in words, its raw record and what was posted."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.queries.transaction_detail import load_transaction_detail
from app.store import Store
from app.store.models import OutboxItem, PayTraceTransaction, RawRecord, TransactionEvent
from tests.gui.ui_seed import seed_store

CARD = "4111 1111 1111 1111"


def _a_sale(store: Store) -> int:
    with store.write() as s:
        txn = s.query(PayTraceTransaction).filter_by(transaction_type="SALE").first()
        assert txn is not None
        txn.description = f"paid with {CARD}"
        txn.email = ""
        txn.batch_number = None
        s.add(
            TransactionEvent(
                transaction_id=txn.transaction_id,
                at=datetime(2025, 3, 2, 10, 0),
                old_type="SALE",
                new_type="REFUND",
                old_hash="a",
                new_hash="b",
                changes={"amount": [1, 2], "billing_name": ["x", "y"]},
            )
        )
        raw = s.query(RawRecord).filter_by(source_id=str(txn.transaction_id)).one()
        raw.payload = {**raw.payload, "description": f"card {CARD}"}
        return txn.transaction_id


def test_the_story_of_one_transaction_in_words_without_a_card_number(tmp_path: Path) -> None:
    store = seed_store(tmp_path / "detail.db")
    transaction_id = _a_sale(store)
    detail = load_transaction_detail(store, transaction_id)
    assert detail is not None
    summary = dict(detail.summary)
    assert summary["PayTrace id"] == str(transaction_id) and summary["Type"] == "SALE"
    assert summary["Settled"] == "no" and "E-mail" not in summary  # empty facts left out
    assert CARD not in summary["Description"] and CARD not in detail.raw_json
    assert "1111" in summary["Description"]  # the last four stay readable
    first, changed = detail.history[0], detail.history[-1]
    assert first[1].startswith("first seen as ")
    assert changed[1] == "SALE → REFUND" and changed[2].count(",") == 1
    with store.read() as s:
        posted = s.query(OutboxItem).filter_by(transaction_id=transaction_id).count()
    assert len(detail.postings) == posted


def test_an_unknown_transaction_has_no_story(tmp_path: Path) -> None:
    assert load_transaction_detail(seed_store(tmp_path / "detail.db"), 999_999_999) is None
