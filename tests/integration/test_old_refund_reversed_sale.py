"""An old refund's sale whose Sage Pro payment was reversed (a chargeback, or Unreconcile
and a re-match onto another invoice) is never linked through the reversed payment: the
refund would credit an invoice that money no longer pays (review finding)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import requests

from app.connectors.sagepro import SageProClient
from app.sandbox.sagepro import DEFAULT_API_KEY
from app.sync.inbound.old_sales import RefundToTrace, _current_payment, _keyed_payments_of_invoice
from tests.support.sagepro_fixtures import SAGEPRO_TODAY

SALE = 77001


def _post(client: SageProClient, path: str, body: dict) -> dict:  # type: ignore[type-arg]
    answer = requests.post(
        client.base_url + path,
        json=body,
        headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
        timeout=5,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _pay(client: SageProClient, key: str, invoice) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return _post(
        client,
        "/api/payments",
        {
            "PaymentReference": key,
            "PaymentDate": SAGEPRO_TODAY.isoformat(),
            "Amount": f"{invoice.balance:.2f}",
            "CustomerID": invoice.customer_id,
            "InvoiceID": invoice.invoice_id,
            "GLAccountID": "1050",
            "PaymentMethodCode": "CC",
        },
    )


def test_a_reversed_payment_is_never_the_refunds_sale(sagepro_client: SageProClient):
    invoices = [i for i in sagepro_client.list_invoices(status="open", page_size=200).items]
    first = invoices[0]
    second = next(i for i in invoices[1:] if i.customer_id == first.customer_id and i.balance > 0)
    paid_first = _pay(sagepro_client, f"PT-{SALE}-PAY", first)
    _post(
        sagepro_client,
        "/api/paymentreversals",
        {
            "Reference": f"PT-{SALE}-REVERSAL",
            "PaymentID": paid_first["PaymentID"],
            "ReversalDate": SAGEPRO_TODAY.isoformat(),
            "Reason": "Unreconciled: wrong invoice",
        },
    )
    _pay(sagepro_client, f"PT-{SALE}-PAY-2", second)

    current, any_reversed = _current_payment(sagepro_client, SALE)
    assert any_reversed
    assert current is not None and current.reference == f"PT-{SALE}-PAY-2"
    assert current.invoice_id == second.invoice_id

    refund = RefundToTrace(
        transaction_id=SALE + 1,
        invoice_ref=first.invoice_id,
        card_last4="1111",
        customer_id="",
        amount_cents=100,
        day=date(2025, 3, 20),
        refunded_before_cents=0,
        invoice_ids=(first.invoice_id,),
    )
    assert _keyed_payments_of_invoice(refund, sagepro_client) == []  # PAY was reversed
    on_second = RefundToTrace(**{**refund.__dict__, "invoice_ids": (second.invoice_id,)})
    (found,) = _keyed_payments_of_invoice(on_second, sagepro_client)  # PAY-2 is the sale now
    assert found[0] == second.invoice_id and found[1].amount == Decimal(f"{second.balance:.2f}")
