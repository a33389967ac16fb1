"""``/api/orders``: sales orders — list, get, create, update (Status, PaymentStatus,
PaymentReference; the lines and Total are fixed once written)."""

from __future__ import annotations

from decimal import Decimal

from app.sandbox.http_base import SandboxResponse
from app.sandbox.sagepro.books import ORDERS, Books, public
from app.sandbox.sagepro.calls import Call
from app.sandbox.sagepro.errors import not_found
from app.sandbox.sagepro.fields import (
    CENT,
    Body,
    money_text,
    refuse_card_data,
    refuse_changed_read_only,
)
from app.sandbox.sagepro.invoices import PAYMENT_STATUSES
from app.sandbox.sagepro.listing import key_filters, list_response
from app.sandbox.sagepro.store import Doc

ORDER_STATUSES = ("Open", "Shipped", "Closed")
_READ_ONLY = ("OrderNumber", "CustomerID", "OrderDate", "Lines", "Total")
_FIRST_NUMBER = 50001


def list_orders(books: Books, call: Call) -> SandboxResponse:
    filters = key_filters(
        call.query,
        {
            "OrderNumber": "OrderNumber",
            "CustomerID": "CustomerID",
            "PaymentReference": "PaymentReference",
            "Status": "Status",
        },
    )
    return list_response(books.store.all(ORDERS), call.query, filters)


def get_order(books: Books, call: Call) -> SandboxResponse:
    return SandboxResponse(200, public(_existing(books, call.key)))


def create_order(books: Books, call: Call) -> SandboxResponse:
    books.refuse_duplicate(ORDERS, "OrderNumber", call.body_text("OrderNumber"), by_id=True)
    refuse_card_data(call.body)
    body = Body(call.body)
    order_number = body.text("OrderNumber", max_len=10)
    customer_id = body.text("CustomerID", required=True).upper()
    order_date = body.day("OrderDate", required=True)
    lines: list[Doc] = []
    total = Decimal("0.00")
    for line in body.children("Lines", required=True):
        quantity = line.quantity("Quantity")
        price = line.money("UnitPrice", required=True)
        total += quantity * price
        lines.append(
            {
                "ItemID": line.text("ItemID", required=True, max_len=20),
                "Description": line.text("Description", max_len=60),
                "Quantity": str(quantity),
                "UnitPrice": money_text(price),
            }
        )
    if "Lines" not in body.errors and not lines:
        body.fail("Lines", "a sales order needs at least one line")
    total = total.quantize(CENT)
    if "Total" in body.data and body.money("Total") != total and "Total" not in body.errors:
        body.fail("Total", f"does not match the lines, which add up to {money_text(total)}")
    status = body.choice("Status", ORDER_STATUSES, "Open")
    payment_status = body.choice("PaymentStatus", PAYMENT_STATUSES, "Unpaid")
    payment_reference = body.text("PaymentReference", max_len=40)
    if customer_id and books.customer(customer_id) is None:
        body.fail("CustomerID", f"customer {customer_id} does not exist")
    body.check()
    assert order_date is not None  # required above
    with books.store.transaction():
        if not order_number:
            order_number = _next_free_number(books)
        doc: Doc = {
            "OrderNumber": order_number,
            "CustomerID": customer_id,
            "OrderDate": order_date.isoformat(),
            "Lines": lines,
            "Total": money_text(total),
            "Status": status,
            "PaymentStatus": payment_status,
            "PaymentReference": payment_reference,
        }
        books.save(ORDERS, order_number, doc)
    return SandboxResponse(201, public(doc))


def update_order(books: Books, call: Call) -> SandboxResponse:
    doc = _existing(books, call.key)
    refuse_card_data(call.body)
    body = Body(call.body)
    body.check()
    if "Lines" in body.data and body.data["Lines"] != doc["Lines"]:
        body.fail("Lines", "is read-only and cannot be changed")
    read_only = tuple(f for f in _READ_ONLY if f != "Lines")
    refuse_changed_read_only(body, doc, read_only, money=("Total",))
    if "Status" in body.data:
        doc["Status"] = body.choice("Status", ORDER_STATUSES, doc["Status"])
    if "PaymentStatus" in body.data:
        doc["PaymentStatus"] = body.choice("PaymentStatus", PAYMENT_STATUSES, doc["PaymentStatus"])
    if "PaymentReference" in body.data:
        doc["PaymentReference"] = body.text("PaymentReference", max_len=40)
    body.check()
    books.save(ORDERS, doc["OrderNumber"], doc)
    return SandboxResponse(200, public(doc))


def _existing(books: Books, order_number: str) -> Doc:
    doc = books.store.get(ORDERS, order_number) if order_number else None
    if doc is None:
        raise not_found("Sales order", order_number)
    return doc


def _next_free_number(books: Books) -> str:
    while True:
        candidate = f"SO{books.store.next_number(ORDERS, _FIRST_NUMBER)}"
        if books.store.get(ORDERS, candidate) is None:
            return candidate
