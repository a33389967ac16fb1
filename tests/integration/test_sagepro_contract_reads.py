"""Sage Pro stand-in contract over real sockets: auth, lists, filters, single GETs, and the
customer, invoice and sales-order endpoints (create/update rules)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

pytest_plugins = ["tests.support.sagepro_fixtures"]

COLLECTIONS = [
    "customers",
    "invoices",
    "payments",
    "creditmemos",
    "journalentries",
    "orders",
    "glaccounts",
    "periods",
]


def error_of(response: requests.Response) -> dict:
    return response.json()["error"]


def test_health_needs_no_key(sagepro_server):
    r = requests.get(sagepro_server.url + "/api/health", timeout=5)
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "company": "01"}


@pytest.mark.parametrize("header", [None, "Bearer wrong-key", "Basic demo-key", "demo-key"])
def test_missing_or_wrong_key_is_401(sagepro_server, header):
    headers = {"Authorization": header} if header else {}
    r = requests.get(sagepro_server.url + "/api/customers", headers=headers, timeout=5)
    assert r.status_code == 401
    assert error_of(r)["code"] == "unauthorized"
    assert "demo-key" not in r.text


def test_expired_token_fault_is_401(sagepro_server, sagepro_http):
    sagepro_server.faults.script("expired_token")
    assert sagepro_http.get("/api/customers").status_code == 401
    assert sagepro_http.get("/api/customers").status_code == 200


def test_unknown_endpoint_and_method_are_404(sagepro_http):
    assert error_of(sagepro_http.get("/api/nothing"))["code"] == "not_found"
    r = sagepro_http.put("/api/payments/PAY000001", {})
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_collection_answers_with_the_list_wrapper(sagepro_http, collection):
    r = sagepro_http.get(f"/api/{collection}")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"items", "page", "page_size", "total"}
    assert body["page"] == 1 and body["page_size"] == 100
    assert len(body["items"]) == min(body["total"], 100)


def test_paging_defaults_maximum_and_pages_do_not_overlap(sagepro_http):
    total = sagepro_http.get("/api/invoices").json()["total"]
    assert total > 200
    first = sagepro_http.get("/api/invoices", page=1, page_size=150).json()
    second = sagepro_http.get("/api/invoices", page=2, page_size=150).json()
    ids1 = {i["InvoiceID"] for i in first["items"]}
    ids2 = {i["InvoiceID"] for i in second["items"]}
    assert len(ids1) == 150 and ids1.isdisjoint(ids2)
    big = sagepro_http.get("/api/invoices", page_size=5000).json()
    assert big["page_size"] == 1000 and len(big["items"]) == total
    beyond = sagepro_http.get("/api/invoices", page=99).json()
    assert beyond["items"] == [] and beyond["total"] == total


@pytest.mark.parametrize("params", [{"page": "0"}, {"page_size": "x"}, {"page_size": "-5"}])
def test_bad_paging_is_validation_failed(sagepro_http, params):
    r = sagepro_http.get("/api/customers", **params)
    assert r.status_code == 422 and error_of(r)["code"] == "validation_failed"


def test_filters_ignore_case_and_unknown_parameters(sagepro_http):
    r = sagepro_http.get("/api/customers", CustomerID="c00002", flavour="vanilla").json()
    assert [c["CustomerID"] for c in r["items"]] == ["C00002"]
    token = r["items"][0]["PayTraceCustomerID"]
    by_token = sagepro_http.get("/api/customers", PayTraceCustomerID=token.lower()).json()
    assert [c["CustomerID"] for c in by_token["items"]] == ["C00002"]
    email = r["items"][0]["Email"].upper()
    assert sagepro_http.get("/api/customers", Email=email).json()["total"] == 1
    one = sagepro_http.get("/api/invoices", page_size=1).json()["items"][0]
    assert sagepro_http.get("/api/invoices", InvoiceID=one["InvoiceID"]).json()["items"] == [one]
    invoices = sagepro_http.get("/api/invoices", CustomerID="c00002").json()
    assert invoices["total"] > 0
    assert {i["CustomerID"] for i in invoices["items"]} == {"C00002"}


def test_invoice_status_filter_defaults_to_all(sagepro_http):
    open_one = sagepro_http.get("/api/invoices", status="open", page_size=1).json()["items"][0]
    sagepro_http.admin(f"invoices/{open_one['InvoiceID']}/void", {})
    total = sagepro_http.get("/api/invoices").json()["total"]
    assert sagepro_http.get("/api/invoices", status="all").json()["total"] == total
    opened = sagepro_http.get("/api/invoices", status="OPEN").json()["total"]
    voided = sagepro_http.get("/api/invoices", status="void").json()
    assert voided["total"] == 1 and voided["items"][0]["InvoiceID"] == open_one["InvoiceID"]
    assert opened == total - 1
    assert sagepro_http.get("/api/invoices", status="paid").json()["total"] == 0
    bad = sagepro_http.get("/api/invoices", status="sideways")
    assert bad.status_code == 422 and "status" in error_of(bad)["fields"]


def test_modified_since(sagepro_http):
    cut = datetime.now(UTC)
    assert sagepro_http.get("/api/customers", modified_since=cut.isoformat()).json()["total"] == 0
    sagepro_http.put("/api/customers/C00003", {"Phone": "(509) 555-0100"})
    changed = sagepro_http.get("/api/customers", modified_since=cut.isoformat()).json()
    assert [c["CustomerID"] for c in changed["items"]] == ["C00003"]
    naive = cut.replace(tzinfo=None).isoformat()  # no zone = UTC
    assert sagepro_http.get("/api/customers", modified_since=naive).json()["total"] == 1
    zulu = cut.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert sagepro_http.get("/api/customers", modified_since=zulu).json()["total"] == 1
    bad = sagepro_http.get("/api/invoices", modified_since="last tuesday")
    assert bad.status_code == 422 and "modified_since" in error_of(bad)["fields"]


@pytest.mark.parametrize(
    "path", ["/api/customers/NOPE", "/api/invoices/999", "/api/payments/PAY9", "/api/orders/SO1"]
)
def test_single_get_of_missing_record_is_404(sagepro_http, path):
    r = sagepro_http.get(path)
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"


def test_single_gets_ignore_case(sagepro_http):
    assert sagepro_http.get("/api/customers/c00001").json()["CustomerID"] == "C00001"
    assert sagepro_http.get("/api/glaccounts/1050").json()["Description"]
    order = sagepro_http.get("/api/orders", page_size=1).json()["items"][0]
    got = sagepro_http.get(f"/api/orders/{order['OrderNumber'].lower()}").json()
    assert got == order


def test_gl_accounts_and_periods(sagepro_http):
    accounts = {a["GLAccountID"]: a for a in sagepro_http.get("/api/glaccounts").json()["items"]}
    for account_id in ("1010", "1050", "1200", "2300", "4900", "6150"):
        assert accounts[account_id]["Active"] is True
    assert [a for a in accounts.values() if not a["Active"]] == [accounts["1040"]]
    assert {a["Type"] for a in accounts.values()} >= {"Asset", "Liability", "Income", "Expense"}
    periods = sagepro_http.get("/api/periods").json()
    assert periods["total"] == 36
    locked = [p for p in periods["items"] if p["Locked"]]
    assert locked == [
        {"Year": 2024, "Period": 12, "Start": "2024-12-01", "End": "2024-12-31", "Locked": True}
    ]


# --- customers -------------------------------------------------------------------------

NEW_CUSTOMER = {
    "CustomerID": "new01",
    "Name": "New Leaf Nursery",
    "Email": "ap@newleaf.example.com",
    "BillingAddress": {"Street": "1 Fern Way", "City": "Spokane", "State": "WA", "Zip": "99201"},
    "CardLast4": "5439",
    "CardExpiry": "04/28",
}


def test_create_customer_returns_201_with_whole_record(sagepro_http):
    r = sagepro_http.post("/api/customers", NEW_CUSTOMER)
    assert r.status_code == 201
    body = r.json()
    assert body["CustomerID"] == "NEW01" and body["Balance"] == "0.00"
    assert body["Status"] == "Active" and body["CreditHold"] is False
    assert body["BillingAddress"]["Country"] == "US"
    assert sagepro_http.get("/api/customers/NEW01").json() == body


def test_duplicate_customer_is_409_with_existing_before_other_rules(sagepro_http):
    r = sagepro_http.post("/api/customers", {"CustomerID": "c00001", "Name": 5})
    assert r.status_code == 409
    error = error_of(r)
    assert error["code"] == "duplicate_reference"
    assert error["existing"]["CustomerID"] == "C00001"


@pytest.mark.parametrize(
    "patch,field",
    [
        ({"Name": ""}, "Name"),
        ({"CustomerID": "TOOLONG1"}, "CustomerID"),
        ({"CardLast4": "54391"}, "CardLast4"),
        ({"CardExpiry": "13/28"}, "CardExpiry"),
        ({"Status": "Sleeping"}, "Status"),
        ({"CreditHold": "yes"}, "CreditHold"),
    ],
)
def test_customer_validation(sagepro_http, patch, field):
    r = sagepro_http.post("/api/customers", NEW_CUSTOMER | patch)
    assert r.status_code == 422
    assert error_of(r)["code"] == "validation_failed" and field in error_of(r)["fields"]


def test_customer_never_takes_a_card_number(sagepro_http):
    r = sagepro_http.post("/api/customers", NEW_CUSTOMER | {"Name": "4012 0000 9876 5439"})
    assert r.status_code == 422 and error_of(r)["code"] == "card_data_refused"
    assert "4012000098765439" not in r.text and "4012 0000 9876 5439" not in r.text
    r = sagepro_http.put("/api/customers/C00001", {"PayTraceCustomerID": "5499740000000057"})
    assert error_of(r)["code"] == "card_data_refused"


def test_update_customer_and_read_only_fields(sagepro_http):
    current = sagepro_http.get("/api/customers/C00001").json()
    whole = current | {"PayTraceCustomerID": "PT-NEW", "CardLast4": "0057", "CardExpiry": "01/29"}
    r = sagepro_http.put("/api/customers/c00001", whole)  # read-only fields sent back unchanged
    assert r.status_code == 200
    assert r.json()["PayTraceCustomerID"] == "PT-NEW" and r.json()["Balance"] == current["Balance"]
    r = sagepro_http.put("/api/customers/C00001", {"Balance": "0.00"})
    assert r.status_code == 422 and "Balance" in error_of(r)["fields"]
    r = sagepro_http.put("/api/customers/C00001", {"CustomerID": "C00009"})
    assert r.status_code == 422 and "CustomerID" in error_of(r)["fields"]
    assert sagepro_http.put("/api/customers/ZZZ", {"Phone": "1"}).status_code == 404


# --- invoices --------------------------------------------------------------------------


def test_create_invoice_assigns_number_and_raises_balance(sagepro_http):
    before = sagepro_http.get("/api/customers/C00001").json()["Balance"]
    r = sagepro_http.post(
        "/api/invoices",
        {"CustomerID": "C00001", "InvoiceDate": "2025-03-01", "Amount": "100.50", "PONumber": "P1"},
    )
    assert r.status_code == 201
    inv = r.json()
    numbers = [
        int(i["InvoiceID"])
        for i in sagepro_http.get("/api/invoices", page_size=1000).json()["items"]
    ]
    assert int(inv["InvoiceID"]) == max(numbers)
    assert inv["Status"] == "Open" and inv["PaymentStatus"] == "Unpaid"
    assert inv["Balance"] == "100.50" and inv["DueDate"] == "2025-03-31"
    after = sagepro_http.get("/api/customers/C00001").json()["Balance"]
    assert float(after) - float(before) == pytest.approx(100.50)
    again = sagepro_http.post(
        "/api/invoices", {"InvoiceID": inv["InvoiceID"], "CustomerID": "C00001"}
    )
    assert again.status_code == 409 and error_of(again)["existing"]["InvoiceID"] == inv["InvoiceID"]


@pytest.mark.parametrize(
    "patch,field",
    [
        ({"Amount": 100.5}, "Amount"),
        ({"Amount": "0.00"}, "Amount"),
        ({"Amount": "1.005"}, "Amount"),
        ({"CustomerID": "NOBODY"}, "CustomerID"),
        ({"InvoiceDate": "03/01/2025"}, "InvoiceDate"),
        ({"InvoiceID": "12345678901"}, "InvoiceID"),
    ],
)
def test_invoice_validation(sagepro_http, patch, field):
    good = {"CustomerID": "C00001", "InvoiceDate": "2025-03-01", "Amount": "10.00"}
    r = sagepro_http.post("/api/invoices", good | patch)
    assert r.status_code == 422 and field in error_of(r)["fields"]


def test_invoice_put_changes_only_payment_status_and_due_date(sagepro_http):
    inv = sagepro_http.get("/api/invoices", page_size=1).json()["items"][0]
    path = f"/api/invoices/{inv['InvoiceID']}"
    r = sagepro_http.put(path, inv | {"PaymentStatus": "Failed", "DueDate": "2025-06-30"})
    assert r.status_code == 200
    assert r.json()["PaymentStatus"] == "Failed" and r.json()["DueDate"] == "2025-06-30"
    for field, value in [("Amount", "1.00"), ("Status", "Paid"), ("CustomerID", "C00002")]:
        r = sagepro_http.put(path, {field: value})
        assert r.status_code == 422 and field in error_of(r)["fields"], field
    r = sagepro_http.put(path, {"Amount": float(inv["Amount"])})
    assert r.status_code == 422 and error_of(r)["code"] == "validation_failed"
    assert sagepro_http.put(path, {"PaymentStatus": "Lost"}).status_code == 422
    assert sagepro_http.get(path).json()["Amount"] == inv["Amount"]


def test_invoice_in_locked_period_is_period_closed(sagepro_http):
    body = {"CustomerID": "C00001", "InvoiceDate": "2024-12-10", "Amount": "10.00"}
    r = sagepro_http.post("/api/invoices", body)
    assert r.status_code == 422 and error_of(r)["code"] == "period_closed"


# --- sales orders ----------------------------------------------------------------------

ORDER = {
    "OrderNumber": "WEB1001",
    "CustomerID": "C00004",
    "OrderDate": "2025-03-10",
    "Lines": [
        {"ItemID": "WIDGET", "Description": "Widget", "Quantity": 3, "UnitPrice": "10.25"},
        {"ItemID": "SHIP", "Quantity": "1", "UnitPrice": "7.00"},
    ],
    "PaymentStatus": "Paid",
    "PaymentReference": "PT-80000001-PAY",
}


def test_sales_order_create_get_update(sagepro_http):
    r = sagepro_http.post("/api/orders", ORDER)
    assert r.status_code == 201
    order = r.json()
    assert order["Total"] == "37.75" and order["Status"] == "Open"
    assert sagepro_http.get("/api/orders/web1001").json() == order
    found = sagepro_http.get("/api/orders", PaymentReference="pt-80000001-pay").json()
    assert [o["OrderNumber"] for o in found["items"]] == ["WEB1001"]
    r = sagepro_http.put("/api/orders/WEB1001", order | {"Status": "Shipped"})
    assert r.status_code == 200 and r.json()["Status"] == "Shipped"
    r = sagepro_http.put("/api/orders/WEB1001", {"Total": "1.00"})
    assert r.status_code == 422 and "Total" in error_of(r)["fields"]
    dup = sagepro_http.post("/api/orders", ORDER | {"OrderNumber": "web1001"})
    assert dup.status_code == 409 and error_of(dup)["existing"]["OrderNumber"] == "WEB1001"


@pytest.mark.parametrize(
    "patch,field",
    [
        ({"Lines": []}, "Lines"),
        ({"Total": "1.00"}, "Total"),
        ({"CustomerID": "NOBODY"}, "CustomerID"),
        ({"Lines": [{"ItemID": "X", "Quantity": 1, "UnitPrice": 5}]}, "Lines[0].UnitPrice"),
        ({"Lines": [{"ItemID": "X", "Quantity": 1.5, "UnitPrice": "5.00"}]}, "Lines[0].Quantity"),
    ],
)
def test_sales_order_validation(sagepro_http, patch, field):
    r = sagepro_http.post("/api/orders", ORDER | patch)
    assert r.status_code == 422 and field in error_of(r)["fields"]


def test_seeded_orders_match_their_invoices(sagepro_http):
    orders = sagepro_http.get("/api/orders", page_size=1000).json()["items"]
    assert orders
    for order in orders[:10]:
        invoices = sagepro_http.get("/api/invoices", OrderNumber=order["OrderNumber"]).json()
        total = sum(float(i["Amount"]) for i in invoices["items"])
        assert float(order["Total"]) == pytest.approx(total)
        assert order["Status"] == "Shipped"
