"""Order-to-cash: a card sale naming a sales order (no invoice) updates or creates the order
in Sage Pro, and an unknown payer becomes a customer only after review."""

from __future__ import annotations

from decimal import Decimal

import requests
from sqlalchemy import select

from app.connectors.paytrace.payloads import BillingAddress, KeyedCard, PaymentDetails
from app.sandbox.sagepro import DEFAULT_API_KEY
from app.store.models import OutboxItem, Proposal, SageProCustomer
from app.sync.outbound.order_to_cash import refresh_orders
from app.sync.review.actions import approve_proposals
from tests.support.outbound_fixtures import OutboundEnv, outbound_fixture  # noqa: F401
from tests.support.sync_fixtures import DEMO_TODAY


def _post_order(o: OutboundEnv, number: str, customer_id: str, amount: str) -> None:
    body = {
        "OrderNumber": number,
        "CustomerID": customer_id,
        "OrderDate": DEMO_TODAY.isoformat(),
        "Lines": [
            {"ItemID": "SVC", "Description": "Spring service", "Quantity": "1", "UnitPrice": amount}
        ],
    }
    response = requests.post(
        o.env.sagepro.url + "/api/orders",
        json=body,
        timeout=5,
        headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
    )
    assert response.status_code == 201, response.text


def _sync(o: OutboundEnv, *, auto_approve: bool = True):  # type: ignore[no-untyped-def]
    refresh_orders(o.env.store, o.ctx.sagepro, o.ctx.clock())
    return o.sync(auto_approve=auto_approve)


def _proposal_of(o: OutboundEnv, transaction_id: int) -> Proposal:
    with o.env.store.read() as session:
        return session.execute(
            select(Proposal).where(Proposal.transaction_id == transaction_id)
        ).scalar_one()


def test_a_payment_for_an_open_order_marks_it_paid_once(outbound: OutboundEnv):
    o = outbound
    with o.env.store.read() as session:
        customer = (
            session.execute(
                select(SageProCustomer).where(SageProCustomer.paytrace_customer_id != "")
            )
            .scalars()
            .first()
        )
    assert customer is not None
    _post_order(o, "SO90001", customer.customer_id, "240.00")
    sale = o.ctx.paytrace.sale_by_customer(
        customer.paytrace_customer_id, Decimal("240.00"), PaymentDetails(invoice_id="SO-90001")
    )
    result = _sync(o)
    assert result.dead_letter == 0, result.notes
    proposal = _proposal_of(o, sale.transaction_id)
    assert (proposal.kind, proposal.status, proposal.customer_id) == (
        "order_payment",
        "posted",
        customer.customer_id,
    )

    order = o.env.sagepro_get("/api/orders/SO90001")
    assert order["PaymentStatus"] == "Paid"
    assert order["PaymentReference"] == f"PT-{sale.transaction_id}-PAY"
    [payment] = [
        p
        for p in o.env.all_items("/api/payments")
        if p["PaymentReference"] == f"PT-{sale.transaction_id}-PAY"
    ]
    assert payment["InvoiceID"] is None and payment["CustomerID"] == customer.customer_id

    again = _sync(o)
    assert (again.new, again.posted, again.proposals) == (0, 0, 0)


def test_an_unknown_payer_waits_for_review_then_customer_payment_and_order_are_created(
    outbound: OutboundEnv,
):
    o = outbound
    card = KeyedCard("4012000098765439", 12, 2030)
    sale = o.ctx.paytrace.sale_keyed(
        card,
        Decimal("86.40"),
        PaymentDetails(invoice_id="WEB20417", email="dana@example.com"),
        BillingAddress(name="Dana Whitlock", street_address="1 Elm St", zip="99201"),
    )
    result = _sync(o)
    proposal = _proposal_of(o, sale.transaction_id)
    assert (proposal.kind, proposal.status) == ("new_customer", "review")
    assert proposal.reason.startswith("Dana Whitlock paid $86.40 for order WEB20417")
    assert result.dead_letter == 0
    new_id = proposal.customer_id
    assert new_id.startswith("DANA")
    assert all(c["CustomerID"] != new_id for c in o.env.all_items("/api/customers"))

    approved = approve_proposals(o.env.store, [proposal.id], user="ann", profile=o.env.profile)
    assert approved.approved == [proposal.id], approved.refused
    assert _sync(o).dead_letter == 0
    customer = o.env.sagepro_get(f"/api/customers/{new_id}")
    assert customer["Name"] == "Dana Whitlock" and customer["Email"] == "dana@example.com"
    order = o.env.sagepro_get("/api/orders/WEB20417")
    assert (order["CustomerID"], order["PaymentStatus"], order["Total"]) == (
        new_id,
        "Paid",
        "86.40",
    )
    assert order["PaymentReference"] == f"PT-{sale.transaction_id}-PAY"
    with o.env.store.read() as session:
        statuses = dict(
            session.execute(
                select(OutboxItem.kind, OutboxItem.status).where(
                    OutboxItem.transaction_id == sale.transaction_id
                )
            ).all()
        )
    assert statuses == {"customer_create": "posted", "payment": "posted", "sales_order": "posted"}
    assert _proposal_of(o, sale.transaction_id).status == "posted"
