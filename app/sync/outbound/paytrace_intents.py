"""PayTrace intents: outbox rows with target ``paytrace`` that move money (Sage Pro →
PayTrace). Recorded here, in the caller's transaction, and committed before any call;
``paytrace_poster`` carries them out.

Payloads use PayTrace's field names. ``paytrace_sale``: customer_id (vault), amount,
invoice_id, description. ``paytrace_refund`` / ``paytrace_void``: transaction_id (the
sale), amount, sale_amount, invoice_id (as PayTrace has it), customer_id, card_last4,
known_refunds (refund ids that existed before, never taken for this one).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.domain.money import to_money
from app.domain.states import OutboxStatus
from app.store import audit
from app.store.models import OutboxItem

TARGET = "paytrace"
SALE, REFUND, VOID = "paytrace_sale", "paytrace_refund", "paytrace_void"
KINDS = (SALE, REFUND, VOID)
OPEN_STATES = ("pending", "in_flight")
FIRST_SENT = "first_sent_on"  # payload field: merchant-local day of the first send


def queue_intent(
    session: Session,
    *,
    key: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    user: str,
    ordering_key: str = "",
    transaction_id: int | None = None,
) -> OutboxItem:
    """Record one PayTrace intent in the caller's transaction (commit it before any call)."""
    if kind not in KINDS:
        raise ValueError(f"unknown PayTrace intent kind {kind!r}")
    item = OutboxItem(
        key=key,
        kind=kind,
        target=TARGET,
        payload=payload,
        status=OutboxStatus.PENDING,
        sequence=int(now.replace(tzinfo=UTC).timestamp() * 1000),
        ordering_key=ordering_key,
        attempts=0,
        next_attempt_at=now,
        transaction_id=transaction_id,
        created_at=now,
    )
    session.add(item)
    session.flush()
    audit.record(
        session, "queue_intent", "outbox", key, actor=user, after={"kind": kind, **payload}
    )
    return item


def amount_text(value: Decimal) -> str:
    return f"{to_money(value):.2f}"
