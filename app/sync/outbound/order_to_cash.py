"""Order-to-cash: a card sale that names a sales order but no invoice (docs/architecture.md §2).

* ``refresh_orders`` keeps the local copy of Sage Pro's sales orders (``sagepro_orders``).
* ``take_order_payments`` is the pipeline's hook: a SALE whose reference is no invoice (nor
  an invoiced order) but a cached order number becomes an ``order_payment`` proposal; one
  whose reference is shaped like an order number (``ORDER_REFERENCE``, e.g. a web shop's
  ``WEB20417``) that Sage Pro does not have yet becomes an ``order_payment`` that creates the
  order — or, when the payer is not a Sage Pro customer, a ``new_customer`` proposal that
  waits in review. Everything else goes on to the matcher.
* ``specs_for`` (called by approval): the payment on account, then the order created or
  updated with PaymentStatus and PaymentReference (= the payment's key); a new customer
  first. ``execute_effect`` (called by the Sage Pro poster) carries out the new kinds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from app.config import Profile
from app.connectors.sagepro.gateway import SageProGateway, iterate_pages
from app.domain.matching.references import normalise_reference
from app.domain.money import display_money, format_money, from_cents, to_cents
from app.domain.states import ProposalStatus
from app.store import Store
from app.store.models import (
    PayTraceTransaction,
    Proposal,
    SageProCustomer,
    SageProInvoice,
    SageProOrder,
)
from app.sync.inbound.ingest import get_cursor, set_cursor
from app.sync.outbox import effects
from app.sync.outbox.effects import OutboxSpec
from app.sync.review.approval import RecordMapper, ReviewError, raw_row

PROPOSAL_KINDS = ("order_payment", "new_customer")
# (A) What a not-yet-known order number looks like; Sage Pro's own are "SO" + digits.
ORDER_REFERENCE = re.compile(r"^(?:SO|WEB|ORD)[-#]?\d{3,8}$", re.IGNORECASE)
CURSOR = "sagepro.orders"
OVERLAP = timedelta(minutes=5)
Decide = Callable[[Proposal, bool], None]


# -- the orders cache ---------------------------------------------------------------------


def refresh_orders(store: Store, gateway: SageProGateway, now: datetime) -> int:
    """Read orders changed since the last refresh (all, the first time) into the cache.

    The network read happens between the two short transactions, never inside one.
    """
    with store.read() as session:
        cursor = get_cursor(session, CURSOR)
        since = cursor.cursor_at - OVERLAP if cursor and cursor.cursor_at else None
    orders = list(
        iterate_pages(
            lambda page: gateway.list_sales_orders(modified_since=since, page=page, page_size=1000)
        )
    )
    with store.write() as session:
        known = set(session.execute(select(SageProOrder.order_number)).scalars())
        rows = [
            {
                "order_number": o.order_number,
                "customer_id": o.customer_id,
                "order_date": o.order_date,
                "total_cents": to_cents(o.total),
                "status": o.status,
                "payment_status": o.payment_status,
                "payment_reference": o.payment_reference,
                "refreshed_at": now,
            }
            for o in orders
        ]
        if new := [r for r in rows if r["order_number"] not in known]:
            session.execute(insert(SageProOrder), new)
        if old := [r for r in rows if r["order_number"] in known]:
            session.execute(update(SageProOrder), old)
        set_cursor(session, CURSOR, None, now, cursor_at=now)
    return len(orders)


# -- the pipeline hook ----------------------------------------------------------------------


def take_order_payments(
    session: Session,
    sales: Sequence[PayTraceTransaction],
    now: datetime,
    decide: Decide,
    known_keys: Callable[[Session], set[str]] | None = None,
    base_currency: str = "USD",  # PayTrace's money, for the words of a proposal
) -> list[PayTraceTransaction]:
    """Propose order payments for the sales that name an order; return the rest.
    ``known_keys``: where the cached invoices' keys come from (a matching pass reads them
    once for all its chunks); by default, read here."""
    if not sales:
        return []
    cached_keys = (known_keys or invoice_keys)(session)
    orders = {
        normalise_reference(o.order_number): o
        for o in session.execute(select(SageProOrder)).scalars()
    }
    rest = []
    for row in sales:
        refs = [r.strip() for r in (row.invoice_ref, row.customer_reference_id) if r.strip()]
        keys = [normalise_reference(r) for r in refs]
        if not refs or any(k in cached_keys for k in keys):
            rest.append(row)  # an invoice (or an invoiced order): the matcher's job
            continue
        order = next((orders[k] for k in keys if k in orders), None)
        shaped = next((r.upper() for r in refs if ORDER_REFERENCE.match(r)), "")
        if order is not None:
            decide(
                *_order_payment(
                    session,
                    row,
                    now,
                    order.order_number,
                    order.customer_id,
                    create=False,
                    order=order,
                )
            )
        elif shaped:
            payer = _known_payer(session, row)
            if payer:
                decide(*_order_payment(session, row, now, shaped, payer, create=True))
            else:
                decide(_new_customer(session, row, now, shaped, base_currency), False)
        else:
            rest.append(row)
    return rest


def invoice_keys(session: Session) -> set[str]:
    """Every cached invoice's normalised InvoiceID and OrderNumber."""
    keys: set[str] = set()
    for invoice_id, order_number in session.execute(
        select(SageProInvoice.invoice_id, SageProInvoice.order_number)
    ):
        keys.add(normalise_reference(invoice_id))
        if order_number:
            keys.add(normalise_reference(order_number))
    keys.discard("")
    return keys


def _known_payer(session: Session, row: PayTraceTransaction) -> str:
    if row.paytrace_customer_id:
        linked = (
            session.execute(
                select(SageProCustomer.customer_id).where(
                    SageProCustomer.paytrace_customer_id == row.paytrace_customer_id
                )
            )
            .scalars()
            .all()
        )
        if len(linked) == 1:
            return linked[0]
    if row.email:
        by_mail = (
            session.execute(
                select(SageProCustomer.customer_id).where(
                    func.lower(SageProCustomer.email) == row.email.strip().lower()
                )
            )
            .scalars()
            .all()
        )
        if len(by_mail) == 1:
            return by_mail[0]
    return ""


def _proposal(row: PayTraceTransaction, now: datetime, **fields: Any) -> Proposal:
    return Proposal(
        transaction_id=row.transaction_id,
        score_parts={},
        candidates=[],
        on_account_cents=0,
        created_at=now,
        **fields,
    )


def _order_payment(
    session: Session,
    row: PayTraceTransaction,
    now: datetime,
    order_number: str,
    customer_id: str,
    *,
    create: bool,
    order: SageProOrder | None = None,
) -> tuple[Proposal, bool]:
    paid_in_full = order is None or row.amount_cents >= order.total_cents
    status = "Paid" if paid_in_full else "Partial"
    fits = order is None or order.payment_status not in ("Paid", "Refunded")
    action = "create it" if create else "mark it"
    proposal = _proposal(
        row,
        now,
        kind="order_payment",
        status=ProposalStatus.PROPOSED,
        rule="order_reference",
        confidence=100 if fits else 60,
        customer_id=customer_id,
        auto_approvable=fits,
        reason=f"Card payment for sales order {order_number} (no invoice yet): record it on "
        f"account for {customer_id} and {action} {status} with this payment's reference",
        details={"order_number": order_number, "create": create, "payment_status": status},
    )
    session.add(proposal)
    session.flush()
    return proposal, fits


def _new_customer(
    session: Session, row: PayTraceTransaction, now: datetime, order_number: str, base: str
) -> Proposal:
    name = (row.billing_name or row.email or f"PayTrace payer {row.transaction_id}").strip()
    draft = {
        "CustomerID": _free_customer_id(session, name),
        "Name": name[:40],
        "Email": row.email.strip().lower()[:60],
        "PayTraceCustomerID": row.paytrace_customer_id,
        "CardLast4": row.card_last4 if row.paytrace_customer_id else "",
    }
    proposal = _proposal(
        row,
        now,
        kind="new_customer",
        status=ProposalStatus.REVIEW,
        rule="unknown_payer_order",
        confidence=0,
        customer_id=draft["CustomerID"],
        auto_approvable=False,
        reason=f"{name} paid {display_money(row.amount_cents, cents=True, base=base)} for order "
        f"{order_number}, but is not a Sage Pro customer. Approve to create customer "
        f"{draft['CustomerID']}, record the payment on account and create the order.",
        details={
            "order_number": order_number,
            "create": True,
            "payment_status": "Paid",
            "customer": draft,
        },
    )
    session.add(proposal)
    session.flush()
    return proposal


def _free_customer_id(session: Session, name: str) -> str:
    """Four letters of the name and two digits, unused in the cache and in open proposals."""
    stem = (re.sub(r"[^A-Z]", "", name.upper()) or "CUST")[:4]
    taken = set(session.execute(select(SageProCustomer.customer_id)).scalars())
    taken |= set(
        session.execute(
            select(Proposal.customer_id).where(Proposal.kind == "new_customer")
        ).scalars()
    )
    for n in range(1, 100):
        candidate = f"{stem}{n:02d}"
        if candidate not in taken:
            return candidate
    raise ReviewError(f"No free customer number starts with {stem}; choose one in Sage Pro.")


# -- approval -------------------------------------------------------------------------------


def specs_for(
    session: Session, proposal: Proposal, profile: Profile, mapper: RecordMapper
) -> list[OutboxSpec]:
    tx = session.get(PayTraceTransaction, proposal.transaction_id)
    if tx is None:
        raise ReviewError(f"Transaction {proposal.transaction_id} is not in the local store.")
    details = proposal.details
    order_number = str(details.get("order_number") or "")
    if not order_number or not proposal.customer_id:
        raise ReviewError("This order payment names no order or no customer.")
    sequence = effects.sequence_of(tx.created_utc, tx.transaction_id)
    specs: list[OutboxSpec] = []
    ordering = f"customer:{proposal.customer_id}"
    raw = raw_row(session, tx)
    if proposal.kind == "new_customer":
        customer = dict(details.get("customer") or {})
        if customer.get("CustomerID") != proposal.customer_id:
            raise ReviewError("The new customer's number and the proposal's do not agree.")
        specs.append(
            OutboxSpec(
                f"PT-{tx.transaction_id}-CUST",
                "customer_create",
                _mapped_customer(customer, mapper.record_fields("Customer", tx, raw)),
                sequence,
                ordering,
                tx.transaction_id,
            )
        )
    fields = mapper.payment_fields(tx, raw, proposal.customer_id)
    order_fields = mapper.record_fields(
        "SalesOrder", tx, raw, {"order_number": order_number}, customer_id=proposal.customer_id
    )
    payment = effects.payment_spec(
        transaction_id=tx.transaction_id,
        payment_date=datetime.fromisoformat(fields["PaymentDate"]).date(),
        amount=from_cents(tx.amount_cents),
        customer_id=proposal.customer_id,
        method_code=fields["PaymentMethodCode"],
        gl_account_id=fields["GLAccountID"],
        applications=[],
        # A version saved before the mapping had this field keeps the standard wording.
        memo=order_fields.get("PaymentMemo", f"Payment for sales order {order_number}"),
        sequence=sequence + 1,
        payment_status=fields.get("PaymentStatus", ""),
    )
    specs.append(payment)
    specs.append(_order_spec(tx, proposal, order_fields, payment.key, sequence + 2))
    return specs


def _order_spec(
    tx: PayTraceTransaction,
    proposal: Proposal,
    order_fields: dict[str, str],
    payment_key: str,
    sequence: int,
) -> OutboxSpec:
    """Create the sales order, or set an existing one's payment, worded by the mapping."""
    order_number = str(proposal.details.get("order_number") or "")
    ordering = f"customer:{proposal.customer_id}"
    status = str(proposal.details.get("payment_status") or "Paid")
    if status == "Paid":  # paid in full: the status map words it (Partial is a fact)
        status = order_fields.get("PaymentStatus", status)
    if proposal.details.get("create"):
        order = {
            "OrderNumber": order_number,
            "CustomerID": proposal.customer_id,
            "OrderDate": order_fields.get("OrderDate", tx.merchant_date.isoformat()),
            "Status": order_fields.get("Status", "Open"),
            "PaymentStatus": status,
            "PaymentReference": payment_key,
            "Lines": [
                {
                    "ItemID": "PAYTRACE",
                    "Description": order_fields.get(
                        "LineDescription", f"Paid by card ({tx.transaction_id})"
                    ),
                    "Quantity": "1",
                    "UnitPrice": format_money(from_cents(tx.amount_cents)),
                }
            ],
        }
        return OutboxSpec(order_number, "sales_order", order, sequence, ordering, tx.transaction_id)
    update_payload = {
        "OrderNumber": order_number,
        "PaymentStatus": status,
        "PaymentReference": payment_key,
    }
    return OutboxSpec(
        f"PT-{tx.transaction_id}-ORDER",
        "sales_order_payment",
        update_payload,
        sequence,
        ordering,
        tx.transaction_id,
    )


# Customer fields a new customer takes from the mapping when it gives them; the number
# (locked) and the vault token stay as the proposal decided them.
_CUSTOMER_MAPPED = ("Name", "Email", "Phone", "CardLast4", "CardExpiry")


def _mapped_customer(draft: dict[str, Any], mapped: dict[str, str]) -> dict[str, Any]:
    customer = dict(draft)
    for name in _CUSTOMER_MAPPED:
        if mapped.get(name):
            customer[name] = mapped[name]
    if not customer.get("PayTraceCustomerID"):
        customer["CardLast4"] = customer["CardExpiry"] = ""  # no vault card to describe
    address = {
        name.split(".", 1)[1]: value
        for name, value in mapped.items()
        if name.startswith("BillingAddress.") and value
    }
    if address:
        customer["BillingAddress"] = address
    return customer
