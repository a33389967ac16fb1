"""Find out from PayTrace's export whether an earlier money-moving call happened.

PayTrace v1 has no idempotency key, so the PayTrace outbox asks the export instead: a sale
of this invoice and amount on this vault customer, a refund of this invoice, amount and card,
or the original sale now reading ``VOID``. Rows another intent already owns are left out.
A search that could not read every row is *inconclusive* — never "nothing happened".
``find_sales_in_history`` serves the refunds of old sales (``old_sales``): the approved sales
of one invoice on one card, read month by month over a bounded past.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from app.connectors.paytrace.client import PayTraceClient
from app.connectors.paytrace.errors import PayTraceNotFoundError
from app.connectors.paytrace.parse_transactions import ParsedExport
from app.domain.matching.references import normalise_reference
from app.domain.records import Transaction, TransactionType

SALE_OUTCOMES = (TransactionType.SALE, TransactionType.VOID, TransactionType.DECLINED)
# PayTrace documents no paging: one export per month keeps each answer small.
HISTORY_CHUNK_DAYS = 31


class InconclusiveSearchError(Exception):
    """The export could not be read completely, so absence proves nothing."""


@dataclass(frozen=True)
class SearchHit:
    transaction_id: int
    transaction_type: TransactionType
    others: tuple[int, ...] = ()  # further rows that fit too (reported, never charged again)

    def describe(self) -> str:
        extra = f"; also fitting: {', '.join(map(str, self.others))}" if self.others else ""
        return f"PayTrace transaction {self.transaction_id} ({self.transaction_type.value}){extra}"


def _same_reference(left: str, right: str) -> bool:
    return left.strip().upper() == right.strip().upper()


def _readable(export: ParsedExport) -> list[Transaction]:
    if export.errors:
        ids = ", ".join(str(e.transaction_id or "?") for e in export.errors[:5])
        raise InconclusiveSearchError(
            f"PayTrace's export had rows this app could not read ({ids}); one of them could be "
            "the charge, so nothing is sent again until they can be read"
        )
    return export.transactions


def _first(rows: Iterable[Transaction]) -> SearchHit | None:
    ordered = sorted(rows, key=lambda t: t.transaction_id)
    if not ordered:
        return None
    head = ordered[0]
    return SearchHit(
        head.transaction_id, head.transaction_type, tuple(t.transaction_id for t in ordered[1:])
    )


def find_sale(
    client: PayTraceClient,
    *,
    customer_id: str,
    invoice_id: str,
    amount: Decimal,
    start: date,
    end: date,
    exclude: Collection[int] = (),
) -> SearchHit | None:
    """A sale (possibly voided since, or declined) of ``invoice_id`` for ``amount``."""
    export = client.export_transactions(start, end, customer_id=customer_id)
    rows = [
        t
        for t in _readable(export)
        if t.transaction_type in SALE_OUTCOMES
        and t.amount == amount
        and _same_reference(t.invoice_id, invoice_id)
        and (not customer_id or t.customer_id == customer_id)
        and t.transaction_id not in exclude
    ]
    # An approved charge wins over a decline: the money moved.
    approved = [t for t in rows if t.transaction_type != TransactionType.DECLINED]
    return _first(approved) or _first(rows)


def find_refund(
    client: PayTraceClient,
    *,
    invoice_id: str,
    amount: Decimal,
    card_last4: str,
    customer_id: str,
    start: date,
    end: date,
    exclude: Collection[int] = (),
) -> SearchHit | None:
    """A REFUND row of ``invoice_id``, ``amount`` and card — refunds name no original."""
    export = client.export_transactions_by_type(
        start, end, TransactionType.REFUND.value, customer_id=customer_id
    )
    rows = [
        t
        for t in _readable(export)
        if t.transaction_type == TransactionType.REFUND
        and t.amount == amount
        and _same_reference(t.invoice_id, invoice_id)
        and (not card_last4 or t.card_last4 == card_last4)
        and t.transaction_id not in exclude
    ]
    return _first(rows)


@dataclass(frozen=True)
class SaleState:
    transaction_type: TransactionType
    settled: bool


def sale_state(client: PayTraceClient, transaction_id: int) -> SaleState | None:
    """What PayTrace shows now for one transaction (None: PayTrace has no such id)."""
    try:
        # Decided by provenance: a voided sale may still read SALE in its own row.
        export = client.export_transaction_decided(transaction_id)
    except PayTraceNotFoundError:
        return None
    rows = [t for t in _readable(export) if t.transaction_id == transaction_id]
    if not rows:
        return None
    return SaleState(rows[0].transaction_type, rows[0].is_settled)


def find_sales_in_history(
    client: PayTraceClient,
    *,
    invoice_id: str,
    card_last4: str,
    customer_id: str,
    min_amount: Decimal,
    end: date,
    days: int,
) -> list[Transaction]:
    """Approved sales of ``invoice_id`` on ``card_last4`` (and vault ``customer_id`` when
    given) of at least ``min_amount``, created in the ``days`` up to ``end``, oldest first."""
    key = normalise_reference(invoice_id)
    first = end - timedelta(days=days)
    found: dict[int, Transaction] = {}
    chunk_end = end
    while chunk_end >= first:
        chunk_start = max(chunk_end - timedelta(days=HISTORY_CHUNK_DAYS - 1), first)
        export = client.export_transactions_by_type(
            chunk_start, chunk_end, TransactionType.SALE.value, customer_id=customer_id
        )
        for t in _readable(export):
            if (
                t.transaction_type == TransactionType.SALE
                and t.amount >= min_amount
                and key
                and normalise_reference(t.invoice_id) == key
                and (not card_last4 or t.card_last4 == card_last4)
                and (not customer_id or t.customer_id == customer_id)
            ):
                found[t.transaction_id] = t
        chunk_end = chunk_start - timedelta(days=1)
    return sorted(found.values(), key=lambda t: (t.created_local, t.transaction_id))
