"""Upsert by id, raw versions, status history, and reactions to changes."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.connectors.paytrace.parse_transactions import ParsedRecord
from app.domain.records import ParseError, PaymentMethod, Transaction, TransactionType
from app.store import open_store
from app.store.models import (
    ExceptionItem,
    OutboxItem,
    PayTraceTransaction,
    Proposal,
    RawRecord,
    TransactionEvent,
)
from app.store.state_guard import arranged_states
from app.sync.inbound.ingest import ingest_transactions

NOW = datetime(2026, 11, 25, 12, 0)


def tx(tid: int, **changes: object) -> ParsedRecord:
    base = Transaction(
        transaction_id=tid,
        transaction_type=TransactionType.SALE,
        amount=Decimal("110.00"),
        created_local=datetime(2026, 11, 24, 16, 6, 30),
        created_text="11/24/2026 4:06:30 PM",
        payment_method=PaymentMethod.CARD,
        invoice_id="104512",
        card_last4="5439",
    )
    t = dataclasses.replace(base, **changes)  # type: ignore[arg-type]
    raw = {
        "transaction_id": tid,
        "transaction_type": t.transaction_type.value,
        "amount": str(t.amount),
        "settled": str(t.settled_local or ""),
    }
    return ParsedRecord(t, raw)


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path / "i.db")
    yield s
    s.dispose()


def count(session, model, *where) -> int:  # type: ignore[no-untyped-def]
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_same_window_twice_changes_nothing(store):
    records = [tx(i) for i in range(1, 51)]
    with store.write() as session:
        first = ingest_transactions(session, records, now=NOW)
    with store.write() as session:
        second = ingest_transactions(session, records, now=NOW)
    assert (first.new, first.changed) == (50, 0)
    assert (second.new, second.changed, second.unchanged) == (0, 0, 50)
    with store.read() as session:
        assert count(session, PayTraceTransaction) == 50
        assert count(session, RawRecord) == 50
        assert count(session, TransactionEvent) == 50


def test_change_is_recorded_with_history_and_raw_version(store):
    with store.write() as session:
        ingest_transactions(session, [tx(7)], now=NOW)
    settled = tx(7, settled_local=datetime(2026, 11, 24, 20, 13), batch_number=4)
    with store.write() as session:
        counts = ingest_transactions(session, [settled], now=NOW)
    assert counts.changed == 1
    with store.read() as session:
        row = session.get(PayTraceTransaction, 7)
        assert row.batch_number == 4 and row.match_status == "unmatched"
        assert count(session, RawRecord, RawRecord.source_id == "7") == 2
        events = (
            session.execute(select(TransactionEvent).order_by(TransactionEvent.id)).scalars().all()
        )
        assert events[-1].changes["batch_number"] == [None, 4]
        assert count(session, ExceptionItem) == 0  # settlement alone is not a problem


def test_void_after_posting_raises_changed_after_posting_item(store):
    with store.write() as session:
        ingest_transactions(session, [tx(9)], now=NOW)
        with arranged_states():  # a scene, not a move the app makes
            session.get(PayTraceTransaction, 9).match_status = "posted"
    with store.write() as session:
        counts = ingest_transactions(
            session, [tx(9, transaction_type=TransactionType.VOID)], now=NOW
        )
    assert counts.changed_after_posting == 1
    with store.read() as session:
        assert session.get(PayTraceTransaction, 9).match_status == "changed_after_posting"
        item = session.execute(select(ExceptionItem)).scalar_one()
        assert item.category == "changed_after_posting" and item.reason_code == "became_void"
        assert "SALE" in item.detail and "VOID" in item.detail


def test_void_before_posting_withdraws_the_pending_outbox_row(store):
    with store.write() as session:
        ingest_transactions(session, [tx(11)], now=NOW)
        with arranged_states():  # a scene, not a move the app makes
            session.get(PayTraceTransaction, 11).match_status = "approved"
        proposal = Proposal(
            transaction_id=11,
            kind="payment",
            status="approved",
            rule="hard_key",
            confidence=100,
            reason="x",
            created_at=NOW,
        )
        session.add(proposal)
        session.flush()
        session.add(
            OutboxItem(
                key="PT-11-PAY",
                kind="payment",
                payload={},
                status="pending",
                sequence=1,
                transaction_id=11,
                proposal_id=proposal.id,
                created_at=NOW,
            )
        )
    with store.write() as session:
        ingest_transactions(session, [tx(11, transaction_type=TransactionType.VOID)], now=NOW)
    with store.read() as session:
        assert session.get(PayTraceTransaction, 11).match_status == "unmatched"
        assert session.execute(select(OutboxItem.status)).scalar_one() == "discarded"
        assert session.execute(select(Proposal.status)).scalar_one() == "superseded"


def test_parse_errors_wait_in_the_queue_once(store):
    error = ParseError("123", "amount", "not an amount: 'abc'", {"transaction_id": 123})
    for _ in range(2):
        with store.write() as session:
            counts = ingest_transactions(session, [tx(1)], [error], now=NOW)
    assert counts.parse_errors == 1 and counts.fetched == 2
    with store.read() as session:
        item = session.execute(select(ExceptionItem)).scalar_one()
    assert item.category == "parse_error" and "'amount'" in item.detail
    assert "123" in item.title


def test_an_id_learnt_to_be_declined_withdraws_what_was_not_posted(store):
    """Same row bytes, now listed by the DECLINED filter: a change, not "unchanged"."""
    first = tx(42)
    with store.write() as s:
        ingest_transactions(s, [first], now=NOW)
        s.add(Proposal(transaction_id=42, kind="payment", status="approved", rule="r",
                       confidence=99, reason="", score_parts={}, candidates=[], customer_id="",
                       on_account_cents=0, details={}, created_at=NOW))  # fmt: skip
        with arranged_states():  # a scene, not a move the app makes
            s.get(PayTraceTransaction, 42).match_status = "approved"  # type: ignore[union-attr]
        dead = OutboxItem(key="PT-42-PAY", kind="payment", payload={}, status="dead",
                          sequence=1, transaction_id=42, created_at=NOW)  # fmt: skip
        s.add(dead)
        s.flush()
        # The dead letter as the poster leaves it (mark_dead): status "dead" + an open item.
        s.add(ExceptionItem(category="dead_letter", reason_code="period_closed", title="t",
                            detail="", payload={}, outbox_id=dead.id, transaction_id=42,
                            created_at=NOW))  # fmt: skip
    declined = dataclasses.replace(
        first,
        transaction=dataclasses.replace(
            first.transaction, transaction_type=TransactionType.DECLINED
        ),
        provenance="listed by PayTrace's DECLINED export",
    )
    with store.write() as s:
        counts = ingest_transactions(s, [declined], now=NOW)
        assert counts.changed == 1
        row = s.get(PayTraceTransaction, 42)
        assert row.transaction_type == "DECLINED" and row.match_status == "unmatched"
        assert count(s, Proposal, Proposal.status == "superseded") == 1
        # Its dead letter no longer offers a Retry; no other item is raised.
        assert count(s, ExceptionItem, ExceptionItem.status == "open") == 0
        assert count(s, ExceptionItem, ExceptionItem.status == "discarded") == 1
        # Not even a dead letter of it may be retried into the books.
        assert s.scalar(select(OutboxItem.status).where(OutboxItem.key == "PT-42-PAY")) == (
            "discarded"
        )
    with store.write() as s:  # the next poll sees the same thing: nothing more happens
        assert ingest_transactions(s, [declined], now=NOW).unchanged == 1


def test_a_decline_learnt_after_posting_is_flagged_not_rewritten(store):
    first = tx(43)
    with store.write() as s:
        ingest_transactions(s, [first], now=NOW)
        with arranged_states():  # a scene, not a move the app makes
            s.get(PayTraceTransaction, 43).match_status = "posted"  # type: ignore[union-attr]
    declined = dataclasses.replace(
        first,
        transaction=dataclasses.replace(
            first.transaction, transaction_type=TransactionType.DECLINED
        ),
        provenance="listed by PayTrace's DECLINED export",
    )
    with store.write() as s:
        counts = ingest_transactions(s, [declined], now=NOW)
        assert counts.changed_after_posting == 1
        (item,) = s.execute(select(ExceptionItem)).scalars()
        assert item.reason_code == "became_declined" and item.status == "open"
        assert "declined but posted as paid" in item.title
        assert "approve the payment reversal waiting in Reconciliation" in item.detail
