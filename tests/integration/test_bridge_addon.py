"""Add-on mode: a staged receipt goes to the add-on's inbox as a valid VFP table, the
add-on simulator enters it in Sage Pro (ARCASH with the token) and answers in the outbox;
the bridge then reports it Entered with Sage Pro's own balances; a rejection shows in
health and the receipt stays staged; a retry never drops a second inbox file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import dbfread
import pytest
import requests

from app.bridge.addon import AddonInbox
from app.bridge.discovery import PathMap
from app.bridge.http_app import BridgeApp
from app.bridge.service import open_company
from app.bridge.staging import StagedReceipts, StagedStore
from app.bridge.tokens import token_for
from app.connectors.sagepro import SageProClient
from app.connectors.sagepro.exactly_once import post_once
from app.domain.sagepro_records import CreditMemoDraft, PaymentDraft, PaymentReversalDraft
from app.sandbox.http_base import SandboxServer
from tests.support.addon_simulator import run_addon
from tests.support.sagepro_folder import Company, build_company

KEY = "bridge-addon-key"
REFERENCE = "PT-79388123-PAY"


@dataclass
class Site:
    company: Company
    client: SageProClient
    addon: AddonInbox
    url: str

    def get(self, path: str, **params: str) -> dict:
        headers = {"Authorization": f"Bearer {KEY}"}
        return requests.get(self.url + path, params=params, headers=headers, timeout=5).json()


@pytest.fixture(params=["pro32", "sbt7"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    company = build_company(tmp_path / "sage", request.param, "sysdata")
    served = open_company(company.data_folder, "01", (PathMap.parse(company.path_map),))
    store = StagedStore(tmp_path / "bridge" / "staged.sqlite3")
    addon = AddonInbox(tmp_path / "sage" / "SYS" / "PAYSAGE" / "01")
    app = BridgeApp(served, KEY, StagedReceipts(served, store), addon=addon)
    with SandboxServer(app) as server, SageProClient(server.url, KEY) as client:
        yield Site(company, client, addon, server.url)
    store.close()


def _draft(reference: str = REFERENCE, invoice: str = "1002", memo: str = "") -> PaymentDraft:
    return PaymentDraft(
        reference=reference,
        payment_date=date(2026, 3, 24),
        amount=Decimal("150.00"),
        customer_id="C100",
        gl_account_id="1000",
        invoice_id=invoice,
        memo=memo,
    )


def test_inbox_round_trip_through_the_addon_simulator(site: Site) -> None:
    post_once(site.client, "payment", REFERENCE, _draft(memo="settlement 7"))
    token = token_for(REFERENCE, 10)
    inbox = site.addon.inbox / f"{token}.DBF"
    assert inbox.read_bytes()[0] == 0x30  # a Visual FoxPro table the add-on can USE
    (row,) = list(dbfread.DBF(str(inbox), char_decode_errors="strict"))
    assert (row["KIND"], row["PTKEY"], row["TOKEN"], row["CUSTNO"]) == (
        "PY",
        REFERENCE,
        token,
        "C100",
    )
    assert (row["INVNO"], row["DOCDATE"], row["METHOD"]) == ("1002", date(2026, 3, 24), "CC")
    assert "4111 1111 1111 1111" not in row["MEMO"]
    assert site.get("/api/invoices/1002")["Balance"] == "100.00"  # the staged overlay
    assert site.get("/api/payments", PaymentReference=REFERENCE)["items"][0]["PostingState"] == (
        "Staged"
    )
    assert run_addon(site.addon.root, site.company) == [token]
    assert [(o.token, o.status) for o in site.addon.outcomes()] == [(token, "E")]
    (entered,) = site.get("/api/payments", PaymentReference=REFERENCE)["items"]
    assert entered["PostingState"] == "Entered" and entered["Amount"] == "150.00"
    assert site.get("/api/invoices/1002")["Balance"] == "100.00"  # Sage Pro's own, not twice
    assert site.get("/api/health")["addon_rejections"] == []
    assert site.addon.archive_done() == 1 and not inbox.exists()


def test_a_rejection_is_shown_and_the_receipt_stays_staged(site: Site) -> None:
    post_once(site.client, "payment", REFERENCE, _draft())
    run_addon(site.addon.root, site.company, refuse=lambda rows: "customer C100 is on hold")
    (rejection,) = site.get("/api/health")["addon_rejections"]
    assert rejection == {
        "reference": REFERENCE,
        "token": token_for(REFERENCE, 10),
        "why": "customer C100 is on hold",
    }
    payment = site.get("/api/payments", PaymentReference=REFERENCE)["items"][0]
    assert payment["PostingState"] == "Staged"


def test_a_retry_drops_no_second_inbox_file(site: Site) -> None:
    first = post_once(site.client, "payment", REFERENCE, _draft())
    files = sorted(p.name for p in site.addon.inbox.glob("*.DBF"))
    assert post_once(site.client, "payment", REFERENCE, _draft()) == first
    post_once(site.client, "payment", "PT-5-PAY", _draft("PT-5-PAY", invoice="1007"))
    assert sorted(p.name for p in site.addon.inbox.glob("*.DBF")) == sorted(
        [*files, "PT-5-PAY.DBF"]
    )


def test_a_credit_memo_round_trips_through_the_addon(site: Site) -> None:
    reference = "PT-5-REFUND"
    memo = CreditMemoDraft(
        reference=reference,
        customer_id="C100",
        invoice_id="1007",
        memo_date=date(2026, 3, 24),
        amount=Decimal("50.00"),
        gl_account_id="1000",
        reason="card refund",
    )
    post_once(site.client, "credit_memo", reference, memo)
    token = token_for(reference, 10)
    (row,) = list(dbfread.DBF(str(site.addon.inbox / f"{token}.DBF")))
    assert (row["KIND"], row["PTKEY"], row["CUSTNO"], row["INVNO"]) == (
        "CM",
        reference,
        "C100",
        "1007",
    )
    assert (row["AMOUNT"], row["APPLIED"], row["GLACNT"], row["MEMO"]) == (
        50,
        50,
        "1000",
        "card refund",
    )
    assert site.get("/api/invoices/1007")["Balance"] == "250.00"  # the staged overlay
    assert run_addon(site.addon.root, site.company) == [token]
    (entered,) = site.get("/api/creditmemos", Reference=reference)["items"]
    assert entered["PostingState"] == "Entered"
    assert site.get("/api/invoices/1007")["Balance"] == "250.00"  # Sage Pro's own, not twice


def test_a_payment_reversal_round_trips_through_the_addon(site: Site) -> None:
    reference = "PT-701-REVERSAL"
    draft = PaymentReversalDraft(reference, "C100-PT-701-PAY", date(2026, 3, 24), "voided")
    post_once(site.client, "payment_reversal", reference, draft)
    token = token_for(reference, 10)
    rows = list(dbfread.DBF(str(site.addon.inbox / f"{token}.DBF")))
    assert [(r["KIND"], r["INVNO"], r["APPLIED"], r["VOIDREF"]) for r in rows] == [
        ("RV", "1007", 60, "PT-701-PAY"),
        ("RV", "1007", 40, "PT-701-PAY"),
    ]
    assert all(r["AMOUNT"] == 100 and r["CUSTNO"] == "C100" for r in rows)
    assert site.get("/api/invoices/1007")["Balance"] == "400.00"  # the staged overlay
    assert run_addon(site.addon.root, site.company) == [token]
    assert [(o.token, o.status) for o in site.addon.outcomes()] == [(token, "E")]
    (entered,) = site.get("/api/paymentreversals", Reference=reference)["items"]
    assert entered["PostingState"] == "Entered"
    invoice = site.get("/api/invoices/1007")  # Sage Pro's own figures, not raised twice
    assert (invoice["Balance"], invoice["AmountPaid"], invoice["Status"]) == (
        "400.00",
        "0.00",
        "Open",
    )


def test_a_staged_payment_and_its_void_both_go_through_the_addon(site: Site) -> None:
    payment = post_once(site.client, "payment", REFERENCE, _draft())  # staged, not entered
    draft = PaymentReversalDraft("PT-9-REVERSAL", payment.payment_id, date(2026, 3, 24), "x")
    post_once(site.client, "payment_reversal", "PT-9-REVERSAL", draft)
    receipt, void = token_for(REFERENCE, 10), token_for("PT-9-REVERSAL", 10)
    (row,) = list(dbfread.DBF(str(site.addon.inbox / f"{void}.DBF")))
    assert (row["INVNO"], row["APPLIED"], row["VOIDREF"]) == ("1002", 150, receipt)
    assert site.get("/api/invoices/1002")["Balance"] == "250.00"  # both pending: nets out
    assert run_addon(site.addon.root, site.company) == sorted([receipt, void])
    assert {(o.token, o.status) for o in site.addon.outcomes()} == {(receipt, "E"), (void, "E")}
    (entered,) = site.get("/api/paymentreversals", Reference="PT-9-REVERSAL")["items"]
    assert entered["PostingState"] == "Entered"
    assert site.get("/api/invoices/1002")["Balance"] == "250.00"  # Sage Pro's own


def test_the_addon_refuses_a_void_of_a_receipt_sage_pro_does_not_have(site: Site) -> None:
    payment = post_once(site.client, "payment", REFERENCE, _draft())
    draft = PaymentReversalDraft("PT-9-REVERSAL", payment.payment_id, date(2026, 3, 24), "x")
    post_once(site.client, "payment_reversal", "PT-9-REVERSAL", draft)
    (site.addon.inbox / f"{token_for(REFERENCE, 10)}.DBF").unlink()  # the receipt never goes in
    void = token_for("PT-9-REVERSAL", 10)
    assert run_addon(site.addon.root, site.company) == [void]
    (rejection,) = site.get("/api/health")["addon_rejections"]
    assert rejection["token"] == void and "no receipt" in rejection["why"]
    (staged,) = site.get("/api/paymentreversals", Reference="PT-9-REVERSAL")["items"]
    assert staged["PostingState"] == "Staged"
