"""The Exceptions page's actions on the visible queue (dead letters, changed-after-posting,
parse errors, alerts). Nothing here is ever deleted: items are resolved or discarded with
who, when and why, and each action writes an audit event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain.pan import contains_card_number
from app.domain.states import OutboxStatus
from app.store import Store, audit
from app.store.models import ExceptionItem, OutboxItem


class QueueError(Exception):
    """An action on the exceptions queue that cannot be done; says why in plain words."""


def _open_item(session: Session, item_id: int) -> ExceptionItem:
    item = session.get(ExceptionItem, item_id)
    if item is None:
        raise QueueError(f"Exceptions item {item_id} no longer exists.")
    if item.status != "open":
        raise QueueError(f"This item is already {item.status}.")
    return item


def _close(item: ExceptionItem, status: str, user: str, note: str) -> None:
    item.status = status
    item.resolved_at = utcnow()
    item.resolved_by = user
    item.resolution_note = note


def _requeue(session: Session, item: ExceptionItem, user: str) -> str:
    if item.outbox_id is None:
        raise QueueError("Only items about a Sage Pro posting can be retried.")
    outbox = session.get(OutboxItem, item.outbox_id)
    if outbox is None or outbox.status not in ("dead", "pending"):
        raise QueueError("Its posting is no longer waiting to be retried.")
    outbox.status = OutboxStatus.PENDING
    outbox.attempts = 0
    outbox.next_attempt_at = utcnow()
    _close(item, "resolved", user, "Retried: queued for posting again.")
    audit.record(
        session,
        "retry",
        "outbox",
        outbox.key,
        actor=user,
        before={"status": "dead"},
        after={"status": "pending"},
    )
    return outbox.key


def retry_item(store: Store, item_id: int, *, user: str) -> None:
    """Queue the dead posting again; the poster looks its key up before sending."""
    with store.write() as session:
        _requeue(session, _open_item(session, item_id), user)


def retry_group(store: Store, reason_code: str, *, user: str) -> int:
    with store.write() as session:
        items = (
            session.execute(
                select(ExceptionItem).where(
                    ExceptionItem.status == "open",
                    ExceptionItem.reason_code == reason_code,
                    ExceptionItem.outbox_id.is_not(None),
                )
            )
            .scalars()
            .all()
        )
        for item in items:
            _requeue(session, item, user)
        return len(items)


def resolve_item(store: Store, item_id: int, *, user: str, note: str) -> None:
    """Done by hand in Sage Pro: the posting is marked resolved and never sent."""
    if not note.strip():
        raise QueueError("Write a short note saying what was done by hand.")
    with store.write() as session:
        item = _open_item(session, item_id)
        _close(item, "resolved", user, note)
        if item.outbox_id is not None:
            outbox = session.get(OutboxItem, item.outbox_id)
            if outbox is not None and outbox.status == "dead":
                outbox.status = OutboxStatus.RESOLVED
        audit.record(
            session, "resolve", "exception_item", item_id, actor=user, after={"note": note}
        )


def discard_item(store: Store, item_id: int, *, user: str, reason: str) -> None:
    if not reason.strip():
        raise QueueError("Say why this item is discarded.")
    with store.write() as session:
        item = _open_item(session, item_id)
        _close(item, "discarded", user, reason)
        if item.outbox_id is not None:
            outbox = session.get(OutboxItem, item.outbox_id)
            if outbox is not None and outbox.status in ("dead", "pending"):
                outbox.status = OutboxStatus.DISCARDED
                outbox.last_error = f"Discarded by {user}: {reason}"
        audit.record(
            session, "discard", "exception_item", item_id, actor=user, after={"reason": reason}
        )


def edit_payload(store: Store, item_id: int, payload: dict[str, Any], *, user: str) -> None:
    """Correct a dead posting's payload (its key stays: that keeps it exactly-once)."""
    if contains_card_number(str(payload)):
        raise QueueError("The payload contains a card number; remove it.")
    with store.write() as session:
        item = _open_item(session, item_id)
        if item.outbox_id is None:
            raise QueueError("Only items about a Sage Pro posting have a payload to edit.")
        outbox = session.get(OutboxItem, item.outbox_id)
        if outbox is None or outbox.status != "dead":
            raise QueueError("Only a posting that Sage Pro refused can be edited.")
        before = dict(outbox.payload)
        outbox.payload = payload
        item.payload = payload
        audit.record(
            session, "edit_payload", "outbox", outbox.key, actor=user, before=before, after=payload
        )
