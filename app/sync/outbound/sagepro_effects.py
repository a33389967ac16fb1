"""Carry out one outbox row in Sage Pro.

Creates (payments, credit memos, payment reversals, journal entries) go through
``post_once``, which looks the key up before posting and before every retry. Updates (an
invoice's PaymentStatus, a customer's card link) are idempotent by nature: setting the
same value twice is harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.connectors.retry import RetryPolicy
from app.connectors.sagepro.exactly_once import PostKind, post_once
from app.connectors.sagepro.gateway import SageProGateway
from app.connectors.sagepro.key_snapshot import PaymentSnapshot
from app.connectors.sagepro.payloads import PayloadError
from app.sync.outbound import order_effects  # order-to-cash

__all__ = ["Done", "PayloadError", "execute"]


@dataclass(frozen=True)
class Done:
    """The Sage Pro id, and for a create the record Sage Pro holds (its PostingState)."""

    remote_id: str
    record: Any = None


_ID_FIELD = {
    PostKind.PAYMENT: "payment_id",
    PostKind.CREDIT_MEMO: "credit_memo_id",
    PostKind.JOURNAL_ENTRY: "journal_id",
    PostKind.SALES_ORDER: "order_number",
    PostKind.PAYMENT_REVERSAL: "reversal_id",
}


def _text(payload: Mapping[str, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(f"{name} is missing or empty")
    return value.strip()


def _with_payment_id(gateway: SageProGateway, payload: Mapping[str, Any]) -> dict[str, Any]:
    """A reversal names the payment by our key (``PaymentReference``); Sage Pro wants its
    PaymentID, which only Sage Pro knows, so it is looked up when the row is sent."""
    fields = dict(payload)
    reference = str(fields.pop("PaymentReference", "") or "").strip()
    if not str(fields.get("PaymentID") or "").strip():
        if not reference:
            raise PayloadError("a payment reversal needs PaymentID or PaymentReference")
        payment = gateway.find_payment(reference)
        if payment is None:
            raise PayloadError(f"payment {reference}, which this would reverse, is not in Sage Pro")
        fields["PaymentID"] = payment.payment_id
    return fields


def execute(
    gateway: SageProGateway,
    kind: str,
    key: str,
    payload: Mapping[str, Any],
    policy: RetryPolicy | None = None,
    snapshot: PaymentSnapshot | None = None,
) -> Done:
    """Do the effect once. Raises Sage Pro errors or PayloadError. ``snapshot``: the pass's
    payment listing, trusted for a first try only (``post_once``)."""
    if kind == PostKind.PAYMENT_REVERSAL:
        payload = _with_payment_id(gateway, payload)
    if kind in _ID_FIELD:
        try:
            record = post_once(gateway, kind, key, payload, policy=policy, snapshot=snapshot)
        except ValueError as exc:  # PayloadError, or a reference that is not the key
            raise PayloadError(str(exc)) from None
        return Done(str(getattr(record, _ID_FIELD[PostKind(kind)])), record)
    if kind == "invoice_status":
        invoice_id = _text(payload, "InvoiceID")
        invoice = gateway.get_invoice(invoice_id)
        if payload.get("Cause") == "chargeback":
            # A chargeback marks even a paid invoice: the money it shows as paid came back.
            wanted = _text(payload, "PaymentStatus")
            if invoice.payment_status != wanted:
                gateway.update_invoice(invoice_id, payment_status=wanted)
            return Done(invoice_id)
        # Only an invoice still waiting for its money is marked Failed; a later payment wins.
        if invoice.status == "Open" and invoice.payment_status in ("Unpaid", "Failed"):
            gateway.update_invoice(invoice_id, payment_status=_text(payload, "PaymentStatus"))
        return Done(invoice_id)
    if kind == "customer_update":
        customer_id = _text(payload, "CustomerID")
        gateway.update_customer(
            customer_id,
            paytrace_customer_id=_text(payload, "PayTraceCustomerID"),
            card_last4=str(payload.get("CardLast4") or ""),
            card_expiry=str(payload.get("CardExpiry") or ""),
        )
        return Done(customer_id)
    if kind in order_effects.EFFECT_KINDS:  # order-to-cash
        return Done(order_effects.execute_effect(gateway, kind, payload))
    raise PayloadError(f"unknown outbox kind {kind!r}")
