"""Money-moving endpoints: sales, authorizations, capture, void, refunds, settle, vault
profiles and recurrences. Each takes the request body and answers in PayTrace's envelope.
"""

from __future__ import annotations

from typing import Any

from app.sandbox.http_base import SandboxResponse
from app.sandbox.paytrace import codes, envelopes, validate
from app.sandbox.paytrace.codes import RuleError
from app.sandbox.paytrace.rows import masked_card
from app.sandbox.paytrace.state import Recurrence, StoredCard, StoredTransaction, VaultProfile
from app.sandbox.paytrace.store import ChargeDetails, PayTraceStore


def _details(body: dict[str, Any]) -> ChargeDetails:
    billing = body.get("billing_address")
    discretionary = body.get("discretionary_data")
    return ChargeDetails(
        invoice_id=validate.text(body, "invoice_id"),
        description=validate.text(body, "description"),
        customer_reference_id=validate.text(body, "customer_reference_id"),
        email=validate.text(body, "email"),
        tax_amount=validate.amount(body.get("tax_amount"), required=False),
        billing={str(k): str(v) for k, v in billing.items()} if isinstance(billing, dict) else {},
        discretionary_data=dict(discretionary) if isinstance(discretionary, dict) else {},
        csc_given=bool(body.get("csc")),
    )


def _answer(txn: StoredTransaction, *, keyed: bool) -> SandboxResponse:
    fields: dict[str, Any] = {
        "transaction_id": txn.transaction_id,
        "approval_code": txn.approval_code,
        "approval_message": txn.approval_message,
        "avs_response": txn.avs_response,
        "csc_response": txn.csc_response,
    }
    if keyed and txn.card is not None:
        fields["masked_card_number"] = masked_card(txn.card, char="x")
    if txn.kind == "DECLINED":
        return envelopes.declined(**fields)
    return envelopes.ok(codes.APPROVED, "Your transaction was successfully approved.", **fields)


def _keyed_card(body: dict[str, Any]) -> tuple[StoredCard, Any]:
    """Card and amount checked together so every problem is reported at once."""
    problems: RuleError | None = None
    card = amount = None
    try:
        card = validate.card(body.get("credit_card"))
    except RuleError as exc:
        problems = exc
    try:
        amount = validate.amount(body.get("amount"))
    except RuleError as exc:
        problems = problems.add(codes.INVALID_AMOUNT) if problems else exc
    if problems is not None:
        raise problems
    assert card is not None
    return card, amount


def keyed(store: PayTraceStore, body: dict[str, Any], kind: str) -> SandboxResponse:
    card, amount = _keyed_card(body)
    return _answer(store.charge(kind, amount, card, _details(body)), keyed=True)


def by_customer(store: PayTraceStore, body: dict[str, Any], kind: str) -> SandboxResponse:
    amount = validate.amount(body.get("amount"))
    assert amount is not None
    profile = store.profile(validate.text(body, "customer_id"))
    details = _details(body)
    details.email = details.email or profile.email
    details.billing = details.billing or dict(profile.billing)
    txn = store.charge(kind, amount, profile.card, details, customer_id=profile.customer_id)
    return _answer(txn, keyed=False)


def capture(store: PayTraceStore, body: dict[str, Any]) -> SandboxResponse:
    txn_id = validate.transaction_id(body.get("transaction_id"))
    txn = store.capture(txn_id, validate.amount(body.get("amount"), required=False))
    return envelopes.ok(
        codes.CAPTURED, "Your transaction was successfully captured.",
        transaction_id=txn.transaction_id,
    )  # fmt: skip


def void(store: PayTraceStore, body: dict[str, Any]) -> SandboxResponse:
    txn = store.void(validate.transaction_id(body.get("transaction_id")))
    return envelopes.ok(
        codes.VOIDED, "Your transaction was successfully voided.",
        transaction_id=txn.transaction_id,
    )  # fmt: skip


def refund_transaction(store: PayTraceStore, body: dict[str, Any]) -> SandboxResponse:
    txn_id = validate.transaction_id(body.get("transaction_id"))
    refund = store.refund_transaction(txn_id, validate.amount(body.get("amount"), required=False))
    return envelopes.ok(
        codes.REFUNDED, "Your transaction was successfully refunded.",
        transaction_id=refund.transaction_id, amount=str(refund.amount),
    )  # fmt: skip


def refund_to_customer(store: PayTraceStore, body: dict[str, Any]) -> SandboxResponse:
    amount = validate.amount(body.get("amount"))
    assert amount is not None
    profile = store.profile(validate.text(body, "customer_id"))
    refund = store.refund_to(amount, profile.card, _details(body), profile.customer_id)
    return envelopes.ok(
        codes.REFUNDED, "Your transaction was successfully refunded.",
        transaction_id=refund.transaction_id, amount=str(refund.amount),
    )  # fmt: skip


def settle(store: PayTraceStore) -> SandboxResponse:
    batch = store.settle()
    if batch is None:
        return envelopes.ok(codes.ERRORS, "No transactions were pending settlement.")
    return envelopes.ok(
        codes.ERRORS, "Your request has been successfully completed.", batch_number=batch.number
    )


def create_customer(store: PayTraceStore, body: dict[str, Any]) -> SandboxResponse:
    customer_id = validate.text(body, "customer_id").strip()
    if not customer_id:
        raise RuleError(codes.CUSTOMER_NOT_FOUND, "Please provide a Customer ID.")
    card = validate.card(body.get("credit_card"))
    billing = body.get("billing_address")
    profile = store.create_profile(
        VaultProfile(
            customer_id=customer_id,
            card=card,
            billing={str(k): str(v) for k, v in billing.items()}
            if isinstance(billing, dict)
            else {},
            email=validate.text(body, "email"),
            phone=validate.text(body, "phone"),
        )
    )
    return envelopes.ok(
        codes.CUSTOMER_CREATED,
        f"The customer profile for {customer_id} was successfully created.",
        customer_id=profile.customer_id,
        masked_card_number=masked_card(card, char="x"),
    )


def delete_customer(store: PayTraceStore, body: dict[str, Any]) -> SandboxResponse:
    customer_id = validate.text(body, "customer_id")
    store.delete_profile(customer_id)
    return envelopes.ok(
        codes.CUSTOMER_DELETED,
        f"The customer profile for {customer_id} was successfully deleted.",
        customer_id=customer_id,
    )


def create_recurrence(store: PayTraceStore, body: dict[str, Any]) -> SandboxResponse:
    spec = body.get("recurrence")
    if not isinstance(spec, dict):
        raise RuleError(codes.INVALID_REQUEST, "Please provide the recurrence details.")
    amount = validate.amount(spec.get("amount"))
    assert amount is not None
    recurrence = store.create_recurrence(
        Recurrence(
            recurrence_id=0,
            customer_id=validate.text(body, "customer_id"),
            amount=amount,
            frequency=validate.positive_int(spec.get("frequency"), codes.INVALID_REQUEST),
            start_date=validate.request_date(spec.get("start_date"), "start date"),
            total_count=validate.positive_int(spec.get("total_count"), codes.INVALID_REQUEST),
            description=str(spec.get("description") or ""),
        )
    )
    return envelopes.ok(
        codes.ERRORS,
        "The recurrence was successfully created.",
        recurrence={
            "id": recurrence.recurrence_id,
            "customer_id": recurrence.customer_id,
            "amount": str(recurrence.amount),
            "frequency": recurrence.frequency,
            "total_count": recurrence.total_count,
            "current_count": recurrence.charged,
        },
    )


def delete_recurrence(store: PayTraceStore, body: dict[str, Any]) -> SandboxResponse:
    recurrence_id = validate.positive_int(body.get("recurrence_id"), codes.ID_NOT_FOUND)
    store.delete_recurrence(recurrence_id)
    return envelopes.ok(codes.ERRORS, "The recurrence was successfully deleted.")
