"""Each kind of PayTrace intent in PayTrace's own terms: the call that carries it out, what a
refusal means for it, and how an earlier try of it is found in PayTrace's export.

``paytrace_poster`` decides when to call and when to search, and records the outcome; this
module knows the kinds: ``paytrace_sale`` (charge a vault profile for an invoice),
``paytrace_refund`` (refund a settled sale) and ``paytrace_void`` (void a pending one). A
void refused with 818 (settled meanwhile) becomes a refund; a full refund refused with 817
(not settled yet) becomes a void; a partial refund refused with 817 waits for the settlement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.connectors.paytrace.client import PayTraceClient
from app.connectors.paytrace.errors import PayTraceValidationError
from app.connectors.paytrace.payloads import PaymentDetails
from app.domain.money import to_money
from app.domain.records import TransactionType
from app.sync.outbound import paytrace_search as search
from app.sync.outbound.paytrace_intents import REFUND, SALE, VOID

ONLY_SETTLED_REFUND, ONLY_PENDING_VOID = 817, 818


@dataclass(frozen=True)
class IntentClaim:
    """A claimed intent row, as the poster read it when it took the claim."""

    item_id: int
    key: str
    kind: str
    payload: dict[str, Any]
    sent_before: bool
    first_sent: date
    attempts: int
    remote_id: str  # a decline an earlier try already met (a retry may charge again)


@dataclass(frozen=True)
class IntentOutcome:
    status: str  # done / found / retry / dead / switch / pause
    detail: str
    remote_id: str | None = None
    code: str = ""
    new_kind: str = ""
    retry_after_s: float | None = None
    min_wait_s: float = 0.0  # after an unknown outcome: time for a slow charge to show


def call_intent(client: PayTraceClient, claim: IntentClaim) -> int:
    """Carry the intent out; returns the PayTrace transaction id it made (or voided)."""
    p = claim.payload
    if claim.kind == SALE:
        details = PaymentDetails(
            invoice_id=str(p["invoice_id"]), description=str(p.get("description") or "")
        )
        return client.sale_by_customer(
            str(p["customer_id"]), to_money(p["amount"]), details
        ).transaction_id
    if claim.kind == REFUND:
        amount = to_money(p["amount"])
        full = amount == to_money(p["sale_amount"])
        return client.refund_transaction(
            int(p["transaction_id"]), None if full else amount
        ).transaction_id
    if claim.kind == VOID:
        client.void(int(p["transaction_id"]))
        return int(p["transaction_id"])
    raise ValueError(f"unknown PayTrace intent kind {claim.kind!r}")


def refusal_outcome(claim: IntentClaim, exc: PayTraceValidationError) -> IntentOutcome:
    """What PayTrace's refusal of the call means: switch void ↔ refund, wait, or give up."""
    p = claim.payload
    if claim.kind == VOID and ONLY_PENDING_VOID in exc.codes:
        return IntentOutcome(
            "switch", "the sale was settled meanwhile; refunding it instead", new_kind=REFUND
        )
    if claim.kind == REFUND and ONLY_SETTLED_REFUND in exc.codes:
        if to_money(p["amount"]) == to_money(p["sale_amount"]):
            return IntentOutcome(
                "switch", "the sale is not settled yet; voiding it instead", new_kind=VOID
            )
        return IntentOutcome(
            "retry",
            "a partial refund has to wait until PayTrace settles the sale (tonight's batch)",
        )
    return IntentOutcome("dead", str(exc), code=",".join(map(str, sorted(exc.codes))) or "refused")


def find_earlier_try(
    client: PayTraceClient, claim: IntentClaim, *, today: date, exclude: set[int]
) -> IntentOutcome | None:
    """The earlier try's effect in PayTrace's export, or None when it shows nothing.

    The search spans the merchant days from the day before the first send to the day after
    ``today``; ``exclude`` holds PayTrace ids other intents already stand for.
    """
    p = claim.payload
    start = claim.first_sent - timedelta(days=1)
    end = max(today, claim.first_sent) + timedelta(days=1)
    if claim.kind == SALE:
        hit = search.find_sale(
            client,
            customer_id=str(p["customer_id"]),
            invoice_id=str(p["invoice_id"]),
            amount=to_money(p["amount"]),
            start=start,
            end=end,
            exclude=exclude,
        )
        if hit is None:
            return None
        if hit.transaction_type == TransactionType.DECLINED:
            if str(hit.transaction_id) == claim.remote_id:
                return None  # the decline a person chose to retry after
            return IntentOutcome(
                "dead",
                f"the earlier try was declined ({hit.describe()})",
                str(hit.transaction_id),
                code="declined",
            )
        return IntentOutcome(
            "found", f"found in the export: {hit.describe()}", str(hit.transaction_id)
        )
    if claim.kind == VOID:
        state = search.sale_state(client, int(p["transaction_id"]))
        if state is not None and state.transaction_type == TransactionType.VOID:
            return IntentOutcome(
                "found", "the sale reads VOID in the export", str(p["transaction_id"])
            )
        return None
    hit = search.find_refund(
        client,
        invoice_id=str(p["invoice_id"]),
        amount=to_money(p["amount"]),
        card_last4=str(p.get("card_last4") or ""),
        customer_id=str(p.get("customer_id") or ""),
        start=start,
        end=end,
        exclude=exclude | set(p.get("known_refunds") or ()),
    )
    if hit is None:
        return None
    return IntentOutcome("found", f"found in the export: {hit.describe()}", str(hit.transaction_id))
