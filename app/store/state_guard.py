"""Every ORM write of a workflow state goes through its entity's transition table.

Listening on the status attributes means no writer can forget the check: assigning
``proposal.status = ...`` (or building a row with a status) calls
:func:`app.domain.states.transition`, which raises ``IllegalTransition`` for a move its
table does not allow. Bulk ``UPDATE`` statements bypass the ORM and call
:func:`app.domain.states.check_moves` themselves for the states their WHERE admits.
"""

from __future__ import annotations

from collections.abc import Callable
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
    SyncRunStatus,
    transition,
)
from app.store.models import ExceptionItem, OutboxItem, PayTraceTransaction, Proposal, SyncRun

GUARDED: tuple[tuple[InstrumentedAttribute[str], type[StrEnum]], ...] = (
    (Proposal.status, ProposalStatus),
    (OutboxItem.status, OutboxStatus),
    (ExceptionItem.status, ExceptionStatus),
    (SyncRun.status, SyncRunStatus),
    (PayTraceTransaction.match_status, MatchStatus),
)


def _checker(entity: type[StrEnum]) -> Callable[[Any, str, Any, Any], StrEnum]:
    def on_set(target: Any, value: str, oldvalue: Any, initiator: Any) -> StrEnum:
        del target, initiator
        old = None if oldvalue is NO_VALUE or oldvalue is NEVER_SET else oldvalue
        return transition(entity, old, value)

    return on_set


def install() -> None:
    """Idempotent: listeners are registered once per attribute."""
    for attribute, entity in GUARDED:
        if not event.contains(attribute, "set", _CHECKERS[entity]):
            event.listen(attribute, "set", _CHECKERS[entity], retval=True, active_history=True)


_CHECKERS = {entity: _checker(entity) for _, entity in GUARDED}
install()
