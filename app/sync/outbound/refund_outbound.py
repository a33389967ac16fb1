"""Refund: give a card payment back in PayTrace when a credit memo is approved for its invoice.

``refund_for_credit_memo`` finds the card sale that was posted to the invoice, checks what is
left to give back, and queues one PayTrace intent: a *void* while the sale is still pending
settlement and the whole amount goes back, otherwise a *refund* (the executor switches one
to the other when PayTrace's state moved meanwhile, see ``paytrace_poster``). Nothing is
called here. When the next sync reads PayTrace's REFUND row, the usual refund flow puts the
credit memo and the refund journal entry into Sage Pro; a void becomes a "voided after
posting" reversal for review. Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.config import Profile
from app.domain.money import format_money, from_cents, to_cents
from app.store import Store
from app.store.models import OutboxItem, PayTraceTransaction, Proposal, ProposalApplication
from app.sync.outbound.paytrace_intents import REFUND, TARGET, VOID, amount_text, queue_intent

KEY_PREFIX = "REFUND-"


class RefundRefusedError(Exception):
    """The refund cannot be queued; the message says why in plain words."""


@dataclass(frozen=True)
class RefundIntent:
    key: str
    kind: str  # paytrace_refund / paytrace_void
    invoice_id: str
    original_transaction_id: int
    amount: Decimal


def refund_for_credit_memo(
    store: Store,
    invoice_id: str,
    amount: Decimal,
    *,
    user: str,
    profile: Profile,
    clock: Callable[[], datetime] = utcnow,
) -> RefundIntent:
    """Queue giving ``amount`` of invoice ``invoice_id``'s card payment back, exactly once.

    Raises ``RefundRefusedError`` when no card payment was posted to the invoice, when a
    refund of it is already under way, or when less than ``amount`` is left to give back.
    """
    cents = to_cents(amount)
    if cents <= 0:
        raise RefundRefusedError("A refund needs an amount above zero.")
    with store.write() as session:
        sales = _posted_card_sales(session, invoice_id)
        if not sales:
            raise RefundRefusedError(
                f"No card payment posted to invoice {invoice_id} was found, so there is nothing "
                "to give back through PayTrace; refund the customer another way."
            )
        for sale in sales:
            busy = _open_intent(session, sale.transaction_id)
            if busy is not None:
                raise RefundRefusedError(
                    f"A refund of payment {sale.transaction_id} is already under way ({busy})."
                )
        rooms = [(sale, _room_cents(session, sale)) for sale in sales]
        fitting = [(sale, room) for sale, room in rooms if room >= cents]
        if not fitting:
            left = max(room for _, room in rooms)
            raise RefundRefusedError(
                f"Only {format_money(from_cents(max(left, 0)))} of the card payments on invoice "
                f"{invoice_id} is left to give back, less than {format_money(from_cents(cents))}."
            )
        sale, _ = fitting[-1]  # the latest sale that can carry it
        whole = cents == sale.amount_cents
        kind = VOID if sale.settled_local is None and whole else REFUND
        key = f"{KEY_PREFIX}{invoice_id}-{_intent_count(session, invoice_id) + 1}"
        queue_intent(
            session,
            key=key,
            kind=kind,
            payload={
                "transaction_id": sale.transaction_id,
                "amount": amount_text(from_cents(cents)),
                "sale_amount": amount_text(from_cents(sale.amount_cents)),
                "invoice_id": sale.invoice_ref,  # as PayTrace has it: refunds carry it on
                "sagepro_invoice_id": invoice_id,
                "customer_id": sale.paytrace_customer_id,
                "card_last4": sale.card_last4,
                "known_refunds": _known_refund_ids(session, sale),
                "profile": profile.name,
            },
            now=clock(),
            user=user,
            ordering_key=_ordering_key(invoice_id),
            transaction_id=sale.transaction_id,
        )
        return RefundIntent(key, kind, invoice_id, sale.transaction_id, from_cents(cents))


def _ordering_key(invoice_id: str) -> str:
    return f"refund:{invoice_id.upper()}"


def _posted_card_sales(session: Session, invoice_id: str) -> list[PayTraceTransaction]:
    """Card sales whose payment was posted to the invoice, oldest first."""
    return list(
        session.execute(
            select(PayTraceTransaction)
            .join(Proposal, Proposal.transaction_id == PayTraceTransaction.transaction_id)
            .join(ProposalApplication, ProposalApplication.proposal_id == Proposal.id)
            .where(
                ProposalApplication.invoice_id == invoice_id,
                Proposal.kind == "payment",
                Proposal.status == "posted",
                PayTraceTransaction.transaction_type == "SALE",
                PayTraceTransaction.payment_method == "CC",
            )
            .order_by(PayTraceTransaction.created_local, PayTraceTransaction.transaction_id)
        )
        .scalars()
        .unique()
    )


def _intents_of(session: Session, sale_id: int) -> list[OutboxItem]:
    return list(
        session.execute(
            select(OutboxItem).where(
                OutboxItem.target == TARGET,
                OutboxItem.kind.in_((REFUND, VOID)),
                OutboxItem.transaction_id == sale_id,
            )
        ).scalars()
    )


def _open_intent(session: Session, sale_id: int) -> str | None:
    for item in _intents_of(session, sale_id):
        if item.status in ("pending", "in_flight"):
            return item.key
    return None


def _refund_rows(session: Session, sale: PayTraceTransaction) -> list[PayTraceTransaction]:
    # Refund rows name no original: same invoice reference and card, as in refunds.py.
    return list(
        session.execute(
            select(PayTraceTransaction).where(
                PayTraceTransaction.transaction_type == "REFUND",
                PayTraceTransaction.invoice_ref == sale.invoice_ref,
                PayTraceTransaction.card_last4 == sale.card_last4,
                PayTraceTransaction.created_local >= sale.created_local,
            )
        ).scalars()
    )


def _known_refund_ids(session: Session, sale: PayTraceTransaction) -> list[int]:
    return [row.transaction_id for row in _refund_rows(session, sale)]


def _room_cents(session: Session, sale: PayTraceTransaction) -> int:
    """What is left to give back: the sale less refunds seen and refunds sent but not seen."""
    seen = {row.transaction_id: row.amount_cents for row in _refund_rows(session, sale)}
    given = sum(seen.values())
    for item in _intents_of(session, sale.transaction_id):
        if item.status != "posted":
            continue
        if item.kind == VOID:
            return 0
        if not (item.remote_id and item.remote_id.isdigit() and int(item.remote_id) in seen):
            given += to_cents(Decimal(str(item.payload["amount"])))
    return sale.amount_cents - given


def _intent_count(session: Session, invoice_id: str) -> int:
    return len(
        session.execute(
            select(OutboxItem.id).where(OutboxItem.ordering_key == _ordering_key(invoice_id))
        ).all()
    )


@dataclass(frozen=True)
class RefundOffer:
    """What approving a credit memo on this invoice can offer: give the card payment back."""

    invoice_id: str
    transaction_id: int
    card_last4: str
    refundable: Decimal
    action: str  # "void" while pending settlement, else "refund"
    under_way: str  # key of a refund already queued for this sale, "" when none


def card_refund_offer(store: Store, invoice_id: str) -> RefundOffer | None:
    """The latest card payment posted to the invoice with something left to give back."""
    with store.read() as session:
        for sale in reversed(_posted_card_sales(session, invoice_id)):
            room = _room_cents(session, sale)
            if room > 0:
                return RefundOffer(
                    invoice_id,
                    sale.transaction_id,
                    sale.card_last4,
                    from_cents(room),
                    "void" if sale.settled_local is None else "refund",
                    _open_intent(session, sale.transaction_id) or "",
                )
    return None
