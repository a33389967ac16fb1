"""A chargeback's life in the books: received → confirmed → won or lost (docs/architecture.md §2).

Confirming queues, in one transaction, the journal entry ``PT-CB-<case>-JE`` (debit
receivables the amount and chargeback fees the fee, credit bank both) and the invoice marks;
the rows themselves are built in ``chargeback_entries``, the sale is read by ``chargeback_sale``.

Bank, not card clearing: chargebacks never appear in a PayTrace settlement batch (batches
hold sales and refunds), and the settlement entry clears card clearing → bank from the
batch's own totals. The processor debits a chargeback straight from the merchant's bank
account as its own line on the statement, so crediting clearing would leave a balance there
that no settlement ever clears, while crediting the bank matches the bank statement.

"Reopening" the invoice: the Sage Pro API cannot — an invoice's Balance, AmountPaid and
Status are read-only and no payment can be un-applied. The closest faithful effect is an
``invoice_status`` row setting the paid invoice's PaymentStatus to ``Failed`` (what the
app already does for a failed card payment), so the invoice shows the money did not stay;
the journal entry carries the amount back into receivables. Re-billing the customer (a new
invoice or debit memo) is a decision for the bookkeeper inside Sage Pro, and the item says so.

Won → a reversing entry dated that day (bank debit, receivables credit; the fee is not
returned by processors) and the invoice's PaymentStatus restored. Lost → nothing more to
post: the amount stays in receivables for collection or write-off.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.config import Profile
from app.domain.money import from_cents
from app.domain.states import ExceptionStatus
from app.errors import PaysageError
from app.store import Store, audit
from app.store.models import ExceptionItem, PayTraceTransaction, SageProInvoice
from app.sync.chargebacks.entries import (
    EntryWording,
    EntryWords,
    confirm_specs,
    fee_account,
    reposting_won_specs,
    reversing_confirm_specs,
    won_specs,
)
from app.sync.chargebacks.sale import SaleLink, link_sale
from app.sync.outbound import reversals
from app.sync.outbound.reversals import PostedPayment
from app.sync.outbox.effects import ZERO, OutboxSpec
from app.sync.outbox.mapping_bridge import active_record_mapper
from app.sync.review.approval import RecordMapper, ReviewError, mapped_reversal_reason, write_outbox

CATEGORY = "chargeback"
ALERT_CODE = "chargeback_received"
_NOT_CHARGES = ("VOID", "DECLINED", "AUTHORIZATION")


class ChargebackError(PaysageError):
    """A chargeback action that cannot be done; the message says why in plain words."""


def merchant_today(profile: Profile) -> date:
    zone = profile.paytrace.merchant_timezone
    return datetime.now(ZoneInfo(zone)).date() if zone else datetime.now().date()


def _chargeback_item(session: Session, item_id: int) -> ExceptionItem:
    item = session.get(ExceptionItem, item_id)
    if item is None or item.category != CATEGORY:
        raise ChargebackError(f"There is no chargeback item {item_id}.")
    return item


def _payment_status(session: Session, invoice_id: str) -> str:
    """The invoice's PaymentStatus before the chargeback, to put back if the case is won."""
    invoice = session.get(SageProInvoice, invoice_id)
    return invoice.payment_status if invoice is not None else "Paid"


def _reversal_wording(
    session: Session, transaction_id: int, mapper: RecordMapper
) -> Callable[[str], str]:
    """The payment reversal's Reason as the active mapping words it."""
    tx = session.get(PayTraceTransaction, transaction_id)

    def worded(standard: str) -> str:
        if tx is None:
            return standard
        try:
            return mapped_reversal_reason(session, tx, mapper, standard)
        except ReviewError as exc:  # nothing queued: the person fixes the mapping first
            raise ChargebackError(str(exc)) from None

    return worded


def _entry_wording(
    mapper: RecordMapper,
    data: dict[str, Any],
    outcome: str,
    transaction_id: int | None,
    invoices: list[str],
) -> EntryWording:
    """The journal entry's description, line memo and fee account as the active mapping's
    ChargebackEntry record words them; the case's facts are its ``posting.*`` fields."""

    def worded(standard: str) -> EntryWords:
        facts = {
            "case_number": str(data.get("case_number") or data["case_key"]),
            "outcome": outcome,
            "reason": str(data.get("reason") or ""),
            "invoices": ", ".join(invoices),
            "transaction_id": "" if transaction_id is None else str(transaction_id),
            "description": standard,
        }
        row = {"transaction_type": "CHARGEBACK", "transaction_id": transaction_id,
               "posting": facts}  # fmt: skip
        try:
            fields = mapper.row_fields("ChargebackEntry", row, {})
        except ReviewError as exc:  # nothing queued: the person fixes the mapping first
            raise ChargebackError(str(exc)) from None
        return EntryWords(
            fields.get("Description", ""), fields.get("LineMemo", ""), fields.get("GLAccountID", "")
        )

    return worded


def _invoices_to_mark(session: Session, link: SaleLink, reported_invoice: str) -> list[str]:
    if link.invoice_ids:
        return list(link.invoice_ids)
    if reported_invoice and session.get(SageProInvoice, reported_invoice.strip()) is not None:
        return [reported_invoice.strip()]
    return []


def confirm_chargeback(
    store: Store,
    item_id: int,
    *,
    user: str,
    profile: Profile,
    today: date | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Queue the chargeback's journal entry and invoice mark; returns the outbox keys."""
    now = now or utcnow()
    entry_date = today or merchant_today(profile)
    with store.write() as session:
        item = _chargeback_item(session, item_id)
        data = dict(item.payload)
        link = link_sale(session, item.transaction_id)
        _check_confirmable(item, data, link)
        case_key = str(data["case_key"])
        amount = Decimal(str(data["amount"]))
        fee = Decimal(str(data["fee"])) if data.get("fee") else ZERO
        invoices = _invoices_to_mark(session, link, str(data.get("invoice_id") or ""))
        payment = _payment_to_reverse(session, link, amount)
        mapper = active_record_mapper(session, profile)
        if payment is not None and link.transaction_id is not None:
            invoices = list(payment.invoice_ids)
            word = _reversal_wording(session, link.transaction_id, mapper)
            entry = _entry_wording(mapper, data, "confirmed", link.transaction_id, invoices)
            specs = reversing_confirm_specs(
                case_key, fee, invoices, link.transaction_id, payment, entry_date, profile,
                now, str(data["reason"]), word_reversal=word, word_entry=entry,
            )  # fmt: skip
            data["reversed_payment"] = payment.payload
        else:
            entry = _entry_wording(mapper, data, "confirmed", link.transaction_id, invoices)
            specs = confirm_specs(
                case_key, amount, fee, invoices, link, entry_date, profile, now,
                str(data["reason"]), entry,
            )  # fmt: skip
        write_outbox(session, specs, now=now, mapping_version_id=mapper.version_id)
        previous = {inv: _payment_status(session, inv) for inv in invoices}
        data.update(
            state="confirmed",
            confirmed_by=user,
            confirmed_at=now.isoformat(),
            entry_date=entry_date.isoformat(),
            invoices=invoices,
            previous_payment_status=previous,
            outbox=[s.key for s in specs],
            # The outbox links a transaction only when it is stored here (a foreign key).
            outbox_transaction_id=link.transaction_id if link.found else None,
            bank_account=profile.gl.bank,
            receivables_account=profile.gl.receivables,
        )
        item.payload = data
        item.detail = _confirmed_words(data, invoices, profile)
        _close_alert(session, item.id, user, now)
        audit.record(
            session,
            "confirm_chargeback",
            "exception_item",
            item.id,
            actor=user,
            before={"state": "received"},
            after={"state": "confirmed", "outbox": [s.key for s in specs]},
        )
        return [s.key for s in specs]


def _check_confirmable(item: ExceptionItem, data: dict[str, Any], link: SaleLink) -> None:
    """Only a received case of a charge whose payment is decided can be confirmed."""
    if item.status != "open" or data.get("state") != "received":
        raise ChargebackError(
            f"Chargeback {data.get('case_number')} is already {data.get('state')}."
        )
    if link.found and link.transaction_type in _NOT_CHARGES:
        raise ChargebackError(
            f"PayTrace transaction {link.transaction_id} is {link.transaction_type}: no "
            "money moved, so there is nothing to take back. Check the case's transaction "
            "id with PayTrace, then discard this item with a note."
        )
    if link.found and link.payment_state == "undecided":
        raise ChargebackError(
            f"The payment of transaction {link.transaction_id} is not in Sage Pro yet. "
            "Decide it in Reconciliation first (reject it if the money is gone), then "
            "confirm the chargeback."
        )


def _payment_to_reverse(session: Session, link: SaleLink, amount: Decimal) -> PostedPayment | None:
    """The sale's payment in Sage Pro, when the case takes all of it back: a payment
    reversal then reopens its invoices. A partial chargeback keeps the journal entry alone
    (a reversal always takes the whole payment)."""
    if not link.found or link.transaction_id is None or link.payment_state != "posted":
        return None
    payment = reversals.posted_payment(session, link.transaction_id)
    if payment is None or from_cents(payment.amount_cents) != amount:
        return None
    return payment


def _confirmed_words(data: dict[str, Any], invoices: list[str], profile: Profile) -> str:
    fee = f" and the {data['fee']} fee to {fee_account(profile)}" if data.get("fee") else ""
    if data.get("reversed_payment"):
        reversal, journal = data["outbox"][0], data["outbox"][1]
        clearing = data["reversed_payment"].get("GLAccountID") or profile.gl.card_clearing
        return (
            f"Confirmed by {data['confirmed_by']}. Payment reversal {reversal} dated "
            f"{data['entry_date']} takes payment {data['reversed_payment']['PaymentReference']} "
            f"back: invoice {', '.join(invoices) or '(on account)'} is open again with its "
            f"balance restored and marked PaymentStatus Failed. Journal entry {journal}: "
            f"debit {clearing} {data['amount']}{fee}, credit bank {profile.gl.bank} (the "
            "processor takes chargebacks straight from the bank account). When PayTrace "
            "decides the case, mark it won (the payment posts again) or lost."
        )
    invoice_words = (
        f"Invoice {', '.join(invoices)} will show PaymentStatus Failed: Sage Pro's API cannot "
        "reopen a paid invoice (its balance and status are read-only), so this mark and the "
        "journal entry stand for the reopening; re-bill the customer in Sage Pro if they are "
        "to pay again."
        if invoices
        else "No invoice is known for this sale, so no invoice is marked; the journal entry "
        "alone puts the amount back in receivables."
    )
    return (
        f"Confirmed by {data['confirmed_by']}. Journal entry {data['outbox'][0]} dated "
        f"{data['entry_date']}: debit receivables {profile.gl.receivables} {data['amount']}"
        f"{fee}, credit bank {profile.gl.bank} (the processor takes chargebacks straight from "
        f"the bank account; they never appear in a settlement batch). {invoice_words} When "
        "PayTrace decides the case, mark it won (a reversing entry dated that day) or lost."
    )


def resolve_chargeback(
    store: Store,
    item_id: int,
    *,
    outcome: str,
    user: str,
    profile: Profile | None = None,
    today: date | None = None,
    now: datetime | None = None,
    note: str = "",
) -> list[str]:
    """Close the case as ``won`` or ``lost``; returns the outbox keys queued (won only)."""
    if outcome not in ("won", "lost"):
        raise ChargebackError(f"A chargeback is won or lost, not {outcome!r}.")
    now = now or utcnow()
    with store.write() as session:
        item = _chargeback_item(session, item_id)
        data = dict(item.payload)
        state = data.get("state")
        if item.status != "open" or state not in ("received", "confirmed"):
            raise ChargebackError(f"Chargeback {data.get('case_number')} is already {state}.")
        if outcome == "lost" and state == "received":
            raise ChargebackError(
                "Confirm the chargeback first: a lost case needs its journal entry in Sage Pro."
            )
        specs: list[OutboxSpec] = []
        if outcome == "won" and state == "confirmed":
            entry_date = today or (merchant_today(profile) if profile else date.today())
            tid = data.get("outbox_transaction_id")
            mapper = active_record_mapper(session, profile)
            entry = _entry_wording(mapper, data, "won", tid, list(data.get("invoices") or []))
            if data.get("reversed_payment") and tid is not None:
                generation = reversals.next_payment_generation(session, int(tid))
                specs = reposting_won_specs(data, entry_date, int(tid), generation, now, entry)
            else:
                specs = won_specs(data, entry_date, tid, now, entry)
            write_outbox(session, specs, now=now, mapping_version_id=mapper.version_id)
        words = _outcome_words(outcome, state, data, specs)
        data.update(state=outcome, resolved_outbox=[s.key for s in specs])
        item.payload = data
        item.status = ExceptionStatus.RESOLVED
        item.resolved_at = now
        item.resolved_by = user
        item.resolution_note = (note.strip() + " " if note.strip() else "") + words
        _close_alert(session, item.id, user, now)
        audit.record(
            session,
            f"chargeback_{outcome}",
            "exception_item",
            item.id,
            actor=user,
            before={"state": state},
            after={"state": outcome, "outbox": [s.key for s in specs]},
        )
        return [s.key for s in specs]


def _outcome_words(outcome: str, state: str, data: dict[str, Any], specs: list[OutboxSpec]) -> str:
    if outcome == "won" and state == "received":
        return "Won before it was confirmed: nothing was posted, so nothing is reversed."
    if outcome == "won":
        return (
            f"Won: {specs[0].key} moves {data['amount']} from receivables back to the bank "
            "(the fee stays an expense; processors keep it) and the invoice's payment status "
            "is put back."
        )
    invoices = ", ".join(data.get("invoices") or []) or "the customer's account"
    return (
        f"Lost: the {data['amount']} stays in receivables against {invoices}. Collect it from "
        "the customer or write it off in Sage Pro."
    )


def _close_alert(session: Session, item_id: int, user: str, now: datetime) -> None:
    alerts = session.execute(
        select(ExceptionItem).where(
            ExceptionItem.category == "alert",
            ExceptionItem.reason_code == ALERT_CODE,
            ExceptionItem.status == "open",
        )
    ).scalars()
    for alert in alerts:
        if alert.payload.get("chargeback_item_id") == item_id:
            alert.status = ExceptionStatus.RESOLVED
            alert.resolved_at = now
            alert.resolved_by = user
            alert.resolution_note = "The chargeback was taken in hand."
