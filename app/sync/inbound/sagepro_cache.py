"""Keep the local copy of Sage Pro's customers and open invoices fresh (``modified_since``).

The first refresh reads every open invoice and every customer; later ones only what changed
since the last refresh (minus a small overlap for clock skew). Invoices that left the open
list (paid or voided in Sage Pro by a person) are updated too, because ``modified_since``
returns them whatever their status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.connectors.sagepro.gateway import SageProGateway, iterate_pages
from app.domain.money import to_cents
from app.domain.records import Customer, Invoice
from app.store.grid_sort_keys import refresh_sort_keys
from app.store.models import SageProCustomer, SageProInvoice
from app.sync.inbound.ingest import get_cursor, set_cursor

CURSOR = "sagepro.cache"
OVERLAP = timedelta(minutes=5)
PAGE_SIZE = 1000


@dataclass
class CacheRefresh:
    customers: list[Customer]
    invoices: list[Invoice]
    full: bool
    started_at: datetime


def fetch_changes(gateway: SageProGateway, since: datetime | None, now: datetime) -> CacheRefresh:
    """Network half: read what changed (no DB access, so no write lock is held meanwhile)."""
    modified = since - OVERLAP if since else None
    customers = list(
        iterate_pages(
            lambda page: gateway.list_customers(
                modified_since=modified, page=page, page_size=PAGE_SIZE
            )
        )
    )
    status = "all" if modified else "open"
    invoices = list(
        iterate_pages(
            lambda page: gateway.list_invoices(
                status=status, modified_since=modified, page=page, page_size=PAGE_SIZE
            )
        )
    )
    return CacheRefresh(customers, invoices, since is None, now)


def last_refresh(session: Session) -> datetime | None:
    cursor = get_cursor(session, CURSOR)
    return cursor.cursor_at if cursor else None


@dataclass
class AppliedChanges:
    """Which cached rows a refresh really added or altered (re-reads of the same are not)."""

    changed_customers: set[str]
    changed_invoices: set[str]


def apply_changes(session: Session, refresh: CacheRefresh) -> AppliedChanges:
    """DB half: upsert what was read and move the cursor in the same transaction."""
    now = refresh.started_at
    customers = _upsert(
        session, SageProCustomer, "customer_id", [_customer_row(c, now) for c in refresh.customers]
    )
    # A new or renamed customer is what the grid shows for its proposals.
    refresh_sort_keys(session, customer_ids=customers)
    invoices = _upsert(
        session, SageProInvoice, "invoice_id", [_invoice_row(i, now) for i in refresh.invoices]
    )
    if refresh.full:
        # A full read lists only open invoices: anything else cached is no longer open.
        open_ids = {i.invoice_id for i in refresh.invoices}
        stale = [
            i
            for i in session.execute(
                select(SageProInvoice.invoice_id).where(SageProInvoice.status == "Open")
            ).scalars()
            if i not in open_ids
        ]
        if stale:
            session.execute(
                update(SageProInvoice)
                .where(SageProInvoice.invoice_id.in_(stale))
                .values(status="Paid", balance_cents=0, refreshed_at=now)
            )
            invoices.update(stale)
    set_cursor(session, CURSOR, None, now, cursor_at=now)
    return AppliedChanges(customers, invoices)


def _upsert(session: Session, model: type, key: str, rows: list[dict[str, Any]]) -> set[str]:
    """Insert or update ``rows``; returns the keys of rows that are new or differ."""
    if not rows:
        return set()
    column = getattr(model, key)
    compared = [name for name in rows[0] if name != "refreshed_at"]
    existing: dict[str, tuple[Any, ...]] = {}
    ids = [r[key] for r in rows]
    for start in range(0, len(ids), 900):
        found = session.execute(
            select(*(getattr(model, name) for name in compared)).where(
                column.in_(ids[start : start + 900])
            )
        )
        existing.update({values[compared.index(key)]: tuple(values) for values in found})
    new = [r for r in rows if r[key] not in existing]
    old = [r for r in rows if r[key] in existing]
    if new:
        session.execute(insert(model), new)
    if old:
        session.execute(update(model), old)
    altered = {r[key] for r in old if tuple(r[name] for name in compared) != existing[r[key]]}
    return {r[key] for r in new} | altered


def _customer_row(c: Customer, now: datetime) -> dict[str, Any]:
    return {
        "customer_id": c.customer_id,
        "name": c.name,
        "email": c.email,
        "phone": c.phone,
        "status": c.status,
        "credit_hold": c.credit_hold,
        "balance_cents": to_cents(c.balance),
        "paytrace_customer_id": c.paytrace_customer_id,
        "card_last4": c.card_last4,
        "card_expiry": c.card_expiry,
        "refreshed_at": now,
    }


def _invoice_row(i: Invoice, now: datetime) -> dict[str, Any]:
    return {
        "invoice_id": i.invoice_id,
        "customer_id": i.customer_id,
        "order_number": i.order_number,
        "po_number": i.po_number,
        "invoice_date": i.invoice_date,
        "due_date": i.due_date,
        "amount_cents": to_cents(i.amount),
        "amount_paid_cents": to_cents(i.amount_paid),
        "balance_cents": to_cents(i.balance),
        "status": i.status,
        "payment_status": i.payment_status,
        "currency": i.currency,
        "refreshed_at": now,
    }


def apply_posted_payment(session: Session, applications: list[tuple[str, int]]) -> None:
    """Lower cached balances right after a payment posts, before the next refresh."""
    for invoice_id, cents in applications:
        invoice = session.get(SageProInvoice, invoice_id)
        if invoice is None:
            continue
        invoice.balance_cents = max(invoice.balance_cents - cents, 0)
        invoice.amount_paid_cents += cents
        if invoice.balance_cents == 0:
            invoice.status = "Paid"
            invoice.payment_status = "Paid"
        else:
            invoice.payment_status = "Partial"


def apply_reversed_payment(session: Session, applications: list[tuple[str, int]]) -> None:
    """Raise cached balances right after a payment reversal posts (the invoices are open
    again in Sage Pro), so a re-match can pick them before the next refresh."""
    for invoice_id, cents in applications:
        invoice = session.get(SageProInvoice, invoice_id)
        if invoice is None:
            continue
        invoice.amount_paid_cents = max(invoice.amount_paid_cents - cents, 0)
        invoice.balance_cents = min(invoice.balance_cents + cents, invoice.amount_cents)
        if invoice.balance_cents > 0 and invoice.status == "Paid":
            invoice.status = "Open"
        invoice.payment_status = "Partial" if invoice.amount_paid_cents else "Unpaid"
