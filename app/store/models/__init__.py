"""ORM models: the shape of the flow of docs/architecture.md §2, from raw PayTrace record to
posted Sage Pro effect. Money is integer cents; times are naive UTC unless named ``*_local``
(merchant-local wall clock, which PayTrace reports without a zone).

One module per area; import the models from here (``from app.store.models import X``):
``paytrace`` (PayTrace's records), ``sagepro`` (the Sage Pro copy), ``workflow`` (proposals,
outbox, exceptions, recurrences), ``operations`` (sync runs, audit, workstations).
"""

from __future__ import annotations

from app.store.models.base import Base
from app.store.models.operations import AuditEvent, SyncCursor, SyncRun, Workstation
from app.store.models.paytrace import (
    CustomerProfileRow,
    PayTraceTransaction,
    RawRecord,
    SettlementBatchRow,
    TransactionEvent,
)
from app.store.models.sagepro import SageProCustomer, SageProInvoice, SageProOrder
from app.store.models.workflow import (
    ExceptionItem,
    MappingVersion,
    OutboxAttempt,
    OutboxItem,
    Proposal,
    ProposalApplication,
    RecurringSchedule,
    StagedPosting,
)

__all__ = [
    "AuditEvent",
    "Base",
    "CustomerProfileRow",
    "ExceptionItem",
    "MappingVersion",
    "OutboxAttempt",
    "OutboxItem",
    "PayTraceTransaction",
    "Proposal",
    "ProposalApplication",
    "RawRecord",
    "RecurringSchedule",
    "SageProCustomer",
    "SageProInvoice",
    "SageProOrder",
    "SettlementBatchRow",
    "StagedPosting",
    "SyncCursor",
    "SyncRun",
    "TransactionEvent",
    "Workstation",
]
