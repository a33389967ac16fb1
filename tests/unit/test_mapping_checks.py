"""``check_mapping``: the one answer the editor's preview and Checks list both show."""

from __future__ import annotations

from app.mapping import MappingContext, load_default_template
from app.mapping.checks import check_mapping
from app.mapping.validation import ERROR, WARNING
from tests.unit.test_mapping_samples import LINKS, export_row


def test_a_row_problem_becomes_one_warning_and_stays_on_its_row() -> None:
    rows = [export_row(), export_row(customer_id="PT-NOPE"), export_row(customer_id="PT-NOPE")]
    check = check_mapping(load_default_template(), rows, MappingContext(customer_links=LINKS))
    [issue] = [i for i in check.issues if i.target == "Payment.CustomerID"]
    assert issue.severity == WARNING and "fails on 2 of 3 sample rows" in issue.message
    assert check.row_problems(0) == {}
    assert check.row_problems(1)["Payment.CustomerID"] in issue.message


def test_a_document_error_on_a_field_is_a_problem_of_every_row() -> None:
    document = load_default_template().with_source("Payment.Amount", "tax_amount")
    check = check_mapping(document, [export_row()], MappingContext(customer_links=LINKS))
    [issue] = [i for i in check.issues if i.target == "Payment.Amount"]
    assert issue.severity == ERROR
    assert check.row_problems(0) == {"Payment.Amount": issue.message}
    assert check.preview[0].ok  # applying it alone would have said nothing was wrong
