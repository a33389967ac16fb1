"""The document: JSON round trip, structural errors with their place, edits, the template."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.mapping import (
    DocumentFormatError,
    FieldMapping,
    MappingDocument,
    TransformStep,
    load_default_template,
    load_document,
    save_document,
    validate_document,
)
from app.mapping.document import SCHEMA_ID, SCHEMA_VERSION
from app.mapping.template import default_template_path


def test_default_template_is_valid_and_covers_the_standard_payment_mapping() -> None:
    document = load_default_template()
    assert validate_document(document) == []
    expected_sources = {
        "Payment.PaymentReference": "transaction_id",
        "Payment.PaymentDate": "created.at",
        "Payment.Amount": "amount",
        "Payment.CustomerID": "customer_id",
        "Payment.InvoiceID": "invoice_id",
        "Payment.PaymentMethodCode": "payment_method",
        "Payment.PaymentStatus": "status",
        "Payment.GLAccountID": None,
    }
    for target, source in expected_sources.items():
        mapping = document.mapping_for(target)
        assert mapping is not None and mapping.source == source, target
    assert document.status_map.values["Approved"] == "Paid"
    assert document.status_map.values["Declined"] == "Failed"
    assert document.status_map.values["Refunded"] == "Refunded"
    assert document.gl_rules.default == "1050"
    names = {r.name for r in document.targets}
    assert names == {
        "Payment",
        "Customer",
        "CreditMemo",
        "JournalEntry",
        "SalesOrder",
        "PaymentReversal",
        "SettlementEntry",
        "ChargebackEntry",
    }
    paths = {f.path for f in document.source_fields}
    assert {"billing_address.name", "created.at", "credit_card.masked_number"} <= paths


def test_json_round_trip_is_lossless(tmp_path: Path) -> None:
    document = load_default_template()
    path = tmp_path / "copy.json"
    save_document(document, path)
    again = load_document(path)
    assert again == document
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema"] == SCHEMA_ID and data["schema_version"] == SCHEMA_VERSION
    assert default_template_path().is_file()


def _data() -> dict:
    return load_default_template().to_dict()


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (lambda d: d.update(schema="other"), "schema", "not a Paysage mapping document"),
        (lambda d: d.update(schema_version=99), "schema_version", "newer"),
        (
            lambda d: d["targets"][0]["fields"][1].update(type="float"),
            "targets[0].fields[1].type",
            "not one of",
        ),
        (lambda d: d["mappings"][2].update(target="Amount"), "mappings[2].target", "Record.Field"),
        (
            lambda d: d["mappings"][0]["transforms"][0].update(params=[]),
            "mappings[0].transforms[0].params",
            "expected an object",
        ),
        (
            lambda d: d["gl_rules"]["rules"][0].pop("account"),
            "gl_rules.rules[0].account",
            "expected text",
        ),
        (
            lambda d: d.update(
                currency_rates=[{"currency": "CAD", "as_of": "2024-13-01", "rate": "0.7"}]
            ),
            "currency_rates[0].as_of",
            "YYYY-MM-DD",
        ),
        (
            lambda d: d.update(
                currency_rates=[{"currency": "CAD", "as_of": "2024-01-01", "rate": 0.7}]
            ),
            "currency_rates[0].rate",
            "decimal written as text",
        ),
        (
            lambda d: d["status_map"].update(values={"Approved": 1}),
            "status_map.values",
            "text → text",
        ),
    ],
)
def test_structural_errors_name_their_place(change, where: str, words: str) -> None:  # type: ignore[no-untyped-def]
    data = _data()
    change(data)
    with pytest.raises(DocumentFormatError) as caught:
        MappingDocument.from_dict(data)
    assert caught.value.where == where
    assert words in str(caught.value)


def test_not_json_is_a_format_error() -> None:
    with pytest.raises(DocumentFormatError, match="not valid JSON"):
        MappingDocument.from_json("{nope")


def test_edits_return_new_documents() -> None:
    document = load_default_template()
    moved = document.with_source("Payment.Memo", "customer_reference_id")
    assert document.mapping_for("Payment.Memo").source == "description"  # type: ignore[union-attr]
    memo = moved.mapping_for("Payment.Memo")
    assert memo == FieldMapping("Payment.Memo", "customer_reference_id", (TransformStep("trim"),))
    assert [m.target for m in moved.mappings] == [m.target for m in document.mappings]
    removed = moved.without_mapping("Payment.Memo")
    assert removed.mapping_for("Payment.Memo") is None
    chained = removed.with_transforms("Payment.Memo", (TransformStep("upper"),))
    assert chained.mapping_for("Payment.Memo") == FieldMapping(
        "Payment.Memo", None, (TransformStep("upper"),)
    )
    assert document.target_field("Payment.Amount").type == "money"  # type: ignore[union-attr]
    assert document.target_field("Payment.Nope") is None
