"""The work Paysage does with a payment: mapping versions, proposals and their
applications, the outbox with its attempts and staged postings, the exceptions queue, and
the recurrences it sets up in PayTrace."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.states import ExceptionStatus, OutboxStatus, ProposalStatus, RecurrenceStatus
from app.store.models.base import Base
from app.store.state_checks import status_check


class MappingVersion(Base):
    __tablename__ = "mapping_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    author: Mapped[str] = mapped_column(String(80))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=False)


class Proposal(Base):
    """What the matcher proposes for one transaction, with its explanation."""

    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_status", "status", "confidence"),
        Index("ix_proposals_transaction", "transaction_id", "status"),
        status_check("proposals", "status", ProposalStatus),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("transactions.transaction_id"))
    kind: Mapped[str] = mapped_column(String(24))  # payment / refund / decline / reversal / ...
    status: Mapped[str] = mapped_column(String(16))  # ProposalStatus
    rule: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    score_parts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    candidates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    customer_id: Mapped[str] = mapped_column(String(10), default="")
    on_account_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    auto_approvable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kind-specific facts: the original sale of a refund, the invoices a reversal reopens...
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    mapping_version_id: Mapped[int | None] = mapped_column(ForeignKey("mapping_versions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    # What the grid shows (and sorts by) as customer and card; kept by the store after every
    # write of the rows they come from (app/store/grid_sort_keys.py), never set by hand.
    customer_sort_key: Mapped[str] = mapped_column(String(200), default="", server_default="")
    card_sort_key: Mapped[str] = mapped_column(String(40), default="", server_default="")
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    applications: Mapped[list[ProposalApplication]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan"
    )


class ProposalApplication(Base):
    __tablename__ = "proposal_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    invoice_id: Mapped[str] = mapped_column(String(10), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)

    proposal: Mapped[Proposal] = relationship(back_populates="applications")


class OutboxItem(Base):
    """One intended effect in Sage Pro (or PayTrace), keyed so it happens exactly once."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at", "sequence"),
        # Claims walk pending rows in post order and look for an earlier open effect on
        # the same invoice/customer (app.sync.outbox.claims).
        Index("ix_outbox_claim", "status", "target", "sequence", "id"),
        Index("ix_outbox_ordering", "ordering_key", "sequence"),
        status_check("outbox", "status", OutboxStatus),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # e.g. PT-79388123-PAY
    kind: Mapped[str] = mapped_column(String(24))  # payment / credit_memo / journal_entry / ...
    target: Mapped[str] = mapped_column(String(12), default="sagepro")  # sagepro / paytrace
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))  # OutboxStatus
    sequence: Mapped[int] = mapped_column(BigInteger)  # post order (PayTrace event order)
    ordering_key: Mapped[str] = mapped_column(String(40), default="")  # invoice/customer
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(String(40))  # Sage Pro id once posted
    # Contract v1.1 PostingState once posted: Staged / Entered / Posted (None = not said)
    posting_state: Mapped[str | None] = mapped_column(String(12), index=True)
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("transactions.transaction_id"), index=True
    )
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    batch_number: Mapped[int | None] = mapped_column(BigInteger)
    mapping_version_id: Mapped[int | None] = mapped_column(ForeignKey("mapping_versions.id"))
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime)


class StagedPosting(Base):
    """A posting Sage Pro answered as Staged (a bridge over a real Sage Pro): what the
    bookkeeper must enter in Sage Pro's cash receipts, until Sage Pro says it is Entered."""

    __tablename__ = "staged_postings"

    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), primary_key=True)
    token: Mapped[str] = mapped_column(String(40))  # the Check/Reference No. to type
    customer_id: Mapped[str] = mapped_column(String(10), default="")
    document_date: Mapped[date | None] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    invoices: Mapped[str] = mapped_column(String(400), default="")  # "1001: 125.00, 1002: …"
    staged_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)  # last look-up by key
    entered_at: Mapped[datetime | None] = mapped_column(DateTime)


class OutboxAttempt(Base):
    __tablename__ = "outbox_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # posted / found / transient / permanent
    detail: Mapped[str] = mapped_column(Text, default="")


class ExceptionItem(Base):
    """The visible queue: dead letters, changed-after-posting, parse errors, chargebacks."""

    __tablename__ = "exception_items"
    __table_args__ = (
        Index("ix_exception_items_open", "status", "category"),
        status_check("exception_items", "status", ExceptionStatus),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # dead_letter / changed_after_posting / parse_error / chargeback / anomaly / review
    category: Mapped[str] = mapped_column(String(24))
    reason_code: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")  # plain words for the bookkeeper
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), index=True)
    transaction_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    status: Mapped[str] = mapped_column(String(12), default=ExceptionStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(80))
    resolution_note: Mapped[str | None] = mapped_column(Text)


class RecurringSchedule(Base):
    """A PayTrace recurrence this app set up. Recorded before the call (status ``creating``),
    so a schedule is never created twice; ``recurrence_id`` is PayTrace's once confirmed."""

    __tablename__ = "recurring_schedules"
    __table_args__ = (status_check("recurring_schedules", "status", RecurrenceStatus),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    sagepro_customer_id: Mapped[str] = mapped_column(String(10), default="")
    paytrace_customer_id: Mapped[str] = mapped_column(String(64), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    frequency: Mapped[int] = mapped_column(Integer)  # PayTrace's frequency code
    start_date: Mapped[date] = mapped_column(Date)
    total_count: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12))  # RecurrenceStatus
    recurrence_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


# --- Grid search (0004): an index seek for a customer's payments ---

Index("ix_proposals_customer", Proposal.customer_id)

# --- Grid sorts (0005): the reconciliation grid reads ORDER BY <column>, id along these ---
# (``id`` is SQLite's rowid, implied in any index there; PostgreSQL needs it spelled out.)

Index("ix_proposals_status_id", Proposal.status, Proposal.id)
Index("ix_proposals_confidence", Proposal.confidence, Proposal.id)
# PostgreSQL refuses a B-tree entry over ~2.7 kB and a reason is free text, so there the
# index leaves long reasons out (and so cannot serve the sort; SQLite has no such limit).
Index(
    "ix_proposals_reason",
    Proposal.reason,
    Proposal.id,
    postgresql_where=func.octet_length(Proposal.reason) <= 2000,
)

# --- Grid sort keys (0011): customer and card as shown, stored, walked in (key, id) order ---

Index("ix_proposals_customer_sort", Proposal.customer_sort_key, Proposal.id)
Index("ix_proposals_card_sort", Proposal.card_sort_key, Proposal.id)
# A word search scans this index alone (status, then every searched text): never the
# proposals' wide rows, never the join. PostgreSQL leaves texts too long for a B-tree out.
Index(
    "ix_proposals_search",
    Proposal.status,
    Proposal.search_text,
    postgresql_where=func.octet_length(Proposal.search_text) <= 2000,
)
