"""``/api/customers``: list, get, create, update (Balance is Sage Pro's to compute)."""

from __future__ import annotations

import re

from app.sandbox.http_base import SandboxResponse
from app.sandbox.sagepro.books import CUSTOMERS, Books, public
from app.sandbox.sagepro.calls import Call
from app.sandbox.sagepro.errors import not_found
from app.sandbox.sagepro.fields import Body, refuse_card_data, refuse_changed_read_only
from app.sandbox.sagepro.listing import key_filters, list_response
from app.sandbox.sagepro.store import Doc

_EXPIRY = re.compile(r"^(0[1-9]|1[0-2])/\d\d$")
_ADDRESS_FIELDS = ("Street", "City", "State", "Zip", "Country")


def list_customers(books: Books, call: Call) -> SandboxResponse:
    filters = key_filters(
        call.query,
        {"CustomerID": "CustomerID", "Email": "Email", "PayTraceCustomerID": "PayTraceCustomerID"},
    )
    return list_response(books.store.all(CUSTOMERS), call.query, filters)


def get_customer(books: Books, call: Call) -> SandboxResponse:
    return SandboxResponse(200, public(_existing(books, call.key)))


def create_customer(books: Books, call: Call) -> SandboxResponse:
    books.refuse_duplicate(CUSTOMERS, "CustomerID", call.body_text("CustomerID"), by_id=True)
    refuse_card_data(call.body)
    body = Body(call.body)
    customer_id = body.text("CustomerID", required=True, max_len=6).upper()
    if customer_id and not customer_id.isalnum():
        body.fail("CustomerID", "must be letters and digits only")
    doc: Doc = {
        "CustomerID": customer_id,
        "Balance": "0.00",
        "BillingAddress": {name: "" for name in _ADDRESS_FIELDS} | {"Country": "US"},
    }
    _read_writable(body, doc, creating=True)
    body.check()
    books.save(CUSTOMERS, customer_id, doc)
    return SandboxResponse(201, public(doc))


def update_customer(books: Books, call: Call) -> SandboxResponse:
    doc = _existing(books, call.key)
    refuse_card_data(call.body)
    body = Body(call.body)
    body.check()
    refuse_changed_read_only(body, doc, ("CustomerID", "Balance"), money=("Balance",))
    _read_writable(body, doc, creating=False)
    body.check()
    books.save(CUSTOMERS, doc["CustomerID"], doc)
    return SandboxResponse(200, public(doc))


def _existing(books: Books, customer_id: str) -> Doc:
    doc = books.customer(customer_id)
    if doc is None:
        raise not_found("Customer", customer_id)
    return doc


def _read_writable(body: Body, doc: Doc, *, creating: bool) -> None:
    """Copy every writable field the body carries (all of them when creating)."""

    def wants(field: str) -> bool:
        return creating or field in body.data

    if wants("Name"):
        doc["Name"] = body.text("Name", required=True, max_len=40)
    for field, limit in (("Email", 60), ("Phone", 20), ("Terms", 20)):
        if wants(field):
            doc[field] = body.text(field, max_len=limit)
    if wants("PayTraceCustomerID"):
        doc["PayTraceCustomerID"] = body.text("PayTraceCustomerID", max_len=50)
    if wants("CreditHold"):
        doc["CreditHold"] = body.boolean("CreditHold", False)
    if wants("Status"):
        doc["Status"] = body.choice("Status", ("Active", "Inactive"), "Active")
    if wants("CardLast4"):
        last4 = body.text("CardLast4")
        if last4 and not (len(last4) == 4 and last4.isdigit()):
            body.fail("CardLast4", "must be the last 4 digits only")
        doc["CardLast4"] = last4
    if wants("CardExpiry"):
        expiry = body.text("CardExpiry")
        if expiry and not _EXPIRY.match(expiry):
            body.fail("CardExpiry", "must be MM/YY")
        doc["CardExpiry"] = expiry
    address = body.child("BillingAddress")
    if address is not None:
        current = dict(doc.get("BillingAddress") or {})
        for field in _ADDRESS_FIELDS:
            if field in address.data:
                current[field] = address.text(field, max_len=40)
        doc["BillingAddress"] = current
