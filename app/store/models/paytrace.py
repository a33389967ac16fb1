"""PayTrace's records as fetched: every raw version, the transactions with their history,
settlement batches and vault profiles."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.states import MatchStatus, SettlementBatchStatus
from app.store.models.base import Base
from app.store.state_checks import status_check


class RawRecord(Base):
    """Every distinct version of a fetched record, redacted, keyed by its content hash."""

    __tablename__ = "raw_records"
    __table_args__ = (UniqueConstraint("source", "source_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(40))  # paytrace.transaction / .batch / .customer
    source_id: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(DateTime)


class PayTraceTransaction(Base):
    __tablename__ = "transactions"
    __table_args__ = (
        Index("ix_transactions_date", "merchant_date"),
        Index("ix_transactions_amount", "amount_cents"),
        Index("ix_transactions_match_status", "match_status", "merchant_date"),
        Index("ix_transactions_customer", "paytrace_customer_id"),
        Index("ix_transactions_batch", "batch_number"),
        status_check("transactions", "match_status", MatchStatus),
    )

    transaction_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    transaction_type: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    tax_cents: Mapped[int | None] = mapped_column(BigInteger)
    created_local: Mapped[datetime] = mapped_column(DateTime)
    created_text: Mapped[str] = mapped_column(String(40))
    created_utc: Mapped[datetime | None] = mapped_column(DateTime)
    merchant_date: Mapped[date] = mapped_column(Date)
    payment_method: Mapped[str] = mapped_column(String(4))
    invoice_ref: Mapped[str] = mapped_column(String(200), default="")
    customer_reference_id: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    paytrace_customer_id: Mapped[str] = mapped_column(String(64), default="")
    billing_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    # Card data: brand, last 4 and expiry at most (PCI DSS). Nothing else exists to store.
    card_brand: Mapped[str] = mapped_column(String(20), default="")
    card_last4: Mapped[str] = mapped_column(String(4), default="")
    card_exp_month: Mapped[int | None] = mapped_column(Integer)
    card_exp_year: Mapped[int | None] = mapped_column(Integer)
    approval_code: Mapped[str] = mapped_column(String(40), default="")
    approval_message: Mapped[str] = mapped_column(String(200), default="")
    settled_local: Mapped[datetime | None] = mapped_column(DateTime)
    batch_number: Mapped[int | None] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64))  # = its raw_records version
    match_status: Mapped[str] = mapped_column(String(24), default=MatchStatus.UNMATCHED)
    mapping_version_id: Mapped[int | None] = mapped_column(ForeignKey("mapping_versions.id"))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    last_changed_at: Mapped[datetime] = mapped_column(DateTime)

    history: Mapped[list[TransactionEvent]] = relationship(
        back_populates="transaction", order_by="TransactionEvent.id"
    )


class TransactionEvent(Base):
    """Status history: one row each time a transaction first appears or changes."""

    __tablename__ = "transaction_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("transactions.transaction_id"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime)
    old_type: Mapped[str | None] = mapped_column(String(20))
    new_type: Mapped[str] = mapped_column(String(20))
    old_hash: Mapped[str | None] = mapped_column(String(64))
    new_hash: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    transaction: Mapped[PayTraceTransaction] = relationship(back_populates="history")


class SettlementBatchRow(Base):
    __tablename__ = "settlement_batches"
    __table_args__ = (status_check("settlement_batches", "status", SettlementBatchStatus),)

    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_local: Mapped[datetime | None] = mapped_column(DateTime)
    transaction_count: Mapped[int] = mapped_column(Integer)
    sales_count: Mapped[int] = mapped_column(Integer)
    sales_cents: Mapped[int] = mapped_column(BigInteger)
    refund_count: Mapped[int] = mapped_column(Integer)
    refund_cents: Mapped[int] = mapped_column(BigInteger)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=SettlementBatchStatus.NEW)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class CustomerProfileRow(Base):
    """A PayTrace vault profile: the token and what may be stored about its card."""

    __tablename__ = "customer_profiles"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    billing_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    card_brand: Mapped[str] = mapped_column(String(20), default="")
    card_last4: Mapped[str] = mapped_column(String(4), default="")
    card_exp_month: Mapped[int | None] = mapped_column(Integer)
    card_exp_year: Mapped[int | None] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


# Grid search (0004): an index seek for an invoice number.
Index("ix_transactions_invoice_ref", PayTraceTransaction.invoice_ref)
