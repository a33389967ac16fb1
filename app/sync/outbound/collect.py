"""Collect: charge a customer's stored PayTrace card for selected open Sage Pro invoices.

``collect_invoices`` only records intents (one committed transaction per invoice, before any
call); ``PayTraceOutboxPoster`` carries them out. The charge carries the invoice number as
``invoice_id``, so when the next sync reads it the matcher applies it by hard key and it
posts like any other payment. Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.config import Profile
from app.domain.exchange import currency_code, is_foreign
from app.domain.matching.references import normalise_reference
from app.domain.money import format_money, from_cents, to_cents
from app.store import Store
from app.store.models import (
    CustomerProfileRow,
    OutboxItem,
    PayTraceTransaction,
    SageProCustomer,
    SageProInvoice,
)
from app.sync.outbound.paytrace_intents import SALE, TARGET, amount_text, queue_intent
from app.sync.review.invoice_claims import claimed_cents

KEY_PREFIX = "COLLECT-"
_SETTLED_STATES = ("posted", "ignored", "rejected", "declined", "changed_after_posting")


class CollectRefusedError(Exception):
    """One invoice cannot be charged; the message says why in plain words."""


@dataclass(frozen=True)
class CollectIntent:
    key: str
    invoice_id: str
    customer_id: str
    paytrace_customer_id: str
    amount: Decimal


@dataclass
class CollectResult:
    queued: list[CollectIntent] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # invoice → why, in words


def collect_invoices(
    store: Store,
    invoice_ids: Sequence[str],
    *,
    user: str,
    profile: Profile,
    amounts: Mapping[str, Decimal] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> CollectResult:
    """Queue one card charge per invoice (its open balance, or ``amounts[invoice]``).

    Each invoice gets its own committed transaction, so one refusal never blocks the rest.
    ``profile`` is the environment the charge belongs to (recorded with the intent).
    """
    result = CollectResult()
    for invoice_id in dict.fromkeys(i.strip() for i in invoice_ids if i.strip()):
        try:
            with store.write() as session:
                intent = _queue_one(
                    session, invoice_id, (amounts or {}).get(invoice_id), user, profile, clock()
                )
        except CollectRefusedError as exc:
            result.refused[invoice_id] = str(exc)
        except IntegrityError:  # another workstation queued it at the same moment
            result.refused[invoice_id] = (
                f"Invoice {invoice_id} was just queued for a card charge by someone else."
            )
        else:
            result.queued.append(intent)
    return result


def foreign_currency_words(invoice_id: str, currency: str, profile: Profile) -> str:
    """Why an invoice in another currency is not charged to a card (charged in the base)."""
    code, base = currency_code(currency), currency_code(profile.base_currency)
    return (
        f"Invoice {invoice_id} is in {code} and a stored card is charged in {base}: charge it "
        f"in PayTrace at the rate you agree, then match the payment by hand with that rate."
    )


def collect_intents_of(session: Session, invoice_id: str) -> list[OutboxItem]:
    return list(
        session.execute(
            select(OutboxItem).where(
                OutboxItem.target == TARGET,
                OutboxItem.kind == SALE,
                OutboxItem.ordering_key == _ordering_key(invoice_id),
            )
        ).scalars()
    )


def _ordering_key(invoice_id: str) -> str:
    return f"collect:{invoice_id.upper()}"


def _queue_one(
    session: Session,
    invoice_id: str,
    wanted: Decimal | None,
    user: str,
    profile: Profile,
    now: datetime,
) -> CollectIntent:
    invoice = session.get(SageProInvoice, invoice_id)
    if invoice is None:
        raise CollectRefusedError(
            f"Invoice {invoice_id} is not in the local copy of Sage Pro's invoices; sync first."
        )
    if invoice.status != "Open" or invoice.balance_cents <= 0:
        raise CollectRefusedError(
            f"Invoice {invoice_id} is {invoice.status.lower()} in Sage Pro; "
            "only open invoices with a balance can be charged."
        )
    if is_foreign(invoice.currency, profile.base_currency):
        raise CollectRefusedError(foreign_currency_words(invoice_id, invoice.currency, profile))
    customer = session.get(SageProCustomer, invoice.customer_id)
    token = customer.paytrace_customer_id.strip() if customer else ""
    if not token:
        raise CollectRefusedError(
            f"Customer {invoice.customer_id} has no stored card: no PayTrace customer profile "
            "is linked to it in Sage Pro."
        )
    if session.get(CustomerProfileRow, token) is None:
        raise CollectRefusedError(
            f"PayTrace profile {token} of customer {invoice.customer_id} was not found in "
            "PayTrace's customer list (deleted, or not synced yet)."
        )
    earlier = collect_intents_of(session, invoice_id)
    busy = [i for i in earlier if i.status in ("pending", "in_flight", "posted")]
    if busy:
        state = "already charged" if busy[0].status == "posted" else "already queued for a charge"
        raise CollectRefusedError(f"Invoice {invoice_id} is {state} ({busy[0].key}).")
    _refuse_waiting_payment(session, invoice_id)
    claims = claimed_cents(
        session, [invoice_id], exclude=-1, statuses=("approved", "proposed", "review")
    ).get(invoice_id, 0)
    room = invoice.balance_cents - claims
    if room <= 0:
        raise CollectRefusedError(
            f"Invoice {invoice_id} is already covered by a payment waiting for approval or posting."
        )
    cents = room if wanted is None else to_cents(wanted)
    if cents <= 0 or cents > room:
        raise CollectRefusedError(
            f"Invoice {invoice_id} can be charged between 0.01 and "
            f"{format_money(from_cents(room))}, not {format_money(from_cents(cents))}."
        )
    amount = from_cents(cents)
    key = f"{KEY_PREFIX}{invoice_id}-{len(earlier) + 1}"
    queue_intent(
        session,
        key=key,
        kind=SALE,
        payload={
            "customer_id": token,
            "amount": amount_text(amount),
            "invoice_id": invoice_id,
            "description": f"Invoice {invoice_id}",
            "sagepro_customer_id": invoice.customer_id,
            "profile": profile.name,
        },
        now=now,
        user=user,
        ordering_key=_ordering_key(invoice_id),
    )
    return CollectIntent(key, invoice_id, invoice.customer_id, token, amount)


def _refuse_waiting_payment(session: Session, invoice_id: str) -> None:
    """A card payment naming this invoice that is not settled in the books yet."""
    wanted = normalise_reference(invoice_id)
    rows = session.execute(
        select(PayTraceTransaction.transaction_id, PayTraceTransaction.invoice_ref).where(
            PayTraceTransaction.transaction_type == "SALE",
            PayTraceTransaction.match_status.not_in(_SETTLED_STATES),
            func.length(PayTraceTransaction.invoice_ref) > 0,
        )
    )
    for transaction_id, reference in rows:
        if normalise_reference(reference) == wanted:
            raise CollectRefusedError(
                f"PayTrace payment {transaction_id} for invoice {invoice_id} is waiting to be "
                "matched and posted; charge again only if it is rejected."
            )


@dataclass(frozen=True)
class CollectableInvoice:
    """One row of the Collect view: an open invoice whose customer has a stored card."""

    invoice_id: str
    customer_id: str
    customer_name: str
    paytrace_customer_id: str
    card_last4: str
    due_date: str
    balance: Decimal
    queued_key: str  # the open or posted collect intent, "" when none
    currency: str = ""  # the invoice's (blank: the company's base currency)


def collectable_invoices(store: Store) -> list[CollectableInvoice]:
    """Open invoices of customers linked to a PayTrace profile (the Collect view's data)."""
    with store.read() as session:
        rows = session.execute(
            select(SageProInvoice, SageProCustomer)
            .join(SageProCustomer, SageProCustomer.customer_id == SageProInvoice.customer_id)
            .join(
                CustomerProfileRow,
                CustomerProfileRow.customer_id == SageProCustomer.paytrace_customer_id,
            )
            .where(SageProInvoice.status == "Open", SageProInvoice.balance_cents > 0)
            .order_by(SageProInvoice.due_date, SageProInvoice.invoice_id)
        ).all()
        intents = session.execute(
            select(OutboxItem.ordering_key, OutboxItem.key).where(
                OutboxItem.target == TARGET,
                OutboxItem.kind == SALE,
                OutboxItem.status.in_(("pending", "in_flight", "posted")),
            )
        ).all()
    queued = {ordering: key for ordering, key in intents}
    return [
        CollectableInvoice(
            invoice_id=invoice.invoice_id,
            customer_id=customer.customer_id,
            customer_name=customer.name,
            paytrace_customer_id=customer.paytrace_customer_id,
            card_last4=customer.card_last4,
            due_date=invoice.due_date.isoformat() if invoice.due_date else "",
            balance=from_cents(invoice.balance_cents),
            queued_key=queued.get(_ordering_key(invoice.invoice_id), ""),
            currency=invoice.currency or "",
        )
        for invoice, customer in rows
    ]
