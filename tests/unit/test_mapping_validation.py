"""Each validation message, in the words the bookkeeper reads."""

from __future__ import annotations

from dataclasses import replace

from app.mapping import (
    FieldMapping,
    TransformStep,
    ValidationIssue,
    load_default_template,
    validate_document,
)
from app.mapping.document import GLCondition, GLRule, GLRules, ReferenceRules, StatusMap
from app.mapping.validation import errors_of

DOC = load_default_template()


def issues_with(code: str, document=DOC) -> list[ValidationIssue]:  # type: ignore[no-untyped-def]
    return [i for i in validate_document(document) if i.code == code]


def test_required_target_field_unmapped_names_the_field() -> None:
    (issue,) = issues_with("required_unmapped", DOC.without_mapping("Payment.CustomerID"))
    assert issue.message == "Payment field CustomerID is required but nothing is mapped to it."
    assert issue.target == "Payment.CustomerID" and issue.severity == "error"


def test_locked_fields_of_disabled_records_and_caller_fields_are_not_demanded() -> None:
    document = DOC.without_mapping("SalesOrder.OrderNumber")
    assert issues_with("required_unmapped", document) == []


def test_every_record_kind_paysage_posts_needs_its_required_fields() -> None:
    # The sales order is off for previews, but Paysage still posts one for an order payment.
    (issue,) = issues_with("required_unmapped", DOC.without_mapping("SalesOrder.OrderDate"))
    assert issue.message == "SalesOrder field OrderDate is required but nothing is mapped to it."
    (issue,) = issues_with("required_unmapped", DOC.without_mapping("PaymentReversal.Reason"))
    assert issue.target == "PaymentReversal.Reason"


def test_a_locked_field_mapped_differently_is_refused_with_the_reason() -> None:
    changed = DOC.with_source("Payment.Amount", "tax_amount")
    (issue,) = issues_with("locked_field", changed)
    assert issue.severity == "error" and issue.target == "Payment.Amount"
    assert issue.message == (
        "Payment.Amount is locked and cannot be mapped differently: The amount is the money "
        "PayTrace moved; the mapping cannot change it."
    )
    assert issues_with("locked_field") == []


def test_type_mismatch_error_and_conversion_warning() -> None:
    (issue,) = issues_with("type_mismatch", DOC.with_source("Payment.Amount", "created.at"))
    assert issue.message == ("Payment.Amount needs money but 'created.at' gives a date and time.")
    assert issue.target == "Payment.Amount"
    (warning,) = issues_with("type_conversion", DOC.with_source("Payment.Amount", "invoice_id"))
    assert warning.severity == "warning"
    assert "rows whose value cannot be read as money will fail" in warning.message
    chained = DOC.with_mapping(
        FieldMapping("Payment.PaymentDate", "amount", (TransformStep("round"),))
    )
    (after_steps,) = issues_with("type_mismatch", chained)
    assert "'amount' after 1 step(s) gives money" in after_steps.message


def test_unknown_transform() -> None:
    document = DOC.with_transforms("Payment.Memo", (TransformStep("trim"), TransformStep("shout")))
    (issue,) = issues_with("unknown_transform", document)
    assert issue.message.startswith(
        "Payment.Memo, step 2: there is no transform called 'shout' (known: "
    )
    assert issue.step == 2 and issue.target == "Payment.Memo"


def test_invalid_regex_in_a_step_and_in_the_reference_rules() -> None:
    document = DOC.with_transforms(
        "Payment.InvoiceID", (TransformStep("regex_extract", {"pattern": "([0-9"}),)
    )
    (issue,) = issues_with("invalid_regex", document)
    assert issue.message.startswith(
        "Payment.InvoiceID, step 1: 'Regex extract' setting 'Pattern': the pattern '([0-9' is "
        "not a valid regular expression ("
    )
    replace_step = DOC.with_transforms(
        "Payment.Memo", (TransformStep("replace", {"find": "*", "regex": True}),)
    )
    assert (
        "'*' is not a valid regular expression"
        in issues_with("invalid_regex", replace_step)[0].message
    )
    bad_refs = replace(DOC, references=ReferenceRules(token_pattern="(\\d{4,}"))
    (ref_issue,) = issues_with("invalid_regex", bad_refs)
    assert ref_issue.message.startswith("Reference rules: token pattern '(\\d{4,}' is not a valid")


def test_gl_rules_without_a_default() -> None:
    document = replace(DOC, gl_rules=replace(DOC.gl_rules, default=None))
    (issue,) = issues_with("gl_no_default", document)
    assert issue.message == (
        "The GL rules have no default account; add one so every transaction gets a GL account "
        "when no rule matches."
    )


def test_gl_rule_problems() -> None:
    from decimal import Decimal

    rules = GLRules(
        rules=(
            GLRule("Empty", "", GLCondition(methods=("ACH",))),
            GLRule("", "1050", GLCondition(amount_min=Decimal(10), amount_max=Decimal(5))),
        ),
        default="1050",
    )
    document = replace(DOC, gl_rules=rules)
    assert issues_with("gl_rule_no_account", document)[0].message == (
        "GL rule 1 'Empty' names no account."
    )
    assert "amount range 10–5 is empty" in issues_with("gl_rule_range", document)[0].message


def test_bad_settings_unknown_fields_duplicates_and_empty_status_map() -> None:
    document = DOC.with_transforms("Payment.Memo", (TransformStep("pad_left", {}),))
    assert issues_with("bad_setting", document)[0].message == (
        "Payment.Memo, step 1: 'Pad' needs a value for 'Width'."
    )
    lookup = DOC.with_transforms("Payment.Memo", (TransformStep("lookup", {}),))
    assert "neither a table nor a caller table" in issues_with("bad_setting", lookup)[0].message
    unknown_source = DOC.with_source("Payment.Memo", "memo_text")
    assert issues_with("unknown_source", unknown_source)[0].message == (
        "Payment.Memo reads 'memo_text', which is not a PayTrace field this document knows."
    )
    unknown_target = DOC.with_mapping(FieldMapping("Payment.Colour", "description"))
    assert issues_with("unknown_target", unknown_target)[0].message == (
        "Payment.Colour is not a field of any Sage Pro record in this document."
    )
    duplicated = replace(DOC, mappings=(*DOC.mappings, DOC.mappings[0]))
    assert issues_with("duplicate_mapping", duplicated)[0].message == (
        "Payment.PaymentReference is mapped 2 times; keep one."
    )
    no_status = replace(DOC, status_map=StatusMap(values={}))
    assert issues_with("status_map_empty", no_status)[0].message == (
        "The status map is empty but a field uses it."
    )


def test_default_template_has_no_errors() -> None:
    assert errors_of(validate_document(DOC)) == []
