"""Sage Pro customers who can be billed on a schedule: those linked to a PayTrace vault
profile (a stored card), with the card in words (brand and last four only)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.store import Store
from app.store.models import CustomerProfileRow, SageProCustomer


@dataclass(frozen=True)
class CardCustomer:
    customer_id: str
    name: str
    card: str  # "Visa 5439", or "" when the vault profile is not cached


def customers_with_card(store: Store) -> list[CardCustomer]:
    """Sage Pro customers linked to a PayTrace vault profile (a stored card), by id."""
    with store.read() as session:
        rows = session.execute(
            select(SageProCustomer, CustomerProfileRow)
            .outerjoin(
                CustomerProfileRow,
                CustomerProfileRow.customer_id == SageProCustomer.paytrace_customer_id,
            )
            .where(SageProCustomer.paytrace_customer_id != "")
            .order_by(SageProCustomer.customer_id)
        ).all()
    out = []
    for customer, vault in rows:
        last4 = (vault.card_last4 if vault else "") or customer.card_last4
        brand = vault.card_brand if vault else ""
        card = f"{brand} {last4}".strip() if last4 else ""
        out.append(CardCustomer(customer.customer_id, customer.name, card))
    return out
