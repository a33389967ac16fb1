"""Invoices in another currency (issue 16), over both stand-ins with real sockets: a CAD
invoice is never matched automatically, a manual match needs an explicit rate, and the posted
payment is converted exactly (Decimal, one rounding half up) and audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from app.connectors.paytrace.payloads import PaymentDetails
from app.sandbox.sagepro import DEFAULT_API_KEY
from app.store.models import AuditEvent, OutboxItem, Proposal, SageProCustomer
from app.sync.review.actions import ReviewError, approve_proposals, rematch_proposal
from tests.support.outbound_fixtures import OutboundEnv, outbound_fixture  # noqa: F401
from tests.support.sync_fixtures import DEMO_TODAY


def _post_invoice(o: OutboundEnv, number: str, customer_id: str, amount: str, currency: str):  # type: ignore[no-untyped-def]
    body = {
        "InvoiceID": number,
        "CustomerID": customer_id,
        "InvoiceDate": DEMO_TODAY.isoformat(),
        "Amount": amount,
        "Currency": currency,
    }
    response = requests.post(
        o.env.sagepro.url + "/api/invoices",
        json=body,
        timeout=5,
        headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["Currency"] == currency


def _card_customer(o: OutboundEnv) -> SageProCustomer:
    with o.env.store.read() as session:
        customer = (
            session.execute(
                select(SageProCustomer).where(SageProCustomer.paytrace_customer_id != "")
            )
            .scalars()
            .first()
        )
    assert customer is not None
    return customer


def _proposal_of(o: OutboundEnv, transaction_id: int) -> Proposal:
    with o.env.store.read() as session:
        return session.execute(
            select(Proposal)
            .where(Proposal.transaction_id == transaction_id)
            .order_by(Proposal.id.desc())
            .limit(1)
        ).scalar_one()


def _payment_of(o: OutboundEnv, transaction_id: int) -> list[dict]:  # type: ignore[type-arg]
    key = f"PT-{transaction_id}-PAY"
    return [p for p in o.env.all_items("/api/payments") if p["PaymentReference"] == key]


def _charge(o: OutboundEnv, invoice_id: str, amount: str) -> int:
    customer = _card_customer(o)
    sale = o.ctx.paytrace.sale_by_customer(
        customer.paytrace_customer_id, Decimal(amount), PaymentDetails(invoice_id=invoice_id)
    )
    return sale.transaction_id


def test_a_cad_invoice_is_not_matched_to_a_usd_sale_of_the_same_number_and_amount(
    outbound: OutboundEnv,
):
    o = outbound
    _post_invoice(o, "CA7001", _card_customer(o).customer_id, "240.00", "CAD")
    tid = _charge(o, "CA7001", "240.00")
    result = o.sync(auto_approve=True)
    assert result.errors == 0, result.notes

    proposal = _proposal_of(o, tid)
    assert (proposal.status, proposal.rule) == ("review", "review_foreign_currency")
    assert not proposal.auto_approvable
    assert "CA7001 is in CAD" in proposal.reason and "USD" in proposal.reason
    assert "never matched automatically" in proposal.reason
    assert _payment_of(o, tid) == []
    # Approving the held proposal as it stands would pay CAD 1:1 with USD: refused.
    refused = approve_proposals(o.env.store, [proposal.id], user="bea", profile=o.env.profile)
    assert "never paid 1:1" in refused.refused[proposal.id]
    with o.env.store.read() as session:
        queued = session.execute(
            select(OutboxItem.key).where(OutboxItem.transaction_id == tid)
        ).all()
    assert queued == []
    o.sync(auto_approve=True)
    assert _payment_of(o, tid) == []
    invoice = o.env.sagepro_get("/api/invoices/CA7001")
    assert (invoice["Status"], invoice["Balance"]) == ("Open", "240.00")


def test_a_manual_match_needs_a_rate_and_posts_the_exact_conversion(outbound: OutboundEnv):
    o = outbound
    # 250.00 USD × 1.3645 = 341.125 CAD exactly → 341.13 (half up; float gives 341.12).
    _post_invoice(o, "CA7002", _card_customer(o).customer_id, "341.13", "CAD")
    tid = _charge(o, "CA7002", "250.00")
    o.sync(auto_approve=True)
    held = _proposal_of(o, tid)
    assert held.rule == "review_foreign_currency"
    apps = [("CA7002", Decimal("250.00"))]

    with pytest.raises(ReviewError, match="Enter the exchange rate: how many CAD one USD buys"):
        rematch_proposal(o.env.store, held.id, apps, user="bea", profile=o.env.profile)
    with pytest.raises(ReviewError, match="not a number"):
        rematch_proposal(
            o.env.store, held.id, apps, user="bea", exchange_rate="1,36", profile=o.env.profile
        )
    with pytest.raises(ReviewError, match=r"341\.13 CAD open on invoice CA7002"):
        rematch_proposal(
            o.env.store, held.id, apps, user="bea", exchange_rate="1.40", profile=o.env.profile
        )
    assert _proposal_of(o, tid).id == held.id, "a refused match changes nothing"

    chosen = rematch_proposal(
        o.env.store, held.id, apps, user="bea", exchange_rate="1.3645", profile=o.env.profile
    )
    proposal = _proposal_of(o, tid)
    assert proposal.id == chosen
    assert "at 1 USD = 1.3645 CAD" in proposal.reason
    assert approve_proposals(o.env.store, [chosen], user="bea", profile=o.env.profile).approved
    result = o.sync(auto_approve=False)
    assert result.dead_letter == 0, result.notes

    [payment] = _payment_of(o, tid)
    assert (payment["Amount"], payment["Currency"]) == ("341.13", "CAD")
    assert (payment["BaseAmount"], payment["ExchangeRate"]) == ("250.00", "1.3645")
    assert payment["InvoiceID"] == "CA7002"
    assert "USD 250.00 at 1 USD = 1.3645 CAD" in payment["Memo"]
    invoice = o.env.sagepro_get("/api/invoices/CA7002")
    assert (invoice["Status"], invoice["Balance"]) == ("Paid", "0.00")
    with o.env.store.read() as session:
        event = session.execute(
            select(AuditEvent).where(
                AuditEvent.action == "rematch", AuditEvent.entity_id == str(chosen)
            )
        ).scalar_one()
    assert event.actor == "bea"
    assert event.after is not None
    assert (event.after["currency"], event.after["exchange_rate"]) == ("CAD", "1.3645")


def test_the_sagepro_standin_refuses_a_usd_payment_of_a_cad_invoice(outbound: OutboundEnv):
    o = outbound
    customer = _card_customer(o).customer_id
    _post_invoice(o, "CA7003", customer, "100.00", "CAD")
    headers = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    base = {
        "PaymentDate": DEMO_TODAY.isoformat(),
        "CustomerID": customer,
        "GLAccountID": "1050",
        "PaymentMethodCode": "CC",
        "InvoiceID": "CA7003",
    }
    one_to_one = base | {"PaymentReference": "X-1", "Amount": "100.00"}
    response = requests.post(
        o.env.sagepro.url + "/api/payments", json=one_to_one, headers=headers, timeout=5
    )
    assert response.status_code == 422, response.text
    assert "is in CAD; this payment is in USD" in response.text
    wrong_sum = base | {
        "PaymentReference": "X-2",
        "Amount": "100.00",
        "Currency": "CAD",
        "BaseAmount": "70.00",
        "ExchangeRate": "1.40",
    }
    response = requests.post(
        o.env.sagepro.url + "/api/payments", json=wrong_sum, headers=headers, timeout=5
    )
    assert response.status_code == 422, response.text
    assert "is 98.00 CAD, not 100.00" in response.text
