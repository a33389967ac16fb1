"""The bounded search of PayTrace's older exports for a refund's sale, over a real socket:
month by month over the bound, by invoice (any spelling), card, vault customer and amount."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from app.sandbox.paytrace.state import StoredCard, StoredTransaction
from app.sync.outbound.paytrace_search import HISTORY_CHUNK_DAYS, find_sales_in_history

TODAY = date(2025, 3, 15)
VISA = StoredCard("4111111111111111", 12, 2027)
OTHER_CARD = StoredCard("4012888888881881", 12, 2027)


def _row(transaction_id: int, days_ago: int, **fields: object) -> StoredTransaction:
    values: dict[str, object] = {
        "kind": "SALE",
        "amount": Decimal("50.00"),
        "card": VISA,
        "customer_id": "PT-C00001",
        "invoice_id": "INV-004711",
        "approval_code": "TAS100",
        "approval_message": "  NO  MATCH - Approved and completed",
    }
    values.update(fields)
    created = datetime.combine(TODAY - timedelta(days=days_ago), time(10, 0))
    return StoredTransaction(transaction_id=transaction_id, created=created, **values)  # type: ignore[arg-type]


def test_the_search_reads_month_by_month_and_keeps_only_the_sale(paytrace_server):
    running = paytrace_server()
    store = running.app.store
    store.add(_row(70000001, 200))  # the sale: months back, in the bound
    store.add(_row(70000002, 400))  # the same, but beyond the bound
    store.add(_row(70000003, 100, card=OTHER_CARD))  # another card
    store.add(_row(70000004, 90, amount=Decimal("10.00")))  # less than the refund
    store.add(_row(70000005, 80, customer_id="PT-C00002"))  # another vault customer
    store.add(_row(70000006, 70, invoice_id="4712"))  # another invoice
    store.add(_row(70000007, 60, kind="REFUND", approval_code=""))  # a refund, not a sale

    client = running.client()
    found = find_sales_in_history(
        client,
        invoice_id="4711",
        card_last4="1111",
        customer_id="PT-C00001",
        min_amount=Decimal("25.00"),
        end=TODAY,
        days=365,
    )
    assert [t.transaction_id for t in found] == [70000001]

    # A keyed refund names no vault customer: every customer's sales are read.
    keyed = find_sales_in_history(
        client,
        invoice_id="inv 4711",
        card_last4="1111",
        customer_id="",
        min_amount=Decimal("25.00"),
        end=TODAY,
        days=365,
    )
    assert [t.transaction_id for t in keyed] == [70000001, 70000005]

    # A shorter bound does not reach the sale.
    assert (
        find_sales_in_history(
            client,
            invoice_id="4711",
            card_last4="1111",
            customer_id="PT-C00001",
            min_amount=Decimal("25.00"),
            end=TODAY,
            days=HISTORY_CHUNK_DAYS * 5,
        )
        == []
    )
