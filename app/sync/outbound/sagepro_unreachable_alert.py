"""The one alert the Sage Pro poster raises when Sage Pro cannot be reached: a single open
item while posting is paused (instead of one error per row), closed when Sage Pro answers
again. ``alerts`` reads it back for the desktop app and its Retry action."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from app.domain.states import ExceptionStatus, check_moves
from app.store import Store, audit
from app.store.models import ExceptionItem

ALERT_CODE = "sagepro_unreachable"


def raise_unreachable_alert(store: Store, reason: str, *, worker: str, now: datetime) -> None:
    """Open the alert unless one is open already."""
    with store.write() as session:
        exists = session.execute(
            select(ExceptionItem.id).where(
                ExceptionItem.category == "alert",
                ExceptionItem.reason_code == ALERT_CODE,
                ExceptionItem.status == ExceptionStatus.OPEN,
            )
        ).first()
        if exists:
            return
        session.add(
            ExceptionItem(
                category="alert",
                reason_code=ALERT_CODE,
                title="Sage Pro cannot be reached: posting is paused",
                detail=f"{reason}. Nothing was lost: every approved item waits in the outbox "
                "and is posted when Sage Pro answers again.",
                created_at=now,
            )
        )
        audit.record(
            session,
            "posting_paused",
            "alert",
            ALERT_CODE,
            actor=worker,
            after={"reason": reason},
        )


def clear_unreachable_alert(store: Store, *, worker: str, now: datetime) -> None:
    check_moves(ExceptionStatus, [ExceptionStatus.OPEN], ExceptionStatus.RESOLVED)
    with store.write() as session:
        session.execute(
            update(ExceptionItem)
            .where(
                ExceptionItem.category == "alert",
                ExceptionItem.reason_code == ALERT_CODE,
                ExceptionItem.status == ExceptionStatus.OPEN,
            )
            .values(
                status=ExceptionStatus.RESOLVED,
                resolved_at=now,
                resolved_by=worker,
                resolution_note="Sage Pro answered again; posting resumed.",
            )
        )
