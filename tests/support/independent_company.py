"""An independent, messy company for checking the matcher against data it was not tuned on.

Written from the issue texts (#7, #19) and the two API contracts only, without reading the
matching engine or the calibration generator. ``generate(seed, size)`` gives customers,
open invoices (some keyed in Sage Pro only after the first sync, some already paid in the
office), about ``size`` PayTrace rows over February 2025, and for every row the truth a
careful bookkeeper would reach from the data alone (``Truth`` kinds in
independent_company_records.py; the habits in independent_company_scenarios.py).

Labels that rest on an amount (customer + amount, subset sums, typos, partials) are checked
at the end against every invoice of every customer the payer could be; a collision turns
the row into PERSON (scenario ``<name>/collision``) rather than keep a label that lies.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from itertools import combinations

from tests.support.independent_company_builder import (
    MONTH_DAYS,
    MONTH_START,
    TODAY,
    CompanyBuilder,
)
from tests.support.independent_company_records import (
    PERSON,
    Customer,
    IndependentCompany,
    Invoice,
    Row,
)
from tests.support.independent_company_scenarios import SCENARIOS

__all__ = ["MONTH_START", "TODAY", "IndependentCompany", "generate"]

# Scenarios whose label rests on the amount fitting exactly one set of the payer's invoices.
AMOUNT_LABELS = (
    "customer+amount/", "subset/", "typo/", "job-number-", "late-invoice/no-ref", "partial/",
)  # fmt: skip
MAX_SUBSET = 4
_SUFFIX = re.compile(r"\b(inc|llc|co|& sons)\.?$")


def generate(seed: int, size: int = 1000) -> IndependentCompany:
    b = CompanyBuilder(seed, size)
    habits, weights = zip(*SCENARIOS, strict=True)
    while len(b.rows) < size:
        b.rng.choices(habits, weights)[0](b)
    for row in b.rows:
        if row.truth.scenario.startswith(AMOUNT_LABELS) and not _label_holds(b, row):
            row.truth = replace(row.truth, kind=PERSON, scenario=row.truth.scenario + "/collision")
    _number_and_settle(b, seed)
    return IndependentCompany(seed, MONTH_START, TODAY, b.people, b.invoices, b.rows)


def _core_name(name: str) -> str:
    return _SUFFIX.sub("", name.lower().strip()).strip()


def _candidates(b: CompanyBuilder, row: Row) -> list[Customer]:
    """Every customer a careful reader could take the payer for."""
    payer = b.by_id[row.truth.customer_id]
    if row.identified_as in ("vault", "email"):
        return [payer]
    core = _core_name(payer.name)
    return [
        c
        for c in b.people
        if _core_name(c.name) == core or (payer.family and c.family == payer.family)
    ]


def _balances(inv: Invoice) -> set[Decimal]:
    return {inv.amount, inv.amount - inv.partial_paid} if inv.partial_paid else {inv.amount}


def _fitting_sets(invoices: list[Invoice], amount: Decimal) -> list[frozenset[str]]:
    """Sets of up to MAX_SUBSET invoices whose balances (before or after this month's
    partial payments) add up to ``amount``."""
    fits: list[frozenset[str]] = []
    for size in range(1, min(MAX_SUBSET, len(invoices)) + 1):
        for combo in combinations(invoices, size):
            totals = {Decimal("0.00")}
            for inv in combo:
                totals = {t + v for t in totals for v in _balances(inv)}
            if amount in totals:
                fits.append(frozenset(inv.invoice_id for inv in combo))
    return fits


def _label_holds(b: CompanyBuilder, row: Row) -> bool:
    invoices = [
        inv
        for c in _candidates(b, row)
        for inv in b.by_customer[c.customer_id]
        if not inv.paid_in_office
    ]
    target = frozenset(invoice_id for invoice_id, _ in row.truth.applications)
    if row.truth.scenario.startswith("partial/"):
        # A part payment that other invoices' balances make could be either.
        return not _fitting_sets([i for i in invoices if i.invoice_id not in target], row.amount)
    fits = _fitting_sets(invoices, row.amount)
    if fits != [target]:
        return False
    named = re.findall(r"\d{4,}", f"{row.invoice_field} {row.description} {row.customer_reference}")
    others = {inv.invoice_id: inv.amount for inv in b.invoices if inv.invoice_id in named}
    return row.amount not in others.values()  # a number naming an invoice of this amount


def _number_and_settle(b: CompanyBuilder, seed: int) -> None:
    """PayTrace ids grow with time; sales settle nightly, the last day's are still pending."""
    last_day = MONTH_START + timedelta(days=MONTH_DAYS - 1)
    next_id = 71_000_000 + seed * 10_000
    for row in sorted(b.rows, key=lambda r: r.created):
        next_id += b.rng.randint(1, 7)
        row.transaction_id = next_id
        approved = row.kind in ("SALE", "REFUND") or (row.kind == "AUTHORIZATION" and row.captured)
        row.settled = approved and not row.voided and row.created.date() < last_day
    b.rows.sort(key=lambda r: r.transaction_id)
