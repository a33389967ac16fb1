"""How people at a real company write invoice numbers when they pay: prefixes, hashes,
leading zeros, lists joined every which way, sentences, typos, and numbers that are not
invoice numbers at all (job numbers, suites, dates). Written for the independent company
(tests/support/independent_company.py) without looking at the matching engine."""

from __future__ import annotations

import random

SINGLE_FORMS = (
    "{n}",
    "INV-{n}",
    "INV {n}",
    "inv {n}",
    "Inv#{n}",
    "#{n}",
    "Invoice {n}",
    "invoice no. {n}",
    "INV-00{n}",
    "INV{n}",
    " {n} ",
)
SENTENCE_FORMS = (
    "Payment for invoice {n}",
    "pmt inv #{n} - thanks!",
    "Paying INV-{n}",
    "Invoice {n} - March service",
    "re: inv {n}",
    "{n} paid in full",
)
MULTI_JOINERS = ("/", ", ", " & ", " + ", "; ", " and ", ",")
NOISE_FORMS = (
    "Job {k}",
    "Suite {k}",
    "Unit {s}",
    "Work order {k}",
    "Call 555-{s}",
    "Service on {d}",
    "Truck {s}",
)


def single_reference(invoice_id: str, rng: random.Random, *, sentence: bool = False) -> str:
    forms = SENTENCE_FORMS if sentence else SINGLE_FORMS
    return rng.choice(forms).format(n=invoice_id)


def multi_reference(invoice_ids: list[str], rng: random.Random) -> str:
    joiner = rng.choice(MULTI_JOINERS)
    prefix = rng.choice(("", "", "INV ", "Invoices ", "inv# ", "pmt for "))
    return prefix + joiner.join(invoice_ids)


def typo_of(invoice_id: str, rng: random.Random) -> str:
    """A transposition, a dropped digit or a doubled digit: what tired fingers type."""
    digits = list(invoice_id)
    kind = rng.choice(("swap", "drop", "double"))
    i = rng.randrange(1, len(digits) - 1)
    if kind == "swap" and digits[i] != digits[i + 1]:
        digits[i], digits[i + 1] = digits[i + 1], digits[i]
    elif kind == "drop":
        del digits[i]
    else:
        digits.insert(i, digits[i])
    typo = "".join(digits)
    return typo if typo != invoice_id else invoice_id[:-1] + str((int(invoice_id[-1]) + 3) % 10)


def noise_text(rng: random.Random, look_alike: str | None = None) -> str:
    """Free text with numbers that name no invoice; ``look_alike`` puts a number in it that
    happens to be some other customer's invoice number (a job number, say)."""
    k = look_alike or str(rng.randint(1000, 99999))
    text = rng.choice(NOISE_FORMS).format(
        k=k, s=rng.randint(10, 9999), d=f"{rng.randint(1, 12)}/{rng.randint(1, 28)}"
    )
    return text if look_alike is None else f"Job {look_alike}"
