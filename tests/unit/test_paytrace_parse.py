"""Recorded-payload tests: the reference's documented export object and every listed quirk."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from decimal import Decimal

import pytest

from app.connectors.paytrace import parse_batches, parse_profiles, parse_transactions_export
from app.connectors.paytrace.parse_values import FieldReadError, timestamp
from app.domain.records import ParseError, PaymentMethod, TransactionType

# Verbatim from reference/paytrace-v1.md ("Exported transaction object").
REFERENCE_ROW = json.loads(
    '{"transaction_id": 79388123,\n'
    ' "credit_card": {"masked_number": "************5454", "expiration_month": 12, "e'
    'xpiration_year": 20},\n'
    ' "transaction_type": "SALE", "description": "", "amount": 110, "invoice_id": "in'
    'v1234",\n'
    ' "billing_address": {"name": "Kevin", "street_address": "8320 E. West St.", "cit'
    'y": "Spokane", "state": "WA", "zip": "85284", "country": "US"},\n'
    ' "shipping_address": {"name": "", "zip": "85284", "country": "US"},\n'
    ' "receipt_emailed_to": "", "tax_amount": "8.10", "customer_reference_id": "PO123'
    '456",\n'
    ' "approval_code": "VTLMC1", "approval_message": "EXACT MATCH - Approved and comp'
    'leted",\n'
    ' "avs_response": "Full Exact Match", "csc_response": "Match",\n'
    ' "status_code": "GB571", "status_message": "GB571",\n'
    ' "created": {"through": "API", "at": "4/10/2015 4:06:30 PM", "by": "sandbox123",'
    ' "from_ip": "64.106.246.164"},\n'
    ' "settled": "4/10/2015 8:13:45 PM", "customer_id": ""}\n'
)


def envelope(*rows: object) -> dict[str, object]:
    return {
        "success": True,
        "response_code": 1,
        "status_message": "Your request has been successfully completed.",
        "transactions": list(rows),
    }


def parse_one(row: dict[str, object]):
    result = parse_transactions_export(envelope(row))
    assert len(result) == 1
    return result


def test_reference_example_parses_exactly():
    result = parse_one(REFERENCE_ROW)
    assert result.errors == []
    record = result.records[0]
    txn = record.transaction
    assert txn.transaction_id == 79388123
    assert txn.transaction_type is TransactionType.SALE
    assert txn.amount == Decimal("110.00")
    assert txn.tax_amount == Decimal("8.10")
    assert txn.created_local == datetime(2015, 4, 10, 16, 6, 30)
    assert txn.created_text == "4/10/2015 4:06:30 PM"
    assert txn.settled_local == datetime(2015, 4, 10, 20, 13, 45)
    assert txn.is_settled
    assert txn.card_last4 == "5454"
    assert txn.card_exp_month == 12 and txn.card_exp_year == 2020
    assert txn.payment_method is PaymentMethod.CARD
    assert txn.invoice_id == "inv1234"
    assert txn.customer_reference_id == "PO123456"
    assert txn.billing_name == "Kevin"
    assert txn.status_code == "GB571"
    assert txn.approval_message == "EXACT MATCH - Approved and completed"
    assert record.raw == REFERENCE_ROW  # nothing to redact: kept exactly


def test_amount_as_string_or_fraction_number():
    for value, expected in (("110.00", "110.00"), (110.1, "110.10"), ("1,234.5", "1234.50")):
        row = dict(REFERENCE_ROW, amount=value)
        assert parse_one(row).records[0].transaction.amount == Decimal(expected)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("4/10/2015 4:06:30 PM", datetime(2015, 4, 10, 16, 6, 30)),
        ("12/31/2024 12:00:01 AM", datetime(2024, 12, 31, 0, 0, 1)),
        ("1/2/2025 12:15:00 PM", datetime(2025, 1, 2, 12, 15, 0)),
        ("01/02/2025 23:15:00", datetime(2025, 1, 2, 23, 15, 0)),
        ("1/2/2025 9:15 am", datetime(2025, 1, 2, 9, 15, 0)),
        ("2025-01-02T09:15:00", datetime(2025, 1, 2, 9, 15, 0)),
    ],
)
def test_merchant_local_timestamps(text, expected):
    assert timestamp(text, "created.at") == expected


@pytest.mark.parametrize("bad", ["13/40/2025 1:00:00 PM", "1/2/2025 13:00:00 PM", "yesterday", 5])
def test_bad_timestamps_are_field_errors(bad):
    with pytest.raises(FieldReadError) as info:
        timestamp(bad, "created.at")
    assert info.value.field == "created.at"


def test_x_mask_and_bin_mask_and_four_digit_year():
    row = copy.deepcopy(REFERENCE_ROW)
    row["credit_card"] = {
        "masked_number": "401200xxxxxx5439",
        "expiration_month": "07",
        "expiration_year": "2031",
    }
    txn = parse_one(row).records[0].transaction
    assert (txn.card_last4, txn.card_brand) == ("5439", "Visa")
    assert (txn.card_exp_month, txn.card_exp_year) == (7, 2031)


def test_unsettled_rows_missing_or_empty_settled():
    row = dict(REFERENCE_ROW)
    del row["settled"]
    assert parse_one(row).records[0].transaction.settled_local is None
    row["settled"] = ""
    assert parse_one(row).records[0].transaction.settled_local is None


def test_ach_row_with_check_instead_of_card():
    row = dict(REFERENCE_ROW)
    del row["credit_card"]
    row["check"] = {
        "masked_account_number": "*****6789",
        "routing_number": "325070760",
        "account_type": "Checking",
    }
    txn = parse_one(row).records[0].transaction
    assert txn.payment_method is PaymentMethod.ACH
    assert txn.card_last4 == "6789"
    assert txn.card_exp_year is None


def test_discretionary_data_and_unknown_fields_kept():
    row = dict(
        REFERENCE_ROW,
        discretionary_data={"Department": "Parts", "Nested": {"a": 1}},
        brand_new_field={"anything": [1, 2]},
    )
    record = parse_one(row).records[0]
    assert record.transaction.discretionary_data == {
        "Department": "Parts",
        "Nested": '{"a": 1}',
    }
    assert record.raw["brand_new_field"] == {"anything": [1, 2]}


def test_card_numbers_in_free_text_are_redacted_in_record_and_raw():
    row = dict(
        REFERENCE_ROW,
        description="paid with 4012 0000 9876 5439 thanks",
        discretionary_data={"note": "card 5499740000000057"},
    )
    record = parse_one(row).records[0]
    assert "9876" not in record.transaction.description
    assert record.transaction.description.startswith("paid with 401200")
    dumped = json.dumps(record.raw)
    assert "4012 0000 9876 5439" not in dumped and "5499740000000057" not in dumped
    assert "5499740000000057" not in record.transaction.discretionary_data["note"]


def test_declined_and_other_types():
    for text, kind in (
        ("DECLINED", TransactionType.DECLINED),
        ("void", TransactionType.VOID),
        ("STR/FWD", TransactionType.FORCE),
        ("SOMETHING NEW", TransactionType.OTHER),
    ):
        row = dict(REFERENCE_ROW, transaction_type=text)
        assert parse_one(row).records[0].transaction.transaction_type is kind


@pytest.mark.parametrize(
    "change,field",
    [
        ({"amount": "abc"}, "amount"),
        ({"amount": None}, "amount"),
        ({"transaction_id": "x12"}, "transaction_id"),
        ({"transaction_type": None}, "transaction_type"),
        ({"created": {"at": "not a date"}}, "created.at"),
        ({"created": {}}, "created.at"),
        ({"settled": "31/31/2015"}, "settled"),
        (
            {"credit_card": {"masked_number": "*1234", "expiration_month": 13}},
            "credit_card.expiration_month",
        ),
        ({"tax_amount": "eight"}, "tax_amount"),
        ({"billing_address": "Kevin"}, "billing_address"),
        ({"invoice_id": {"nested": 1}}, "invoice_id"),
    ],
)
def test_bad_record_is_a_typed_error_naming_id_and_field(change, field):
    bad = dict(REFERENCE_ROW, **change)
    good = dict(REFERENCE_ROW, transaction_id=2)
    result = parse_transactions_export(envelope(bad, good))
    assert [r.transaction.transaction_id for r in result.records] == [2]
    (error,) = result.errors
    assert isinstance(error, ParseError)
    assert error.field == field
    expected_id = "" if field == "transaction_id" and change["transaction_id"] is None else None
    if expected_id is None:
        assert error.transaction_id == str(bad["transaction_id"])
    assert error.raw  # kept (redacted) for the exceptions page


def test_non_object_rows_and_non_list_export():
    result = parse_transactions_export(envelope("junk", None, 5, REFERENCE_ROW))
    assert len(result.records) == 1 and len(result.errors) == 3
    assert all(e.field == "record" for e in result.errors)
    broken = parse_transactions_export({"transactions": {"not": "a list"}})
    assert broken.records == [] and broken.errors[0].field == "transactions"
    assert len(parse_transactions_export({"success": True})) == 0


def test_batches_lenient_names():
    parsed = parse_batches(
        [
            {"number": 7, "created_at": "4/10/2015 8:13:45 PM", "transaction_count": 3,
             "sales_count": 2, "sales_amount": 120.5, "refund_count": 1,
             "refund_amount": "20.00", "amount": 100.5},
            {"batch_number": "8", "settled": "", "sales_amount": 10},
            {"created_at": "4/10/2015 8:13:45 PM"},
        ]
    )  # fmt: skip
    first, second = parsed.items
    assert first.net_amount == Decimal("100.50") and first.refund_amount == Decimal("20.00")
    assert second.number == 8 and second.created_local is None
    assert second.net_amount == Decimal("10.00")
    assert parsed.errors[0].field == "number"


def test_customer_profiles():
    parsed = parse_profiles(
        [
            {"customer_id": "PT-C1", "credit_card": {"masked_number": "************0057",
             "expiration_month": 3, "expiration_year": 27}, "billing_address": {"name": "Bo"},
             "email": "a@b.c", "phone": "555"},
            {"customer_id": "", "credit_card": {}},
        ]
    )  # fmt: skip
    (profile,) = parsed.items
    assert (profile.customer_id, profile.card_last4, profile.card_exp_year) == (
        "PT-C1",
        "0057",
        2027,
    )
    assert profile.billing_name == "Bo"
    assert parsed.errors[0].field == "customer_id"
