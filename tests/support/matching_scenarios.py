"""Realistic, messy payment-matching scenarios with ground truth (deterministic per seed).

Each scenario adds its own invoices (and, where the answer depends on everything the
customer owes, its own customer) to a company that also carries background invoices that
stay open throughout, so the engine always has distractors. The truth says what a careful
bookkeeper would do with each payment:

- ``apply``: post these applications (and this remainder on account) for this customer;
- ``review``: a person must decide (ties, ambiguous sets, unknown payer, duplicates);
- ``refuse``: not a sale, never matched to invoices.

``must_not_auto`` marks payments that must never be auto-approved even when ``apply``
is right (e.g. an invoice of another customer than the identified payer).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal

from app.domain.matching import Proposal
from app.domain.money import from_cents
from app.domain.records import Customer, Invoice, PaymentMethod, Transaction, TransactionType

Outcome = Literal["apply", "review", "refuse"]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST = _words(
    "Harbor Lane Blue Fin Summit Cedar Copper Maple Granite North Star Silver Birch Oak "
    "Ridge Pine Valley Riverbend Lakeside Red Rock Golden Gate Iron Works Bright Path "
    "Evergreen Sunrise Bayview Stonebridge Willow Creek Highland Prairie Wind Coastal "
    "Metro Union Liberty Pioneer Frontier Crescent Hillside Westfield Eastgate Southport "
    "Fairview"
)
_SECOND = _words(
    "Bakery Marine Dental Plumbing Electric Auto Repair Landscaping Catering Print Shop "
    "Veterinary Clinic Hardware Supply Builders Roofing Florist Coffee Roasters Brewing "
    "Fitness Studio Pharmacy Optical Logistics Freight Textiles Machining Signs "
    "Bookkeeping"
)
_PLACES = _words(
    "Austin Boise Dayton Eugene Fresno Helena Ithaca Joliet Keene Laredo Macon Nampa Ogden "
    "Provo Quincy Reno Salem Tulsa Utica Vail Waco Yuma Akron Bangor Camden Dover Elgin"
)
_SUFFIXES = ("", "", "", " Inc", " LLC", " Co", " Ltd", " Corp")
_PEOPLE = (
    "Jordan Miles",
    "Avery Chen",
    "Sam Ortiz",
    "Riley Novak",
    "Casey Patel",
    "Morgan Reyes",
    "Taylor Kim",
    "Jamie Brooks",
    "Drew Santos",
    "Quinn Walsh",
)
_NOISE = ("", "", "", "Thank you!", "web payment", "Qty 1200 units", "Paid 2025-05-01", "card")


@dataclass(frozen=True)
class Truth:
    scenario: str
    outcome: Outcome
    customer_id: str | None = None
    applications: tuple[tuple[str, Decimal], ...] = ()
    on_account: Decimal = Decimal("0.00")
    must_not_auto: bool = False

    def is_met_by(self, proposal: Proposal) -> bool:
        """Does the proposal do exactly what the truth says?"""
        if self.outcome == "refuse":
            return proposal.rule.is_refusal
        if self.outcome == "review":
            # A proposal with warnings is held for a person just as a review is.
            return proposal.needs_review or bool(proposal.warnings)
        if proposal.needs_review:
            return False
        applied = sorted((a.invoice_id, a.amount) for a in proposal.applications)
        return (
            applied == sorted(self.applications)
            and proposal.on_account == self.on_account
            and proposal.customer_id == self.customer_id
        )


@dataclass
class MatchingScenarios:
    customers: list[Customer] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    payments: list[Transaction] = field(default_factory=list)
    truths: dict[int, Truth] = field(default_factory=dict)


class _Builder:
    def __init__(self, seed: int, today: date, distractors: float = 1.0) -> None:
        self.rng = random.Random(seed)
        self.distractors = distractors
        self.today = today
        self.out = MatchingScenarios()
        self._next_invoice = 100_000
        self._next_order = 20_000
        self._next_po = 7_000_000  # PO numbers never look like invoice numbers
        self._next_txn = 5_000_000
        self._names: set[str] = set()
        self._by_id: dict[str, Customer] = {}

    # -- companies -----------------------------------------------------------------------

    def customer(self, *, linked: bool | None = None, name: str | None = None) -> Customer:
        rng = self.rng
        number = len(self.out.customers) + 1
        if name is None:
            name = self._unique_name(number) + rng.choice(_SUFFIXES)
        customer_id = f"C{number:05d}"
        has_link = rng.random() < 0.7 if linked is None else linked
        customer = Customer(
            customer_id=customer_id,
            name=name,
            email=f"ap{number}@{name.split()[0].lower()}{number}.example",
            paytrace_customer_id=f"PT-{customer_id}" if has_link else "",
        )
        self.out.customers.append(customer)
        self._by_id[customer_id] = customer
        return customer

    def _unique_name(self, number: int) -> str:
        rng = self.rng
        for attempt in range(60):
            base = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {rng.choice(_SECOND)}"
            if attempt >= 20:  # the short names are running out: add a place
                base = f"{rng.choice(_PLACES)} {base}"
            # Unique as a set of words: "Harbor Machining Veterinary" and "Harbor
            # Veterinary Machining" are one name to a fuzzy matcher (and to a person), so
            # a payment known only by that name would rightly be a tie, not the truth.
            if self._name_key(base) not in self._names:
                break
        else:
            base = f"{rng.choice(_FIRST)} {rng.choice(_PLACES)} Holdings {number}"
        self._names.add(self._name_key(base))
        return base

    @staticmethod
    def _name_key(name: str) -> str:
        return " ".join(sorted(name.lower().split()))

    def invoice(
        self,
        customer: Customer,
        cents: int | None = None,
        *,
        order: bool = False,
        po: bool = False,
        days_ago: int | None = None,
    ) -> Invoice:
        rng = self.rng
        cents = cents if cents is not None else rng.randint(2_000, 500_000)
        self._next_invoice += rng.randint(1, 3)
        order_number = ""
        po_number = ""
        if order or rng.random() < 0.3:
            self._next_order += 1
            order_number = f"SO{self._next_order}"
        if po or rng.random() < 0.3:
            self._next_po += rng.randint(1, 5)
            po_number = f"PO-{self._next_po}"
        amount = from_cents(cents)
        invoice = Invoice(
            invoice_id=str(self._next_invoice),
            customer_id=customer.customer_id,
            amount=amount,
            balance=amount,
            invoice_date=self.today
            - timedelta(days=rng.randint(20, 90) if days_ago is None else days_ago),
            order_number=order_number,
            po_number=po_number,
        )
        self.out.invoices.append(invoice)
        return invoice

    def background(self, customer: Customer, count: int) -> list[Invoice]:
        """Open invoices nobody pays in this data set: distractors."""
        return [self.invoice(customer) for _ in range(round(count * self.distractors))]

    # -- payments ------------------------------------------------------------------------

    def payment(
        self,
        truth: Truth,
        cents: int,
        *,
        payer: Customer | None,
        identify: str,
        invoice_id: str = "",
        customer_reference_id: str = "",
        description: str | None = None,
        kind: TransactionType = TransactionType.SALE,
        days_ago: int | None = None,
    ) -> Transaction:
        rng = self.rng
        self._next_txn += rng.randint(1, 4)
        when = datetime.combine(
            self.today - timedelta(days=rng.randint(0, 15) if days_ago is None else days_ago),
            time(rng.randint(7, 19), rng.randint(0, 59), rng.randint(0, 59)),
        )
        link = email = ""
        billing = rng.choice(_PEOPLE)
        if payer is not None and identify == "link" and payer.paytrace_customer_id:
            link = payer.paytrace_customer_id
        elif payer is not None and identify in ("email", "link"):
            email = rng.choice((str.upper, str.lower, str.title))(payer.email)
        elif payer is not None and identify == "name":
            billing = self._name_variant(payer.name)
        transaction = Transaction(
            transaction_id=self._next_txn,
            transaction_type=kind,
            amount=from_cents(cents),
            created_local=when,
            created_text=when.strftime("%m/%d/%Y %I:%M:%S %p"),
            payment_method=PaymentMethod.CARD if rng.random() < 0.85 else PaymentMethod.ACH,
            invoice_id=invoice_id,
            customer_reference_id=customer_reference_id,
            description=rng.choice(_NOISE) if description is None else description,
            customer_id=link,
            billing_name=billing,
            email=email,
            card_last4="5439",
        )
        self.out.payments.append(transaction)
        self.out.truths[transaction.transaction_id] = truth
        return transaction

    def identify(self) -> str:
        return self.rng.choices(("link", "email", "name", "none"), (5, 2, 2, 1))[0]

    def _name_variant(self, name: str) -> str:
        variant = self.rng.choice(
            (
                lambda n: n,
                str.upper,
                lambda n: n.replace(" Inc", "").replace(" LLC", "") + " Inc.",
                lambda n: n.replace(" and ", " & "),
                lambda n: n + ",",
            )
        )
        text: str = variant(name)
        return text

    def messy(self, key: str) -> str:
        """The ways payers type an invoice number."""
        return self.rng.choice(
            (
                key,
                f"INV-0{key}",
                f"#{key}",
                f" {key} ",
                f"inv {key}",
                f"Invoice#{key}",
                f"0{key}",
                f"INV{key}",
            )
        )


def _unique_subsets(amounts: list[int], target: int, max_size: int = 6) -> int:
    """How many subsets (size 1..max_size) sum to target (stops counting at 2)."""
    found = 0
    for size in range(1, min(max_size, len(amounts)) + 1):
        for combo in itertools.combinations(amounts, size):
            if sum(combo) == target:
                found += 1
                if found > 1:
                    return found
    return found


ScenarioFn = Callable[[_Builder], None]


def _clean(b: _Builder) -> None:
    c = b.customer()
    inv = b.invoice(c)
    cents = int(inv.amount * 100)
    truth = Truth("clean", "apply", c.customer_id, ((inv.invoice_id, inv.amount),))
    b.payment(truth, cents, payer=c, identify=b.identify(), invoice_id=inv.invoice_id)


def _messy_reference(b: _Builder) -> None:
    c = b.customer()
    b.background(c, b.rng.randint(0, 4))
    inv = b.invoice(c)
    truth = Truth("messy_reference", "apply", c.customer_id, ((inv.invoice_id, inv.amount),))
    b.payment(
        truth,
        int(inv.amount * 100),
        payer=c,
        identify=b.identify(),
        invoice_id=b.messy(inv.invoice_id),
    )


def _in_description(b: _Builder) -> None:
    c = b.customer()
    b.background(c, b.rng.randint(0, 4))
    inv = b.invoice(c)
    text = b.rng.choice(
        (
            f"Payment for invoice {inv.invoice_id}",
            f"Inv#{inv.invoice_id} - thank you",
            f"paying INV-0{inv.invoice_id} online",
            f"{inv.invoice_id}",
        )
    )
    truth = Truth("in_description", "apply", c.customer_id, ((inv.invoice_id, inv.amount),))
    b.payment(truth, int(inv.amount * 100), payer=c, identify=b.identify(), description=text)


def _po_reference(b: _Builder) -> None:
    c = b.customer()
    b.background(c, b.rng.randint(0, 4))
    inv = b.invoice(c, po=True)
    number = inv.po_number.removeprefix("PO-")
    ref = b.rng.choice((inv.po_number, number, f"PO {number}", f"po#{number}", f"P.O. {number}"))
    truth = Truth("po_reference", "apply", c.customer_id, ((inv.invoice_id, inv.amount),))
    b.payment(
        truth, int(inv.amount * 100), payer=c, identify=b.identify(), customer_reference_id=ref
    )


def _order_reference(b: _Builder) -> None:
    c = b.customer()
    inv = b.invoice(c, order=True)
    truth = Truth("order_reference", "apply", c.customer_id, ((inv.invoice_id, inv.amount),))
    b.payment(
        truth, int(inv.amount * 100), payer=c, identify=b.identify(), invoice_id=inv.order_number
    )


def _list_multi(b: _Builder) -> None:
    c = b.customer()
    b.background(c, b.rng.randint(0, 3))
    invs = [b.invoice(c) for _ in range(b.rng.randint(2, 3))]
    sep = b.rng.choice((",", ", ", "/", " & ", " and ", ";"))
    ref = sep.join(i.invoice_id for i in invs)
    field_name = b.rng.choice(("invoice_id", "description"))
    truth = Truth(
        "list_multi", "apply", c.customer_id, tuple((i.invoice_id, i.amount) for i in invs)
    )
    cents = sum(int(i.amount * 100) for i in invs)
    if field_name == "invoice_id":
        b.payment(truth, cents, payer=c, identify=b.identify(), invoice_id=ref)
    else:
        b.payment(truth, cents, payer=c, identify=b.identify(), description=f"Invoices {ref}")


def _customer_only(b: _Builder) -> None:
    c = b.customer()
    inv = _customer_only_amount(b, c)
    identify = b.rng.choice(("link", "email", "name"))
    truth = Truth("customer_only", "apply", c.customer_id, ((inv.invoice_id, inv.amount),))
    b.payment(truth, int(inv.amount * 100), payer=c, identify=identify)


def _partial(b: _Builder) -> None:
    c = b.customer()
    b.background(c, b.rng.randint(0, 3))
    inv = b.invoice(c)
    cents = int(inv.amount * 100) * b.rng.randint(20, 80) // 100
    truth = Truth("partial", "apply", c.customer_id, ((inv.invoice_id, from_cents(cents)),))
    b.payment(truth, cents, payer=c, identify=b.identify(), invoice_id=b.messy(inv.invoice_id))


def _two_partials(b: _Builder) -> None:
    c = b.customer()
    inv = b.invoice(c)
    total = int(inv.amount * 100)
    first = total * 40 // 100
    t1 = Truth("two_partials", "apply", c.customer_id, ((inv.invoice_id, from_cents(first)),))
    t2 = Truth(
        "two_partials", "apply", c.customer_id, ((inv.invoice_id, from_cents(total - first)),)
    )
    b.payment(t1, first, payer=c, identify="link", invoice_id=inv.invoice_id, days_ago=12)
    b.payment(t2, total - first, payer=c, identify="link", invoice_id=inv.invoice_id, days_ago=4)


def _subset_multi(b: _Builder) -> None:
    c = b.customer(linked=True)
    others = [int(i.amount * 100) for i in b.background(c, b.rng.randint(1, 6))]
    while True:
        parts = [b.rng.randint(2_000, 300_000) for _ in range(b.rng.randint(2, 3))]
        if _unique_subsets([*others, *parts], sum(parts)) == 1:
            break
    invs = [b.invoice(c, p) for p in parts]
    truth = Truth(
        "subset_multi", "apply", c.customer_id, tuple((i.invoice_id, i.amount) for i in invs)
    )
    b.payment(truth, sum(parts), payer=c, identify=b.rng.choice(("link", "email")))


def _overpayment(b: _Builder) -> None:
    c = b.customer()
    inv = b.invoice(c)
    extra = b.rng.randint(100, 20_000)
    truth = Truth(
        "overpayment", "apply", c.customer_id, ((inv.invoice_id, inv.amount),), from_cents(extra)
    )
    b.payment(
        truth,
        int(inv.amount * 100) + extra,
        payer=c,
        identify=b.identify(),
        invoice_id=b.messy(inv.invoice_id),
    )


def _on_account(b: _Builder) -> None:
    c = b.customer(linked=True)
    # At least two open invoices, whatever the distractor level: with one, a smaller
    # payment would rightly be proposed as a partial payment of it.
    others = [int(b.invoice(c).amount * 100) for _ in range(2)]
    others += [int(i.amount * 100) for i in b.background(c, b.rng.randint(0, 4))]
    cents = b.rng.randint(2_000, 300_000)
    while _unique_subsets(others, cents) != 0:
        cents += 1
    truth = Truth("on_account", "apply", c.customer_id, (), from_cents(cents))
    b.payment(truth, cents, payer=c, identify="link")


def _tie(b: _Builder) -> None:
    c = b.customer(linked=True)
    cents = b.rng.randint(2_000, 300_000)
    b.invoice(c, cents)
    b.invoice(c, cents)
    b.payment(Truth("tie", "review", must_not_auto=True), cents, payer=c, identify="link")


def _ambiguous_subset(b: _Builder) -> None:
    """a + d == (a + s) + (d - s): two different pairs pay the same amount."""
    c = b.customer(linked=True)
    while True:
        a, d = b.rng.randint(2_000, 100_000), b.rng.randint(20_000, 100_000)
        shift = b.rng.randint(100, 10_000)
        amounts = [a, d, a + shift, d - shift]
        if len(set(amounts)) == 4 and _unique_subsets(amounts, a + d) >= 2:
            break
    for cents in amounts:
        b.invoice(c, cents)
    truth = Truth("ambiguous_subset", "review", must_not_auto=True)
    b.payment(truth, a + d, payer=c, identify="link")


def _name_tie(b: _Builder) -> None:
    first = b.customer(linked=False)
    second = b.customer(linked=False, name=first.name)  # two accounts, one name
    inv = b.invoice(first)
    b.invoice(second, int(inv.amount * 100) + 1_000)
    b.payment(
        Truth("name_tie", "review", must_not_auto=True),
        int(inv.amount * 100),
        payer=first,
        identify="name",
    )


def _unknown_customer(b: _Builder) -> None:
    c = b.customer()
    b.invoice(c)
    cents = b.rng.randint(2_000, 300_000)
    ref = b.rng.choice(("", "", "WEB-ORDER", f"{b.rng.randint(99_000_000, 99_999_999)}"))
    b.payment(
        Truth("unknown_customer", "review", must_not_auto=True),
        cents,
        payer=None,
        identify="none",
        invoice_id=ref,
    )


def _colliding_key(b: _Builder) -> None:
    first, second = b.customer(linked=False), b.customer(linked=False)
    inv = b.invoice(first)
    clash = Invoice(
        invoice_id=str(900_000 + len(b.out.invoices)),
        customer_id=second.customer_id,
        amount=inv.amount,
        balance=inv.amount,
        invoice_date=inv.invoice_date,
        po_number=f"PO-{inv.invoice_id}",
    )
    b.out.invoices.append(clash)
    b.payment(
        Truth("colliding_key", "review", must_not_auto=True),
        int(inv.amount * 100),
        payer=None,
        identify="none",
        invoice_id=inv.invoice_id,
    )


def _cross_customer(b: _Builder) -> None:
    payer, owner = b.customer(linked=True), b.customer()
    inv = b.invoice(owner)
    truth = Truth(
        "cross_customer",
        "apply",
        owner.customer_id,
        ((inv.invoice_id, inv.amount),),
        must_not_auto=True,
    )
    b.payment(truth, int(inv.amount * 100), payer=payer, identify="link", invoice_id=inv.invoice_id)


def _wrong_reference(b: _Builder) -> None:
    payer, other = b.customer(linked=True), b.customer()
    b.invoice(payer)
    foreign = b.invoice(other)
    cents = int(foreign.amount * 100) + b.rng.randint(500, 5_000)
    b.payment(
        Truth("wrong_reference", "review", must_not_auto=True),
        cents,
        payer=payer,
        identify="link",
        invoice_id=foreign.invoice_id,
    )


def _duplicate(b: _Builder) -> None:
    c = b.customer(linked=True)
    inv = b.invoice(c)
    cents = int(inv.amount * 100)
    first = Truth("duplicate", "apply", c.customer_id, ((inv.invoice_id, inv.amount),))
    b.payment(first, cents, payer=c, identify="link", invoice_id=inv.invoice_id, days_ago=10)
    b.payment(
        Truth("duplicate", "review", must_not_auto=True),
        cents,
        payer=c,
        identify="link",
        invoice_id=inv.invoice_id,
        days_ago=2,
    )


def _not_a_sale(b: _Builder) -> None:
    c = b.customer()
    inv = b.invoice(c)
    kind = b.rng.choice(
        (
            TransactionType.REFUND,
            TransactionType.VOID,
            TransactionType.AUTHORIZATION,
            TransactionType.DECLINED,
        )
    )
    b.payment(
        Truth("not_a_sale", "refuse", must_not_auto=True),
        int(inv.amount * 100),
        payer=c,
        identify="link",
        invoice_id=inv.invoice_id,
        kind=kind,
    )


def _customer_only_amount(b: _Builder, c: Customer) -> Invoice:
    """A fresh invoice whose amount no other set of the customer's open invoices makes."""
    others = [int(i.amount * 100) for i in b.background(c, b.rng.randint(0, 4))]
    cents = b.rng.randint(2_000, 500_000)
    while _unique_subsets([*others, cents], cents) != 1:
        cents += 1
    return b.invoice(c, cents)


def _noisy_description(b: _Builder) -> None:
    """The description mentions another customer's order number; the payer is known."""
    other = b.customer()
    foreign = b.invoice(other, order=True)
    c = b.customer(linked=True)
    inv = _customer_only_amount(b, c)
    truth = Truth("noisy_description", "apply", c.customer_id, ((inv.invoice_id, inv.amount),))
    text = f"re order {foreign.order_number.removeprefix('SO')} shipped"
    b.payment(truth, int(inv.amount * 100), payer=c, identify="link", description=text)


def _typo_reference(b: _Builder) -> None:
    """The typed invoice number exists nowhere; the customer and amount still decide."""
    c = b.customer(linked=True)
    inv = _customer_only_amount(b, c)
    typo = str(98_000_000 + b.rng.randint(0, 999_999))  # a number no invoice carries
    truth = Truth("typo_reference", "apply", c.customer_id, ((inv.invoice_id, inv.amount),))
    b.payment(truth, int(inv.amount * 100), payer=c, identify="email", invoice_id=typo)


def _shared_email(b: _Builder) -> None:
    """Two customers share an AP mailbox; the billing name tells them apart."""
    c = b.customer(linked=False)
    sibling = Customer(
        customer_id=f"C{len(b.out.customers) + 1:05d}",
        name=f"{c.name.split()[0]} Holdings {len(b.out.customers)}",
        email=c.email,
    )
    b.out.customers.append(sibling)
    b.background(sibling, 2)
    inv = _customer_only_amount(b, c)
    truth = Truth("shared_email", "apply", c.customer_id, ((inv.invoice_id, inv.amount),))
    payment = b.payment(truth, int(inv.amount * 100), payer=c, identify="email")
    b.out.payments[-1] = replace(payment, billing_name=c.name.upper())


def _invoice_after_payment(b: _Builder) -> None:
    """The card was charged a few days before the invoice was entered in Sage Pro."""
    c = b.customer()
    b.background(c, b.rng.randint(0, 3))
    inv = b.invoice(c, days_ago=b.rng.randint(3, 7))
    truth = Truth("invoice_after_payment", "apply", c.customer_id, ((inv.invoice_id, inv.amount),))
    b.payment(
        truth,
        int(inv.amount * 100),
        payer=c,
        identify=b.identify(),
        invoice_id=b.messy(inv.invoice_id),
        days_ago=8,
    )


def _invoice_not_yet_there(b: _Builder) -> None:
    """The payment names an invoice Sage Pro does not have yet: wait for it, don't guess
    (not even "on account": the invoice is coming)."""
    c = b.customer(linked=True)
    others = [int(i.amount * 100) for i in b.background(c, b.rng.randint(1, 3))]
    cents = b.rng.randint(2_000, 300_000)
    while _unique_subsets(others, cents) != 0 or any(cents < o for o in others):
        cents += b.rng.randint(1, 50_000)
    future = str(b._next_invoice + 50_000 + b.rng.randint(0, 9_999))  # not issued yet
    b.payment(
        Truth("invoice_not_yet_there", "review", must_not_auto=True),
        cents,
        payer=c,
        identify="link",
        invoice_id=b.messy(future),
    )


def _several_cards(b: _Builder) -> None:
    """The customer pays with a second card whose vault id is not linked; the e-mail or the
    invoice number still tells who paid."""
    c = b.customer(linked=True)
    b.background(c, b.rng.randint(0, 3))
    named = b.rng.random() < 0.5
    inv = b.invoice(c) if named else _customer_only_amount(b, c)
    truth = Truth("several_cards", "apply", c.customer_id, ((inv.invoice_id, inv.amount),))
    payment = b.payment(
        truth,
        int(inv.amount * 100),
        payer=c,
        identify="email",
        invoice_id=inv.invoice_id if named else "",
    )
    second_card = replace(payment, customer_id=f"{c.paytrace_customer_id}-2", card_last4="8812")
    b.out.payments[-1] = second_card


def _shared_email_unclear(b: _Builder) -> None:
    """Two customers share an AP mailbox and a person's name is on the card: who paid is
    not known, even if one of them has an invoice of that amount."""
    c = b.customer(linked=False)
    sibling = Customer(
        customer_id=f"C{len(b.out.customers) + 1:05d}",
        name=f"{c.name.split()[0]} Group {len(b.out.customers)}",
        email=c.email,
    )
    b.out.customers.append(sibling)
    b.background(sibling, 2)
    inv = _customer_only_amount(b, c)
    b.payment(
        Truth("shared_email_unclear", "review", must_not_auto=True),
        int(inv.amount * 100),
        payer=c,
        identify="email",
    )


_FAMILY = _words("Miller Novak Ortiz Brennan Kowalski Nguyen Rossi Schmidt Haddad Lindqvist")


def _family_names(b: _Builder) -> None:
    """Family businesses with near-identical names ("Miller Plumbing" and "Miller & Sons
    Plumbing"); the payer is known by billing name only, the amount is unique to them."""
    for attempt in range(60):
        family = f"{b.rng.choice(_FAMILY)} {b.rng.choice(_SECOND)}"
        if attempt >= 20:  # the short names are running out: add a place
            family += f" of {b.rng.choice(_PLACES)}"
        names = (family, f"{family} & Sons")
        if not any(b._name_key(n) in b._names for n in names):
            break
    else:
        names = (f"{family} {len(b.out.customers)}", f"{family} & Sons {len(b.out.customers)}")
    b._names.update(b._name_key(n) for n in names)
    first = b.customer(linked=False, name=names[0])
    second = b.customer(linked=False, name=names[1])
    payer, other = (first, second) if b.rng.random() < 0.5 else (second, first)
    b.background(other, 2)
    inv = _customer_only_amount(b, payer)
    truth = Truth("family_names", "apply", payer.customer_id, ((inv.invoice_id, inv.amount),))
    payment = b.payment(truth, int(inv.amount * 100), payer=payer, identify="none")
    b.out.payments[-1] = replace(payment, billing_name=payer.name.upper())


def _same_amount_named(b: _Builder) -> None:
    """Several open invoices of the same amount; the reference says which one is paid."""
    c = b.customer()
    cents = b.rng.randint(2_000, 300_000)
    invs = [b.invoice(c, cents) for _ in range(b.rng.randint(2, 3))]
    paid = b.rng.choice(invs)
    truth = Truth("same_amount_named", "apply", c.customer_id, ((paid.invoice_id, paid.amount),))
    b.payment(truth, cents, payer=c, identify=b.identify(), invoice_id=b.messy(paid.invoice_id))


# Weights: mostly ordinary payments, with every awkward case well represented.
SCENARIOS: dict[str, tuple[ScenarioFn, int]] = {
    "clean": (_clean, 14),
    "messy_reference": (_messy_reference, 12),
    "in_description": (_in_description, 8),
    "po_reference": (_po_reference, 6),
    "order_reference": (_order_reference, 4),
    "list_multi": (_list_multi, 5),
    "customer_only": (_customer_only, 9),
    "partial": (_partial, 5),
    "two_partials": (_two_partials, 2),
    "subset_multi": (_subset_multi, 4),
    "overpayment": (_overpayment, 3),
    "on_account": (_on_account, 4),
    "tie": (_tie, 3),
    "ambiguous_subset": (_ambiguous_subset, 3),
    "name_tie": (_name_tie, 2),
    "unknown_customer": (_unknown_customer, 4),
    "colliding_key": (_colliding_key, 2),
    "cross_customer": (_cross_customer, 2),
    "wrong_reference": (_wrong_reference, 2),
    "duplicate": (_duplicate, 2),
    "not_a_sale": (_not_a_sale, 3),
    "noisy_description": (_noisy_description, 3),
    "typo_reference": (_typo_reference, 2),
    "shared_email": (_shared_email, 2),
    "invoice_after_payment": (_invoice_after_payment, 3),
    "invoice_not_yet_there": (_invoice_not_yet_there, 2),
    "several_cards": (_several_cards, 3),
    "shared_email_unclear": (_shared_email_unclear, 2),
    "family_names": (_family_names, 2),
    "same_amount_named": (_same_amount_named, 2),
}


def generate_scenarios(
    seed: int = 7,
    *,
    scenarios: int = 2_000,
    background_customers: int = 200,
    today: date = date(2025, 6, 30),
) -> MatchingScenarios:
    """About ``scenarios`` scenarios (some make two payments) plus background customers
    with open invoices nobody pays. Deterministic for a given seed."""
    b = _Builder(seed, today)
    for _ in range(background_customers):
        b.background(b.customer(), b.rng.randint(1, 8))
    names = list(SCENARIOS)
    weights = [SCENARIOS[n][1] for n in names]
    for name in b.rng.choices(names, weights, k=scenarios):
        SCENARIOS[name][0](b)
    return b.out


def generate_at_scale(
    payments: int, invoices: int, seed: int = 11, today: date = date(2025, 6, 30)
) -> MatchingScenarios:
    """Exactly ``payments`` payments against exactly ``invoices`` invoices (for benchmarks):
    scenarios with fewer distractors until the payments are there, then background
    customers until the invoices are."""
    b = _Builder(seed, today, distractors=0.3)
    names = list(SCENARIOS)
    weights = [SCENARIOS[n][1] for n in names]
    while len(b.out.payments) < payments:
        SCENARIOS[b.rng.choices(names, weights)[0]][0](b)
    for dropped in b.out.payments[payments:]:
        del b.out.truths[dropped.transaction_id]
    del b.out.payments[payments:]
    if len(b.out.invoices) > invoices:
        raise ValueError(f"{payments} payments need more than {invoices} invoices")
    while len(b.out.invoices) < invoices:
        customer = b.customer()
        for _ in range(min(b.rng.randint(1, 8), invoices - len(b.out.invoices))):
            b.invoice(customer)
    return b.out


# -- small builders for hand-written engine tests -------------------------------------------

BASE_DAY = date(2025, 6, 1)


def sale(
    transaction_id: int,
    amount: str,
    *,
    day: int = 0,
    kind: TransactionType = TransactionType.SALE,
    **fields: str,
) -> Transaction:
    """A payment ``day`` days after BASE_DAY; ``fields`` are Transaction text fields."""
    when = datetime.combine(BASE_DAY + timedelta(days=day), time(12, 0))
    return Transaction(
        transaction_id=transaction_id,
        transaction_type=kind,
        amount=Decimal(amount),
        created_local=when,
        created_text=when.strftime("%m/%d/%Y %I:%M:%S %p"),
        payment_method=PaymentMethod.CARD,
        **fields,  # type: ignore[arg-type]
    )


def open_invoice(
    invoice_id: str,
    customer_id: str,
    balance: str,
    *,
    days_before: int = 10,
    order_number: str = "",
    po_number: str = "",
    status: str = "Open",
) -> Invoice:
    amount = Decimal(balance)
    return Invoice(
        invoice_id=invoice_id,
        customer_id=customer_id,
        amount=amount,
        balance=amount if status == "Open" else Decimal("0.00"),
        invoice_date=BASE_DAY - timedelta(days=days_before),
        order_number=order_number,
        po_number=po_number,
        status=status,
    )


def company(customer_id: str, name: str, *, email: str = "", link: str = "") -> Customer:
    return Customer(customer_id=customer_id, name=name, email=email, paytrace_customer_id=link)
