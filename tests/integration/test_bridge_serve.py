"""`paysage bridge serve`: contract v1.1 reads over fixture Sage Pro folders, through the
app's own ``SageProClient`` over real sockets; the read rules the stand-in honours, checked
on both; nothing ever written into a Sage Pro file."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from app.__main__ import main
from app.bridge.discovery import PathMap
from app.bridge.http_app import BridgeApp
from app.bridge.layout import LayoutError
from app.bridge.service import API_KEY_ENV, bridge_api_key, open_company
from app.connectors.sagepro import SageProClient
from app.connectors.sagepro.errors import NotFoundError, UnauthorizedError, UnavailableError
from app.credentials import SecretSystem, set_secret
from app.sandbox.http_base import SandboxServer
from app.sandbox.sagepro import DEFAULT_API_KEY, build_app
from tests.support.sagepro_folder import Company, build_company, patch_field

KEY = "bridge-test-key"
FLAVOURS = [(f, s) for f in ("sbt7", "pro32") for s in ("sysdata", "one-folder")]


def _open(company: Company) -> BridgeApp:
    maps = (PathMap.parse(company.path_map),) if company.path_map else ()
    return BridgeApp(open_company(company.data_folder, "01", maps), KEY)


@pytest.fixture(params=FLAVOURS, ids=lambda p: "-".join(p))
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Company:
    return build_company(tmp_path, *request.param)


@pytest.fixture
def bridge(company: Company) -> Iterator[SandboxServer]:
    with SandboxServer(_open(company)) as server:
        yield server


@pytest.fixture
def client(bridge: SandboxServer) -> Iterator[SageProClient]:
    with SageProClient(bridge.url, KEY, read_timeout_s=10) as sage:
        yield sage


def _digests(company: Company) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in company.table_files()}


def test_health_needs_no_key_and_names_the_unreadable_records(bridge: SandboxServer) -> None:
    answer = requests.get(bridge.url + "/api/health", timeout=5).json()
    assert answer["status"] == "ok" and answer["company"] == "01"
    whys = {(u["table"], u["record"]) for u in answer["unreadable_records"]}
    assert ("ARMAST", 5) in whys  # the impossible invoice date


def test_customers_read_through_the_client(client: SageProClient, company: Company) -> None:
    customers = {c.customer_id: c for c in client.list_customers(page_size=1000).items}
    overflowed = {"C400"} if company.flavour == "sbt7" else set()  # BALANCE ****: left out
    assert set(customers) == {"C100", "C200", "C400"} - overflowed  # C300 is deleted
    cafe = client.get_customer("c100")  # ids without regard to case
    assert cafe.name == "Café Élan Ltd" and cafe.balance == Decimal("1300.00")
    assert cafe.email == "billing@cafe-elan.example"
    bob = customers["C200"]
    assert bob.credit_hold is (company.flavour == "pro32")  # CREDSTAT only in Pro32
    if company.flavour == "pro32":
        assert customers["C400"].status == "Inactive"
    assert client.list_customers(email="AP@BOBS.EXAMPLE").total == 1


def test_invoices_status_balance_and_right_justified_ids(client: SageProClient) -> None:
    everything = client.list_invoices(status="all", page_size=1000)
    by_id = {i.invoice_id: i for i in everything.items}
    # 1005 (impossible date) is left out and reported by health; 1006 is deleted
    assert set(by_id) == {"1001", "1002", "1003", "1004", "1007"}
    assert by_id["1003"].status == "Paid" and by_id["1003"].payment_status == "Paid"
    assert by_id["1004"].status == "Void"
    partial = by_id["1007"]
    assert (partial.amount, partial.amount_paid, partial.balance) == (
        Decimal("400.00"),
        Decimal("100.00"),
        Decimal("300.00"),
    )
    assert partial.payment_status == "Partial"
    first = client.get_invoice("1001")
    assert first.order_number == "5001" and first.po_number == "PO-77"
    assert first.invoice_date == date(2026, 3, 2) and first.due_date == date(2026, 4, 1)
    open_ids = {i.invoice_id for i in client.list_invoices(status="open").items}
    assert open_ids == {"1001", "1002", "1007"}
    assert {i.invoice_id for i in client.list_invoices(status="all", customer_id="c200").items} == {
        "1003",
        "1004",
    }


def test_payments_by_reference_from_arcash_then_arycsh(client: SageProClient) -> None:
    split = client.find_payment("pt-701-pay")  # references without regard to case
    assert split is not None
    assert split.amount == Decimal("100.00") and split.customer_id == "C100"
    assert [(a.invoice_id, a.amount) for a in split.applications] == [
        ("1007", Decimal("60.00")),
        ("1007", Decimal("40.00")),
    ]
    history = client.find_payment("CHK4001")  # moved to ARYCSH at a close
    assert history is not None and history.amount == Decimal("75.50")
    on_account = client.find_payment("CHK5002")
    assert on_account is not None and on_account.applications == ()
    assert client.find_payment("PT-999-PAY") is None
    assert {p.reference for p in client.list_payments(invoice_id="1003").items} == {"CHK5001"}
    march = client.list_payments(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert {p.reference for p in march.items} == {"PT-701-PAY", "CHK5002"}
    assert client.get_payment(split.payment_id).reference == "PT-701-PAY"


def test_gl_accounts_and_periods(client: SageProClient) -> None:
    accounts = {a.gl_account_id: a for a in client.list_gl_accounts()}
    assert set(accounts) == {"1000", "1200", "4000", "6100"}
    assert accounts["6100"].active is False and accounts["1000"].active is True
    periods = client.list_periods()
    numbers = [(p.year, p.period) for p in periods]
    assert numbers == [(2026, n) for n in range(1, 12)]  # period 12 deleted; company 02 left out
    locked = {p.period for p in periods if p.locked}
    assert locked == {1, 2}  # permanently locked, locked
    assert periods[2].start == date(2026, 3, 1) and periods[2].end == date(2026, 3, 31)


def test_key_paging_and_not_found_rules(bridge: SandboxServer, client: SageProClient) -> None:
    with SageProClient(bridge.url, "wrong-key") as stranger, pytest.raises(UnauthorizedError):
        stranger.list_gl_accounts()
    with pytest.raises(NotFoundError):
        client.get_invoice("999999")
    page = client.list_invoices(status="all", page=2, page_size=2)
    assert (page.page, page.page_size, page.total, len(page.items)) == (2, 2, 5, 2)
    raw = requests.get(
        bridge.url + "/api/invoices",
        params={"page_size": 5000, "bogus": "x"},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=5,
    ).json()
    assert raw["page_size"] == 1000 and raw["total"] == 5  # capped; unknown parameter ignored


def test_writes_answer_unavailable_and_nothing_is_written(
    company: Company, client: SageProClient, bridge: SandboxServer
) -> None:
    before = _digests(company)
    client.list_customers()
    client.list_invoices(status="all")
    client.list_payments()
    with pytest.raises(UnavailableError):
        client.find_journal_entry("PT-BATCH-1-JE")
    answer = requests.post(
        bridge.url + "/api/payments",
        json={"PaymentReference": "PT-1-PAY"},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=5,
    )
    assert answer.status_code == 503
    assert "does not take POST /api/payments" in answer.json()["error"]["message"]
    assert _digests(company) == before


def test_modified_since_reports_changed_records_only(tmp_path: Path) -> None:
    company = build_company(tmp_path, "pro32", "one-folder")
    app = _open(company)
    with SandboxServer(app) as server, SageProClient(server.url, KEY) as client:
        assert client.list_invoices(status="all").total == 5
        later = datetime.now(UTC)
        assert client.list_invoices(status="all", modified_since=later).total == 0
        reads = app.company.cache.reads
        client.list_invoices(status="all")
        assert app.company.cache.reads == reads  # unchanged file: served from the cache
        built = app.company.invoices()[0]
        assert app.company.invoices()[0] is built  # and the records are not rebuilt either
        # A bookkeeper pays part of invoice 1002 in Sage Pro (another program writes the row).
        armast = company.data_folder / "armast01.dbf"
        fifty = (50 * 10_000).to_bytes(8, "little", signed=True)  # currency: ten-thousandths
        patch_field(armast, 2, "BALANCE", fifty)
        os.utime(armast, ns=(armast.stat().st_atime_ns, armast.stat().st_mtime_ns + 10**9))
        changed = client.list_invoices(status="all", modified_since=later)
        assert [i.invoice_id for i in changed.items] == ["1002"]
        assert changed.items[0].balance == Decimal("50.00")
        assert app.company.invoices()[0] is not built


def test_the_same_read_rules_hold_on_the_stand_in(tmp_path: Path) -> None:
    """The rules the bridge borrows from the stand-in's helpers, asked of both servers."""
    company = build_company(tmp_path, "sbt7", "one-folder")
    servers = [
        (SandboxServer(_open(company)), KEY),
        (SandboxServer(build_app(seed=1, today=date(2025, 3, 15))), DEFAULT_API_KEY),
    ]
    for server, key in servers:
        with server:
            auth = {"Authorization": f"Bearer {key}"}
            url = server.url + "/api/"
            assert requests.get(url + "invoices", timeout=5).status_code == 401
            assert requests.get(url + "invoices/NOPE", headers=auth, timeout=5).status_code == 404
            listed = requests.get(
                url + "invoices", params={"status": "all", "page_size": 1}, headers=auth, timeout=5
            ).json()
            assert set(listed) == {"items", "page", "page_size", "total"}
            some_id = listed["items"][0]["InvoiceID"]
            lower = requests.get(
                url + "invoices", params={"InvoiceID": some_id.lower()}, headers=auth, timeout=5
            ).json()
            assert [i["InvoiceID"] for i in lower["items"]] == [some_id]
            bad = requests.get(url + "invoices", params={"status": "late"}, headers=auth, timeout=5)
            assert bad.status_code == 422
            assert bad.json()["error"]["code"] == "validation_failed"
            assert requests.get(url + "periods", headers=auth, timeout=5).json()["total"] > 0


def test_serve_refuses_a_layout_that_names_a_missing_field(tmp_path: Path) -> None:
    company = build_company(tmp_path, "pro32", "one-folder")
    layout_file = tmp_path / "layout.json"
    report = open_company(company.data_folder).layout
    report["records"]["payments"]["fields"]["PaymentReference"]["field"] = "CHECKNO"
    layout_file.write_text(json.dumps(report), encoding="utf-8")
    with pytest.raises(LayoutError, match=r"payments\.PaymentReference: field CHECKNO is missing"):
        open_company(company.data_folder, layout_file=layout_file)
    argv = [
        "bridge",
        "serve",
        "--data-folder",
        str(company.data_folder),
        "--port",
        "0",
        "--layout",
        str(layout_file),
    ]
    assert main(argv) == 2  # a plain sentence, no traceback, no server


def test_the_bridge_key_comes_from_the_keyring_or_the_service_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_secret("default", SecretSystem.SAGEPRO, "from-the-keyring")
    assert bridge_api_key("default") == "from-the-keyring"
    monkeypatch.setenv(API_KEY_ENV, "from-the-service")
    assert bridge_api_key("default") == "from-the-service"


def test_the_serve_command_runs_as_a_service_with_the_key_from_its_variable(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    company = build_company(tmp_path / "sage", "sbt7", "sysdata")
    env = {**os.environ, API_KEY_ENV: "service-key", "PAYSAGE_HOME": str(tmp_path / "home")}
    argv = [
        sys.executable,
        "-m",
        "app",
        "bridge",
        "serve",
        "--data-folder",
        str(company.data_folder),
        "--path-map",
        company.path_map,
        "--port",
        "0",
        "--state-folder",
        str(tmp_path / "state"),
    ]
    process = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        banner = process.stdout.readline() if process.stdout else ""
        assert "listening on http://127.0.0.1:" in banner, process.stderr
        url = banner.split("listening on ")[1].split(" ")[0]
        with SageProClient(url, "service-key") as client:
            assert client.health().company == "01"
            assert client.get_invoice("1001").balance == Decimal("1000.00")
        assert requests.get(url + "/api/invoices", timeout=5).status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "state" / "staged.sqlite3").exists()
