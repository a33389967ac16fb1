"""The recurring-billing dialog's customer list, read Qt-free: only customers with a PayTrace
vault profile, by id, the card as brand and last four (the vault's words over the cached
customer's)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.queries.card_customers import CardCustomer, customers_with_card
from app.store.models import CustomerProfileRow, SageProCustomer
from tests.gui.ui_seed import seed_store


def test_only_customers_with_a_stored_card_in_id_order(tmp_path: Path) -> None:
    store = seed_store(tmp_path / "cards.db")
    with store.write() as s:
        linked = s.scalars(
            select(SageProCustomer)
            .where(SageProCustomer.paytrace_customer_id != "")
            .order_by(SageProCustomer.customer_id)
        ).all()
        assert len(linked) >= 2
        first, second = linked[0], linked[1]
        first.card_last4 = "1881"
        second.card_last4 = "0000"  # the vault's newer card wins over the cached one
        s.add(
            CustomerProfileRow(
                customer_id=second.paytrace_customer_id,
                card_brand="Visa",
                card_last4="5439",
                content_hash="h",
                updated_at=datetime(2025, 3, 1),
            )
        )
        s.add(
            SageProCustomer(
                customer_id="ZZNOCARD",
                name="No card",
                paytrace_customer_id="",
                refreshed_at=datetime(2025, 3, 1),
            )
        )
        expected_ids = [c.customer_id for c in linked]
        first_id, first_name = first.customer_id, first.name
        second_id, second_name = second.customer_id, second.name
    found = customers_with_card(store)
    assert [c.customer_id for c in found] == expected_ids
    assert found[0] == CardCustomer(first_id, first_name, "1881")
    assert found[1] == CardCustomer(second_id, second_name, "Visa 5439")
