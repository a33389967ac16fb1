"""The set-wise invoice indexes (``InvoiceBook``) answer every lookup as the plain ones did.

``PlainBook`` below is the book as it was before it was built with numpy/pandas: one pass
over the invoices, a dict or list per index. Both are built from the same invoices and
asked the same questions, before and after the same balances are consumed.
"""

from __future__ import annotations

import bisect
import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from app.domain.matching.invoice_book import InvoiceBook, InvoiceField
from app.domain.matching.references import normalise_reference
from app.domain.money import to_cents
from app.domain.records import Invoice
from tests.support.matching_scenarios import generate_at_scale, generate_scenarios


class PlainBook:
    def __init__(self, invoices: list[Invoice], min_length: int) -> None:
        self.invoices = {i.invoice_id: i for i in invoices}
        self.keys: dict[str, list[tuple[str, InvoiceField]]] = defaultdict(list)
        self.closed: dict[str, list[str]] = defaultdict(list)
        self.remaining: dict[str, int] = {}
        self.by_customer: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.by_amount: dict[int, dict[str, None]] = defaultdict(dict)
        for invoice in invoices:
            cents = to_cents(invoice.balance)
            is_open = invoice.is_open and cents > 0
            for field, value in (
                (InvoiceField.INVOICE_ID, invoice.invoice_id),
                (InvoiceField.ORDER_NUMBER, invoice.order_number),
                (InvoiceField.PO_NUMBER, invoice.po_number),
            ):
                key = normalise_reference(value) if value else ""
                if len(key) < min_length:
                    continue
                if is_open:
                    self.keys[key].append((invoice.invoice_id, field))
                else:
                    self.closed[key].append(invoice.invoice_id)
            if is_open:
                self.remaining[invoice.invoice_id] = cents
                self.by_customer[invoice.customer_id].append((cents, invoice.invoice_id))
                self.by_amount[cents][invoice.invoice_id] = None
        for balances in self.by_customer.values():
            balances.sort()

    def consume(self, invoice_id: str, cents: int) -> None:
        before = self.remaining[invoice_id]
        balances = self.by_customer[self.invoices[invoice_id].customer_id]
        del balances[bisect.bisect_left(balances, (before, invoice_id))]
        del self.by_amount[before][invoice_id]
        if before - cents:
            bisect.insort(balances, (before - cents, invoice_id))
            self.by_amount[before - cents][invoice_id] = None
            self.remaining[invoice_id] = before - cents
        else:
            del self.remaining[invoice_id]


def _assert_same_answers(book: InvoiceBook, plain: PlainBook, probes: list[int]) -> None:
    for key, matches in plain.keys.items():
        assert [(m.invoice.invoice_id, m.invoice_field) for m in book.by_key(key)] == matches
    for key, closed in plain.closed.items():
        assert [i.invoice_id for i in book.closed_by_key(key)] == closed
    assert book.by_key("NO SUCH KEY") == [] and book.closed_by_key("NO SUCH KEY") == []
    for invoice_id in plain.invoices:
        assert book.remaining(invoice_id) == plain.remaining.get(invoice_id, 0)
    for customer, balances in plain.by_customer.items():
        oldest_first = sorted(
            (plain.invoices[i] for _, i in balances), key=lambda i: (i.invoice_date, i.invoice_id)
        )
        assert book.open_invoices_of(customer) == oldest_first
        for cents, _ in balances[:3]:
            for tolerance in (0, 150):
                expected = [i for c, i in balances if abs(c - cents) <= tolerance]
                assert book.customer_balances_near(customer, cents, tolerance) == expected
    for cents in probes:
        assert book.any_with_balance(cents, 5) == list(plain.by_amount.get(cents, {}))[:5]


def _consume_some(book: InvoiceBook, plain: PlainBook, seed: int) -> list[int]:
    """Part-pay and settle a third of the open invoices, twice over; the amounts touched."""
    rng = random.Random(seed)
    touched: list[int] = []
    for _ in range(2):
        for invoice_id in rng.sample(sorted(plain.remaining), len(plain.remaining) // 3):
            before = plain.remaining[invoice_id]
            cents = before if rng.random() < 0.5 else rng.randint(1, before)
            book.consume(invoice_id, cents, 1)
            plain.consume(invoice_id, cents)
            touched += [before, before - cents]
    return touched


@pytest.mark.parametrize(
    "invoices",
    [
        generate_scenarios(3, scenarios=400).invoices,
        generate_at_scale(1_500, 3_000, seed=5).invoices,
    ],
    ids=["messy-company", "benchmark-shaped"],
)
def test_every_lookup_agrees_before_and_after_consuming(invoices: list[Invoice]) -> None:
    book, plain = InvoiceBook(invoices, 3), PlainBook(invoices, 3)
    amounts = sorted({c for c in plain.remaining.values()})
    _assert_same_answers(book, plain, amounts)
    touched = _consume_some(book, plain, seed=len(invoices))
    _assert_same_answers(book, plain, sorted({*amounts, *touched}))


def _invoice(invoice_id: str, balance: str, status: str = "Open", **keys: str) -> Invoice:
    return Invoice(
        invoice_id=invoice_id,
        customer_id="C1",
        amount=Decimal(balance),
        balance=Decimal(balance),
        invoice_date=date(2025, 6, 1),
        status=status,
        **keys,
    )


def test_a_key_shared_by_fields_and_invoices_lists_them_in_invoice_then_field_order() -> None:
    invoices = [
        _invoice("500", "10.00", po_number="PO-700"),
        _invoice("700", "20.00", order_number="SO500"),
        _invoice("900", "0.00", order_number="SO700"),  # no balance: closed
        _invoice("901", "5.00", status="Paid", po_number="500"),
    ]
    book = InvoiceBook(invoices, 3)
    assert [(m.invoice.invoice_id, m.invoice_field) for m in book.by_key("500")] == [
        ("500", InvoiceField.INVOICE_ID),
        ("700", InvoiceField.ORDER_NUMBER),
    ]
    assert [(m.invoice.invoice_id, m.invoice_field) for m in book.by_key("700")] == [
        ("500", InvoiceField.PO_NUMBER),
        ("700", InvoiceField.INVOICE_ID),
    ]
    assert [i.invoice_id for i in book.closed_by_key("500")] == ["901"]
    assert [i.invoice_id for i in book.closed_by_key("700")] == ["900"]


def test_a_book_without_open_invoices_answers_empty() -> None:
    book = InvoiceBook([_invoice("900", "0.00")], 3)
    assert book.by_key("900") == [] and book.open_invoices_of("C1") == []
    assert book.any_with_balance(0, 5) == [] and book.customer_balances_near("C1", 0, 10) == []
    assert InvoiceBook([], 3).by_key("1") == []


def test_an_invoice_given_twice_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="invoice 700 given twice"):
        InvoiceBook([_invoice("500", "1.00"), _invoice("700", "1.00"), _invoice("700", "2.00")], 3)
