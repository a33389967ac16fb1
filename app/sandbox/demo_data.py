"""A deterministic demo company both stand-ins seed from: the same customers, invoices and
PayTrace transactions for a given seed, with ground truth for every payment.

Only ``random.Random(seed)`` and the explicit ``today`` decide the output, so the PayTrace
stand-in (vault profiles, transactions, batches) and the Sage Pro stand-in (customers,
open invoices) always describe one consistent company. The records themselves (and
``TEST_CARDS``) are in ``demo_records``; importing them from here works too.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from app.sandbox.demo_records import (
    TEST_CARDS,
    DemoCompany,
    DemoCustomer,
    DemoInvoice,
    DemoTransaction,
)

_FIRST = (
    "Harbor Lane", "Cedar Ridge", "Blue Heron", "Northgate", "Summit", "Maple Street",
    "Riverside", "Copper Kettle", "Granite Peak", "Willow Creek", "Lakeshore", "Ironwood",
    "Golden Field", "Silver Birch", "Pinecrest", "Red Barn", "Oak Hollow", "Bayview",
    "Prairie Wind", "Stonebridge", "Evergreen", "Sunset", "Hilltop", "Clearwater",
)  # fmt: skip
_SECOND = (
    "Bakery", "Hardware", "Dental", "Florist", "Auto Repair", "Coffee Roasters", "Printing",
    "Landscaping", "Veterinary", "Plumbing", "Electric", "Books", "Catering", "Fitness",
    "Optical", "Brewing", "Cabinetry", "Farm Supply", "Design Studio", "Pharmacy",
)  # fmt: skip
_SUFFIX = ("", " LLC", " Inc.", " Co.")
_STREETS = ("Main St", "Oak Ave", "Pine Rd", "Elm St", "Division St", "Monroe St", "2nd Ave")
_CITIES = (
    ("Spokane", "WA", "992"), ("Boise", "ID", "837"), ("Portland", "OR", "972"),
    ("Missoula", "MT", "598"), ("Tacoma", "WA", "984"), ("Eugene", "OR", "974"),
)  # fmt: skip

# (scenario, weight per 100 transactions). "refund" rows also need a clean sale to refund.
_SCENARIO_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("clean", 30), ("messy_ref", 10), ("ref_in_description", 7), ("po_reference", 6),
    ("partial", 7), ("multi_invoice", 5), ("no_reference", 5), ("declined", 6),
    ("voided", 4), ("refund", 5), ("uncaptured_auth", 3), ("ach", 6),
    ("order_reference", 4), ("unknown_payer", 2),
)  # fmt: skip
_PENDING_DAYS = 2  # transactions from the last two days are not yet settled
_BUSINESS_SECONDS = (8 * 3600, 18 * 3600)


@dataclass
class _InvoicePlan:
    customer: DemoCustomer
    invoice_date: date
    amount: Decimal
    order_number: str = ""
    po_number: str = ""
    invoice_id: str = ""  # assigned once every invoice is planned (ids follow dates)


@dataclass
class _TxnPlan:
    scenario: str
    transaction_type: str
    created_local: datetime
    amount: Decimal
    customer: DemoCustomer | None
    payment_method: str = "CC"
    invoices: list[_InvoicePlan] = field(default_factory=list)
    # Rendered after invoice ids exist: (invoice_id text, customer_reference_id, description).
    render: Callable[[list[_InvoicePlan]], tuple[str, str, str]] = lambda _: ("", "", "")
    applications: Callable[[list[_InvoicePlan]], tuple[tuple[str, Decimal], ...]] = lambda _: ()
    refund_of: _TxnPlan | None = None
    transaction_id: int = 0


class _Builder:
    def __init__(self, seed: int, today: date, days: int) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.days = max(1, days)
        self.invoices: list[_InvoicePlan] = []
        self._used_numbers: set[str] = set()

    def money(self, low: int, high: int) -> Decimal:
        return (Decimal(self.rng.randint(low * 100, high * 100)) / 100).quantize(Decimal("0.01"))

    def unique(self, prefix: str, low: int, high: int) -> str:
        while True:
            text = f"{prefix}{self.rng.randint(low, high)}"
            if text not in self._used_numbers:
                self._used_numbers.add(text)
                return text

    def moment(self, min_age: int = 0, max_age: int | None = None) -> datetime:
        top = self.days - 1 if max_age is None else min(max_age, self.days - 1)
        age = self.rng.randint(min(min_age, top), top)
        seconds = self.rng.randint(*_BUSINESS_SECONDS)
        return datetime.combine(self.today - timedelta(days=age), time()) + timedelta(
            seconds=seconds
        )

    def customer(self, index: int, used_names: set[str]) -> DemoCustomer:
        rng = self.rng
        # Only 1,920 word combinations exist: past a few clashes, number the name instead of
        # looping forever on a large company.
        for _ in range(20):
            name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}{rng.choice(_SUFFIX)}"
            if name not in used_names:
                break
        else:
            name = f"{name} {index}"
        used_names.add(name)
        customer_id = f"C{index:05d}"
        slug = "".join(ch for ch in name.lower().split(" llc")[0] if ch.isalnum())[:18]
        city, state, zip_prefix = rng.choice(_CITIES)
        has_profile = rng.random() >= 0.2
        brand, number = rng.choice(TEST_CARDS) if has_profile else ("", "")
        return DemoCustomer(
            customer_id=customer_id,
            name=name,
            email=f"ap@{slug}.example.com",
            phone=f"({rng.randint(201, 989)}) 555-{rng.randint(100, 199):04d}",
            street=f"{rng.randint(100, 9999)} {rng.choice(_STREETS)}",
            city=city,
            state=state,
            zip=f"{zip_prefix}{rng.randint(1, 99):02d}",
            paytrace_customer_id=f"PT-{customer_id}" if has_profile else "",
            card_brand=brand,
            card_number=number,
            card_last4=number[-4:],
            exp_month=rng.randint(1, 12) if has_profile else 0,
            exp_year=self.today.year + rng.randint(1, 4) if has_profile else 0,
        )

    def invoice(
        self, customer: DemoCustomer, before: datetime, amount: Decimal | None = None
    ) -> _InvoicePlan:
        invoice_date = before.date() - timedelta(days=self.rng.randint(3, 40))
        plan = _InvoicePlan(customer, invoice_date, amount or self.money(45, 4800))
        if self.rng.random() < 0.5:
            plan.po_number = self.unique("PO-", 10000, 99999)
        if self.rng.random() < 0.25:
            plan.order_number = self.unique("SO", 10000, 99999)
        self.invoices.append(plan)
        return plan


def _messy(rng: random.Random) -> Callable[[str], str]:
    return rng.choice(
        (
            lambda i: f"INV-0{i}",
            lambda i: f"#{i}",
            lambda i: f" {i} ",
            lambda i: f"inv{i}",
            lambda i: f"Invoice {i}",
        )
    )


def _scenario_counts(total: int) -> list[tuple[str, int]]:
    weight_sum = sum(w for _, w in _SCENARIO_WEIGHTS)
    raw = [(name, total * w / weight_sum) for name, w in _SCENARIO_WEIGHTS]
    counts = {name: int(share) for name, share in raw}
    # Largest remainder keeps the total exact and the split stable.
    leftovers = sorted(raw, key=lambda item: item[1] - int(item[1]), reverse=True)
    for name, _ in leftovers[: total - sum(counts.values())]:
        counts[name] += 1
    return [(name, counts[name]) for name, _ in _SCENARIO_WEIGHTS]


def _plan_payment(b: _Builder, scenario: str, payer: DemoCustomer) -> _TxnPlan:
    """One customer payment (or attempt) of ``scenario`` with its invoices."""
    rng = b.rng
    when = b.moment()
    plan = _TxnPlan(scenario, "SALE", when, Decimal("0"), payer)
    clean = lambda invs: (invs[0].invoice_id, "", "")  # noqa: E731 - tiny render rules
    full = lambda invs: tuple((i.invoice_id, i.amount) for i in invs)  # noqa: E731
    if scenario in ("clean", "ach", "declined", "voided", "uncaptured_auth"):
        inv = b.invoice(payer, when)
        plan.invoices, plan.amount, plan.render = [inv], inv.amount, clean
        plan.applications = full if scenario in ("clean", "ach") else lambda _: ()
        plan.payment_method = "ACH" if scenario == "ach" else "CC"
        plan.transaction_type = {
            "declined": "DECLINED",
            "voided": "VOID",
            "uncaptured_auth": "AUTHORIZATION",
        }.get(scenario, "SALE")
    elif scenario == "messy_ref":
        inv, style = b.invoice(payer, when), _messy(rng)
        plan.invoices, plan.amount, plan.applications = [inv], inv.amount, full
        plan.render = lambda invs: (style(invs[0].invoice_id), "", "")
    elif scenario == "ref_in_description":
        inv = b.invoice(payer, when)
        plan.invoices, plan.amount, plan.applications = [inv], inv.amount, full
        plan.render = lambda invs: ("", "", f"Payment for invoice {invs[0].invoice_id}")
    elif scenario == "po_reference":
        inv = b.invoice(payer, when)
        inv.po_number = inv.po_number or b.unique("PO-", 10000, 99999)
        plan.invoices, plan.amount, plan.applications = [inv], inv.amount, full
        plan.render = lambda invs: ("", invs[0].po_number, "")
    elif scenario == "order_reference":
        inv = b.invoice(payer, when)
        inv.order_number = inv.order_number or b.unique("SO", 10000, 99999)
        plan.invoices, plan.amount, plan.applications = [inv], inv.amount, full
        plan.render = lambda invs: (invs[0].order_number, "", "")
    elif scenario == "partial":
        inv = b.invoice(payer, when)
        paid = (inv.amount * Decimal(rng.randint(20, 80)) / 100).quantize(Decimal("0.01"))
        plan.invoices, plan.amount, plan.render = [inv], paid, clean
        plan.applications = lambda invs: ((invs[0].invoice_id, paid),)
    elif scenario == "multi_invoice":
        invs = [b.invoice(payer, when) for _ in range(rng.randint(2, 3))]
        plan.invoices, plan.amount, plan.applications = (
            invs,
            sum((i.amount for i in invs), Decimal("0.00")),
            full,
        )
        plan.render = lambda invs: ("", "", "Invoices " + ", ".join(i.invoice_id for i in invs))
    elif scenario == "no_reference":
        plan.amount = b.money(20, 900) + Decimal("0.37")  # matches no invoice exactly
    else:
        raise ValueError(f"unknown scenario {scenario!r}")
    return plan


def _plan_refund(b: _Builder, payer: DemoCustomer) -> tuple[_TxnPlan, _TxnPlan]:
    """A settled clean sale and its later refund (full or partial)."""
    original_at = b.moment(min_age=_PENDING_DAYS + 1)
    inv = b.invoice(payer, original_at)
    original = _TxnPlan(
        "clean",
        "SALE",
        original_at,
        inv.amount,
        payer,
        invoices=[inv],
        render=lambda invs: (invs[0].invoice_id, "", ""),
        applications=lambda invs: ((invs[0].invoice_id, invs[0].amount),),
    )
    age = (b.today - original_at.date()).days
    refund_at = b.moment(max_age=age - 1)
    partial = b.rng.random() < 0.4
    amount = (
        (inv.amount * Decimal(b.rng.randint(20, 90)) / 100).quantize(Decimal("0.01"))
        if partial
        else inv.amount
    )
    refund = _TxnPlan(
        "refund",
        "REFUND",
        refund_at,
        amount,
        payer,
        invoices=[inv],
        render=lambda invs: (invs[0].invoice_id, "", "Refund"),
        applications=lambda invs: ((invs[0].invoice_id, amount),),
        refund_of=original,
    )
    return original, refund


def generate_demo_company(
    seed: int = 1,
    *,
    customers: int = 40,
    transactions: int = 300,
    days: int = 30,
    today: date | None = None,
) -> DemoCompany:
    """The demo company for ``seed``; identical output for identical arguments."""
    if customers < 1:
        raise ValueError("the demo company needs at least one customer")
    day = today if today is not None else date.today()
    b = _Builder(seed, day, days)
    names: set[str] = set()
    people = [b.customer(i + 1, names) for i in range(customers)]
    plans = _plan_transactions(b, people, transactions)
    for person in people:  # invoices nobody pays: the open balance after every payment
        for _ in range(b.rng.randint(0, 2)):
            b.invoice(person, b.moment())
    _number(b, plans)
    rows = [_row(plan, settle_before=day - timedelta(days=_PENDING_DAYS - 1)) for plan in plans]
    invoices = tuple(
        DemoInvoice(
            invoice_id=inv.invoice_id,
            customer_id=inv.customer.customer_id,
            order_number=inv.order_number,
            po_number=inv.po_number,
            invoice_date=inv.invoice_date,
            due_date=inv.invoice_date + timedelta(days=30),
            amount=inv.amount,
        )
        for inv in b.invoices
    )
    return DemoCompany(seed, day, tuple(people), invoices, tuple(rows))


def _plan_transactions(
    b: _Builder, people: list[DemoCustomer], transactions: int
) -> list[_TxnPlan]:
    """Exactly ``transactions`` plans, in the scenario mix (invoices made as they go)."""
    plans: list[_TxnPlan] = []
    for scenario, count in _scenario_counts(transactions):
        for _ in range(count):
            payer = b.rng.choice(people)
            if scenario == "refund" and b.days > _PENDING_DAYS + 1:
                plans.extend(_plan_refund(b, payer))
            elif scenario == "refund":  # too short a window to settle and refund: a sale
                plans.append(_plan_payment(b, "clean", payer))
            elif scenario == "unknown_payer":
                plan = _plan_payment(b, "no_reference", payer)
                plan.scenario, plan.customer = "unknown_payer", None
                plans.append(plan)
            else:
                plans.append(_plan_payment(b, scenario, payer))
    # Each refund brought its own original sale: drop surplus plain sales (then anything that
    # is neither a refund nor refunded) so the row count is exactly what was asked for.
    originals = {id(p.refund_of) for p in plans if p.refund_of is not None}
    droppable = sorted(
        (p for p in plans if p.refund_of is None and id(p) not in originals),
        key=lambda p: p.scenario != "clean",
    )
    for plan in droppable[: max(0, len(plans) - transactions)]:
        plans.remove(plan)
        for inv in plan.invoices:
            b.invoices.remove(inv)
    return plans


def _number(b: _Builder, plans: list[_TxnPlan]) -> None:
    """Invoice numbers by date and transaction ids by time, with the gaps real books have."""
    b.invoices.sort(key=lambda inv: (inv.invoice_date, inv.customer.customer_id))
    next_invoice = 104000 + b.rng.randint(0, 500)
    for inv in b.invoices:
        inv.invoice_id = str(next_invoice)
        next_invoice += b.rng.randint(1, 3)
    plans.sort(key=lambda p: p.created_local)
    next_id = 80_000_000 + b.rng.randint(0, 99_999)
    for plan in plans:
        plan.transaction_id = next_id
        next_id += b.rng.randint(1, 40)


def _row(plan: _TxnPlan, settle_before: date) -> DemoTransaction:
    invoice_text, reference, description = plan.render(plan.invoices)
    return DemoTransaction(
        transaction_id=plan.transaction_id,
        transaction_type=plan.transaction_type,
        created_local=plan.created_local,
        amount=plan.amount,
        customer=plan.customer,
        invoice_id=invoice_text,
        customer_reference_id=reference,
        description=description,
        payment_method=plan.payment_method,
        settled=plan.transaction_type in ("SALE", "REFUND")
        and plan.created_local.date() < settle_before,
        scenario=plan.scenario,
        expected_applications=plan.applications(plan.invoices),
        refund_of=plan.refund_of.transaction_id if plan.refund_of else None,
    )
