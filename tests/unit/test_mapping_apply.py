"""Applying the default mapping: Sage Pro payloads, typed per-row errors, preview."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from app.mapping import (
    MappedRecord,
    MappingContext,
    MappingError,
    TransformStep,
    apply_mapping,
    load_default_template,
    preview_mapping,
    reference_tokens,
)
from app.mapping.document import TargetRecord
from tests.unit.test_mapping_samples import LINKS, export_row, sample_rows

DOC = load_default_template()
CTX = MappingContext(customer_links=LINKS)


def mapped(row: dict, document=DOC, context=CTX) -> MappedRecord:  # type: ignore[no-untyped-def]
    result = apply_mapping(document, row, context)
    assert isinstance(result, MappedRecord), str(result)
    return result


def test_standard_payment_from_the_documented_export_row() -> None:
    payment = mapped(export_row()).payloads["Payment"]
    assert payment == {
        "PaymentReference": "PT-79388123-PAY",
        "PaymentDate": "2015-04-10",
        "Amount": Decimal("110.00"),
        "CustomerID": "C00012",
        "InvoiceID": "1234",
        "GLAccountID": "1050",
        "PaymentMethodCode": "CC",
        "PaymentStatus": "Paid",
    }
    assert isinstance(payment["Amount"], Decimal)


def test_late_evening_time_keeps_the_merchant_local_date() -> None:
    row = export_row(created={"at": "12/31/2024 11:59:59 PM"})
    assert mapped(row).payloads["Payment"]["PaymentDate"] == "2024-12-31"


def test_decline_ach_and_messy_references() -> None:
    rows = sample_rows()
    results = [mapped(row).payloads["Payment"] for row in rows]
    assert results[1]["InvoiceID"] == "104512"
    assert results[1]["Amount"] == Decimal("250.50")
    assert results[2]["PaymentStatus"] == "Failed"
    assert results[2]["InvoiceID"] == "104600"
    assert results[3]["PaymentMethodCode"] == "ACH"
    assert results[3]["CustomerID"] == "C00031"


def test_refund_becomes_a_credit_memo_with_the_refund_gl_account() -> None:
    row = export_row(transaction_id=80000001, transaction_type="REFUND", amount=25)
    result = mapped(row)
    assert set(result.payloads) == {"CreditMemo"}
    memo = result.payloads["CreditMemo"]
    assert memo["Reference"] == "PT-80000001-REFUND"
    assert memo["GLAccountID"] == "4900"
    assert memo["Amount"] == Decimal("25.00")
    # The original sale is a posting fact (posting.original_transaction_id), empty in preview.
    assert memo["Reason"] == "PayTrace refund 80000001 of transaction "


def test_uncaptured_authorization_and_void_produce_no_records() -> None:
    for kind in ("AUTHORIZATION", "VOID"):
        assert mapped(export_row(transaction_type=kind)).payloads == {}


def test_unlinked_customer_is_a_typed_error_naming_the_field() -> None:
    result = apply_mapping(DOC, export_row(customer_id="PT-UNKNOWN"), CTX)
    assert isinstance(result, MappingError)
    assert result.field == "Payment.CustomerID"
    assert "'PT-UNKNOWN' is not in the customer links" in result.reason
    assert result.transaction_id == "79388123"


def test_every_bad_field_of_a_row_is_listed() -> None:
    row = export_row(amount="lots", created={"at": "yesterday"}, customer_id="")
    result = apply_mapping(DOC, row, CTX)
    assert isinstance(result, MappingError)
    fields = {p.target: p.message for p in result.problems}
    assert set(fields) == {"Payment.Amount", "Payment.PaymentDate", "Payment.CustomerID"}
    assert "'lots' is not an amount of money" in fields["Payment.Amount"]
    assert "'yesterday' is not a date" in fields["Payment.PaymentDate"]
    assert "empty" in fields["Payment.CustomerID"]


def test_required_field_empty_and_unmapped() -> None:
    row = export_row(transaction_id=None)
    result = apply_mapping(DOC.without_mapping("Payment.Amount"), row, CTX)
    assert isinstance(result, MappingError)
    messages = {p.target: p.message for p in result.problems}
    assert messages["Payment.Amount"] == "is required but nothing is mapped"
    # transaction_id missing still yields "PT--PAY": a chain that makes a value is trusted.
    assert "Payment.PaymentReference" not in messages


def test_card_number_in_a_text_field_is_refused() -> None:
    row = export_row(description="card 4012000098765439")
    result = apply_mapping(DOC, row, CTX)
    assert isinstance(result, MappingError)
    assert result.field == "Payment.Memo"
    assert "card number" in result.reason
    assert "4012000098765439" not in str(result)


def test_overrides_win_and_are_type_checked() -> None:
    context = MappingContext(
        customer_links=LINKS, overrides={"Payment.InvoiceID": "104999", "Payment.Applications": []}
    )
    payment = mapped(export_row(), context=context).payloads["Payment"]
    assert payment["InvoiceID"] == "104999"
    bad = MappingContext(customer_links=LINKS, overrides={"Payment.Amount": "n/a"})
    result = apply_mapping(DOC, export_row(), bad)
    assert isinstance(result, MappingError) and result.field == "Payment.Amount"


def test_disallowed_value_names_the_allowed_ones() -> None:
    document = DOC.with_transforms(
        "Payment.PaymentMethodCode", (TransformStep("constant", {"value": "CASH"}),)
    )
    result = apply_mapping(document, export_row(), CTX)
    assert isinstance(result, MappingError)
    assert result.field == "Payment.PaymentMethodCode"
    assert result.reason == "'CASH' is not one of CC, ACH"


def test_nested_customer_fields_when_the_customer_record_is_on() -> None:
    records = tuple(replace(r, enabled=True) if r.name == "Customer" else r for r in DOC.targets)
    document = replace(DOC, targets=records)
    customer = mapped(export_row(receipt_emailed_to="Kevin@Example.com")).payloads  # default
    assert "Customer" not in customer
    payloads = mapped(export_row(receipt_emailed_to="Kevin@Example.com"), document).payloads
    assert payloads["Customer"]["BillingAddress"]["City"] == "Spokane"
    assert payloads["Customer"]["Email"] == "kevin@example.com"
    assert payloads["Customer"]["CardLast4"] == "5454"
    assert isinstance(document.record("Customer"), TargetRecord)


def test_preview_shows_results_and_per_row_errors() -> None:
    rows = [*sample_rows(), export_row(customer_id="PT-UNKNOWN")]
    preview = preview_mapping(DOC, rows, CTX)
    assert [p.ok for p in preview] == [True] * 6 + [False]
    assert preview[0].value("Payment.PaymentReference") == "PT-79388123-PAY"
    assert preview[6].value("Payment.Amount") is None
    assert "customer links" in (preview[6].problem("Payment.CustomerID") or "")
    assert preview[0].problem("Payment.CustomerID") is None


def test_reference_tokens_follow_the_documents_rules() -> None:
    row = export_row(
        invoice_id="INV-0104512", customer_reference_id="PO-88812", description="for 104513"
    )
    tokens = reference_tokens(DOC.references, row)
    assert tokens == [
        ("invoice_id", "104512"),
        ("customer_reference_id", "88812"),
        ("description", "104513"),
    ]


def test_a_locked_field_keeps_its_fixed_mapping_whatever_the_document_says() -> None:
    from app.mapping import locked_targets

    assert "Payment.PaymentReference" in locked_targets()
    assert all(reason.endswith(".") for reason in locked_targets().values())
    row = export_row(transaction_id=80000002, transaction_type="SALE", amount=40)
    document = DOC.with_transforms(
        "Payment.PaymentReference", (TransformStep("constant", {"value": "SAME-KEY"}),)
    ).with_source("Payment.Amount", "tax_amount")
    payment = mapped(row, document).payloads["Payment"]
    assert payment["PaymentReference"] == "PT-80000002-PAY"
    assert payment["Amount"] == Decimal("40.00")
