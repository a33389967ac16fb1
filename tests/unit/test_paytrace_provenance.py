"""Declines and voids decided by provenance: every plausible row shape, one test each."""

from __future__ import annotations

from typing import Any

import pytest

from app.connectors.paytrace.parse_transactions import ParsedExport, ParsedRecord, parse_row
from app.connectors.paytrace.provenance import (
    FROM_DECLINE_SIGNALS,
    FROM_DECLINED_EXPORT,
    FROM_VOID_EXPORT,
    decide,
    decide_by_provenance,
    has_every_decline_signal,
)
from app.domain.records import TransactionType


def row(tid: int = 90000001, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "transaction_id": tid,
        "transaction_type": "SALE",
        "amount": 110,
        "invoice_id": "104512",
        "credit_card": {"masked_number": "************5439", "expiration_month": 12,
                        "expiration_year": 30},
        "approval_code": "TAS123",
        "approval_message": "  NO  MATCH - Approved and completed",
        "status_code": "GB571",
        "created": {"at": "3/14/2025 12:00:00 PM"},
    }  # fmt: skip
    base.update(fields)
    return base


def parsed(**fields: Any) -> ParsedRecord:
    record = parse_row(row(**fields))
    assert isinstance(record, ParsedRecord)
    return record


DECLINE_SIGNALS = {"approval_code": "", "approval_message": "  DECLINED", "status_code": "102"}


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param(DECLINE_SIGNALS, id="SALE-plain-decline"),
        pytest.param({**DECLINE_SIGNALS, "transaction_type": "AUTHORIZATION"}, id="AUTHORIZATION"),
        pytest.param({**DECLINE_SIGNALS, "approval_message": "  EXPIRED CARD"}, id="expired-card"),
        pytest.param(
            {**DECLINE_SIGNALS, "approval_message": "INSUFFICIENT FUNDS"}, id="insufficient-funds"
        ),
        pytest.param(
            {**DECLINE_SIGNALS, "approval_message": "Declined - Do Not Honor"}, id="mixed-case"
        ),
        pytest.param({**DECLINE_SIGNALS, "status_code": "05"}, id="iso-do-not-honor"),
        pytest.param({**DECLINE_SIGNALS, "status_code": " 51 "}, id="iso-no-funds-padded"),
        pytest.param({**DECLINE_SIGNALS, "approval_code": None}, id="approval-code-null"),
    ],
)
def test_a_charge_row_with_every_decline_signal_is_declined(fields):
    record = parsed(**fields)
    assert has_every_decline_signal(record.transaction)
    decided = decide(record, declined_ids=(), voided_ids=())
    assert decided.transaction.transaction_type is TransactionType.DECLINED
    assert decided.provenance == FROM_DECLINE_SIGNALS
    assert decided.raw == record.raw  # the row itself is kept as PayTrace sent it


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({}, id="approved"),
        pytest.param({**DECLINE_SIGNALS, "approval_code": "TAS123"}, id="has-approval-code"),
        pytest.param(
            {**DECLINE_SIGNALS, "approval_message": "Approved and completed"}, id="approved-text"
        ),
        pytest.param({**DECLINE_SIGNALS, "status_code": "GB571"}, id="approval-status"),
        pytest.param({**DECLINE_SIGNALS, "status_code": ""}, id="no-status"),
        pytest.param({**DECLINE_SIGNALS, "transaction_type": "REFUND"}, id="refund"),
    ],
)
def test_a_row_missing_a_decline_signal_keeps_its_type(fields):
    record = parsed(**fields)
    assert not has_every_decline_signal(record.transaction)
    assert decide(record, declined_ids=(), voided_ids=()) is record


def test_the_declined_filter_wins_whatever_the_row_says():
    approved_looking = parsed()  # an approval code and all: PayTrace listed it as declined
    decided = decide(approved_looking, declined_ids={90000001}, voided_ids={90000001})
    assert decided.transaction.transaction_type is TransactionType.DECLINED
    assert decided.provenance == FROM_DECLINED_EXPORT


@pytest.mark.parametrize(
    ("fields", "changed"),
    [({}, True), ({"status_code": "109"}, True), ({"transaction_type": "VOID"}, False)],
    ids=["sale-unchanged-row", "sale-status-109", "void-row"],
)
def test_the_void_filter_voids_any_shape(fields, changed):
    record = parsed(**fields)
    decided = decide(record, declined_ids=(), voided_ids={90000001})
    assert decided.transaction.transaction_type is TransactionType.VOID
    assert decided.provenance == (FROM_VOID_EXPORT if changed else "")


def test_first_seen_row_wins_but_every_filter_decides():
    sale_shaped = parsed(**DECLINE_SIGNALS)
    other = parsed(tid=90000002)
    chunks = {
        None: ParsedExport(records=[sale_shaped, other]),
        "DECLINED": ParsedExport(records=[parsed(**{**DECLINE_SIGNALS, "approval_code": "X"})]),
        "VOID": ParsedExport(records=[]),
    }
    result = decide_by_provenance(chunks)
    assert [r.transaction.transaction_id for r in result.records] == [90000001, 90000002]
    first, second = result.records
    assert first.raw == sale_shaped.raw and first.provenance == FROM_DECLINED_EXPORT
    assert second.transaction.transaction_type is TransactionType.SALE
