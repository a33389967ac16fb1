"""Contract suite: the real client against the stand-in over sockets, every endpoint and
every listed error code."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import requests

from app.connectors.paytrace import (
    BillingAddress,
    KeyedCard,
    PaymentDetails,
    PayTraceAuthError,
    PayTraceClient,
    PayTraceDeclinedError,
    PayTraceNotFoundError,
    PayTraceValidationError,
)
from app.connectors.paytrace.json_body import RawRows
from app.domain.records import PaymentMethod, TransactionType
from app.sandbox.paytrace import StandInClock, StandInSettings
from tests.support.paytrace_fixtures import paytrace_server  # noqa: F401

VISA = KeyedCard("4012000098765439", 12, 2030, "999")
MC = KeyedCard("5499740000000057", 6, 31)
NOON = datetime(2025, 3, 14, 12, 0).timestamp()  # the machine's local zone, like the stand-in


@pytest.fixture
def pt(paytrace_server):  # noqa: F811
    return paytrace_server(clock=StandInClock(NOON))


@pytest.fixture
def client(pt):
    with pt.client() as c:
        yield c


TODAY = date(2025, 3, 14)


def test_ping_and_auth(pt, client):
    assert client.ping()
    client.authenticate()
    assert pt.app.tokens.issued == 1


def test_bad_credentials_are_a_plain_auth_error(pt):
    with pt.client(password="wrong-secret-pw") as bad, pytest.raises(PayTraceAuthError) as info:
        bad.export_transactions(TODAY, TODAY)
    assert "wrong-secret-pw" not in str(info.value)
    assert "user name or password" in str(info.value)


def test_missing_token_is_401_invalid_token(pt):
    r = requests.post(pt.url + "/v1/transactions/export/by_id", json={}, timeout=5)
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"


def test_keyed_sale_then_export_shows_it(pt, client):
    details = PaymentDetails(invoice_id="104512", description="Order 7", email="a@b.example")
    result = client.sale_keyed(
        VISA, Decimal("125.50"), details, BillingAddress("Kevin", zip="99201")
    )
    assert result.response_code == 101
    assert result.masked_card_number == "xxxxxxxxxxxx5439"
    assert result.approval_code.startswith("TAS")
    exported = client.export_transactions(TODAY, TODAY)
    (record,) = exported.records
    txn = record.transaction
    assert txn.transaction_id == result.transaction_id
    assert txn.transaction_type is TransactionType.SALE
    assert (txn.amount, txn.invoice_id, txn.card_last4) == (Decimal("125.50"), "104512", "5439")
    assert txn.created_local == datetime(2025, 3, 14, 12, 0)
    assert txn.settled_local is None and "settled" not in record.raw
    assert "4012000098765439" not in str(record.raw)


def test_export_rows_are_read_from_their_own_json_and_a_card_in_one_is_redacted(client):
    client.sale_keyed(
        VISA, Decimal("10.00"), PaymentDetails(description="card 4012 0000 9876 5439")
    )
    client.sale_keyed(MC, Decimal("20.00"), PaymentDetails(description="Order 8"))
    request = {"start_date": "03/14/2025", "end_date": "03/14/2025"}
    body = client.transport.read(
        "/v1/transactions/export/by_date_range", request, rows_key="transactions"
    )
    assert isinstance(body["transactions"], RawRows) and len(body["transactions"]) == 2
    exported = client.export_transactions(TODAY, TODAY)
    descriptions = sorted(r.transaction.description for r in exported.records)
    assert descriptions == ["Order 8", "card 401200******5439"]
    assert "9876 5439" not in str([r.raw for r in exported.records])


def test_declines_at_029_and_112_are_exported_only_as_declined(pt, client):
    with pytest.raises(PayTraceDeclinedError) as expired:
        client.sale_keyed(VISA, Decimal("0.29"))
    assert expired.value.response_code == 102 and "EXPIRED CARD" in str(expired.value)
    with pytest.raises(PayTraceDeclinedError) as plain:
        client.sale_keyed(MC, Decimal("1.12"))
    assert "EXPIRED" not in str(plain.value) and plain.value.transaction_id
    assert client.export_transactions_by_type(TODAY, TODAY).records == []
    declined = client.export_transactions_by_type(TODAY, TODAY, "DECLINED")
    assert {r.transaction.transaction_type for r in declined.records} == {TransactionType.DECLINED}
    # The client's date-range export asks for both.
    assert len(client.export_transactions(TODAY, TODAY).records) == 2


def test_bad_card_number_and_expiry_codes_35_43(client):
    with pytest.raises(PayTraceValidationError) as info:
        client.sale_keyed(KeyedCard("4012000098765438", 13, 2030), Decimal("5.00"))
    assert info.value.codes == {35, 43}
    with pytest.raises(PayTraceValidationError) as short:
        client.sale_keyed(KeyedCard("4012", 1, 2030), Decimal("5.00"))
    assert short.value.codes == {35}
    assert "4012000098765438" not in str(info.value)


def test_void_only_while_pending_818(pt, client):
    sale = client.sale_keyed(VISA, Decimal("20.00"), PaymentDetails(invoice_id="V1"))
    assert client.void(sale.transaction_id).response_code == 109
    (row,) = client.export_transaction(sale.transaction_id).records
    assert row.transaction.transaction_type is TransactionType.VOID  # same id, new type
    with pytest.raises(PayTraceValidationError) as again:
        client.void(sale.transaction_id)
    assert again.value.codes == {818}
    settled = client.sale_keyed(VISA, Decimal("21.00"))
    client.settle()
    with pytest.raises(PayTraceValidationError) as after:
        client.void(settled.transaction_id)
    assert after.value.codes == {818}


def test_refund_only_after_settlement_817_and_own_row(pt, client):
    sale = client.sale_keyed(VISA, Decimal("80.00"), PaymentDetails(invoice_id="R1"))
    with pytest.raises(PayTraceValidationError) as early:
        client.refund_transaction(sale.transaction_id)
    assert early.value.codes == {817}
    batch = client.settle()
    refund = client.refund_transaction(sale.transaction_id, Decimal("30.00"))
    assert refund.response_code == 106 and refund.transaction_id != sale.transaction_id
    (row,) = client.export_transaction(refund.transaction_id).records
    txn = row.transaction
    assert txn.transaction_type is TransactionType.REFUND
    assert (txn.amount, txn.invoice_id, txn.card_last4) == (Decimal("30.00"), "R1", "5439")
    assert str(sale.transaction_id) not in str(row.raw)  # nothing names the original
    (original,) = client.export_transaction(sale.transaction_id).records
    assert original.transaction.batch_number == batch and original.transaction.is_settled


def test_authorization_capture_rules_816(client):
    auth = client.authorize_keyed(VISA, Decimal("50.00"))
    assert (
        client.export_transactions_by_type(TODAY, TODAY, "AUTHORIZATION")
        .transactions[0]
        .transaction_id
        == auth.transaction_id
    )
    assert client.capture(auth.transaction_id, Decimal("45.00")).response_code == 112
    (row,) = client.export_transaction(auth.transaction_id).records
    assert row.transaction.transaction_type is TransactionType.SALE
    assert row.transaction.amount == Decimal("45.00")
    with pytest.raises(PayTraceValidationError) as twice:
        client.capture(auth.transaction_id)
    assert twice.value.codes == {816}
    sale = client.sale_keyed(VISA, Decimal("5.00"))
    with pytest.raises(PayTraceValidationError) as not_auth:
        client.capture(sale.transaction_id)
    assert not_auth.value.codes == {816}


def test_unknown_id_811_and_invalid_id_58(client):
    with pytest.raises(PayTraceNotFoundError) as unknown:
        client.void(123)
    assert unknown.value.codes == {811}
    with pytest.raises(PayTraceNotFoundError):
        client.export_transaction(999)
    with pytest.raises(PayTraceValidationError) as invalid:
        client.void(-4)
    assert invalid.value.codes == {58}
    assert not isinstance(invalid.value, PayTraceNotFoundError)


def test_vault_customer_sale_refund_and_duplicate_171(pt, client):
    client.create_customer("PT-NEW", MC, BillingAddress("Acme"), email="ap@acme.example")
    with pytest.raises(PayTraceValidationError) as dup:
        client.create_customer("PT-NEW", MC)
    assert dup.value.codes == {171}
    with pytest.raises(PayTraceValidationError) as bad_month:
        client.create_customer("PT-OTHER", KeyedCard("5499740000000057", 0, 2030))
    assert bad_month.value.codes == {43}
    sale = client.sale_by_customer("PT-NEW", Decimal("99.00"), PaymentDetails(invoice_id="7"))
    assert sale.masked_card_number == ""  # absent for by_customer
    auth = client.authorize_by_customer("PT-NEW", Decimal("10.00"))
    refund = client.refund_to_customer("PT-NEW", Decimal("5.00"))
    rows = {
        r.transaction.transaction_id: r.transaction
        for r in client.export_transactions(TODAY, TODAY).records
    }
    assert rows[sale.transaction_id].customer_id == "PT-NEW"
    assert rows[sale.transaction_id].email == "ap@acme.example"
    assert rows[auth.transaction_id].transaction_type is TransactionType.AUTHORIZATION
    assert rows[refund.transaction_id].transaction_type is TransactionType.REFUND
    (profile,) = client.export_customers("PT-NEW").items
    assert (profile.card_last4, profile.card_exp_year, profile.email) == (
        "0057",
        2031,
        "ap@acme.example",
    )
    with pytest.raises(PayTraceNotFoundError) as missing:
        client.sale_by_customer("PT-NOPE", Decimal("1.00"))
    assert missing.value.codes == {30}
    client.delete_customer("PT-NEW")
    with pytest.raises(PayTraceNotFoundError):
        client.export_customers("PT-NEW")


def test_settle_batches_export_one_and_transaction_list(pt, client):
    a = client.sale_keyed(VISA, Decimal("100.00"))
    with pytest.raises(PayTraceDeclinedError):
        client.sale_keyed(VISA, Decimal("0.29"))  # declines never settle
    pending = client.export_batch()
    assert pending.created_local is None and pending.sales_count == 1
    number = client.settle()
    assert number is not None and client.settle() is None  # nothing left pending
    refund = client.refund_transaction(a.transaction_id, Decimal("40.00"))
    second = client.settle()
    assert second == number + 1
    batches = client.export_batches(TODAY, TODAY).items
    assert [b.number for b in batches] == [number, second]
    one = client.export_batch(second)
    assert (one.refund_count, one.refund_amount, one.net_amount) == (
        1,
        Decimal("40.00"),
        Decimal("-40.00"),
    )
    listed = client.batch_transactions(number).transactions
    assert [t.transaction_id for t in listed] == [a.transaction_id]
    assert client.batch_transactions(second).transactions[0].transaction_id == refund.transaction_id
    with pytest.raises(PayTraceNotFoundError):
        client.export_batch(42)


def test_export_filters_pending_settled_void(client):
    sale = client.sale_keyed(VISA, Decimal("10.00"))
    voided = client.sale_keyed(VISA, Decimal("11.00"))
    client.void(voided.transaction_id)

    def ids(kind: str) -> list[int]:
        exported = client.export_transactions_by_type(TODAY, TODAY, kind)
        return [t.transaction_id for t in exported.transactions]

    assert ids("PENDING") == [sale.transaction_id]
    assert ids("VOID") == [voided.transaction_id]
    assert ids("SETTLED") == []
    client.settle()
    assert ids("SETTLED") == [sale.transaction_id] and ids("PENDING") == []
    assert ids("SALE") == [sale.transaction_id]


def test_bad_export_dates_are_validation_59(pt):
    with pt.client() as c:
        c.authenticate()
        with pytest.raises(PayTraceValidationError) as info:
            c.transport.read("/v1/transactions/export/by_date_range", {"start_date": "2025-01-01"})
    assert info.value.codes == {59}


def test_recurrence_create_run_export_delete(pt, client):
    client.create_customer("PT-REC", VISA)
    rec = client.create_recurrence(
        "PT-REC", Decimal("15.00"), frequency=3, start_date=TODAY, total_count=2, description="Plan"
    )
    assert rec.recurrence_id > 0
    charged = pt.admin("run_recurrences", {})["transaction_ids"]
    assert len(charged) == 1
    exported = client.export_approved_recurrences(customer_id="PT-REC")
    assert [t.transaction_id for t in exported.transactions] == charged
    assert client.export_approved_recurrences(recurrence_id=rec.recurrence_id + 1).records == []
    client.delete_recurrence(rec.recurrence_id)
    with pytest.raises(PayTraceNotFoundError):
        client.delete_recurrence(rec.recurrence_id)


def test_strict_integrator_id_981(paytrace_server):  # noqa: F811
    pt = paytrace_server(settings=StandInSettings(strict_integrator_id=True, integrator_id="RIGHT"))
    with pt.client() as good:
        assert good.export_transactions(TODAY, TODAY, include_declined=False).records == []
    wrong = PayTraceClient(pt.url, "demo", "demo", "WRONG")
    with wrong, pytest.raises(PayTraceValidationError) as info:
        wrong.export_transactions(TODAY, TODAY)
    assert info.value.codes == {981}


def test_long_ranges_are_split_by_day(pt, client):
    client.export_transactions(date(2025, 3, 1), date(2025, 3, 10))
    counts = pt.app.request_counts["/v1/transactions/export/by_date_range"]
    assert counts == 30  # ten days, each unfiltered, DECLINED and VOID


def test_include_bin_and_ach_rows_via_seeded_data(paytrace_server):  # noqa: F811
    pt = paytrace_server(seed=3, today=TODAY, customers=10, transactions=60)
    with pt.client() as c:
        day = next(
            t.created_local.date() for t in pt.company.transactions if t.payment_method == "ACH"
        )
        rows = c.export_transactions(day, day).transactions
        assert any(t.payment_method is PaymentMethod.ACH for t in rows)
        binned = c.export_transactions_by_type(day, day, include_bin=True).transactions
        cards = [t for t in binned if t.payment_method is PaymentMethod.CARD]
        assert cards and all(t.card_brand for t in cards)
