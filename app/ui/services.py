"""The Qt-free services the pages call, typed end to end (always off the GUI thread, through
``ops``). A mutating call answers ``Changed``: its result and the areas it changed, which
``ops.run_mutation`` broadcasts so every page showing them refreshes.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from app.config import Profile
from app.store import Store
from app.sync import alerts
from app.sync.cycle import CycleResult, build_context, run_cycle
from app.sync.errors import SyncBusyError, SyncFatalError
from app.sync.review import actions as review
from app.sync.review import exception_queue
from app.sync.review.actions import ApprovalResult
from app.sync.scheduler import SchedulerStatus, SyncScheduler
from app.ui.changes import Changed, Changes

__all__ = [
    "ApprovalResult",
    "CycleResult",
    "SchedulerStatus",
    "SyncBusyError",
    "SyncFatalError",
    "SyncScheduler",
    "build_context",
    "run_cycle",
]

# A review decision moves the proposal and its transaction, may queue or withdraw postings,
# and is audited.
REVIEW_CHANGES = Changes(proposals=True, transactions=True, outbox=True, audit_events=True)
# Acting on an exception item may requeue its posting.
EXCEPTION_CHANGES = Changes(exceptions=True, outbox=True, audit_events=True)


# --- review (the Reconciliation page) -------------------------------------------------


def approve_proposals(
    store: Store, ids: Sequence[int], *, user: str, profile: Profile
) -> Changed[ApprovalResult]:
    result = review.approve_proposals(store, ids, user=user, profile=profile)
    return Changed(result, REVIEW_CHANGES if result.approved else Changes())


def reject_proposals(store: Store, ids: Sequence[int], *, user: str, reason: str) -> Changed[int]:
    for proposal_id in ids:
        review.reject_proposal(store, proposal_id, user=user, reason=reason)
    return Changed(len(ids), REVIEW_CHANGES)


def rematch_proposal(
    store: Store,
    proposal_id: int,
    applications: Sequence[tuple[str, Decimal]],
    *,
    user: str,
    on_account: Decimal,
    exchange_rate: str | None,
    profile: Profile,
) -> Changed[int]:
    """The new proposal's id."""
    new_id = review.rematch_proposal(
        store,
        proposal_id,
        applications,
        user=user,
        on_account=on_account,
        exchange_rate=exchange_rate,
        profile=profile,
    )
    return Changed(new_id, REVIEW_CHANGES)


def undo_approval(store: Store, proposal_id: int, *, user: str) -> Changed[None]:
    review.undo_approval(store, proposal_id, user=user)
    return Changed(None, REVIEW_CHANGES)


def unreconcile(store: Store, proposal_id: int, *, user: str, profile: Profile) -> Changed[int]:
    """The id of the new proposal waiting in review."""
    return Changed(
        review.unreconcile(store, proposal_id, user=user, profile=profile), REVIEW_CHANGES
    )


# --- the exceptions queue -------------------------------------------------------------


def retry_item(store: Store, item_id: int, *, user: str) -> Changed[None]:
    exception_queue.retry_item(store, item_id, user=user)
    return Changed(None, EXCEPTION_CHANGES)


def retry_group(store: Store, reason_code: str, *, user: str) -> Changed[int]:
    """How many items went back to the outbox."""
    return Changed(exception_queue.retry_group(store, reason_code, user=user), EXCEPTION_CHANGES)


def resolve_item(store: Store, item_id: int, *, user: str, note: str) -> Changed[None]:
    exception_queue.resolve_item(store, item_id, user=user, note=note)
    return Changed(None, EXCEPTION_CHANGES)


def discard_item(store: Store, item_id: int, *, user: str, reason: str) -> Changed[None]:
    exception_queue.discard_item(store, item_id, user=user, reason=reason)
    return Changed(None, EXCEPTION_CHANGES)


def edit_payload(
    store: Store, item_id: int, payload: dict[str, Any], *, user: str
) -> Changed[None]:
    exception_queue.edit_payload(store, item_id, payload, user=user)
    return Changed(None, EXCEPTION_CHANGES)


def retry_alert(store: Store, item_id: int, *, user: str) -> Changed[int]:
    """The "Sage Pro cannot be reached" alert closed, every waiting posting due now; how
    many will be tried at the next sync."""
    return Changed(alerts.retry_alert(store, item_id, user=user), EXCEPTION_CHANGES)


def current_user() -> str:
    """Who is at the keyboard, for audit events."""
    try:
        return getpass.getuser() or "bookkeeper"
    except (OSError, KeyError):
        return "bookkeeper"
