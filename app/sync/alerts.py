"""What needs the bookkeeper's attention after a sync, and retrying a paused posting.

The poster raises one open ``alert`` item ("Sage Pro cannot be reached") when it pauses, and
a ``dead_letter`` item per posting Sage Pro refused. The desktop app notices the items a
sync created (``attention_marker`` before, ``attention_since`` after) to notify the user.
Retrying the alert is not an outbox retry (it has no posting of its own): it makes every
posting that waits for Sage Pro due at once and closes the alert; the next sync then posts
them, and raises the alert again if Sage Pro still does not answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, update

from app.clock import utcnow
from app.domain.states import ExceptionStatus
from app.domain.words import counted
from app.store import Store, audit
from app.store.models import ExceptionItem, OutboxItem
from app.sync.outbound.sagepro_unreachable_alert import ALERT_CODE
from app.sync.review.exception_queue import QueueError

ATTENTION_CATEGORIES = ("alert", "dead_letter")


@dataclass(frozen=True)
class NewItem:
    id: int
    category: str
    reason_code: str
    title: str
    detail: str


@dataclass(frozen=True)
class Attention:
    """Open alert and dead-letter items created after a marker, oldest first."""

    items: list[NewItem] = field(default_factory=list)

    @property
    def alerts(self) -> list[NewItem]:
        return [i for i in self.items if i.category == "alert"]

    @property
    def dead_letters(self) -> list[NewItem]:
        return [i for i in self.items if i.category == "dead_letter"]


def attention_marker(store: Store) -> int:
    """The newest exception item's id now (0 for none): items after it are new."""
    with store.read() as session:
        return int(session.execute(select(func.max(ExceptionItem.id))).scalar() or 0)


def attention_since(store: Store, marker: int) -> Attention:
    """Alerts and dead letters created after ``marker`` that are still open."""
    with store.read() as session:
        rows = session.execute(
            select(
                ExceptionItem.id,
                ExceptionItem.category,
                ExceptionItem.reason_code,
                ExceptionItem.title,
                ExceptionItem.detail,
            )
            .where(
                ExceptionItem.id > marker,
                ExceptionItem.status == "open",
                ExceptionItem.category.in_(ATTENTION_CATEGORIES),
            )
            .order_by(ExceptionItem.id)
        ).all()
    return Attention([NewItem(r[0], r[1], r[2] or "", r[3] or "", r[4] or "") for r in rows])


def is_posting_alert(category: str, reason_code: str) -> bool:
    return category == "alert" and reason_code == ALERT_CODE


def retry_alert(store: Store, item_id: int, *, user: str) -> int:
    """Close the "Sage Pro cannot be reached" alert and make every waiting Sage Pro posting
    due now; returns how many postings will be tried at the next sync. The poster looks
    each key up before sending, so trying again never posts twice."""
    now = utcnow()
    with store.write() as session:
        item = session.get(ExceptionItem, item_id)
        if item is None:
            raise QueueError(f"Exceptions item {item_id} no longer exists.")
        if item.status != "open":
            raise QueueError(f"This item is already {item.status}.")
        if not is_posting_alert(item.category, item.reason_code):
            raise QueueError("Only the “Sage Pro cannot be reached” alert is retried this way.")
        waiting = session.execute(
            update(OutboxItem)
            .where(OutboxItem.status == "pending", OutboxItem.target == "sagepro")
            .values(next_attempt_at=now)
        ).rowcount  # type: ignore[attr-defined]
        item.status = ExceptionStatus.RESOLVED
        item.resolved_at = now
        item.resolved_by = user
        item.resolution_note = (
            f"Retried by hand: {counted(waiting, 'posting')} tried again at once."
        )
        audit.record(
            session,
            "retry",
            "alert",
            ALERT_CODE,
            actor=user,
            before={"status": "open"},
            after={"status": "resolved", "postings_due_now": int(waiting)},
        )
    return int(waiting)
