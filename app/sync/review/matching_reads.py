"""What a matching pass reads of the Sage Pro cache: read once per pass, not once per chunk
(docs/storage.md).

A pass commits in chunks, one short write transaction each. The invoice cache and the
customers do not change between them: only the Sage Pro cache refresh writes them, and it
runs before the pass, under the same profile run lock. So their rows are read once and their
domain records kept for the whole pass. What does move between chunks is what proposals
claim of each invoice — the chunk's own writes, an approval or rejection in the window — so
the claims are read again for every chunk (one grouped query over the live proposals, not
over the invoice cache), and only an invoice whose claim moved gets a new record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.money import from_cents
from app.domain.records import Customer, Invoice
from app.store.models import SageProCustomer, SageProInvoice
from app.sync.outbound.order_to_cash import invoice_keys
from app.sync.review.invoice_claims import claimed_cents

# The proposals whose applications hold an invoice's balance back from the matcher.
CLAIMING_STATUSES = ("approved", "proposed", "review")


class MatchingReads:
    """The read side of one matching pass, shared by its chunks (each with its own session:
    only plain values are kept, never ORM objects)."""

    def __init__(self) -> None:
        self._open_rows: list[Any] | None = None
        self._customers: list[Customer] | None = None
        self._invoice_keys: set[str] | None = None
        self._records: dict[str, tuple[int, Invoice]] = {}  # id -> (claimed cents, record)

    def customers(self, session: Session) -> list[Customer]:
        if self._customers is None:
            self._customers = load_customers(session)
        return self._customers

    def invoice_keys(self, session: Session) -> set[str]:
        """Every cached invoice's normalised InvoiceID and OrderNumber (order to cash)."""
        if self._invoice_keys is None:
            self._invoice_keys = invoice_keys(session)
        return self._invoice_keys

    def open_invoices(
        self, session: Session, released: Mapping[str, int] | None = None
    ) -> list[Invoice]:
        """Open invoices, less what undecided or approved proposals claim now (except
        ``released``: the claims of the proposals being matched again)."""
        if self._open_rows is None:
            # Plain rows, not ORM objects: thousands of invoices (issue 24).
            columns = SageProInvoice.__table__.c
            query = select(*columns).where(columns.status == "Open")
            self._open_rows = list(session.execute(query).all())
        claims = claimed_cents(session, None, exclude=-1, statuses=CLAIMING_STATUSES)
        released = released or {}
        result = []
        for row in self._open_rows:
            claimed = max(claims.get(row.invoice_id, 0) - released.get(row.invoice_id, 0), 0)
            kept = self._records.get(row.invoice_id)
            if kept is None or kept[0] != claimed:
                kept = (claimed, _invoice_record(row, claimed))
                self._records[row.invoice_id] = kept
            result.append(kept[1])
        return result


def _invoice_record(row: Any, claimed: int) -> Invoice:
    balance = row.balance_cents - claimed
    return Invoice(
        invoice_id=row.invoice_id,
        customer_id=row.customer_id,
        amount=from_cents(row.amount_cents),
        balance=from_cents(max(balance, 0)),
        invoice_date=row.invoice_date,
        amount_paid=from_cents(row.amount_paid_cents),
        due_date=row.due_date,
        order_number=row.order_number,
        po_number=row.po_number,
        status="Open" if balance > 0 else "Paid",
        payment_status=row.payment_status,
        currency=row.currency,
    )


def load_customers(session: Session) -> list[Customer]:
    return [
        Customer(
            customer_id=c.customer_id,
            name=c.name,
            email=c.email,
            phone=c.phone,
            status=c.status,
            credit_hold=c.credit_hold,
            balance=from_cents(c.balance_cents),
            paytrace_customer_id=c.paytrace_customer_id,
            card_last4=c.card_last4,
            card_expiry=c.card_expiry,
        )
        for c in session.execute(select(*SageProCustomer.__table__.c)).all()
    ]
