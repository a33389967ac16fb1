"""The stand-in seeded from the shared demo company, read back through the client."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.connectors.paytrace import KeyedCard
from app.domain.records import TransactionType
from app.sandbox.paytrace import StandInClock, StandInSettings
from tests.support.paytrace_fixtures import paytrace_server  # noqa: F401

TODAY = date(2025, 3, 14)


def test_seeded_export_matches_the_demo_company(paytrace_server):  # noqa: F811
    pt = paytrace_server(seed=5, today=TODAY, customers=12, transactions=80, days=10)
    company = pt.company
    with pt.client() as c:
        exported = c.export_transactions(TODAY - timedelta(days=9), TODAY)
        profiles = c.export_customers().items
        batches = c.export_batches(TODAY - timedelta(days=9), TODAY).items
    assert exported.errors == []
    by_id = {t.transaction_id: t for t in exported.transactions}
    assert set(by_id) == {t.transaction_id for t in company.transactions}
    for demo in company.transactions:
        txn = by_id[demo.transaction_id]
        assert txn.transaction_type is TransactionType.parse(demo.transaction_type)
        assert txn.amount == demo.amount and txn.invoice_id == demo.invoice_id
        assert txn.created_local == demo.created_local
        assert txn.is_settled == demo.settled
        if demo.refund_of is not None:
            original = by_id[demo.refund_of]
            assert txn.card_last4 == original.card_last4
    assert {p.customer_id for p in profiles} == {
        c.paytrace_customer_id for c in company.customers if c.paytrace_customer_id
    }
    settled_days = {t.created_local.date() for t in company.transactions if t.settled}
    assert len(batches) == len(settled_days)
    assert sum(b.transaction_count for b in batches) == sum(t.settled for t in company.transactions)


def test_merchant_time_zone_setting_decides_the_day(paytrace_server):  # noqa: F811
    # 02:30 UTC on the 15th is still the 14th in Los Angeles.
    instant = datetime(2025, 3, 15, 2, 30, tzinfo=UTC).timestamp()
    zone = ZoneInfo("America/Los_Angeles")
    pt = paytrace_server(settings=StandInSettings(merchant_zone=zone), clock=StandInClock(instant))
    with pt.client() as c:
        sale = c.sale_keyed(KeyedCard("4012000098765439", 1, 2030), Decimal("9.99"))
        assert [t.transaction_id for t in c.export_transactions(TODAY, TODAY).transactions] == [
            sale.transaction_id
        ]
        assert c.export_transactions(date(2025, 3, 15), date(2025, 3, 15)).records == []
        (row,) = c.export_transaction(sale.transaction_id).records
    assert row.transaction.created_local == datetime(2025, 3, 14, 19, 30)
