"""The open invoices of one run: hash indexes built once, balances consumed as we allocate.

Indexes (all built in one pass, no payment-by-invoice loop anywhere):
- normalised key -> invoices, for InvoiceID, OrderNumber and PONumber (the hard-key join);
- the same for invoices that are not open, only to explain "already paid";
- customer -> that customer's open balances as a sorted array (blocking by customer, then a
  bisect range query by amount);
- balance in cents -> invoices, across all customers (review hints for unknown payers).

Balances are consumed in the order payments are allocated, so an invoice is never applied
beyond its balance within one run, and each index follows the remaining balance.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.domain.matching.references import normalise_reference
from app.domain.money import to_cents
from app.domain.records import Invoice


class InvoiceField(StrEnum):
    """Which invoice key a reference matched."""

    INVOICE_ID = "InvoiceID"
    ORDER_NUMBER = "OrderNumber"
    PO_NUMBER = "PONumber"


@dataclass(frozen=True)
class KeyMatch:
    invoice: Invoice
    invoice_field: InvoiceField


class InvoiceBook:
    """Open invoices of one run plus what this run has already applied to them."""

    def __init__(self, invoices: Sequence[Invoice], min_reference_length: int) -> None:
        self._invoices: dict[str, Invoice] = {}
        self._keys: dict[str, list[KeyMatch]] = defaultdict(list)
        self._closed_keys: dict[str, list[Invoice]] = defaultdict(list)
        self._remaining: dict[str, int] = {}
        self._claimed_by: dict[str, list[int]] = defaultdict(list)
        self._by_customer: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self._by_amount: dict[int, dict[str, None]] = defaultdict(dict)  # ordered set
        for invoice in invoices:
            if invoice.invoice_id in self._invoices:
                raise ValueError(f"invoice {invoice.invoice_id} given twice")
            self._invoices[invoice.invoice_id] = invoice
            cents = to_cents(invoice.balance)
            is_open = invoice.is_open and cents > 0
            for invoice_field, value in (
                (InvoiceField.INVOICE_ID, invoice.invoice_id),
                (InvoiceField.ORDER_NUMBER, invoice.order_number),
                (InvoiceField.PO_NUMBER, invoice.po_number),
            ):
                key = normalise_reference(value) if value else ""
                if len(key) < min_reference_length:
                    continue
                if is_open:
                    self._keys[key].append(KeyMatch(invoice, invoice_field))
                else:
                    self._closed_keys[key].append(invoice)
            if is_open:
                self._remaining[invoice.invoice_id] = cents
                self._by_customer[invoice.customer_id].append((cents, invoice.invoice_id))
                self._by_amount[cents][invoice.invoice_id] = None
        for balances in self._by_customer.values():
            balances.sort()

    # -- lookups -------------------------------------------------------------------------

    def by_key(self, key: str) -> list[KeyMatch]:
        """Open invoices whose InvoiceID, OrderNumber or PONumber normalises to ``key``."""
        return self._keys.get(key, [])

    def closed_by_key(self, key: str) -> list[Invoice]:
        """Invoices given to the run that are not open (Paid, Void or zero balance)."""
        return self._closed_keys.get(key, [])

    def invoice(self, invoice_id: str) -> Invoice:
        return self._invoices[invoice_id]

    def remaining(self, invoice_id: str) -> int:
        """Open balance in cents after what this run has applied so far (0 when used up)."""
        return self._remaining.get(invoice_id, 0)

    def claimed_by(self, invoice_id: str) -> list[int]:
        """Transaction ids this run has applied to the invoice, in allocation order."""
        return self._claimed_by.get(invoice_id, [])

    def open_invoices_of(self, customer_id: str) -> list[Invoice]:
        """The customer's invoices with a balance left, oldest first."""
        invoices = [self._invoices[i] for _, i in self._by_customer.get(customer_id, [])]
        return sorted(invoices, key=lambda inv: (inv.invoice_date, inv.invoice_id))

    def customer_balances_near(self, customer_id: str, cents: int, tolerance: int) -> list[str]:
        """The customer's invoices whose remaining balance is within ``tolerance`` of ``cents``."""
        balances = self._by_customer.get(customer_id, [])
        start = bisect.bisect_left(balances, (cents - tolerance, ""))
        found: list[str] = []
        for balance, invoice_id in balances[start:]:
            if balance > cents + tolerance:
                break
            found.append(invoice_id)
        return found

    def any_with_balance(self, cents: int, limit: int) -> list[str]:
        """Up to ``limit`` open invoices of any customer whose balance is exactly ``cents``."""
        found: list[str] = []
        for invoice_id in self._by_amount.get(cents, {}):
            if len(found) >= limit:
                break
            found.append(invoice_id)
        return found

    # -- allocation ----------------------------------------------------------------------

    def consume(self, invoice_id: str, cents: int, transaction_id: int) -> None:
        """Apply ``cents`` of a payment to the invoice; refuses to go beyond its balance."""
        before = self._remaining.get(invoice_id, 0)
        if cents <= 0 or cents > before:
            raise ValueError(
                f"cannot apply {cents} cents to invoice {invoice_id} with {before} cents open"
            )
        after = before - cents
        customer_id = self._invoices[invoice_id].customer_id
        balances = self._by_customer[customer_id]
        del balances[bisect.bisect_left(balances, (before, invoice_id))]
        del self._by_amount[before][invoice_id]
        if after:
            bisect.insort(balances, (after, invoice_id))
            self._by_amount[after][invoice_id] = None
            self._remaining[invoice_id] = after
        else:
            del self._remaining[invoice_id]
        self._claimed_by[invoice_id].append(transaction_id)
