"""The building blocks of the independent company (independent_company.py): invoices,
amounts, moments, and payers identified by vault link, e-mail, name, or not at all."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from tests.support.independent_company_people import PERSONS, People, luhn_card
from tests.support.independent_company_records import (
    Card,
    Customer,
    Invoice,
    Row,
    Truth,
)

MONTH_START = date(2025, 2, 1)
MONTH_DAYS = 28
TODAY = date(2025, 3, 3)
CENT = Decimal("0.01")


class CompanyBuilder:
    def __init__(self, seed: int, size: int) -> None:
        self.rng = random.Random(seed * 1_000_003 + 11)
        self.people = People(self.rng, max(40, size // 4), TODAY.year).customers
        self.by_id = {c.customer_id: c for c in self.people}
        self.email_count = Counter(c.email.lower() for c in self.people if c.email)
        self.invoices: list[Invoice] = []
        self.by_customer: dict[str, list[Invoice]] = {c.customer_id: [] for c in self.people}
        self.rows: list[Row] = []
        self._next_invoice = 20400 + self.rng.randint(0, 500)
        for customer in self.people:  # open invoices nobody pays this month
            for _ in range(self.rng.randint(1, 5)):
                self.invoice(customer, days_before=self.rng.randint(15, 75))

    # -- building blocks ---------------------------------------------------------------

    def amount(self, low: int = 45, high: int = 6000) -> Decimal:
        if self.rng.random() < 0.15:
            return Decimal(self.rng.randrange(low, high, 25)).quantize(CENT)
        return (Decimal(self.rng.randint(low * 100, high * 100)) * CENT).quantize(CENT)

    def invoice(
        self, customer: Customer, *, amount: Decimal | None = None, days_before: int = 10,
        day: date | None = None, late: bool = False,
    ) -> Invoice:  # fmt: skip
        if amount is None:  # a fresh amount differs from the customer's other invoices
            taken = {inv.amount for inv in self.by_customer[customer.customer_id]}
            amount = self.amount()
            while amount in taken:
                amount = self.amount()
        self._next_invoice += self.rng.randint(1, 3)
        po = f"PO-{self.rng.randint(1000, 99999)}" if self.rng.random() < 0.3 else ""
        order = str(self.rng.randint(700000, 799999)) if self.rng.random() < 0.25 else ""
        inv = Invoice(
            invoice_id=str(self._next_invoice),
            customer_id=customer.customer_id,
            amount=amount,
            invoice_date=(day or MONTH_START) - timedelta(days=days_before),
            po_number=po,
            order_number=order,
            late=late,
        )
        self.invoices.append(inv)
        self.by_customer[customer.customer_id].append(inv)
        return inv

    def moment(self, last_day: int = MONTH_DAYS) -> datetime:
        day = MONTH_START + timedelta(days=self.rng.randint(0, last_day - 1))
        return datetime.combine(day, time(self.rng.randint(7, 18), self.rng.randint(0, 59)))

    def customer(self, how: str) -> Customer:
        """A customer the payer can be identified as by ``how``."""
        while True:
            c = self.rng.choice(self.people)
            if how == "vault" and c.linked_vault:
                return c
            if how == "email" and c.email and self.email_count[c.email.lower()] == 1:
                return c
            if how == "name" and not c.family and not c.shared_email:
                return c
            if how == "any":
                return c

    def payer(self, row: Row, c: Customer, how: str) -> Row:
        """Fill in what PayTrace knows about the payer."""
        rng = self.rng
        row.billing_name = c.name if rng.random() < 0.8 else c.name.upper()
        if how == "vault":
            row.vault_id, row.card = c.linked_vault, c.cards[0]
            row.ach = rng.random() < 0.12
            if rng.random() < 0.5:
                row.email = c.email
        elif how == "email":
            if c.extra_vault and rng.random() < 0.5:
                row.vault_id, row.card = c.extra_vault, c.cards[-1]
            else:
                row.card = rng.choice(c.cards)
                row.ach = rng.random() < 0.12
            row.email = rng.choice((c.email, c.email.upper(), c.email.capitalize()))
        elif how == "name":
            row.card = rng.choice(c.cards)
        else:  # a stranger: a person's own card and e-mail, unknown to Sage Pro
            row.billing_name = rng.choice(PERSONS)
            row.card = None
            row.email = f"{row.billing_name.split()[0].lower()}{rng.randint(1, 99)}@mail.com"
        if row.ach:
            row.card = None
        elif row.card is None:
            row.card = self.fresh_card()
        row.identified_as = how
        return row

    def fresh_card(self) -> Card:
        return luhn_card(self.rng, TODAY.year)

    def sale(self, truth: Truth, amount: Decimal, c: Customer, how: str, **fields: str) -> Row:
        row = Row("SALE", amount, self.moment(), truth, **fields)  # type: ignore[arg-type]
        self.rows.append(self.payer(row, c, how))
        return row

    def put_reference(self, row: Row, text: str) -> None:
        where = self.rng.choice(("invoice_field", "invoice_field", "description", "reference"))
        if where == "invoice_field":
            row.invoice_field = text.strip()[:50]
        elif where == "description":
            row.description = text
        else:
            row.customer_reference = text.strip()

    def identified(self) -> str:
        return self.rng.choice(("vault", "vault", "email"))

    def anyone(self) -> str:
        return self.rng.choice(("vault", "vault", "email", "name", "stranger"))
