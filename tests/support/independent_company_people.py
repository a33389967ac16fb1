"""The independent company's customers: trades and surnames, a few families with nearly the
same name, an outside bookkeeper whose e-mail is on several companies, customers with more
than one card (one of them in a PayTrace vault profile Sage Pro does not know)."""

from __future__ import annotations

import random

from tests.support.independent_company_records import Card, Customer

SURNAMES = (
    "Smith", "Okafor", "Garcia", "Nguyen", "Patel", "Kowalski", "Brennan", "Haddad",
    "Lindqvist", "Moreau", "Tanaka", "Delgado", "Fischer", "O'Neill", "Ramirez", "Chen",
    "Abernathy", "Vasquez", "Whitaker", "Novak", "Castillo", "Fitzgerald", "Iyer", "Sokolov",
    "Mbeki", "Larsen", "Quinn", "Romano", "Baptiste", "Hollis", "Yilmaz", "Dubois",
)  # fmt: skip
TRADES = (
    "Plumbing", "Electric", "Dental", "Landscaping", "Roofing", "Auto Repair", "Bakery",
    "Veterinary Clinic", "Hardware", "Cleaning Services", "Builders", "HVAC", "Law Office",
    "Print Shop", "Catering", "Flooring", "Pools", "Pest Control", "Machine Works", "Florist",
)  # fmt: skip
SUFFIXES = ("", "", "", " Inc.", " LLC", " Co.", " & Sons")
# Families: the second name is the first one grown, as real sister companies are named.
FAMILY_GROWTH = (" & Heating", " Supply", " Commercial", " of Springfield", " II")
PERSONS = (
    "Jordan Avery", "Sam Whitfield", "Casey Morgan", "Riley Chen", "Pat Okafor", "Dana Kim",
    "Morgan Lee", "Alex Rivera", "Jamie Fox", "Taylor Brooks", "Chris Doyle", "Robin Hart",
)  # fmt: skip
CITIES = (("Springfield", "IL", "627"), ("Madison", "WI", "537"), ("Dayton", "OH", "454"))
BRAND_PREFIXES = (("4", 16), ("51", 16), ("55", 16), ("6011", 16), ("37", 15))
BOOKKEEPER_EMAIL = "Books@NorthLedger-Bookkeeping.com"
BOOKKEEPER_NAME = "North Ledger Bookkeeping"


def luhn_card(rng: random.Random, year: int) -> Card:
    prefix, length = rng.choice(BRAND_PREFIXES)
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return Card(body + str((10 - total % 10) % 10), rng.randint(1, 12), year + rng.randint(1, 4))


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())[:18]


class People:
    def __init__(self, rng: random.Random, count: int, year: int) -> None:
        self.rng, self.year = rng, year
        self.customers: list[Customer] = []
        self._ids: set[str] = set()
        self._names: set[str] = set()
        families = max(3, count // 30)
        for i in range(families):
            self._family(f"F{i}")
        for _ in range(4):
            self._add(self._fresh_name(), shared_email=True)
        while len(self.customers) < count:
            self._add(self._fresh_name())

    def _fresh_name(self) -> str:
        while True:
            name = (
                f"{self.rng.choice(SURNAMES)} {self.rng.choice(TRADES)}{self.rng.choice(SUFFIXES)}"
            )
            if name not in self._names:
                return name

    def _family(self, key: str) -> None:
        base = self._fresh_name().removesuffix(" Inc.").removesuffix(" LLC").removesuffix(" Co.")
        grown = base + self.rng.choice(FAMILY_GROWTH)
        if base in self._names or grown in self._names:
            return
        email = f"office@{_slug(base.split()[0])}family.net" if self.rng.random() < 0.5 else ""
        for name in (base, grown):
            self._add(name, family=key, email=email)

    def _customer_id(self, name: str) -> str:
        letters = "".join(ch for ch in name.upper() if ch.isalpha())[:4]
        n = 1
        while f"{letters}{n:02d}" in self._ids:
            n += 1
        return f"{letters}{n:02d}"

    def _add(
        self, name: str, *, family: str = "", email: str = "", shared_email: bool = False
    ) -> None:
        rng = self.rng
        customer_id = self._customer_id(name)
        city, state, zip3 = rng.choice(CITIES)
        if shared_email:
            email = BOOKKEEPER_EMAIL
        elif not email and rng.random() < 0.85:
            email = rng.choice(("ap@{s}.com", "billing@{s}.com", "{s}@gmail.com")).format(
                s=_slug(name)
            )
        cards = [luhn_card(rng, self.year) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))]
        linked = f"V{customer_id}" if rng.random() < 0.55 else ""
        extra = f"W{customer_id}" if len(cards) > 1 and rng.random() < 0.4 else ""
        self.customers.append(
            Customer(
                customer_id=customer_id,
                name=name,
                email=email,
                phone=f"555-{rng.randint(1000, 9999)}",
                street=f"{rng.randint(10, 9999)} {rng.choice(('Oak', 'Main', 'Elm'))} St",
                city=city,
                state=state,
                zip=f"{zip3}{rng.randint(10, 99)}",
                cards=cards,
                linked_vault=linked,
                extra_vault=extra,
                family=family,
                shared_email=shared_email,
            )
        )
        self._ids.add(customer_id)
        self._names.add(name)
