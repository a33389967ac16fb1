"""Workflow states of the things that move through Paysage, and the one table per thing
saying which moves are legal.

Each state is a ``StrEnum``: it is stored as its text and compares equal to it, so readers
that still hold plain strings keep working. Every writer goes through :func:`transition`
(the store calls it on each assignment to a status column, see app/store/state_guard.py);
the migrations ``0010_status_checks`` and ``0012_more_status_checks`` make the database
refuse any other text. The tables
are drawn as state machines in docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TypeVar


class ProposalStatus(StrEnum):
    """A proposed match of one PayTrace transaction to Sage Pro effects."""

    PROPOSED = "proposed"  # the engine is sure enough; waits for approval (or auto-approval)
    REVIEW = "review"  # a person must look: ambiguous, refused, or changed
    APPROVED = "approved"  # outbox rows written; waiting to be posted
    POSTED = "posted"  # every outbox row of it posted
    REJECTED = "rejected"  # a person said no
    SUPERSEDED = "superseded"  # replaced by a newer proposal (re-match, change in PayTrace)
    REVERSED = "reversed"  # posted, then taken back by a payment reversal


class OutboxStatus(StrEnum):
    """One intended effect in Sage Pro or PayTrace, with its deterministic key."""

    PENDING = "pending"  # due at next_attempt_at
    IN_FLIGHT = "in_flight"  # claimed by a poster
    POSTED = "posted"  # the other side has it (remote id stored)
    DEAD = "dead"  # refused or out of attempts; an exceptions item says why
    RESOLVED = "resolved"  # done by hand in Sage Pro; never sent
    DISCARDED = "discarded"  # withdrawn before it was sent


class ExceptionStatus(StrEnum):
    """An item on the Exceptions page."""

    OPEN = "open"
    RESOLVED = "resolved"
    DISCARDED = "discarded"


class SyncRunStatus(StrEnum):
    """One sync cycle."""

    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    CANCELLED = "cancelled"


class MatchStatus(StrEnum):
    """Where a PayTrace transaction stands, as the Transactions page lists it."""

    UNMATCHED = "unmatched"  # new, or reset by a change: the matcher takes it next
    PENDING = "pending"  # authorised, not captured: nothing until it changes
    DECLINED = "declined"  # listed for follow-up
    PROPOSED = "proposed"
    REVIEW = "review"
    APPROVED = "approved"
    POSTED = "posted"
    REVERSED = "reversed"  # its reversal posted
    IGNORED = "ignored"  # voided before posting, or nothing to post
    CHANGED_AFTER_POSTING = "changed_after_posting"  # PayTrace changed it after posting


class SettlementBatchStatus(StrEnum):
    """A PayTrace settlement batch and the journal entry of its deposit and fees."""

    NEW = "new"  # stored (or changed in PayTrace): the next cycle plans its entry
    MISMATCH = "mismatch"  # its transactions do not add up, or the mapping cannot build it
    QUEUED = "queued"  # its journal entry is in the outbox
    POSTED = "posted"  # Sage Pro has the journal entry


class RecurrenceStatus(StrEnum):
    """A recurring billing schedule this app sets up in PayTrace."""

    CREATING = "creating"  # recorded before the call, so it is never created twice
    ACTIVE = "active"  # PayTrace confirmed it
    UNKNOWN = "unknown"  # no clear answer: a person looks in PayTrace and marks it
    FAILED = "failed"  # refused, or not in PayTrace after all; may be tried again
    DELETED = "deleted"  # stopped in PayTrace; the same schedule may be set up again


P, OB, E, R, M = ProposalStatus, OutboxStatus, ExceptionStatus, SyncRunStatus, MatchStatus
SB, RC = SettlementBatchStatus, RecurrenceStatus

# state -> the states it may move to; None is "the row is being created".
PROPOSAL_MOVES: Mapping[ProposalStatus | None, frozenset[ProposalStatus]] = {
    None: frozenset({P.PROPOSED, P.REVIEW}),
    P.PROPOSED: frozenset({P.REVIEW, P.APPROVED, P.REJECTED, P.SUPERSEDED}),
    P.REVIEW: frozenset({P.PROPOSED, P.APPROVED, P.REJECTED, P.SUPERSEDED}),
    P.APPROVED: frozenset({P.POSTED, P.PROPOSED, P.SUPERSEDED}),
    P.POSTED: frozenset({P.REVERSED}),
    P.REJECTED: frozenset(),
    P.SUPERSEDED: frozenset(),
    P.REVERSED: frozenset(),
}
OUTBOX_MOVES: Mapping[OutboxStatus | None, frozenset[OutboxStatus]] = {
    None: frozenset({OB.PENDING}),
    OB.PENDING: frozenset({OB.IN_FLIGHT, OB.DEAD, OB.DISCARDED}),
    OB.IN_FLIGHT: frozenset({OB.POSTED, OB.PENDING, OB.DEAD}),
    OB.DEAD: frozenset({OB.PENDING, OB.RESOLVED, OB.DISCARDED}),
    OB.DISCARDED: frozenset({OB.PENDING}),  # an undone approval approved again
    OB.POSTED: frozenset(),
    OB.RESOLVED: frozenset(),
}
EXCEPTION_MOVES: Mapping[ExceptionStatus | None, frozenset[ExceptionStatus]] = {
    None: frozenset({E.OPEN}),
    E.OPEN: frozenset({E.RESOLVED, E.DISCARDED}),
    E.RESOLVED: frozenset(),
    E.DISCARDED: frozenset(),
}
SYNC_RUN_MOVES: Mapping[SyncRunStatus | None, frozenset[SyncRunStatus]] = {
    None: frozenset({R.RUNNING}),
    R.RUNNING: frozenset({R.OK, R.FAILED, R.CANCELLED}),
    R.OK: frozenset(),
    R.FAILED: frozenset(),
    R.CANCELLED: frozenset(),
}
# A significant change in PayTrace sends any transaction back to matching, or (once Sage Pro
# has it) to "changed after posting": app/sync/inbound/ingest.py decides which.
_PAYTRACE_CHANGED = frozenset({M.UNMATCHED, M.CHANGED_AFTER_POSTING})
MATCH_MOVES: Mapping[MatchStatus | None, frozenset[MatchStatus]] = {
    None: frozenset({M.UNMATCHED}),
    M.UNMATCHED: frozenset({M.PENDING, M.DECLINED, M.PROPOSED, M.REVIEW, M.IGNORED})
    | _PAYTRACE_CHANGED,
    M.PENDING: _PAYTRACE_CHANGED,
    M.DECLINED: frozenset({M.PROPOSED, M.REVIEW}) | _PAYTRACE_CHANGED,
    M.PROPOSED: frozenset({M.REVIEW, M.APPROVED}) | _PAYTRACE_CHANGED,
    M.REVIEW: frozenset({M.PROPOSED, M.APPROVED}) | _PAYTRACE_CHANGED,
    M.APPROVED: frozenset({M.POSTED, M.REVERSED, M.PROPOSED}) | _PAYTRACE_CHANGED,
    M.POSTED: frozenset({M.REVIEW}) | _PAYTRACE_CHANGED,
    M.REVERSED: frozenset({M.REVIEW}) | _PAYTRACE_CHANGED,
    M.IGNORED: _PAYTRACE_CHANGED,
    # the reversal proposal of a changed payment waits (or is auto-approved) as usual
    M.CHANGED_AFTER_POSTING: frozenset({M.PROPOSED, M.REVIEW, M.APPROVED}) | _PAYTRACE_CHANGED,
}
SETTLEMENT_MOVES: Mapping[SettlementBatchStatus | None, frozenset[SettlementBatchStatus]] = {
    None: frozenset({SB.NEW}),
    SB.NEW: frozenset({SB.MISMATCH, SB.QUEUED}),
    SB.MISMATCH: frozenset({SB.NEW}),  # PayTrace changed the batch: planned again
    SB.QUEUED: frozenset({SB.POSTED}),
    SB.POSTED: frozenset(),
}
RECURRENCE_MOVES: Mapping[RecurrenceStatus | None, frozenset[RecurrenceStatus]] = {
    None: frozenset({RC.CREATING}),
    RC.CREATING: frozenset({RC.ACTIVE, RC.UNKNOWN, RC.FAILED}),
    RC.UNKNOWN: frozenset({RC.ACTIVE, RC.FAILED}),  # a person looked in PayTrace
    RC.ACTIVE: frozenset({RC.DELETED}),
    RC.FAILED: frozenset({RC.CREATING}),
    RC.DELETED: frozenset({RC.CREATING}),
}

# entity -> (words for messages, its move table)
TABLES: Mapping[type[StrEnum], tuple[str, Mapping[StrEnum | None, frozenset[StrEnum]]]] = {
    ProposalStatus: ("A proposal", PROPOSAL_MOVES),  # type: ignore[dict-item]
    OutboxStatus: ("An outbox item", OUTBOX_MOVES),  # type: ignore[dict-item]
    ExceptionStatus: ("An exceptions item", EXCEPTION_MOVES),  # type: ignore[dict-item]
    SyncRunStatus: ("A sync run", SYNC_RUN_MOVES),  # type: ignore[dict-item]
    MatchStatus: ("A transaction", MATCH_MOVES),  # type: ignore[dict-item]
    SettlementBatchStatus: ("A settlement batch", SETTLEMENT_MOVES),  # type: ignore[dict-item]
    RecurrenceStatus: ("A recurring schedule", RECURRENCE_MOVES),  # type: ignore[dict-item]
}


S = TypeVar("S", bound=StrEnum)


class IllegalTransition(ValueError):  # noqa: N818 - the name the writers know it by
    """A writer tried a move the entity's table does not allow (a bug, never user input)."""


def _state(entity: type[StrEnum], value: str | None, label: str) -> StrEnum | None:
    if value is None:
        return None
    try:
        return entity(value)
    except ValueError:
        known = ", ".join(s.value for s in entity)
        raise IllegalTransition(
            f"{label} cannot be in state {value!r}; its states are {known}."
        ) from None


def transition(entity: type[S], old: str | None, new: str) -> S:
    """Check the move ``old -> new`` (``old`` None: the row is new) and return ``new`` as
    the entity's enum. Writing the state it already has is always allowed."""
    label, moves = TABLES[entity]
    before = _state(entity, old, label)
    after = _state(entity, new, label)
    assert after is not None
    if before != after and after not in moves[before]:
        start = "start" if before is None else f"go from {before.value}"
        raise IllegalTransition(f"{label} cannot {start} to {after.value}.")
    return after  # type: ignore[return-value]


def known_state(entity: type[S], value: str) -> S:
    """``value`` as the entity's enum, or IllegalTransition naming the entity's states."""
    state = _state(entity, value, TABLES[entity][0])
    assert state is not None
    return state  # type: ignore[return-value]


def check_moves(entity: type[StrEnum], olds: Iterable[str], new: str) -> None:
    """For a bulk UPDATE: every state its WHERE clause admits may move to ``new``."""
    for old in olds:
        transition(entity, old, new)


def values_of(entity: type[StrEnum]) -> tuple[str, ...]:
    return tuple(state.value for state in entity)
