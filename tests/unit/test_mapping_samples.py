"""PayTrace export rows shaped like the documented export object, shared by the mapping
tests (imported by them), plus a check that the default template maps every one."""

from __future__ import annotations

import copy
from typing import Any

from app.mapping import MappedRecord, MappingContext, apply_mapping, load_default_template

EXPORT_ROW: dict[str, Any] = {
    "transaction_id": 79388123,
    "credit_card": {
        "masked_number": "************5454",
        "expiration_month": 12,
        "expiration_year": 20,
    },
    "transaction_type": "SALE",
    "description": "",
    "amount": 110,
    "invoice_id": "inv1234",
    "billing_address": {
        "name": "Kevin",
        "street_address": "8320 E. West St.",
        "city": "Spokane",
        "state": "WA",
        "zip": "85284",
        "country": "US",
    },
    "shipping_address": {"name": "", "zip": "85284", "country": "US"},
    "receipt_emailed_to": "",
    "tax_amount": "8.10",
    "customer_reference_id": "PO123456",
    "approval_code": "VTLMC1",
    "approval_message": "EXACT MATCH - Approved and completed",
    "avs_response": "Full Exact Match",
    "csc_response": "Match",
    "status_code": "GB571",
    "status_message": "GB571",
    "created": {
        "through": "API",
        "at": "4/10/2015 4:06:30 PM",
        "by": "sandbox123",
        "from_ip": "64.106.246.164",
    },
    "settled": "4/10/2015 8:13:45 PM",
    "customer_id": "PT-C00012",
}

LINKS = {"PT-C00012": "C00012", "PT-C00020": "C00020", "PT-C00031": "C00031"}


def export_row(**changes: Any) -> dict[str, Any]:
    row = copy.deepcopy(EXPORT_ROW)
    row.update(changes)
    return row


def sample_rows() -> list[dict[str, Any]]:
    """Six varied rows: card sales, a decline, an ACH payment, messy references."""
    rows = [
        export_row(),
        export_row(
            transaction_id=79388124,
            amount=250.5,
            invoice_id="INV-0104512",
            customer_reference_id="PO-88812",
            description="Payment for invoice 104512",
            customer_id="PT-C00020",
            created={"through": "API", "at": "11/3/2024 9:15:02 AM", "by": "web"},
        ),
        export_row(
            transaction_id=79388125,
            transaction_type="DECLINED",
            amount=1.12,
            invoice_id="#104600",
            customer_reference_id="",
            created={"through": "API", "at": "11/4/2024 11:59:59 PM", "by": "web"},
            settled="",
        ),
        export_row(
            transaction_id=79388126,
            amount=75,
            invoice_id=" 104700 ",
            customer_reference_id="PO-1",
            customer_id="PT-C00031",
            created={"through": "API", "at": "12/24/2024 12:00:00 PM", "by": "web"},
        ),
        export_row(
            transaction_id=79388127,
            amount=19.99,
            invoice_id="104800",
            customer_reference_id="PO-2",
            created={"through": "API", "at": "1/2/2025 7:01:00 AM", "by": "web"},
        ),
        export_row(
            transaction_id=79388128,
            amount=1200,
            invoice_id="104900",
            customer_reference_id="PO-3",
            customer_id="PT-C00020",
            created={"through": "API", "at": "1/15/2025 3:30:00 PM", "by": "web"},
        ),
    ]
    ach = rows[3]
    del ach["credit_card"]
    ach["check"] = {"masked_account_number": "*****6789", "account_type": "Checking"}
    return rows


def test_default_template_maps_every_sample_row() -> None:
    document = load_default_template()
    for row in sample_rows():
        result = apply_mapping(document, row, MappingContext(customer_links=LINKS))
        assert isinstance(result, MappedRecord), str(result)
        assert set(result.payloads) == {"Payment"}
