"""The sale a chargeback names, as the local store knows it: whether Paysage has the
PayTrace transaction, what kind it was, and how far its payment got towards Sage Pro."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.money import display_money
from app.store.models import OutboxItem, PayTraceTransaction, Proposal
from app.sync.outbox.effects import payment_key


@dataclass(frozen=True)
class SaleLink:
    """What the local store knows about the transaction a chargeback names."""

    transaction_id: int | None
    found: bool = False
    transaction_type: str = ""
    amount_cents: int = 0
    card_last4: str = ""
    customer_id: str = ""  # Sage Pro customer of the posted payment
    invoice_ids: tuple[str, ...] = ()
    payment_state: str = "none"  # none / undecided / approved / posted

    def describe(self, base: str = "USD") -> str:
        """The sale in words; its amount in ``base``, the company's (PayTrace's) currency."""
        if self.transaction_id is None:
            return "The report names no PayTrace transaction."
        if not self.found:
            return f"PayTrace transaction {self.transaction_id} is not in Paysage's history."
        invoices = ", ".join(self.invoice_ids) or "no invoice (on account)"
        return (
            f"PayTrace transaction {self.transaction_id} ({self.transaction_type}, "
            f"{display_money(self.amount_cents, cents=True, base=base)}); its payment is "
            f"{self.payment_state}, applied to {invoices}."
        )


def link_sale(session: Session, transaction_id: int | None) -> SaleLink:
    if transaction_id is None:
        return SaleLink(None)
    tx = session.get(PayTraceTransaction, transaction_id)
    if tx is None:
        return SaleLink(transaction_id)
    proposal = (
        session.execute(
            select(Proposal)
            .where(
                Proposal.transaction_id == transaction_id,
                Proposal.kind == "payment",
                Proposal.status.in_(("approved", "posted")),
            )
            .order_by(Proposal.id.desc())
        )
        .scalars()
        .first()
    )
    state, customer, invoices = "undecided", "", tuple[str, ...]()
    if proposal is not None:
        posted = session.execute(
            select(OutboxItem.status).where(OutboxItem.key == payment_key(transaction_id))
        ).scalar_one_or_none()
        state = "posted" if posted == "posted" or proposal.status == "posted" else "approved"
        customer = proposal.customer_id
        invoices = tuple(a.invoice_id for a in proposal.applications)
    return SaleLink(
        transaction_id,
        True,
        tx.transaction_type,
        tx.amount_cents,
        tx.card_last4,
        customer,
        invoices,
        state,
    )
