"""One transaction's story: status history, the raw record as fetched (redacted), the
mapping version used, and what was posted to Sage Pro. Qt-free."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.domain.display_time import show_date, show_time, to_local
from app.domain.money import display_money
from app.domain.pan import redact_card_numbers
from app.domain.words import field_words
from app.store import Store
from app.store.models import (
    MappingVersion,
    OutboxItem,
    PayTraceTransaction,
    RawRecord,
    TransactionEvent,
)


@dataclass(frozen=True)
class TransactionDetail:
    transaction_id: int
    summary: list[tuple[str, str]]
    history: list[tuple[datetime, str, str]]  # at, change, fields changed
    raw_json: str  # redacted, pretty
    mapping_version: str
    postings: list[tuple[str, str, str, str]]  # key, kind, status, remote id / error


def load_transaction_detail(
    store: Store, transaction_id: int, base_currency: str = "USD"
) -> TransactionDetail | None:
    with store.read() as s:
        txn = s.get(PayTraceTransaction, transaction_id)
        if txn is None:
            return None
        events = s.scalars(
            select(TransactionEvent)
            .where(TransactionEvent.transaction_id == transaction_id)
            .order_by(TransactionEvent.id)
        ).all()
        raw = s.scalar(
            select(RawRecord)
            .where(
                RawRecord.source == "paytrace.transaction",
                RawRecord.source_id == str(transaction_id),
            )
            .order_by(RawRecord.fetched_at.desc(), RawRecord.id.desc())
            .limit(1)
        )
        version_id = txn.mapping_version_id
        version = s.get(MappingVersion, version_id) if version_id else None
        posts = s.execute(
            select(
                OutboxItem.key,
                OutboxItem.kind,
                OutboxItem.status,
                OutboxItem.remote_id,
                OutboxItem.last_error,
                OutboxItem.posting_state,
            )
            .where(OutboxItem.transaction_id == transaction_id)
            .order_by(OutboxItem.sequence)
        ).all()
        return TransactionDetail(
            transaction_id=transaction_id,
            summary=[(k, redact_card_numbers(v)) for k, v in _summary(txn, base_currency) if v],
            history=[_history_line(e) for e in events],
            raw_json=redact_card_numbers(json.dumps(raw.payload, indent=2, default=str))
            if raw is not None
            else "(no raw record stored)",
            mapping_version=(
                f"v{version.version} by {version.author}, {show_date(to_local(version.created_at))}"
                if version
                else "not mapped yet"
            ),
            postings=[
                (k, kind, f"{st} ({state} in Sage Pro)" if state else st, rid or (err or ""))
                for k, kind, st, rid, err, state in posts
            ],
        )


def _summary(txn: PayTraceTransaction, base_currency: str) -> list[tuple[str, str]]:
    """The transaction's facts as labelled lines (empty ones are left out by the caller)."""
    card = "ACH" if txn.payment_method == "ACH" else f"{txn.card_brand} ··{txn.card_last4}"
    return [
        ("PayTrace id", str(txn.transaction_id)),
        ("Type", txn.transaction_type),
        ("Amount", display_money(txn.amount_cents, cents=True, base=base_currency)),
        # PayTrace's wall-clock time (the merchant's local time), in the one style.
        (
            "When (merchant)",
            f"{show_date(txn.created_local)} {show_time(txn.created_local)}"
            if txn.created_local
            else txn.created_text,
        ),
        ("Paid with", card.strip()),
        ("Billing name", txn.billing_name),
        ("E-mail", txn.email),
        ("Invoice ref", txn.invoice_ref),
        ("Customer ref", txn.customer_reference_id),
        ("Description", txn.description),
        (
            "Settled",
            f"{txn.settled_local} (batch {txn.batch_number})" if txn.batch_number else "no",
        ),
        ("Match status", txn.match_status),
    ]


def _history_line(event: TransactionEvent) -> tuple[datetime, str, str]:
    """When, what it became, and which fields changed."""
    return (
        event.at,
        f"{event.old_type} → {event.new_type}"
        if event.old_type
        else f"first seen as {event.new_type}",
        ", ".join(sorted(map(field_words, event.changes)))
        if isinstance(event.changes, dict)
        else "",
    )
