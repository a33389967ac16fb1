"""The open invoices of one run: indexes built set-wise once, balances consumed as we allocate.

Indexes, built with numpy/pandas column operations (no per-invoice Python object beyond
reading the invoices' fields and normalising their keys):
- normalised key -> invoices, for InvoiceID, OrderNumber and PONumber (the hard-key join),
  as a hash from key to a run of rows in a key-sorted array;
- the same for invoices that are not open, only to explain "already paid";
- customer -> that customer's open balances as a sorted array (blocking by customer, then a
  bisect range query by amount), turned into a Python list only for a customer a payment
  asks about;
- balance in cents -> invoices, across all customers (review hints for unknown payers), as
  a sorted array plus the balances this run has changed.

Balances are consumed in the order payments are allocated, so an invoice is never applied
beyond its balance within one run, and each index follows the remaining balance.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from operator import attrgetter

import numpy as np
import numpy.typing as npt
import pandas as pd

from app.domain.matching.references import normalise_reference
from app.domain.money import to_cents
from app.domain.records import Invoice


class InvoiceField(StrEnum):
    """Which invoice key a reference matched."""

    INVOICE_ID = "InvoiceID"
    ORDER_NUMBER = "OrderNumber"
    PO_NUMBER = "PONumber"


_FIELDS = (InvoiceField.INVOICE_ID, InvoiceField.ORDER_NUMBER, InvoiceField.PO_NUMBER)
_FIELD_ATTRIBUTES = ("invoice_id", "order_number", "po_number")

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class KeyMatch:
    invoice: Invoice
    invoice_field: InvoiceField


class _KeyIndex:
    """Normalised key -> (row, field) entries, in row then field order (a grouped array)."""

    def __init__(self, keys: list[str], entries: IntArray) -> None:
        """``keys[i]`` is the key of entry ``entries[i]`` (row * 3 + field), entries ascending."""
        codes, uniques = pd.factorize(pd.Series(keys, dtype=object), sort=False)
        self._code_of: dict[str, int] = dict(
            zip(uniques.tolist(), range(len(uniques)), strict=True)
        )
        order = np.argsort(codes, kind="stable")  # keeps row then field order within a key
        self._entries = entries[order]
        self._starts = np.searchsorted(codes[order], np.arange(len(uniques) + 1))

    def first_entries(self, keys: Sequence[str]) -> tuple[IntArray, IntArray]:
        """For each key: how many entries it has, and its first entry (-1 when none)."""
        codes = np.fromiter((self._code_of.get(k, -1) for k in keys), np.int64, len(keys))
        known = codes >= 0
        safe = np.where(known, codes, 0)
        if not len(self._entries):
            return np.zeros(len(keys), np.int64), np.full(len(keys), -1, np.int64)
        counts = np.where(known, self._starts[safe + 1] - self._starts[safe], 0)
        first = np.where(
            known, self._entries[np.minimum(self._starts[safe], len(self._entries) - 1)], -1
        )
        return counts, first

    def entries(self, key: str) -> list[int]:
        code = self._code_of.get(key)
        if code is None:
            return []
        start, end = self._starts[code], self._starts[code + 1]
        entries: list[int] = self._entries[start:end].tolist()
        return entries


class InvoiceBook:
    """Open invoices of one run plus what this run has already applied to them."""

    def __init__(self, invoices: Sequence[Invoice], min_reference_length: int) -> None:
        self._rows = list(invoices)
        ids: list[str] = list(map(attrgetter("invoice_id"), self._rows))
        self._invoices: dict[str, Invoice] = dict(zip(ids, self._rows, strict=True))
        if len(self._invoices) != len(ids):
            first = pd.Index(ids).duplicated().argmax()
            raise ValueError(f"invoice {ids[first]} given twice")
        cents = self._row_cents = cents_column(list(map(attrgetter("balance"), self._rows)))
        statuses = np.array(list(map(attrgetter("status"), self._rows)), dtype=object)
        is_open = (statuses == "Open") & (cents > 0)
        self._build_key_indexes(min_reference_length, is_open)
        open_rows = np.flatnonzero(is_open)
        open_ids = [ids[row] for row in open_rows.tolist()]
        open_cents = cents[open_rows]
        self._remaining: dict[str, int] = dict(zip(open_ids, open_cents.tolist(), strict=True))
        self._claimed_by: dict[str, list[int]] = defaultdict(list)
        self._build_customer_index(open_ids, open_rows, open_cents)
        # Balance -> open invoices as given (invoice order); balances changed by this run
        # are kept apart, in the order they changed (what an ordered set per amount gave).
        by_amount = np.argsort(open_cents, kind="stable")
        self._amount_sorted = open_cents[by_amount]
        self._amount_ids: list[str] = [open_ids[i] for i in by_amount.tolist()]
        self._changed_to: dict[int, dict[str, None]] = defaultdict(dict)

    def _build_key_indexes(self, min_length: int, is_open: npt.NDArray[np.bool_]) -> None:
        keys: list[str] = []
        entries: list[int] = []
        for position, attribute in enumerate(_FIELD_ATTRIBUTES):
            values: list[str] = list(map(attrgetter(attribute), self._rows))
            for row, key in enumerate(_normalised(values)):
                if len(key) >= min_length:
                    keys.append(key)
                    entries.append(row * 3 + position)
        entry_array = np.array(entries, dtype=np.int64)
        by_entry = np.argsort(entry_array, kind="stable")
        entry_array = entry_array[by_entry]
        sorted_keys = [keys[i] for i in by_entry.tolist()]
        open_entry = is_open[entry_array // 3]
        self._open_keys = _KeyIndex(
            [k for k, o in zip(sorted_keys, open_entry.tolist(), strict=True) if o],
            entry_array[open_entry],
        )
        self._closed_keys = _KeyIndex(
            [k for k, o in zip(sorted_keys, open_entry.tolist(), strict=True) if not o],
            entry_array[~open_entry],
        )

    def _build_customer_index(
        self, open_ids: list[str], open_rows: IntArray, open_cents: IntArray
    ) -> None:
        customers = [self._rows[row].customer_id for row in open_rows.tolist()]
        frame = pd.DataFrame({"customer": customers, "cents": open_cents, "invoice": open_ids})
        frame = frame.sort_values(["customer", "cents", "invoice"], kind="stable")
        self._sorted_pairs: list[tuple[int, str]] = list(
            zip(frame["cents"].tolist(), frame["invoice"].tolist(), strict=True)
        )
        sorted_customers = frame["customer"].to_numpy(dtype=object)
        changes = sorted_customers[1:] != sorted_customers[:-1]
        starts = np.flatnonzero(np.r_[len(sorted_customers) > 0, changes]).tolist()
        ends = [*starts[1:], len(sorted_customers)] if starts else []
        self._customer_runs: dict[str, tuple[int, int]] = {
            sorted_customers[start]: (start, end) for start, end in zip(starts, ends, strict=True)
        }
        self._by_customer: dict[str, list[tuple[int, str]]] = {}

    def _balances(self, customer_id: str) -> list[tuple[int, str]]:
        """The customer's (remaining cents, invoice) pairs, sorted; made on first use."""
        balances = self._by_customer.get(customer_id)
        if balances is None:
            start, end = self._customer_runs.get(customer_id, (0, 0))
            balances = self._by_customer[customer_id] = self._sorted_pairs[start:end]
        return balances

    # -- set-wise lookups (the run's shortcut for the easy cases) --------------------------

    def open_key_counts(self, keys: Sequence[str]) -> tuple[IntArray, IntArray]:
        """For each key: how many open invoice keys it matches, and the first as an entry
        for ``key_match`` (-1 when none)."""
        return self._open_keys.first_entries(keys)

    def key_match(self, entry: int) -> KeyMatch:
        return KeyMatch(self._rows[entry // 3], _FIELDS[entry % 3])

    def given_cents(self, entries: IntArray) -> IntArray:
        """The balance each entry's invoice was given with, before this run applied anything."""
        return self._row_cents[entries // 3]

    # -- lookups -------------------------------------------------------------------------

    def by_key(self, key: str) -> list[KeyMatch]:
        """Open invoices whose InvoiceID, OrderNumber or PONumber normalises to ``key``."""
        return [self.key_match(entry) for entry in self._open_keys.entries(key)]

    def closed_by_key(self, key: str) -> list[Invoice]:
        """Invoices given to the run that are not open (Paid, Void or zero balance)."""
        return [self._rows[entry // 3] for entry in self._closed_keys.entries(key)]

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
        invoices = [self._invoices[i] for _, i in self._balances(customer_id)]
        return sorted(invoices, key=lambda inv: (inv.invoice_date, inv.invoice_id))

    def customer_balances_near(self, customer_id: str, cents: int, tolerance: int) -> list[str]:
        """The customer's invoices whose remaining balance is within ``tolerance`` of ``cents``."""
        balances = self._balances(customer_id)
        start = bisect.bisect_left(balances, (cents - tolerance, ""))
        found: list[str] = []
        for balance, invoice_id in balances[start:]:
            if balance > cents + tolerance:
                break
            found.append(invoice_id)
        return found

    def any_with_balance(self, cents: int, limit: int) -> list[str]:
        """Up to ``limit`` open invoices of any customer whose balance is exactly ``cents``:
        untouched ones in the order given, then those this run brought to ``cents``."""
        start, end = np.searchsorted(self._amount_sorted, [cents, cents + 1]).tolist()
        untouched = [i for i in self._amount_ids[start:end] if self._remaining.get(i) == cents]
        return [*untouched, *self._changed_to.get(cents, {})][:limit]

    # -- allocation ----------------------------------------------------------------------

    def consume(self, invoice_id: str, cents: int, transaction_id: int) -> None:
        """Apply ``cents`` of a payment to the invoice; refuses to go beyond its balance."""
        before = self._remaining.get(invoice_id, 0)
        if cents <= 0 or cents > before:
            raise ValueError(
                f"cannot apply {cents} cents to invoice {invoice_id} with {before} cents open"
            )
        after = before - cents
        balances = self._balances(self._invoices[invoice_id].customer_id)
        del balances[bisect.bisect_left(balances, (before, invoice_id))]
        self._changed_to.get(before, {}).pop(invoice_id, None)
        if after:
            bisect.insort(balances, (after, invoice_id))
            self._changed_to[after][invoice_id] = None
            self._remaining[invoice_id] = after
        else:
            del self._remaining[invoice_id]
        self._claimed_by[invoice_id].append(transaction_id)


def cents_column(amounts: list[Decimal]) -> IntArray:
    """``to_cents`` of every amount, converted once per distinct amount."""
    codes, uniques = pd.factorize(pd.Series(amounts, dtype=object), use_na_sentinel=False)
    converted = np.array([to_cents(value) for value in uniques], dtype=np.int64)
    return converted[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def _normalised(values: list[str]) -> list[str]:
    """``normalise_reference`` of each value, computed once per distinct value."""
    known: dict[str, str] = {"": ""}
    out: list[str] = []
    for value in values:
        key = known.get(value)
        if key is None:
            key = known[value] = normalise_reference(value)
        out.append(key)
    return out
