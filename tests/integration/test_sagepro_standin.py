"""The stand-in itself: seeded from the shared demo company, admin controls, persistence in
a SQLite file across a restart, and the ``paysage sandbox sagepro`` command."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
import requests

from app.sandbox.demo_data import generate_demo_company
from app.sandbox.http_base import SandboxServer
from app.sandbox.sagepro import build_app
from app.sandbox.sagepro.cli import add_arguments

pytest.register_assert_rewrite("tests.support.sagepro_fixtures")  # it is also a plugin here

from tests.support.sagepro_fixtures import SAGEPRO_SEED, SAGEPRO_TODAY, SageProHttp  # noqa: E402

pytest_plugins = ["tests.support.sagepro_fixtures"]


def test_seed_is_the_shared_demo_company(sagepro_http):
    company = generate_demo_company(SAGEPRO_SEED, today=SAGEPRO_TODAY)
    customers = {
        c["CustomerID"]: c
        for c in sagepro_http.get("/api/customers", page_size=1000).json()["items"]
    }
    invoices = {
        i["InvoiceID"]: i for i in sagepro_http.get("/api/invoices", page_size=1000).json()["items"]
    }
    assert set(customers) == {c.customer_id for c in company.customers}
    assert set(invoices) == {i.invoice_id for i in company.invoices}
    for person in company.customers:
        seeded = customers[person.customer_id]
        assert seeded["PayTraceCustomerID"] == person.paytrace_customer_id
        if person.paytrace_customer_id:
            assert seeded["CardLast4"] == person.card_number[-4:]
            assert seeded["CardExpiry"] == f"{person.exp_month:02d}/{person.exp_year % 100:02d}"
        owed = sum(
            (i.amount for i in company.invoices if i.customer_id == person.customer_id), Decimal(0)
        )
        assert Decimal(seeded["Balance"]) == owed
    for inv in company.invoices:
        seeded = invoices[inv.invoice_id]
        assert (seeded["OrderNumber"], seeded["PONumber"]) == (inv.order_number, inv.po_number)
        assert Decimal(seeded["Amount"]) == inv.amount and seeded["Status"] == "Open"
    every_date = [i.invoice_date for i in company.invoices] + [
        t.created_local.date() for t in company.transactions
    ]
    locked = [p for p in sagepro_http.get("/api/periods").json()["items"] if p["Locked"]]
    assert all(date.fromisoformat(locked[0]["End"]) < day for day in every_date)
    assert "4012000098765439" not in str(customers)


def test_admin_counts_lock_void_and_pay(sagepro_http):
    counts = sagepro_http.admin("counts").json()
    assert counts["customers"] == 40 and counts["glaccounts"] == 11 and "payments" not in counts
    r = sagepro_http.admin("periods/lock", {"Year": 2025, "Period": 2})
    assert r.status_code == 200 and r.json()["Locked"] is True
    assert sagepro_http.admin("periods/lock", {"Year": 1999, "Period": 1}).status_code == 404
    assert sagepro_http.admin("periods/lock", {"Period": "x"}).status_code == 422
    a, b = sagepro_http.get("/api/invoices", page_size=2).json()["items"]
    before = Decimal(sagepro_http.get(f"/api/customers/{a['CustomerID']}").json()["Balance"])
    voided = sagepro_http.admin(f"invoices/{a['InvoiceID']}/void", {}).json()
    assert voided["Status"] == "Void" and voided["Balance"] == "0.00"
    after = Decimal(sagepro_http.get(f"/api/customers/{a['CustomerID']}").json()["Balance"])
    assert before - after == Decimal(a["Balance"])
    again = sagepro_http.admin(f"invoices/{a['InvoiceID']}/void", {})
    assert again.status_code == 422 and again.json()["error"]["code"] == "invoice_not_open"
    paid = sagepro_http.admin(f"invoices/{b['InvoiceID']}/pay", {"PaymentDate": "2025-03-14"})
    assert paid.status_code == 201 and paid.json()["PaymentReference"] == "SAGE-1"
    assert sagepro_http.get(f"/api/invoices/{b['InvoiceID']}").json()["Status"] == "Paid"
    assert sagepro_http.admin("invoices/nope/pay", {}).status_code == 404
    assert sagepro_http.admin("nothing", {}).status_code == 404
    assert sagepro_http.admin("counts").json()["payments"] == 1


def test_admin_needs_no_key_but_the_api_does(sagepro_server):
    assert requests.get(sagepro_server.url + "/_sandbox/counts", timeout=5).status_code == 200
    assert requests.get(sagepro_server.url + "/api/periods", timeout=5).status_code == 401


def test_company_survives_a_restart_in_its_data_file(tmp_path):
    data = tmp_path / "sagepro.db"
    first = build_app(data=data, today=SAGEPRO_TODAY, api_key="k1")
    with SandboxServer(first) as server:
        http = SageProHttp(server, "k1")
        inv = http.get("/api/invoices", page_size=1).json()["items"][0]
        body = {
            "PaymentReference": "PT-1-PAY",
            "PaymentDate": "2025-03-10",
            "Amount": inv["Amount"],
            "CustomerID": inv["CustomerID"],
            "InvoiceID": inv["InvoiceID"],
            "GLAccountID": "1050",
            "PaymentMethodCode": "CC",
        }
        assert http.post("/api/payments", body).status_code == 201
        http.close()
    first.books.store.close()
    second = build_app(data=data, seed=99, today=date(2030, 1, 1), api_key="k1")  # not re-seeded
    with SandboxServer(second) as server:
        http = SageProHttp(server, "k1")
        assert http.get("/api/payments", PaymentReference="pt-1-pay").json()["total"] == 1
        assert http.get(f"/api/invoices/{inv['InvoiceID']}").json()["Status"] == "Paid"
        assert http.post("/api/payments", body).status_code == 409
        assert http.get("/api/periods").json()["items"][0]["Year"] == SAGEPRO_TODAY.year - 1
        http.close()
    second.books.store.close()


def test_cli_arguments():
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        ["--port", "0", "--seed", "4", "--data", "x.db", "--today", "2025-01-31"]
    )
    assert (args.port, args.seed, args.api_key, args.today) == (0, 4, "demo-key", date(2025, 1, 31))
    assert parser.parse_args([]).data is None


def test_cli_serves_until_interrupted(tmp_path):
    script = (
        "import argparse, sys\n"
        "from app.sandbox.sagepro.cli import add_arguments, run\n"
        "p = argparse.ArgumentParser(); add_arguments(p)\n"
        "sys.exit(run(p.parse_args(sys.argv[1:])))\n"
    )
    data = tmp_path / "cli.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", script, "--port", "0", "--data", str(data), "--today", "2025-03-15"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
        # Ctrl+C as a terminal gives it: a disposition inherited from the test worker (an
        # ignored SIGINT stays ignored across exec) must not decide what is tested.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout is not None
        first_line = proc.stdout.readline()
        url = first_line.split(" on ")[1].split()[0]
        assert requests.get(url + "/api/health", timeout=5).json()["status"] == "ok"
        headers = {"Authorization": "Bearer demo-key"}
        assert (
            requests.get(url + "/api/customers", headers=headers, timeout=5).json()["total"] == 40
        )
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0  # a loaded 2-core machine can take seconds
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert data.exists()
