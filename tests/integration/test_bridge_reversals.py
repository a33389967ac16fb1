"""Payment reversals staged by the bridge (contract v1.1 ``/api/paymentreversals``): the
contract's rules against a fixture company plus the overlay, the invoices raised back until
the bookkeeper voids the receipt in Sage Pro with the token, then ``Entered``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from app.bridge.service import open_company
from app.bridge.staging import StagedReceipts, StagedStore
from app.bridge.tokens import token_for
from app.bridge.worklist import work_items
from app.connectors.sagepro.errors import (
    DuplicateReferenceError,
    PeriodClosedError,
    ValidationFailedError,
)
from app.connectors.sagepro.exactly_once import post_once
from app.domain.sagepro_records import PaymentReversalDraft
from tests.integration.test_bridge_staging import KEY, Bridge, _draft, bridge
from tests.support.sagepro_folder import build_company, enter_receipt_in_sage_pro, right

__all__ = ["bridge"]  # the staged-receipts fixture, both table formats

SAGE_PAYMENT = "C100-PT-701-PAY"  # in the fixture ARCASH: 60.00 + 40.00 on invoice 1007


def _reversal(payment_id: str = SAGE_PAYMENT, **changes: object) -> PaymentReversalDraft:
    fields: dict[str, object] = {
        "reference": "PT-701-REVERSAL",
        "payment_id": payment_id,
        "reversal_date": date(2026, 3, 24),
        "reason": "chargeback lost",
    }
    fields.update(changes)
    return PaymentReversalDraft(**fields)  # type: ignore[arg-type]


def _raw(bridge: Bridge, path: str, **params: str) -> list[dict[str, object]]:
    answer = requests.get(
        bridge.url + path,
        params=params,
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=5,
    )
    answer.raise_for_status()
    items: list[dict[str, object]] = answer.json()["items"]
    return items


def test_a_staged_reversal_raises_the_invoices_back_and_marks_the_payment(
    bridge: Bridge,
) -> None:
    before = bridge.client.get_customer("C100").balance
    staged = post_once(bridge.client, "payment_reversal", "PT-701-REVERSAL", _reversal())
    assert staged.posting_state == "Staged"
    assert staged.posting_token == token_for("PT-701-REVERSAL", 10)
    assert (staged.amount, staged.customer_id) == (Decimal("100.00"), "C100")
    invoice = bridge.client.get_invoice("1007")
    assert (invoice.balance, invoice.amount_paid) == (Decimal("400.00"), Decimal("0.00"))
    assert (invoice.status, invoice.payment_status) == ("Open", "Unpaid")
    assert bridge.client.get_customer("C100").balance == before + Decimal("100.00")
    payment = bridge.client.get_payment(SAGE_PAYMENT)
    assert payment.reversed and payment.reversal_id == staged.reversal_id
    found = bridge.client.find_payment_reversal("pt-701-reversal")
    assert found is not None and found.reversal_id == staged.reversal_id
    assert bridge.client.get_payment_reversal(staged.reversal_id).posting_state == "Staged"
    listed = _raw(bridge, "/api/paymentreversals", PaymentID=SAGE_PAYMENT.lower())
    assert [r["Reference"] for r in listed] == ["PT-701-REVERSAL"]
    # exactly once: the same key again finds the staged reversal, nothing new is staged
    again = post_once(bridge.client, "payment_reversal", "PT-701-REVERSAL", _reversal())
    assert again.reversal_id == staged.reversal_id
    assert len(_raw(bridge, "/api/paymentreversals")) == 1


def test_the_reversal_rules_follow_the_contract(bridge: Bridge) -> None:
    first = bridge.client.post_payment_reversal(_reversal())
    with pytest.raises(DuplicateReferenceError) as duplicate:  # checked before the rest
        bridge.client.post_payment_reversal(_reversal(payment_id="NO-SUCH"))
    assert duplicate.value.existing is not None
    assert duplicate.value.existing["ReversalID"] == first.reversal_id
    with pytest.raises(ValidationFailedError, match="does not exist"):
        bridge.client.post_payment_reversal(_reversal("NO-SUCH", reference="PT-9-REVERSAL"))
    with pytest.raises(ValidationFailedError, match="already reversed"):
        bridge.client.post_payment_reversal(_reversal(reference="PT-9-REVERSAL"))
    with pytest.raises(PeriodClosedError):  # February is locked in the fixture calendar
        bridge.client.post_payment_reversal(
            _reversal("C100-CHK5002", reference="PT-8-REVERSAL", reversal_date=date(2026, 2, 10))
        )
    missing_reason = requests.post(
        bridge.url + "/api/paymentreversals",
        json={"Reference": "PT-7-REVERSAL", "PaymentID": "C100-CHK5002", "ReversalDate": "x"},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=5,
    )
    assert missing_reason.status_code == 422
    assert set(missing_reason.json()["error"]["fields"]) >= {"ReversalDate", "Reason"}
    assert [r["Reference"] for r in _raw(bridge, "/api/paymentreversals")] == ["PT-701-REVERSAL"]


def test_a_staged_payment_can_be_reversed_before_it_is_entered(bridge: Bridge) -> None:
    payment = post_once(bridge.client, "payment", "PT-79388123-PAY", _draft())
    assert bridge.client.get_invoice("1002").balance == Decimal("100.00")
    reversal = bridge.client.post_payment_reversal(
        _reversal(payment.payment_id, reference="PT-79388123-REVERSAL")
    )
    assert reversal.amount == Decimal("150.00")
    invoice = bridge.client.get_invoice("1002")  # both pending: the overlay nets out
    assert (invoice.balance, invoice.status) == (Decimal("250.00"), "Open")
    assert bridge.client.get_payment(payment.payment_id).reversed


def test_the_round_trip_from_staged_to_entered(bridge: Bridge) -> None:
    staged = bridge.client.post_payment_reversal(_reversal())
    token = token_for("PT-701-REVERSAL", 10)
    assert token == staged.posting_token and len(token) == 10  # the key does not fit: hashed
    # The void as Sage Pro is taken to leave it (unverified): negative rows, token in REFNO.
    enter_receipt_in_sage_pro(
        bridge.company,
        [
            {
                "INVNO": right("1007"),
                "CUSTNO": "C100",
                "PAIDAMT": Decimal("-100.00"),
                "DTEPAID": date(2026, 3, 24),
                "REFNO": token.lower(),
                "GLACCNT": "1000",
            }
        ],
        {"1007": Decimal("400.00")},
    )
    entered = bridge.client.get_payment_reversal(staged.reversal_id)
    assert entered.posting_state == "Entered"
    invoice = bridge.client.get_invoice("1007")  # Sage Pro's own figures, not raised twice
    assert (invoice.balance, invoice.amount_paid) == (Decimal("400.00"), Decimal("0.00"))
    payments = _raw(bridge, "/api/payments", CustomerID="C100")
    assert all(p["PaymentReference"] != token for p in payments)  # the void is no payment
    assert next(p for p in payments if p["PaymentID"] == SAGE_PAYMENT)["Reversed"] is True
    assert bridge.client.get_customer("C100").balance == Decimal("1300.00")  # ARCUST as is
    bridge.clock.now += timedelta(days=30)
    health = requests.get(bridge.url + "/api/health", timeout=5).json()
    assert health["staged_alerts"] == []


def test_an_unentered_reversal_is_on_the_worklist_and_raises_an_alert(tmp_path: Path) -> None:
    company = build_company(tmp_path / "sage", "sbt7", "one-folder")
    store = StagedStore(tmp_path / "state" / "staged.sqlite3")
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    receipts = StagedReceipts(open_company(company.data_folder), store, clock=lambda: ten_days_ago)
    try:
        receipts.post_reversal(
            {
                "Reference": "PT-701-REVERSAL",
                "PaymentID": SAGE_PAYMENT,
                "ReversalDate": "2026-03-24",
                "Reason": "voided",
            }
        )
        receipts._clock = lambda: datetime.now(UTC)
        [item] = work_items(receipts, datetime.now(UTC))
        token = token_for("PT-701-REVERSAL", 10)
        assert (item.kind, item.customer_id, item.amount, item.token) == (
            "Void receipt",
            "C100",
            "100.00",
            token,
        )
        assert item.invoices == "void receipt PT-701-PAY: 1007 60.00; 1007 40.00"
        assert item.overdue
        [alert] = receipts.alerts()
        assert alert.token == token and "voided" in alert.why
    finally:
        store.close()
