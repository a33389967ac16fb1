"""Sage Pro stand-in contract over real sockets: payments, credit memos and journal entries
with every rule and error code, balance side effects, card data, faults' error shape."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytest_plugins = ["tests.support.sagepro_fixtures"]


def error_of(response):
    return response.json()["error"]


def money(text: str) -> Decimal:
    return Decimal(text)


def customer_with_open_invoices(http, count: int):
    """A customer and ``count`` of its open invoices."""
    invoices = http.get("/api/invoices", status="open", page_size=1000).json()["items"]
    by_customer: dict[str, list] = {}
    for inv in invoices:
        by_customer.setdefault(inv["CustomerID"], []).append(inv)
    for customer_id, found in by_customer.items():
        if len(found) >= count:
            return customer_id, found[:count]
    raise AssertionError("no customer with enough open invoices")


def balance(http, customer_id: str) -> Decimal:
    return money(http.get(f"/api/customers/{customer_id}").json()["Balance"])


def payment(customer_id: str, reference: str = "PT-1-PAY", **extra):
    return {
        "PaymentReference": reference,
        "PaymentDate": "2025-03-10",
        "Amount": "10.00",
        "CustomerID": customer_id,
        "GLAccountID": "1050",
        "PaymentMethodCode": "CC",
    } | extra


# --- payments --------------------------------------------------------------------------


def test_payment_on_one_invoice_pays_it_in_the_same_step(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    before = balance(sagepro_http, customer_id)
    body = payment(customer_id, Amount=inv["Amount"], InvoiceID=inv["InvoiceID"], Memo="thanks")
    r = sagepro_http.post("/api/payments", body)
    assert r.status_code == 201
    paid = r.json()
    assert paid["PaymentID"] and paid["PaymentStatus"] == "Paid" and paid["Applications"] == []
    assert paid["InvoiceID"] == inv["InvoiceID"] and paid["Memo"] == "thanks"
    assert sagepro_http.get(f"/api/payments/{paid['PaymentID']}").json() == paid
    after = sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json()
    assert after["Status"] == "Paid" and after["PaymentStatus"] == "Paid"
    assert after["Balance"] == "0.00" and after["AmountPaid"] == inv["Amount"]
    assert balance(sagepro_http, customer_id) == before - money(inv["Amount"])


def test_partial_payment(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    r = sagepro_http.post("/api/payments", payment(customer_id, InvoiceID=inv["InvoiceID"]))
    assert r.status_code == 201
    after = sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json()
    assert after["Status"] == "Open" and after["PaymentStatus"] == "Partial"
    assert money(after["Balance"]) == money(inv["Balance"]) - 10


def test_applications_over_several_invoices_with_remainder_on_account(sagepro_http):
    customer_id, (a, b) = customer_with_open_invoices(sagepro_http, 2)
    before = balance(sagepro_http, customer_id)
    total = money(a["Amount"]) + Decimal("5.00") + Decimal("20.00")
    apps = [
        {"InvoiceID": a["InvoiceID"], "Amount": a["Amount"]},
        {"InvoiceID": b["InvoiceID"], "Amount": "5.00"},
    ]
    r = sagepro_http.post(
        "/api/payments", payment(customer_id, Amount=str(total), Applications=apps)
    )
    assert r.status_code == 201 and r.json()["InvoiceID"] is None
    assert r.json()["Applications"] == apps
    assert sagepro_http.get(f"/api/invoices/{a['InvoiceID']}").json()["Status"] == "Paid"
    b_after = sagepro_http.get(f"/api/invoices/{b['InvoiceID']}").json()
    assert b_after["PaymentStatus"] == "Partial"
    assert balance(sagepro_http, customer_id) == before - total  # remainder lowers it too
    found = sagepro_http.get("/api/payments", InvoiceID=b["InvoiceID"]).json()
    assert [p["PaymentReference"] for p in found["items"]] == ["PT-1-PAY"]


def test_payment_on_account_changes_only_the_customer(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    before = balance(sagepro_http, customer_id)
    r = sagepro_http.post("/api/payments", payment(customer_id, Amount="99.99"))
    assert r.status_code == 201 and r.json()["InvoiceID"] is None
    assert balance(sagepro_http, customer_id) == before - Decimal("99.99")
    assert sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json() == inv


def test_failed_payment_is_recorded_and_moves_nothing(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    before = balance(sagepro_http, customer_id)
    body = payment(customer_id, InvoiceID=inv["InvoiceID"], PaymentStatus="Failed")
    r = sagepro_http.post("/api/payments", body)
    assert r.status_code == 201 and r.json()["PaymentStatus"] == "Failed"
    assert balance(sagepro_http, customer_id) == before
    assert sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json() == inv
    refunded = payment(customer_id, "PT-2-PAY", PaymentStatus="Refunded")
    assert "PaymentStatus" in error_of(sagepro_http.post("/api/payments", refunded))["fields"]


def test_duplicate_reference_is_409_ignoring_case_and_before_every_other_rule(sagepro_http):
    customer_id, _ = customer_with_open_invoices(sagepro_http, 1)
    first = sagepro_http.post("/api/payments", payment(customer_id)).json()
    bad = {"PaymentReference": "pt-1-pay", "Amount": 12.5, "Memo": "4012000098765439"}
    r = sagepro_http.post("/api/payments", bad)
    assert r.status_code == 409
    assert error_of(r)["code"] == "duplicate_reference" and error_of(r)["existing"] == first
    assert sagepro_http.get("/api/payments", PaymentReference="PT-1-pay").json()["total"] == 1


@pytest.mark.parametrize(
    "change,field",
    [
        ({"Amount": 10.0}, "Amount"),
        ({"Amount": 10}, "Amount"),
        ({"Amount": "-1.00"}, "Amount"),
        ({"Amount": "0.00"}, "Amount"),
        ({"PaymentDate": "2025-3-10"}, "PaymentDate"),
        ({"PaymentReference": ""}, "PaymentReference"),
        ({"PaymentMethodCode": "CASH"}, "PaymentMethodCode"),
        ({"GLAccountID": "9999"}, "GLAccountID"),
        ({"GLAccountID": "1040"}, "GLAccountID"),
        ({"CustomerID": "NOBODY"}, "CustomerID"),
        ({"InvoiceID": "777"}, "InvoiceID"),
        ({"Applications": [{"InvoiceID": "777", "Amount": "1.00"}]}, "Applications[0].InvoiceID"),
        ({"Applications": [{"InvoiceID": "777", "Amount": 1}]}, "Applications[0].Amount"),
    ],
)
def test_payment_validation_names_the_field(sagepro_http, change, field):
    customer_id, _ = customer_with_open_invoices(sagepro_http, 1)
    r = sagepro_http.post("/api/payments", payment(customer_id) | change)
    assert r.status_code == 422
    assert error_of(r)["code"] == "validation_failed" and field in error_of(r)["fields"]
    assert sagepro_http.get("/api/payments").json()["total"] == 0


def test_invoice_and_applications_together_or_summing_too_high_are_refused(sagepro_http):
    customer_id, (a, b) = customer_with_open_invoices(sagepro_http, 2)
    both = payment(
        customer_id,
        InvoiceID=a["InvoiceID"],
        Applications=[{"InvoiceID": b["InvoiceID"], "Amount": "1.00"}],
    )
    assert "Applications" in error_of(sagepro_http.post("/api/payments", both))["fields"]
    apps = [
        {"InvoiceID": a["InvoiceID"], "Amount": "6.00"},
        {"InvoiceID": b["InvoiceID"], "Amount": "5.00"},
    ]
    r = sagepro_http.post("/api/payments", payment(customer_id, Applications=apps))
    assert r.status_code == 422 and "Applications" in error_of(r)["fields"]
    twice = [{"InvoiceID": a["InvoiceID"], "Amount": "1.00"}] * 2
    assert (
        sagepro_http.post("/api/payments", payment(customer_id, Applications=twice)).status_code
        == 422
    )


def test_invoice_of_another_customer_is_refused(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    other = "C00001" if customer_id != "C00001" else "C00002"
    r = sagepro_http.post("/api/payments", payment(other, InvoiceID=inv["InvoiceID"]))
    assert r.status_code == 422 and error_of(r)["code"] == "validation_failed"
    assert customer_id in error_of(r)["fields"]["InvoiceID"]


def test_invoice_not_open_comes_before_overpayment(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    sagepro_http.admin(f"invoices/{inv['InvoiceID']}/pay", {})
    too_much = payment(customer_id, Amount="999999.00", InvoiceID=inv["InvoiceID"])
    r = sagepro_http.post("/api/payments", too_much)
    assert r.status_code == 422 and error_of(r)["code"] == "invoice_not_open"


def test_overpayment(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    over = str(money(inv["Balance"]) + Decimal("0.01"))
    r = sagepro_http.post(
        "/api/payments", payment(customer_id, Amount=over, InvoiceID=inv["InvoiceID"])
    )
    assert r.status_code == 422 and error_of(r)["code"] == "overpayment"
    apps = [{"InvoiceID": inv["InvoiceID"], "Amount": over}]
    r = sagepro_http.post(
        "/api/payments", payment(customer_id, Amount="999999.00", Applications=apps)
    )
    assert error_of(r)["code"] == "overpayment"


def test_period_closed_and_date_outside_every_period(sagepro_http):
    customer_id, _ = customer_with_open_invoices(sagepro_http, 1)
    r = sagepro_http.post("/api/payments", payment(customer_id, PaymentDate="2024-12-31"))
    assert r.status_code == 422 and error_of(r)["code"] == "period_closed"
    r = sagepro_http.post("/api/payments", payment(customer_id, PaymentDate="2019-01-01"))
    assert error_of(r)["code"] == "validation_failed" and "PaymentDate" in error_of(r)["fields"]
    sagepro_http.admin("periods/lock", {"Date": "2025-03-10"})
    assert (
        error_of(sagepro_http.post("/api/payments", payment(customer_id)))["code"]
        == "period_closed"
    )
    sagepro_http.admin("periods/lock", {"Year": 2025, "Period": 3, "Locked": False})
    assert sagepro_http.post("/api/payments", payment(customer_id)).status_code == 201


@pytest.mark.parametrize(
    "where",
    [
        "4012000098765439",
        "4012 0000 9876 5439",
        "5499-7400-0000-0057",
        "paid with 6011000993026909 ok",
    ],
)
def test_card_numbers_are_refused_anywhere_in_the_body(sagepro_http, where):
    customer_id, _ = customer_with_open_invoices(sagepro_http, 1)
    r = sagepro_http.post("/api/payments", payment(customer_id, Memo=where))
    assert r.status_code == 422 and error_of(r)["code"] == "card_data_refused"
    assert "Memo" in error_of(r)["fields"]
    nested = payment(customer_id, Applications=[{"InvoiceID": where, "Amount": "1.00"}])
    assert error_of(sagepro_http.post("/api/payments", nested))["code"] == "card_data_refused"
    as_number = payment(customer_id, Extra=371449635392376)
    assert error_of(sagepro_http.post("/api/payments", as_number))["code"] == "card_data_refused"


def test_digits_that_are_not_a_card_are_fine(sagepro_http):
    customer_id, _ = customer_with_open_invoices(sagepro_http, 1)
    memo = "order 4012000098765438 / batch 1234567890123"  # fails Luhn / no brand
    assert sagepro_http.post("/api/payments", payment(customer_id, Memo=memo)).status_code == 201


def test_payment_filters(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    sagepro_http.post("/api/payments", payment(customer_id, "R-1", PaymentDate="2025-03-01"))
    sagepro_http.post("/api/payments", payment(customer_id, "R-2", PaymentDate="2025-03-05"))
    sagepro_http.post("/api/payments", payment(customer_id, "R-3", InvoiceID=inv["InvoiceID"]))

    def refs(**q):
        found = sagepro_http.get("/api/payments", **q).json()["items"]
        return [p["PaymentReference"] for p in found]

    assert refs(**{"from": "2025-03-02", "to": "2025-03-09"}) == ["R-2"]
    assert refs(CustomerID=customer_id.lower()) == ["R-1", "R-2", "R-3"]
    assert refs(InvoiceID=inv["InvoiceID"]) == ["R-3"]
    assert refs(PaymentReference="r-2") == ["R-2"]
    assert refs(PaymentReference="R-404") == []


# --- credit memos ----------------------------------------------------------------------


def memo(customer_id: str, invoice_id: str, amount: str, reference: str = "PT-9-REFUND"):
    return {
        "Reference": reference,
        "CustomerID": customer_id,
        "InvoiceID": invoice_id,
        "MemoDate": "2025-03-12",
        "Amount": amount,
        "Reason": "Refund",
        "GLAccountID": "4900",
    }


def test_credit_memo_on_open_invoice_is_applied(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    before = balance(sagepro_http, customer_id)
    r = sagepro_http.post("/api/creditmemos", memo(customer_id, inv["InvoiceID"], "10.00"))
    assert r.status_code == 201
    cm = r.json()
    assert sagepro_http.get(f"/api/creditmemos/{cm['CreditMemoID']}").json() == cm
    after = sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json()
    assert money(after["Balance"]) == money(inv["Balance"]) - 10 and after["Status"] == "Open"
    assert balance(sagepro_http, customer_id) == before - 10
    rest = str(money(after["Balance"]))
    sagepro_http.post("/api/creditmemos", memo(customer_id, inv["InvoiceID"], rest, "CM-2"))
    assert sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json()["Status"] == "Paid"
    over = sagepro_http.post(
        "/api/creditmemos", memo(customer_id, inv["InvoiceID"], "0.01", "CM-3")
    )
    assert over.status_code == 422 and error_of(over)["code"] == "validation_failed"


def test_credit_memo_beyond_open_balance_is_overpayment(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    too_much = str(money(inv["Balance"]) + 1)
    r = sagepro_http.post("/api/creditmemos", memo(customer_id, inv["InvoiceID"], too_much))
    assert r.status_code == 422 and error_of(r)["code"] == "overpayment"


def test_credit_memo_on_paid_invoice_is_a_refund_credit(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    body = payment(customer_id, Amount=inv["Amount"], InvoiceID=inv["InvoiceID"])
    sagepro_http.post("/api/payments", body)
    before = balance(sagepro_http, customer_id)
    half = (money(inv["Amount"]) / 2).quantize(Decimal("0.01"))
    sagepro_http.post("/api/creditmemos", memo(customer_id, inv["InvoiceID"], str(half), "CM-A"))
    mid = sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json()
    assert mid["Status"] == "Paid" and mid["PaymentStatus"] == "Paid"
    rest = str(money(inv["Amount"]) - half)
    sagepro_http.post("/api/creditmemos", memo(customer_id, inv["InvoiceID"], rest, "CM-B"))
    end = sagepro_http.get(f"/api/invoices/{inv['InvoiceID']}").json()
    assert end["Status"] == "Paid" and end["PaymentStatus"] == "Refunded"
    assert balance(sagepro_http, customer_id) == before - money(inv["Amount"])
    r = sagepro_http.post("/api/creditmemos", memo(customer_id, inv["InvoiceID"], "0.01", "CM-C"))
    assert r.status_code == 422 and error_of(r)["code"] == "validation_failed"


def test_credit_memo_rules(sagepro_http):
    customer_id, (inv,) = customer_with_open_invoices(sagepro_http, 1)
    good = memo(customer_id, inv["InvoiceID"], "1.00")
    assert sagepro_http.post("/api/creditmemos", good).status_code == 201
    dup = sagepro_http.post("/api/creditmemos", good | {"Reference": "pt-9-refund", "Amount": 3})
    assert dup.status_code == 409 and error_of(dup)["existing"]["Reference"] == "PT-9-REFUND"
    assert sagepro_http.get("/api/creditmemos", Reference="Pt-9-Refund").json()["total"] == 1
    for change, field in [
        ({"GLAccountID": "1040"}, "GLAccountID"),
        ({"InvoiceID": "1"}, "InvoiceID"),
        ({"Amount": 1.0}, "Amount"),
        ({"GLAccountID": ""}, "GLAccountID"),
    ]:
        r = sagepro_http.post("/api/creditmemos", good | change | {"Reference": "X"})
        assert r.status_code == 422 and field in error_of(r)["fields"], change
    locked = sagepro_http.post(
        "/api/creditmemos", good | {"Reference": "Y", "MemoDate": "2024-12-02"}
    )
    assert error_of(locked)["code"] == "period_closed"
    sagepro_http.admin(f"invoices/{inv['InvoiceID']}/void", {})
    void = sagepro_http.post("/api/creditmemos", good | {"Reference": "Z"})
    assert error_of(void)["code"] == "invoice_not_open"


# --- journal entries -------------------------------------------------------------------


def entry(reference: str = "PT-BATCH-7-JE", lines=None, date: str = "2025-03-14"):
    return {
        "Reference": reference,
        "EntryDate": date,
        "Description": "Settlement batch 7",
        "Lines": lines
        or [
            {"GLAccountID": "1010", "Debit": "970.00", "Credit": "0.00", "Memo": "deposit"},
            {"GLAccountID": "6150", "Debit": "30.00", "Credit": "0.00"},
            {"GLAccountID": "1050", "Debit": "0.00", "Credit": "1000.00"},
        ],
    }


def test_journal_entry_is_written_unposted(sagepro_http):
    r = sagepro_http.post("/api/journalentries", entry())
    assert r.status_code == 201
    je = r.json()
    assert je["Status"] == "Unposted" and len(je["Lines"]) == 3 and je["Lines"][1]["Memo"] == ""
    assert sagepro_http.get(f"/api/journalentries/{je['JournalID']}").json() == je
    assert sagepro_http.get("/api/journalentries", Reference="pt-batch-7-je").json()["items"] == [
        je
    ]
    dup = sagepro_http.post("/api/journalentries", entry("PT-batch-7-JE", lines=[]))
    assert dup.status_code == 409 and error_of(dup)["existing"] == je


@pytest.mark.parametrize(
    "lines,field",
    [
        ([{"GLAccountID": "1010", "Debit": "5.00", "Credit": "0.00"}], "Lines"),
        (
            [
                {"GLAccountID": "1010", "Debit": "5.00", "Credit": "0.00"},
                {"GLAccountID": "1050", "Debit": "0.00", "Credit": "4.00"},
            ],
            "Lines",
        ),
        (
            [
                {"GLAccountID": "1010", "Debit": "5.00", "Credit": "5.00"},
                {"GLAccountID": "1050", "Debit": "0.00", "Credit": "0.00"},
            ],
            "Lines[0].Debit",
        ),
        (
            [
                {"GLAccountID": "1040", "Debit": "5.00", "Credit": "0.00"},
                {"GLAccountID": "1050", "Debit": "0.00", "Credit": "5.00"},
            ],
            "Lines[0].GLAccountID",
        ),
        (
            [
                {"GLAccountID": "1010", "Debit": "5.00", "Credit": "0.00"},
                {"GLAccountID": "8888", "Debit": "0.00", "Credit": "5.00"},
            ],
            "Lines[1].GLAccountID",
        ),
        (
            [
                {"GLAccountID": "1010", "Debit": 5, "Credit": "0.00"},
                {"GLAccountID": "1050", "Debit": "0.00", "Credit": "5.00"},
            ],
            "Lines[0].Debit",
        ),
    ],
)
def test_journal_entry_rules(sagepro_http, lines, field):
    r = sagepro_http.post("/api/journalentries", entry(lines=lines))
    assert r.status_code == 422 and error_of(r)["code"] == "validation_failed"
    assert field in error_of(r)["fields"]


def test_journal_entry_period_rules(sagepro_http):
    r = sagepro_http.post("/api/journalentries", entry(date="2024-12-15"))
    assert error_of(r)["code"] == "period_closed"
    r = sagepro_http.post("/api/journalentries", entry(date="2030-01-01"))
    assert error_of(r)["code"] == "validation_failed" and "EntryDate" in error_of(r)["fields"]


def test_malformed_json_body_is_validation_failed(sagepro_http):
    r = sagepro_http.session.post(
        sagepro_http.server.url + "/api/payments", data=b"{not json", timeout=5
    )
    assert r.status_code == 422 and error_of(r)["code"] == "validation_failed"
    assert sagepro_http.post("/api/payments", [1, 2]).status_code == 422


# --- faults in Sage Pro's error shape ----------------------------------------------------


@pytest.mark.parametrize(
    "kind,status,code,retry_after",
    [
        ("429", 429, "rate_limited", "1"),
        ("503", 503, "unavailable", "1"),
        ("500", 500, "internal", None),
    ],
)
def test_injected_faults_answer_in_sage_pro_shape(
    sagepro_server, sagepro_http, kind, status, code, retry_after
):
    sagepro_server.faults.script(kind)
    r = sagepro_http.get("/api/customers")
    assert r.status_code == status and error_of(r)["code"] == code
    assert r.headers.get("Retry-After") == retry_after


def test_apply_then_drop_applies_the_write(sagepro_server, sagepro_http):
    import requests

    customer_id, _ = customer_with_open_invoices(sagepro_http, 1)
    sagepro_server.faults.script("apply_then_drop")
    with pytest.raises(requests.ConnectionError):
        sagepro_http.post("/api/payments", payment(customer_id))
    assert sagepro_http.get("/api/payments", PaymentReference="PT-1-PAY").json()["total"] == 1
