"""Turning an outbox row into a dead letter: the row stops, and a visible Exceptions item
says why in plain words. Shared by the Sage Pro and the PayTrace outbox posters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.domain.states import OutboxStatus
from app.store.models import ExceptionItem, OutboxItem


def mark_dead(
    session: Session, item: OutboxItem, *, code: str, reason: str, title: str, now: datetime
) -> None:
    item.status = OutboxStatus.DEAD
    item.last_error = reason
    item.claimed_by = None
    session.add(
        ExceptionItem(
            category="dead_letter",
            reason_code=code[:40],
            title=title,
            detail=reason,
            payload=dict(item.payload),
            outbox_id=item.id,
            transaction_id=item.transaction_id,
            created_at=now,
        )
    )
