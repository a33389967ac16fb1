"""``SageProClient`` against the stand-in over real sockets: every gateway method returns
typed records, and every failure becomes the right typed error without leaking the key."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.connectors.sagepro import (
    CardDataRefusedError,
    DuplicateReferenceError,
    InvoiceNotOpenError,
    NotFoundError,
    OutcomeUnknownError,
    OverpaymentError,
    PeriodClosedError,
    RateLimitedError,
    SageProClient,
    SageProGateway,
    ServerInternalError,
    UnauthorizedError,
    UnavailableError,
    UnreachableError,
    ValidationFailedError,
    iterate_pages,
)
from app.domain.records import Customer, Invoice
from app.domain.sagepro_records import (
    BillingAddress,
    CreditMemoDraft,
    CustomerDraft,
    InvoiceDraft,
    JournalEntryDraft,
    JournalLine,
    PaymentApplication,
    PaymentDraft,
    SalesOrderDraft,
    SalesOrderLine,
)

pytest_plugins = ["tests.support.sagepro_fixtures"]

D = Decimal


def open_invoices_of_one_customer(client: SageProClient, count: int) -> list[Invoice]:
    by_customer: dict[str, list[Invoice]] = {}
    for inv in iterate_pages(lambda n: client.list_invoices(page=n, page_size=100)):
        by_customer.setdefault(inv.customer_id, []).append(inv)
    return next(found[:count] for found in by_customer.values() if len(found) >= count)


def pay(inv: Invoice, reference: str = "PT-1-PAY", **changes) -> PaymentDraft:
    fields = dict(
        reference=reference,
        payment_date=date(2025, 3, 10),
        amount=inv.balance,
        customer_id=inv.customer_id,
        gl_account_id="1050",
        invoice_id=inv.invoice_id,
    )
    return PaymentDraft(**(fields | changes))


def test_the_client_is_a_gateway(sagepro_client):
    gateway: SageProGateway = sagepro_client  # checked by mypy; at run time: the methods exist
    assert gateway.health().status == "ok"
    assert "demo-key" not in repr(sagepro_client)


def test_customers(sagepro_client):
    page = sagepro_client.list_customers(page_size=10)
    assert page.total == 40 and len(page.items) == 10 and page.has_more
    assert all(isinstance(c, Customer) and isinstance(c.balance, Decimal) for c in page.items)
    linked = [c for c in page.items if c.paytrace_customer_id]
    found = sagepro_client.list_customers(paytrace_customer_id=linked[0].paytrace_customer_id)
    assert found.items == (linked[0],)
    with pytest.raises(NotFoundError) as caught:
        sagepro_client.get_customer("NOPE")
    assert not caught.value.transient and caught.value.code == "not_found"
    created = sagepro_client.create_customer(
        CustomerDraft("web7", "Web Seven", address=BillingAddress(city="Boise", state="ID"))
    )
    assert created.customer_id == "WEB7" and created.balance == D("0.00")
    updated = sagepro_client.update_customer(
        "WEB7", paytrace_customer_id="PT-WEB7", card_last4="0057", card_expiry="02/29"
    )
    assert (updated.paytrace_customer_id, updated.card_last4, updated.card_expiry) == (
        "PT-WEB7",
        "0057",
        "02/29",
    )
    assert updated.name == "Web Seven"
    since = sagepro_client.list_customers(modified_since=datetime(2000, 1, 1, tzinfo=UTC))
    assert since.total == 41


def test_invoices(sagepro_client):
    all_open = list(iterate_pages(lambda n: sagepro_client.list_invoices(page=n, page_size=50)))
    assert len(all_open) == sagepro_client.list_invoices().total
    assert len({i.invoice_id for i in all_open}) == len(all_open)
    inv = all_open[0]
    assert sagepro_client.get_invoice(inv.invoice_id) == inv
    changed = sagepro_client.update_invoice(inv.invoice_id, payment_status="Failed")
    assert changed.payment_status == "Failed"
    new = sagepro_client.create_invoice(
        InvoiceDraft(inv.customer_id, date(2025, 3, 1), D("12.34"), order_number="SO1")
    )
    assert new.balance == D("12.34") and new.status == "Open"
    assert sagepro_client.list_invoices(order_number="so1").items == (new,)
    sagepro_client.post_payment(pay(new))
    assert new.invoice_id not in {
        i.invoice_id for i in sagepro_client.list_invoices(page_size=1000).items
    }
    paid = sagepro_client.list_invoices(status="paid").items
    assert [i.invoice_id for i in paid] == [new.invoice_id]


def test_payments(sagepro_client):
    a, b = open_invoices_of_one_customer(sagepro_client, 2)
    assert sagepro_client.find_payment("PT-1-PAY") is None
    single = sagepro_client.post_payment(pay(a))
    assert single.amount == a.balance and single.invoice_id == a.invoice_id
    assert sagepro_client.find_payment("pt-1-pay") == single
    assert sagepro_client.get_payment(single.payment_id) == single
    assert sagepro_client.get_invoice(a.invoice_id).status == "Paid"
    apps = (PaymentApplication(b.invoice_id, D("1.00")),)
    several = sagepro_client.post_payment(
        pay(b, "PT-2-PAY", invoice_id=None, amount=D("5.00"), applications=apps, method_code="ACH")
    )
    assert several.applications == apps and several.invoice_id is None
    on_account = sagepro_client.post_payment(pay(b, "PT-3-PAY", invoice_id=None, amount=D("7.10")))
    assert on_account.invoice_id is None and on_account.applications == ()
    listed = sagepro_client.list_payments(customer_id=a.customer_id).items
    assert [p.reference for p in listed] == ["PT-1-PAY", "PT-2-PAY", "PT-3-PAY"]


def test_credit_memos_journal_entries_and_reference_data(sagepro_client):
    (inv,) = open_invoices_of_one_customer(sagepro_client, 1)
    draft = CreditMemoDraft(
        "PT-5-REFUND", inv.customer_id, inv.invoice_id, date(2025, 3, 11), D("1.50"), "4900"
    )
    assert sagepro_client.find_credit_memo("PT-5-REFUND") is None
    memo = sagepro_client.post_credit_memo(draft)
    assert memo.amount == D("1.50") and sagepro_client.find_credit_memo("pt-5-refund") == memo
    assert sagepro_client.get_credit_memo(memo.credit_memo_id) == memo
    lines = (JournalLine("1010", debit=D("9.70")), JournalLine("6150", debit=D("0.30")))
    lines += (JournalLine("1050", credit=D("10.00"), memo="batch 1"),)
    je = sagepro_client.post_journal_entry(
        JournalEntryDraft("PT-BATCH-1-JE", date(2025, 3, 14), lines, "Batch 1")
    )
    assert je.lines == lines and je.status == "Unposted"
    assert sagepro_client.find_journal_entry("PT-BATCH-1-JE") == je
    assert sagepro_client.get_journal_entry(je.journal_id) == je
    accounts = {a.gl_account_id: a for a in sagepro_client.list_gl_accounts()}
    assert accounts["1050"].active and not accounts["1040"].active
    periods = sagepro_client.list_periods()
    assert len(periods) == 36 and next(p for p in periods if p.locked).contains(date(2024, 12, 5))


def test_sales_orders(sagepro_client):
    lines = (SalesOrderLine("WIDGET", D("2"), D("4.25"), "Widget"),)
    draft = SalesOrderDraft("C00001", date(2025, 3, 9), lines, order_number="WEB9")
    assert sagepro_client.find_sales_order("WEB9") is None
    order = sagepro_client.create_sales_order(draft)
    assert order.total == D("8.50") and order.lines == lines
    updated = sagepro_client.update_sales_order(
        "web9", payment_status="Paid", payment_reference="PT-9-PAY"
    )
    assert updated.payment_status == "Paid" and sagepro_client.get_sales_order("WEB9") == updated
    assert sagepro_client.list_sales_orders(payment_reference="PT-9-PAY").items == (updated,)
    assert sagepro_client.list_sales_orders(customer_id="C00001").total >= 1


# --- errors ----------------------------------------------------------------------------


def test_refusals_are_typed_and_permanent(sagepro_client, sagepro_http):
    (inv,) = open_invoices_of_one_customer(sagepro_client, 1)
    with pytest.raises(OverpaymentError) as over:
        sagepro_client.post_payment(pay(inv, amount=inv.balance + 1))
    assert not over.value.transient and over.value.status == 422 and over.value.fields
    with pytest.raises(PeriodClosedError):
        sagepro_client.post_payment(pay(inv, payment_date=date(2024, 12, 24)))
    with pytest.raises(ValidationFailedError) as invalid:
        sagepro_client.post_payment(pay(inv, gl_account_id="1040"))
    assert "GLAccountID" in invalid.value.fields and "inactive" in str(invalid.value)
    with pytest.raises(CardDataRefusedError) as card:
        sagepro_client.post_payment(pay(inv, memo="card 4012 0000 9876 5439"))
    assert "9876 5439" not in str(card.value) and "Memo" in card.value.fields
    first = sagepro_client.post_payment(pay(inv))
    with pytest.raises(DuplicateReferenceError) as dup:
        sagepro_client.post_payment(pay(inv, amount=D("1.00")))
    assert dup.value.existing and dup.value.existing["PaymentID"] == first.payment_id
    with pytest.raises(InvoiceNotOpenError):
        sagepro_client.post_payment(pay(inv, "PT-NEW"))


def test_wrong_key_is_unauthorized_and_never_shown(sagepro_server, caplog):
    secret = "s3cret-key-value"
    with (
        caplog.at_level(logging.DEBUG),
        SageProClient(sagepro_server.url, secret) as client,
        pytest.raises(UnauthorizedError) as caught,
    ):
        client.list_customers()
    assert not caught.value.transient
    texts = [str(caught.value), repr(caught.value), caplog.text]
    assert all(secret not in text for text in texts)


@pytest.mark.parametrize(
    "kind,error",
    [("429", RateLimitedError), ("503", UnavailableError), ("500", ServerInternalError)],
)
def test_server_faults_are_transient(sagepro_server, sagepro_client, kind, error):
    sagepro_server.faults.script(kind)
    with pytest.raises(error) as caught:
        sagepro_client.list_customers()
    assert caught.value.transient
    assert caught.value.retry_after_s == (None if kind == "500" else 1.0)


@pytest.mark.parametrize("kind", ["apply_then_drop", "malformed"])
def test_lost_answers_to_writes_are_outcome_unknown_and_applied(
    sagepro_server, sagepro_client, kind
):
    (inv,) = open_invoices_of_one_customer(sagepro_client, 1)
    sagepro_server.faults.script(kind)
    with pytest.raises(OutcomeUnknownError) as caught:
        sagepro_client.post_payment(pay(inv))
    assert caught.value.transient and "may or may not" in str(caught.value)
    assert sagepro_client.find_payment("PT-1-PAY") is not None


def test_reset_and_timeout_are_outcome_unknown(sagepro_server):
    sagepro_server.faults.settings.hang_s = 1.0
    with SageProClient(sagepro_server.url, "demo-key", read_timeout_s=0.2) as client:
        sagepro_server.faults.script("reset")
        with pytest.raises(OutcomeUnknownError) as reset:
            client.list_customers()
        assert reset.value.code == "connection_lost"
        sagepro_server.faults.script("hang")
        with pytest.raises(OutcomeUnknownError) as hang:
            client.list_customers()
        assert hang.value.code == "timeout"
        assert client.health().status == "ok"  # the pool recovers


def test_malformed_read_is_transient(sagepro_server, sagepro_client):
    sagepro_server.faults.script("malformed")
    with pytest.raises(OutcomeUnknownError) as caught:
        sagepro_client.get_customer("C00001")
    assert caught.value.code == "malformed"


def test_nobody_listening_is_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = SageProClient(f"http://127.0.0.1:{port}", "demo-key")
    with pytest.raises(UnreachableError) as caught:
        client.health()
    assert caught.value.transient and "nothing was sent" in str(caught.value)
