"""Suggestions: ranked source candidates with reasons; learning from accepted choices."""

from __future__ import annotations

from dataclasses import replace

from app.mapping import (
    MappedRecord,
    MappingContext,
    SuggestionMemory,
    accept_suggestion,
    apply_mapping,
    load_default_template,
    suggest,
)
from app.mapping.suggestions import suggest_for
from tests.unit.test_mapping_samples import LINKS, sample_rows

STANDARD = {
    "Payment.PaymentReference": "transaction_id",
    "Payment.PaymentDate": "created.at",
    "Payment.Amount": "amount",
    "Payment.CustomerID": "customer_id",
    "Payment.InvoiceID": "invoice_id",
    "Payment.PaymentMethodCode": "payment_method",
    "Payment.PaymentStatus": "status",
}


def unmapped_payment_template():  # type: ignore[no-untyped-def]
    document = load_default_template()
    return replace(document, mappings=tuple(m for m in document.mappings if m.record != "Payment"))


def test_top_suggestion_is_right_for_at_least_6_of_the_7_standard_payment_fields() -> None:
    document = unmapped_payment_template()
    ranked = suggest(document, sample_rows(), record="Payment")
    right = [t for t, source in STANDARD.items() if ranked[t][0].source == source]
    wrong = {t: ranked[t][0].source for t in STANDARD if t not in right}
    assert len(right) >= 6, f"wrong top suggestions: {wrong}"
    print(f"right top suggestions: {len(right)} of 7")


def test_suggestions_explain_themselves() -> None:
    ranked = suggest_for(unmapped_payment_template(), "Payment.PaymentStatus", sample_rows())
    top = ranked[0]
    assert top.source == "status" and 0 < top.score <= 1
    assert any(r.startswith("name:") and "status" in r for r in top.reasons)
    assert "type: text fits text" in top.reasons
    assert any("sample values are known PaymentStatus values" in r for r in top.reasons)
    scores = [s.score for s in ranked]
    assert scores == sorted(scores, reverse=True)


def test_caller_supplied_fields_get_no_suggestions() -> None:
    assert suggest_for(unmapped_payment_template(), "Payment.Applications", sample_rows()) == []


def test_accepting_suggestions_is_one_call_and_the_result_maps() -> None:
    document = unmapped_payment_template()
    memory = SuggestionMemory()
    for target, ranked in suggest(document, sample_rows(), record="Payment").items():
        if target in STANDARD:
            document = accept_suggestion(document, ranked[0], memory)
    assert memory.count("Payment.Amount", "amount") == 1
    template = load_default_template()
    for target in ("Payment.PaymentReference", "Payment.PaymentDate", "Payment.CustomerID"):
        document = document.with_transforms(target, template.mapping_for(target).transforms)  # type: ignore[union-attr]
    document = document.with_mapping(template.mapping_for("Payment.GLAccountID"))  # type: ignore[arg-type]
    document = document.with_transforms(
        "Payment.PaymentStatus",
        template.mapping_for("Payment.PaymentStatus").transforms,  # type: ignore[union-attr]
    )
    result = apply_mapping(document, sample_rows()[0], MappingContext(customer_links=LINKS))
    assert isinstance(result, MappedRecord), str(result)
    assert result.payloads["Payment"]["PaymentReference"] == "PT-79388123-PAY"


def test_earlier_choices_lift_a_candidate() -> None:
    document = unmapped_payment_template()
    before = suggest_for(document, "Payment.Memo", sample_rows())
    assert before[0].source == "description"
    memory = SuggestionMemory()
    for _ in range(2):
        memory.record("Payment.Memo", "customer_reference_id")
    after = suggest_for(document, "Payment.Memo", sample_rows(), memory)
    lifted = next(s for s in after if s.source == "customer_reference_id")
    old = next((s for s in before if s.source == "customer_reference_id"), None)
    assert old is None or lifted.score > old.score
    assert "history: chosen 2 times before" in lifted.reasons
    learned = SuggestionMemory.from_documents([load_default_template()] * 3)
    assert learned.count("Payment.Amount", "amount") == 3


def test_values_the_caller_knows_for_a_target_count_as_overlap() -> None:
    document = unmapped_payment_template()
    rows = sample_rows()
    known = {"Payment.Memo": [row["customer_reference_id"] for row in rows]}
    plain = suggest_for(document, "Payment.Memo", rows)
    informed = suggest_for(document, "Payment.Memo", rows, target_values=known)
    lifted = next(s for s in informed if s.source == "customer_reference_id")
    before = next((s.score for s in plain if s.source == "customer_reference_id"), 0.0)
    assert lifted.score > before
    assert "values: 5 of 5 sample values are known Memo values" in lifted.reasons
