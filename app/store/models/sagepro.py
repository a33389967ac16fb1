"""The local copy of Sage Pro's customers, invoices and sales orders (refreshed from it;
matching reads these, never Sage Pro directly)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models.base import Base


class SageProCustomer(Base):
    __tablename__ = "sagepro_customers"

    customer_id: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="", index=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(12), default="Active")
    credit_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    paytrace_customer_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    card_last4: Mapped[str] = mapped_column(String(4), default="")
    card_expiry: Mapped[str] = mapped_column(String(5), default="")
    refreshed_at: Mapped[datetime] = mapped_column(DateTime)


class SageProInvoice(Base):
    __tablename__ = "sagepro_invoices"
    __table_args__ = (Index("ix_sagepro_invoices_customer_status", "customer_id", "status"),)

    invoice_id: Mapped[str] = mapped_column(String(10), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(10))
    order_number: Mapped[str] = mapped_column(String(20), default="", index=True)
    po_number: Mapped[str] = mapped_column(String(40), default="")
    invoice_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    amount_paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    balance_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(8))
    payment_status: Mapped[str] = mapped_column(String(10), default="Unpaid")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    refreshed_at: Mapped[datetime] = mapped_column(DateTime)


class SageProOrder(Base):
    """Local copy of Sage Pro's sales orders: lets matching spot a payment for an order."""

    __tablename__ = "sagepro_orders"

    order_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(10))
    order_date: Mapped[date] = mapped_column(Date)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10))
    payment_status: Mapped[str] = mapped_column(String(10), default="Unpaid")
    payment_reference: Mapped[str] = mapped_column(String(40), default="")
    refreshed_at: Mapped[datetime] = mapped_column(DateTime)
