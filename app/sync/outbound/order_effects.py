"""The Sage Pro effects of order-to-cash, run by the Sage Pro poster (``sagepro_effects``):
``sales_order_payment`` sets an existing order's PaymentStatus and PaymentReference (the same
values twice are harmless), ``customer_create`` creates a customer found by its CustomerID
first, so a retried create never makes a second one. Order creation itself is the
``sales_order`` kind of ``post_once``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.connectors.sagepro.errors import DuplicateReferenceError, NotFoundError
from app.connectors.sagepro.gateway import SageProGateway
from app.connectors.sagepro.payloads import PayloadError
from app.domain.sagepro_records import BillingAddress, CustomerDraft

EFFECT_KINDS = ("customer_create", "sales_order_payment")


def execute_effect(gateway: SageProGateway, kind: str, payload: Mapping[str, Any]) -> str:
    """Carry out ``customer_create`` or ``sales_order_payment`` once; the Sage Pro id."""
    if kind == "sales_order_payment":
        number = _text(payload, "OrderNumber")
        # Setting the same status and reference twice is harmless: idempotent by nature.
        gateway.update_sales_order(
            number,
            payment_status=_text(payload, "PaymentStatus"),
            payment_reference=_text(payload, "PaymentReference"),
        )
        return number
    if kind == "customer_create":
        return _create_customer_once(gateway, payload)
    raise PayloadError(f"unknown outbox kind {kind!r}")


def _create_customer_once(gateway: SageProGateway, payload: Mapping[str, Any]) -> str:
    """The CustomerID is the key: look it up first, create only when absent."""
    address = payload.get("BillingAddress") or {}
    draft = CustomerDraft(
        customer_id=_text(payload, "CustomerID").upper(),
        name=_text(payload, "Name"),
        email=str(payload.get("Email") or ""),
        phone=str(payload.get("Phone") or ""),
        address=BillingAddress(
            street=str(address.get("Street") or ""),
            city=str(address.get("City") or ""),
            state=str(address.get("State") or ""),
            zip=str(address.get("Zip") or ""),
            country=str(address.get("Country") or "US"),
        ),
        paytrace_customer_id=str(payload.get("PayTraceCustomerID") or ""),
        card_last4=str(payload.get("CardLast4") or ""),
        card_expiry=str(payload.get("CardExpiry") or ""),
    )
    try:
        existing = gateway.get_customer(draft.customer_id)
    except NotFoundError:
        try:
            return gateway.create_customer(draft).customer_id
        except DuplicateReferenceError:  # an earlier try went through after all
            existing = gateway.get_customer(draft.customer_id)
    if existing.name.strip().upper() != draft.name.strip().upper():
        raise PayloadError(
            f"customer {draft.customer_id} already exists in Sage Pro for {existing.name!r}, "
            f"not {draft.name!r}; choose another customer number"
        )
    return existing.customer_id


def _text(payload: Mapping[str, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(f"{name} is missing or empty")
    return value.strip()
