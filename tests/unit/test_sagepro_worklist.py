"""PostingState and the token to type in every shape a server may send (the contract names
PostingState; the token field is the bridge's and not in the contract yet), and the Qt-free
worklist query: only Staged items, sorted and searched in SQL, with the customer's name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.connectors.sagepro import wire
from app.queries import sagepro_worklist
from app.store import Store, open_store
from app.store.models import OutboxItem, SageProCustomer
from app.sync.outbox import posting_states

PAYMENT: dict[str, Any] = {
    "PaymentID": "PMT000042",
    "PaymentReference": "PT-79388123-PAY",
    "PaymentDate": "2025-03-10",
    "Amount": "175.00",
    "CustomerID": "ACME01",
    "GLAccountID": "1050",
    "PaymentMethodCode": "CC",
    "Applications": [
        {"InvoiceID": "10023", "Amount": "125.00"},
        {"InvoiceID": "10024", "Amount": "50.00"},
    ],
}


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ({"PostingState": "Staged"}, "Staged"),
        ({"PostingState": "staged"}, "Staged"),
        ({"PostingState": " STAGED "}, "Staged"),
        ({"PostingState": "Entered"}, "Entered"),
        ({"PostingState": "Posted"}, "Posted"),
        ({}, None),  # a contract v1 server says nothing
        ({"PostingState": None}, None),
        ({"PostingState": "Queued"}, "Queued"),  # unknown word: shown as sent
    ],
)
def test_posting_state_in_every_shape(sent: dict[str, Any], kept: str | None):
    payment = wire.parse_payment({**PAYMENT, **sent})
    assert posting_states.normalise_state(payment.posting_state) == kept


@pytest.mark.parametrize(
    ("sent", "token"),
    [
        ({"Token": "PT-79388123-PAY"}, "PT-79388123-PAY"),
        ({"Token": "PP1B9K9NXQ"}, "PP1B9K9NXQ"),  # hashed: the key did not fit REFNO
        ({"PostingToken": "PP1B9K9NXQ"}, "PP1B9K9NXQ"),
        ({"Token": ""}, "PT-79388123-PAY"),
        ({}, "PT-79388123-PAY"),  # none named: the key is the reference
    ],
)
def test_token_to_type_in_every_shape(sent: dict[str, Any], token: str):
    payment = wire.parse_payment({**PAYMENT, "PostingState": "Staged", **sent})
    assert posting_states.worklist_facts(payment, "pt-79388123-pay").token == token


def test_worklist_facts_of_a_payment_and_a_credit_memo():
    facts = posting_states.worklist_facts(wire.parse_payment(PAYMENT), PAYMENT["PaymentReference"])
    assert facts.customer_id == "ACME01"
    assert facts.document_date == date(2025, 3, 10)
    assert facts.amount_cents == 17500
    assert facts.invoices == "10023: 125.00, 10024: 50.00"
    memo = wire.parse_credit_memo(
        {
            "CreditMemoID": "CM000007",
            "Reference": "PT-5-REFUND",
            "CustomerID": "ACME01",
            "InvoiceID": "10023",
            "MemoDate": "2025-03-11",
            "Amount": "20.10",
            "GLAccountID": "4900",
            "PostingState": "Staged",
            "Token": "PT-5-REFUND",
        }
    )
    facts = posting_states.worklist_facts(memo, "PT-5-REFUND")
    assert (facts.amount_cents, facts.invoices, facts.document_date) == (
        2010,
        "10023",
        date(2025, 3, 11),
    )


def test_worklist_facts_of_a_staged_reversal_name_the_token_customer_and_receipt():
    reversal = wire.parse_payment_reversal(
        {
            "ReversalID": "STAGED-RV-PRABC12345",
            "Reference": "PT-701-REVERSAL",
            "PaymentID": "C100-PT-701-PAY",
            "ReversalDate": "2026-03-24",
            "Amount": "100.00",
            "Reason": "chargeback lost",
            "CustomerID": "C100",
            "PostingState": "Staged",
            "Token": "PRABC12345",
        }
    )
    facts = posting_states.worklist_facts(reversal, "PT-701-REVERSAL")
    assert (facts.token, facts.customer_id, facts.amount_cents) == ("PRABC12345", "C100", 10000)
    assert (facts.document_date, facts.invoices) == (
        date(2026, 3, 24),
        "void payment C100-PT-701-PAY",
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "w.db")
    yield s
    s.dispose()


def _post(store: Store, key: str, customer: str, amount: str, state: str, day: int) -> None:
    """An outbox row posted with ``state``, as the poster records it."""
    now = datetime(2025, 3, day, 9, 0)
    with store.write() as session:
        item = OutboxItem(
            key=key,
            kind="payment",
            payload={},
            status="posted",
            sequence=day,
            created_at=now,
        )
        session.add(item)
        session.flush()
        record = wire.parse_payment(
            {
                **PAYMENT,
                "PaymentReference": key,
                "CustomerID": customer,
                "Amount": amount,
                "Applications": [],
                "InvoiceID": f"INV{day}",
                "PostingState": state,
            }
        )
        posting_states.remember(session, item, record, now)


def test_query_lists_only_staged_items_sorted_and_searched_in_sql(store: Store):
    with store.write() as session:
        session.add(
            SageProCustomer(customer_id="ACME01", name="Acme Tools", refreshed_at=datetime.now())
        )
    _post(store, "PT-1-PAY", "ACME01", "300.00", "Staged", 3)
    _post(store, "PT-2-PAY", "BOLT02", "20.00", "Staged", 1)
    _post(store, "PT-3-PAY", "ACME01", "95.50", "Posted", 2)  # not for the worklist
    _post(store, "PT-4-PAY", "CRAN03", "1000.00", "Staged", 2)
    with store.read() as session:
        assert sagepro_worklist.has_staged_postings(session)
        by_staged = sagepro_worklist.rows(session)
        by_amount = sagepro_worklist.rows(session, sort="amount", descending=True)
        acme = sagepro_worklist.rows(session, search="acme")
        by_invoice = sagepro_worklist.rows(session, search="INV2")
        wildcard = sagepro_worklist.rows(session, search="%")
    assert [r.key for r in by_staged] == ["PT-2-PAY", "PT-4-PAY", "PT-1-PAY"]
    assert [r.amount_cents for r in by_amount] == [100000, 30000, 2000]
    assert [(r.key, r.customer) for r in acme] == [("PT-1-PAY", "ACME01 Acme Tools")]
    assert [r.key for r in by_invoice] == ["PT-4-PAY"]
    assert wildcard == []  # LIKE's wildcards are searched for, not obeyed


def test_an_entered_item_leaves_the_query(store: Store):
    _post(store, "PT-1-PAY", "ACME01", "300.00", "Staged", 3)
    with store.write() as session:
        item = session.query(OutboxItem).filter_by(key="PT-1-PAY").one()
        entered = wire.parse_payment({**PAYMENT, "PostingState": "Entered"})
        posting_states.remember(session, item, entered, datetime(2025, 3, 5))
    with store.read() as session:
        assert sagepro_worklist.rows(session) == []
        assert sagepro_worklist.has_staged_postings(session)  # the page stays available


def test_no_staged_posting_ever_means_no_worklist(store: Store):
    _post(store, "PT-3-PAY", "ACME01", "95.50", "Posted", 2)
    _post(store, "PT-5-PAY", "ACME01", "95.50", "", 2)
    with store.read() as session:
        assert not sagepro_worklist.has_staged_postings(session)


def test_a_card_number_in_the_servers_text_is_never_kept():
    card = "4111 1111 1111 1111"
    payment = wire.parse_payment({**PAYMENT, "PostingState": "Staged", "Token": card})
    facts = posting_states.worklist_facts(payment, "PT-1-PAY")
    assert "1111 1111" not in facts.token and facts.token.endswith("1111")


def test_an_item_is_overdue_from_the_alert_days_on():
    now = datetime(2025, 3, 10, 12, 0)
    staged = {"staged_at": now - timedelta(days=3)}
    assert sagepro_worklist.is_overdue(staged, now, alert_days=3)
    assert not sagepro_worklist.is_overdue(staged, now, alert_days=4)
    assert not sagepro_worklist.is_overdue({"staged_at": None}, now, alert_days=0)
