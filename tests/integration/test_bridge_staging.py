"""Staged receipts through the bridge: the app's exactly-once poster stages a payment, the
bridge's answers carry it (overlay) until the bookkeeper enters it in Sage Pro with the
token, then it is ``Entered``; a mistyped token raises an alert after N days; nothing is
ever written into a Sage Pro file by Python."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from app.bridge.discovery import PathMap
from app.bridge.http_app import BridgeApp
from app.bridge.service import open_company
from app.bridge.staging import StagedReceipts, StagedStore
from app.bridge.tokens import TokenWidthError, token_for
from app.connectors.sagepro import SageProClient
from app.connectors.sagepro.errors import (
    DuplicateReferenceError,
    InvoiceNotOpenError,
    OverpaymentError,
    PeriodClosedError,
    ValidationFailedError,
)
from app.connectors.sagepro.exactly_once import post_once
from app.domain.sagepro_records import CreditMemoDraft, PaymentApplication, PaymentDraft
from app.sandbox.http_base import SandboxServer
from tests.support.sagepro_folder import Company, build_company, enter_receipt_in_sage_pro, right

KEY = "bridge-test-key"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Bridge:
    company: Company
    client: SageProClient
    clock: Clock
    url: str


@pytest.fixture(params=["pro32", "sbt7"])
def bridge(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bridge]:
    company = build_company(tmp_path / "sage", request.param, "sysdata")
    served = open_company(company.data_folder, "01", (PathMap.parse(company.path_map),))
    clock = Clock()
    store = StagedStore(tmp_path / "bridge" / "staged.sqlite3")
    receipts = StagedReceipts(served, store, alert_after_days=3, clock=clock)
    with (
        SandboxServer(BridgeApp(served, KEY, receipts)) as server,
        SageProClient(server.url, KEY) as client,
    ):
        yield Bridge(company, client, clock, server.url)
    store.close()


def _draft(reference: str = "PT-79388123-PAY", **changes: object) -> PaymentDraft:
    fields: dict[str, object] = {
        "reference": reference,
        "payment_date": date(2026, 3, 24),
        "amount": Decimal("150.00"),
        "customer_id": "C100",
        "gl_account_id": "1000",
        "invoice_id": "1002",
    }
    fields.update(changes)
    return PaymentDraft(**fields)  # type: ignore[arg-type]


def _digests(company: Company) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in company.table_files()}


def test_tokens_are_the_key_when_it_fits_else_a_stable_hash() -> None:
    assert token_for("pt-701-pay", 10) == "PT-701-PAY"
    long = token_for("PT-79388123-PAY", 10)
    assert len(long) == 10 and long.startswith("PP") and long == token_for("pt-79388123-pay", 10)
    assert token_for("PT-79388124-PAY", 10) != long
    assert token_for("PT-79388123-PAY", 40) == "PT-79388123-PAY"
    with pytest.raises(TokenWidthError):
        token_for("PT-1-PAY", 7)


def test_a_staged_payment_is_posted_once_and_lowers_the_balances(bridge: Bridge) -> None:
    before = _digests(bridge.company)
    staged = post_once(bridge.client, "payment", "PT-79388123-PAY", _draft())
    assert staged.reference == "PT-79388123-PAY" and staged.amount == Decimal("150.00")
    raw = requests.get(
        bridge.url + "/api/payments",
        params={"PaymentReference": "pt-79388123-pay"},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=5,
    ).json()["items"]
    assert [(p["PostingState"], p["Token"]) for p in raw] == [
        ("Staged", token_for("PT-79388123-PAY", 10))
    ]
    # a retry after a lost answer finds it; a blind re-post gets 409 with the staged record
    assert post_once(bridge.client, "payment", "PT-79388123-PAY", _draft()) == staged
    with pytest.raises(DuplicateReferenceError):
        bridge.client.post_payment(_draft())
    invoice = bridge.client.get_invoice("1002")
    assert (invoice.balance, invoice.amount_paid, invoice.payment_status) == (
        Decimal("100.00"),
        Decimal("150.00"),
        "Partial",
    )
    assert bridge.client.get_customer("C100").balance == Decimal("1150.00")
    assert _digests(bridge.company) == before  # staged in the bridge's store, not in Sage Pro


def test_staging_checks_the_rules_against_the_folder_plus_the_overlay(bridge: Bridge) -> None:
    bridge.client.post_payment(_draft("PT-1-PAY", amount=Decimal("200.00")))  # 1002: 50 left
    with pytest.raises(OverpaymentError):
        bridge.client.post_payment(_draft("PT-2-PAY", amount=Decimal("60.00")))
    bridge.client.post_payment(_draft("PT-3-PAY", amount=Decimal("50.00")))
    assert bridge.client.get_invoice("1002").status == "Paid"  # by the overlay
    with pytest.raises(InvoiceNotOpenError):
        bridge.client.post_payment(_draft("PT-4-PAY", amount=Decimal("1.00")))
    with pytest.raises(InvoiceNotOpenError):  # void in Sage Pro
        bridge.client.post_payment(_draft("PT-5-PAY", customer_id="C200", invoice_id="1004"))
    with pytest.raises(PeriodClosedError):  # February is locked in SYCDFIS
        bridge.client.post_payment(_draft("PT-6-PAY", payment_date=date(2026, 2, 10)))
    with pytest.raises(ValidationFailedError, match="no fiscal period"):  # period 12 deleted
        bridge.client.post_payment(_draft("PT-7-PAY", payment_date=date(2026, 12, 10)))
    with pytest.raises(ValidationFailedError, match="does not exist"):
        bridge.client.post_payment(_draft("PT-8-PAY", invoice_id="9999"))
    with pytest.raises(ValidationFailedError, match="belongs to customer C200"):
        bridge.client.post_payment(_draft("PT-9-PAY", invoice_id="1003"))
    with pytest.raises(ValidationFailedError, match="inactive"):
        bridge.client.post_payment(_draft("PT-10-PAY", gl_account_id="6100"))
    split = _draft(
        "PT-11-PAY",
        invoice_id=None,
        amount=Decimal("500.00"),
        applications=(PaymentApplication("1001", Decimal("400.00")),),
    )
    assert bridge.client.post_payment(split).applications[0].invoice_id == "1001"
    assert bridge.client.get_customer("C100").balance == Decimal("550.00")  # 1300-200-50-500


def test_the_round_trip_from_staged_to_entered(bridge: Bridge) -> None:
    staged = post_once(bridge.client, "payment", "PT-79388123-PAY", _draft())
    token = token_for("PT-79388123-PAY", 10)
    enter_receipt_in_sage_pro(
        bridge.company,
        [
            {
                "INVNO": right("1002"),
                "CUSTNO": "C100",
                "PAIDAMT": Decimal("150.00"),
                "DTEPAID": date(2026, 3, 24),
                "REFNO": token.lower(),
                "GLACCNT": "1000",
            }
        ],
        {"1002": Decimal("100.00")},
    )
    found = bridge.client.find_payment("PT-79388123-PAY")
    assert found is not None and found.payment_id == staged.payment_id
    raw = requests.get(
        bridge.url + "/api/payments",
        params={"InvoiceID": "1002"},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=5,
    ).json()["items"]
    assert [p["PostingState"] for p in raw] == ["Entered"]  # one record, not two
    invoice = bridge.client.get_invoice("1002")  # the overlay ended: Sage Pro's own figures
    assert (invoice.balance, invoice.amount_paid) == (Decimal("100.00"), Decimal("150.00"))
    assert bridge.client.get_customer("C100").balance == Decimal("1300.00")  # ARCUST as is
    bridge.clock.now += timedelta(days=30)
    health = requests.get(bridge.url + "/api/health", timeout=5).json()
    assert health["staged_alerts"] == []


def test_a_mistyped_token_raises_an_alert_after_the_set_days(bridge: Bridge) -> None:
    post_once(bridge.client, "payment", "PT-79388123-PAY", _draft())
    enter_receipt_in_sage_pro(
        bridge.company,
        [
            {
                "INVNO": right("1002"),
                "CUSTNO": "C100",
                "PAIDAMT": Decimal("150.00"),
                "DTEPAID": date(2026, 3, 24),
                "REFNO": "PP-TYPO",
                "GLACCNT": "1000",
            }
        ],
        {},
    )
    health = lambda: requests.get(bridge.url + "/api/health", timeout=5).json()  # noqa: E731
    assert health()["staged_alerts"] == []
    bridge.clock.now += timedelta(days=3)
    alerts = health()["staged_alerts"]
    assert [(a["reference"], a["token"]) for a in alerts] == [
        ("PT-79388123-PAY", token_for("PT-79388123-PAY", 10))
    ]
    assert "not found in Sage Pro after 3 days" in alerts[0]["why"]


def test_an_entered_receipt_that_differs_from_the_staged_one_is_an_alert(bridge: Bridge) -> None:
    post_once(bridge.client, "payment", "PT-5-PAY", _draft("PT-5-PAY"))
    enter_receipt_in_sage_pro(
        bridge.company,
        [
            {
                "INVNO": right("1002"),
                "CUSTNO": "C100",
                "PAIDAMT": Decimal("15.00"),
                "DTEPAID": date(2026, 3, 24),
                "REFNO": "PT-5-PAY",
                "GLACCNT": "1000",
            }
        ],
        {},
    )
    alerts = requests.get(bridge.url + "/api/health", timeout=5).json()["staged_alerts"]
    assert "entered in Sage Pro as 15.00" in alerts[0]["why"]


def test_the_worklist_shows_what_to_type_and_empties_once_entered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.__main__ import main

    company = build_company(tmp_path / "sage", "pro32", "one-folder")
    state = tmp_path / "state"
    served = open_company(company.data_folder)
    store = StagedStore(state / "staged.sqlite3")
    ten_days_ago = lambda: datetime.now(UTC) - timedelta(days=10)  # noqa: E731
    receipts = StagedReceipts(served, store, clock=ten_days_ago)
    receipts.post_payment(
        {
            "PaymentReference": "PT-79388123-PAY",
            "PaymentDate": "2026-03-24",
            "Amount": "150.00",
            "CustomerID": "C100",
            "GLAccountID": "1000",
            "PaymentMethodCode": "CC",
            "InvoiceID": "1002",
        }
    )
    receipts.post_credit_memo(
        {
            "Reference": "PT-5-REFUND",
            "CustomerID": "C200",
            "InvoiceID": "1003",
            "MemoDate": "2026-03-24",
            "Amount": "30.00",
            "GLAccountID": "1000",
        }
    )
    store.close()
    argv = [
        "bridge",
        "worklist",
        "--data-folder",
        str(company.data_folder),
        "--state-folder",
        str(state),
        "--csv",
        str(tmp_path / "worklist.csv"),
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    token = token_for("PT-79388123-PAY", 10)
    line = next(line for line in out.splitlines() if line.startswith("Cash receipt  C100"))
    for cell in ("Café Élan Ltd", "2026-03-24", "150.00", "1002 150.00", token, "10 d (alert)"):
        assert cell in line
    memo = next(line for line in out.splitlines() if line.startswith("Credit memo"))
    assert "C200" in memo and "1003 30.00" in memo and token_for("PT-5-REFUND", 10) in memo
    assert "2 item(s) waiting 3 days or more" in out
    assert token in (tmp_path / "worklist.csv").read_text(encoding="utf-8")

    enter_receipt_in_sage_pro(
        company,
        [
            {
                "INVNO": right("1002"),
                "CUSTNO": "C100",
                "PAIDAMT": Decimal("150.00"),
                "DTEPAID": date(2026, 3, 24),
                "REFNO": token,
                "GLACCNT": "1000",
            }
        ],
        {"1002": Decimal("100.00")},
    )
    assert main(argv[:-2]) == 0
    left = capsys.readouterr().out
    assert "Cash receipt" not in left and "Credit memo" in left  # the receipt left by itself


def test_invoice_payment_status_and_due_date_are_kept_bridge_local(bridge: Bridge) -> None:
    before = _digests(bridge.company)
    failed = bridge.client.update_invoice(
        "1002", payment_status="Failed", due_date=date(2026, 5, 1)
    )
    assert (failed.payment_status, failed.due_date) == ("Failed", date(2026, 5, 1))
    assert bridge.client.get_invoice("1002").payment_status == "Failed"
    refused = requests.put(
        bridge.url + "/api/invoices/1002",
        json={"Amount": "1.00"},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=5,
    )
    assert refused.status_code == 422
    # money moving on the invoice ends the mark: a staged payment makes it Partial
    bridge.client.post_payment(_draft("PT-12-PAY", amount=Decimal("10.00")))
    again = bridge.client.get_invoice("1002")
    assert (again.payment_status, again.due_date) == ("Partial", date(2026, 5, 1))
    assert _digests(bridge.company) == before


def test_a_company_without_somast_has_no_sales_orders(bridge: Bridge) -> None:
    assert bridge.client.list_sales_orders().total == 0
    assert bridge.client.find_sales_order("5001") is None


def test_a_receipt_entered_under_its_token_is_found_even_if_the_store_was_lost(
    tmp_path: Path,
) -> None:
    company = build_company(tmp_path / "sage", "pro32", "one-folder")
    served = open_company(company.data_folder)
    token = token_for("PT-79388123-PAY", 10)  # a hashed code: the key does not fit REFNO
    enter_receipt_in_sage_pro(
        company,
        [
            {
                "INVNO": right("1002"),
                "CUSTNO": "C100",
                "PAIDAMT": Decimal("150.00"),
                "DTEPAID": date(2026, 3, 24),
                "REFNO": token,
                "GLACCNT": "1000",
            }
        ],
        {"1002": Decimal("100.00")},
    )
    fresh = StagedStore(tmp_path / "new-bridge" / "staged.sqlite3")  # nothing staged here
    with (
        SandboxServer(BridgeApp(served, KEY, StagedReceipts(served, fresh))) as server,
        SageProClient(server.url, KEY) as client,
    ):
        with pytest.raises(DuplicateReferenceError):
            client.post_payment(_draft())
        again = post_once(client, "payment", "PT-79388123-PAY", _draft())
        assert again.amount == Decimal("150.00") and again.customer_id == "C100"
    assert fresh.all() == []  # not staged a second time
    fresh.close()


def _memo(reference: str = "PT-79388123-REFUND", **changes: object) -> CreditMemoDraft:
    fields: dict[str, object] = {
        "reference": reference,
        "customer_id": "C200",
        "invoice_id": "1003",
        "memo_date": date(2026, 3, 24),
        "amount": Decimal("100.00"),
        "gl_account_id": "1000",
        "reason": "card refund",
    }
    fields.update(changes)
    return CreditMemoDraft(**fields)  # type: ignore[arg-type]


def test_a_refund_credit_is_staged_once_and_marks_the_invoice_refunded(bridge: Bridge) -> None:
    before = _digests(bridge.company)
    staged = post_once(bridge.client, "credit_memo", "PT-79388123-REFUND", _memo())
    assert staged.amount == Decimal("100.00") and staged.invoice_id == "1003"
    assert post_once(bridge.client, "credit_memo", "PT-79388123-REFUND", _memo()) == staged
    with pytest.raises(DuplicateReferenceError):
        bridge.client.post_credit_memo(_memo())
    assert bridge.client.get_invoice("1003").payment_status == "Paid"  # 100 of 300 refunded
    assert bridge.client.get_customer("C200").balance == Decimal("-100.00")
    with pytest.raises(ValidationFailedError, match="more than"):
        bridge.client.post_credit_memo(_memo("PT-2-REFUND", amount=Decimal("200.01")))
    bridge.client.post_credit_memo(_memo("PT-3-REFUND", amount=Decimal("200.00")))
    assert bridge.client.get_invoice("1003").payment_status == "Refunded"
    memos = requests.get(
        bridge.url + "/api/creditmemos",
        params={"InvoiceID": "1003"},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=5,
    ).json()
    assert [m["PostingState"] for m in memos["items"]] == ["Staged", "Staged"]
    assert _digests(bridge.company) == before


def test_a_credit_on_an_open_invoice_lowers_its_balance_within_the_rules(bridge: Bridge) -> None:
    open_invoice = {"customer_id": "C100", "invoice_id": "1002"}
    with pytest.raises(OverpaymentError):
        bridge.client.post_credit_memo(
            _memo("PT-1-REFUND", amount=Decimal("250.01"), **open_invoice)
        )
    bridge.client.post_credit_memo(_memo("PT-2-REFUND", amount=Decimal("250.00"), **open_invoice))
    assert bridge.client.get_invoice("1002").status == "Paid"
    with pytest.raises(InvoiceNotOpenError):
        bridge.client.post_credit_memo(_memo("PT-3-REFUND", invoice_id="1004"))
    with pytest.raises(PeriodClosedError):
        bridge.client.post_credit_memo(_memo("PT-4-REFUND", memo_date=date(2026, 1, 5)))


def test_an_entered_credit_memo_is_found_by_its_token_in_either_place(bridge: Bridge) -> None:
    post_once(bridge.client, "credit_memo", "PT-79388123-REFUND", _memo())
    token = token_for("PT-79388123-REFUND", 10)
    # applied like a receipt: the token in ARCASH.REFNO
    enter_receipt_in_sage_pro(
        bridge.company,
        [
            {
                "INVNO": right("1003"),
                "CUSTNO": "C200",
                "PAIDAMT": Decimal("-100.00"),
                "DTEPAID": date(2026, 3, 24),
                "REFNO": token,
                "GLACCNT": "1000",
            }
        ],
        {},
    )
    found = bridge.client.find_credit_memo("pt-79388123-refund")
    assert found is not None
    memos = requests.get(
        bridge.url + "/api/creditmemos", headers={"Authorization": f"Bearer {KEY}"}, timeout=5
    ).json()["items"]
    assert [m["PostingState"] for m in memos] == ["Entered"]
    assert bridge.client.get_customer("C200").balance == Decimal("0.00")  # overlay ended


def test_a_credit_memo_entered_as_an_armast_document_is_entered(tmp_path: Path) -> None:
    import dbflib

    company = build_company(tmp_path / "sage", "pro32", "one-folder")
    served = open_company(company.data_folder)
    store = StagedStore(tmp_path / "bridge" / "staged.sqlite3")
    receipts = StagedReceipts(served, store)
    receipts.post_credit_memo(
        {
            "Reference": "PT-79388123-REFUND",
            "CustomerID": "C200",
            "InvoiceID": "1003",
            "MemoDate": "2026-03-24",
            "Amount": "100.00",
            "GLAccountID": "1000",
        }
    )
    token = token_for("PT-79388123-REFUND", 10)
    assert [m["PostingState"] for m in receipts.credit_view().memos] == ["Staged"]
    dbflib.insert_rows(
        str(company.data_folder / "armast01.dbf"),
        [
            {
                "INVNO": right("CM1001"),
                "CUSTNO": "C200",
                "ARTYPE": "C",
                "INVDTE": date(2026, 3, 24),
                "INVAMT": Decimal("-100.00"),
                "PAIDAMT": Decimal("0.00"),
                "BALANCE": Decimal("-100.00"),
                "REFNO": token,
            }
        ],
    )
    assert [m["PostingState"] for m in receipts.credit_view().memos] == ["Entered"]
    store.close()


def test_the_paytrace_vault_fields_are_kept_bridge_local(bridge: Bridge) -> None:
    before = _digests(bridge.company)
    updated = bridge.client.update_customer(
        "c100", paytrace_customer_id="VAULT-77", card_last4="4242", card_expiry="09/28"
    )
    assert (updated.paytrace_customer_id, updated.card_last4, updated.card_expiry) == (
        "VAULT-77",
        "4242",
        "09/28",
    )
    found = bridge.client.list_customers(paytrace_customer_id="vault-77").items
    assert [c.customer_id for c in found] == ["C100"]
    auth = {"Authorization": f"Bearer {KEY}"}
    same_name = requests.put(
        bridge.url + "/api/customers/C100",
        json={"Name": "Café Élan Ltd", "CardLast4": "1111"},
        headers=auth,
        timeout=5,
    )
    assert same_name.status_code == 200  # a read-only field sent back unchanged is ignored
    renamed = requests.put(
        bridge.url + "/api/customers/C100", json={"Name": "Other"}, headers=auth, timeout=5
    )
    assert renamed.status_code == 422 and "change it there" in renamed.text
    card = requests.put(
        bridge.url + "/api/customers/C100",
        json={"CardLast4": "4111 1111 1111 1111"},
        headers=auth,
        timeout=5,
    )
    assert card.status_code == 422 and card.json()["error"]["code"] == "card_data_refused"
    assert "4111 1111 1111 1111" not in card.text
    assert _digests(bridge.company) == before
