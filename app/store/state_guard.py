"""Every ORM write of a workflow state goes through its entity's transition table.

Listening on the status attributes means no writer can forget the check: assigning
``proposal.status = ...`` on an existing row calls
:func:`app.domain.states.transition`, which raises ``IllegalTransition`` for a move its
table does not allow. Bulk ``UPDATE`` statements bypass the ORM and call
:func:`app.domain.states.check_moves` themselves for the states their WHERE admits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.base import NEVER_SET, NO_VALUE

from app.domain.states import (
    ExceptionStatus,
    MatchStatus,
    OutboxStatus,
    ProposalStatus,
    RecurrenceStatus,
    SettlementBatchStatus,
    SyncRunStatus,
    known_state,
    transition,
)
from app.store.models import (
    ExceptionItem,
    OutboxItem,
    PayTraceTransaction,
    Proposal,
    RecurringSchedule,
    SettlementBatchRow,
    SyncRun,
)

GUARDED: tuple[tuple[InstrumentedAttribute[str], type[StrEnum]], ...] = (
    (Proposal.status, ProposalStatus),
    (OutboxItem.status, OutboxStatus),
    (ExceptionItem.status, ExceptionStatus),
    (SyncRun.status, SyncRunStatus),
    (PayTraceTransaction.match_status, MatchStatus),
    (SettlementBatchRow.status, SettlementBatchStatus),
    (RecurringSchedule.status, RecurrenceStatus),
)


_ARRANGING: ContextVar[bool] = ContextVar("arranging_states", default=False)


@contextmanager
def arranged_states() -> Iterator[None]:
    """Tests arranging a scene put rows straight into a state; inside this block (this
    thread only) status writes are checked for known states but not for legal moves."""
    token = _ARRANGING.set(True)
    try:
        yield
    finally:
        _ARRANGING.reset(token)


def _checker(entity: type[StrEnum]) -> Callable[[Any, str, Any, Any], StrEnum]:
    def on_set(target: Any, value: str, oldvalue: Any, initiator: Any) -> StrEnum:
        del target, initiator
        if oldvalue is NO_VALUE or oldvalue is NEVER_SET or _ARRANGING.get():
            # A row being built whole (seed, demo, copy between engines) may start in any
            # known state; the table's start row is for writers that call transition().
            return known_state(entity, value)
        return transition(entity, oldvalue, value)

    return on_set


def install() -> None:
    """Idempotent: listeners are registered once per attribute."""
    for attribute, entity in GUARDED:
        if not event.contains(attribute, "set", _CHECKERS[entity]):
            event.listen(attribute, "set", _CHECKERS[entity], retval=True, active_history=True)


_CHECKERS = {entity: _checker(entity) for _, entity in GUARDED}
install()
