"""Seeded anomaly sets: the demo company's transactions as detector facts, plus a copy with
known anomalies injected and the ground truth of each one.

``clean_inputs`` is the demo data as the store would hold it (settled rows in one batch per
day at 20:15, payments posted on their merchant-local date). ``seeded_scenario`` adds, per
kind, a few anomalies of that kind; ``score`` compares findings with the truth.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from app.domain.anomalies import (
    AnomalyInputs,
    Finding,
    HistoryStep,
    Kind,
    TxnFacts,
    VoidRefusal,
)
from app.domain.anomalies.outliers import robust_scores
from app.domain.matching.references import normalise_reference
from app.domain.money import to_cents
from app.sandbox.demo_data import TEST_CARDS, DemoCompany, generate_demo_company
from app.sync.inbound.anomaly_scan import customer_key

SETTLE = time(20, 15)
WALK_INS = ("Jordan Avery", "Sam Whitfield", "Casey Morgan", "Riley Chen", "Pat Okafor")


@dataclass(frozen=True)
class Expected:
    kind: Kind
    transaction_ids: frozenset[int]
    label: str


@dataclass
class Scenario:
    inputs: AnomalyInputs
    expected: list[Expected] = field(default_factory=list)


@dataclass(frozen=True)
class Score:
    found: int
    total: int
    missed: tuple[Expected, ...]

    @property
    def recall(self) -> float:
        return self.found / self.total if self.total else 1.0


def clean_inputs(company: DemoCompany) -> AnomalyInputs:
    rng = random.Random(company.seed * 31 + 7)
    batches: dict[date, int] = {}
    facts: dict[int, TxnFacts] = {}
    for row in company.transactions:
        customer = row.customer
        if row.refund_of is not None and row.refund_of in facts:
            original = facts[row.refund_of]
            card, brand, vault = (
                original.card_last4,
                original.card_brand,
                original.paytrace_customer_id,
            )
        elif row.payment_method == "ACH":
            card, brand, vault = f"{rng.randint(1000, 9999)}", "", ""
        elif customer is not None and customer.paytrace_customer_id:
            card, brand, vault = (
                customer.card_last4,
                customer.card_brand,
                customer.paytrace_customer_id,
            )
        else:
            brand, number = rng.choice(TEST_CARDS)
            card, vault = number[-4:], ""
        email = customer.email if customer else ""
        name = customer.name if customer else rng.choice(WALK_INS)
        settled_local = batch = None
        if row.settled:
            day = row.created_local.date()
            batch = batches.setdefault(day, 1001 + len(batches))
            settled_local = datetime.combine(day, SETTLE)
        facts[row.transaction_id] = TxnFacts(
            transaction_id=row.transaction_id,
            transaction_type=row.transaction_type,
            amount_cents=to_cents(row.amount),
            created_local=row.created_local,
            payment_method=row.payment_method,
            card_last4=card,
            card_brand=brand,
            customer_key=customer_key(vault, email, name),
            invoice_key=normalise_reference(row.invoice_id),
            paytrace_customer_id=vault,
            settled_local=settled_local,
            batch_number=batch,
        )
    txns = list(facts.values())
    return AnomalyInputs(
        txns=txns,
        posting_dates={
            t.transaction_id: t.created_local.date()
            for t in txns
            if t.transaction_type in ("SALE", "STR/FWD")
        },
        batch_dates={number: day for day, number in batches.items()},
    )


class _Injector:
    def __init__(self, inputs: AnomalyInputs, seed: int) -> None:
        self.rng = random.Random(seed)
        self.txns = {t.transaction_id: t for t in inputs.txns}
        self.history: dict[int, list[HistoryStep]] = defaultdict(list)
        self.refusals: list[VoidRefusal] = []
        self.posting = dict(inputs.posting_dates)
        self.batches = dict(inputs.batch_dates)
        self.expected: list[Expected] = []
        self.used: set[int] = set()
        self.next_id = max(self.txns) + 1000
        refunded = {t.invoice_key for t in inputs.txns if t.transaction_type == "REFUND"}
        self.sales = [
            t
            for t in inputs.txns
            if t.transaction_type == "SALE"
            and t.payment_method == "CC"
            and t.card_last4
            and t.invoice_key
            and t.invoice_key not in refunded
        ]

    def new_id(self) -> int:
        self.next_id += self.rng.randint(1, 9)
        return self.next_id

    def pick_sale(self, *, settled: bool = False) -> TxnFacts:
        pool = [
            s
            for s in self.sales
            if s.transaction_id not in self.used and (not settled or s.batch_number is not None)
        ]
        sale = self.rng.choice(pool)
        self.used.add(sale.transaction_id)
        return sale

    def add(self, txn: TxnFacts) -> TxnFacts:
        self.txns[txn.transaction_id] = txn
        self.used.add(txn.transaction_id)
        return txn

    def expect(self, kind: Kind, ids: Iterable[int], label: str) -> None:
        self.expected.append(Expected(kind, frozenset(ids), label))

    def scenario(self) -> Scenario:
        inputs = AnomalyInputs(
            txns=list(self.txns.values()),
            history=dict(self.history),
            void_refusals=self.refusals,
            posting_dates=self.posting,
            batch_dates=self.batches,
        )
        return Scenario(inputs, self.expected)


def _other_card(last4: str, rng: random.Random) -> str:
    while True:
        candidate = f"{rng.randint(0, 9999):04d}"
        if candidate != last4:
            return candidate


def _inject_money(j: _Injector, per_kind: int) -> None:
    rng = j.rng
    for _ in range(per_kind):
        sale = j.pick_sale()
        dup = j.add(
            replace(
                sale,
                transaction_id=j.new_id(),
                settled_local=None,
                batch_number=None,
                created_local=sale.created_local + timedelta(minutes=rng.randint(0, 9)),
            )
        )
        j.expect(Kind.DUPLICATE_CHARGE, [dup.transaction_id], "same card+amount minutes apart")

        sale = j.pick_sale()
        over = j.add(
            replace(
                sale,
                transaction_id=j.new_id(),
                transaction_type="REFUND",
                amount_cents=sale.amount_cents + rng.randint(1, 50_000),
                created_local=sale.created_local + timedelta(hours=rng.randint(2, 72)),
                settled_local=None,
                batch_number=None,
            )
        )
        j.expect(Kind.REFUND_EXCEEDS_ORIGINAL, [over.transaction_id], "refund above its sale")

        sale = j.pick_sale()
        other = j.add(
            replace(
                sale,
                transaction_id=j.new_id(),
                transaction_type="REFUND",
                amount_cents=max(1, sale.amount_cents // 2),
                card_last4=_other_card(sale.card_last4, rng),
                created_local=sale.created_local + timedelta(hours=rng.randint(2, 72)),
                settled_local=None,
                batch_number=None,
            )
        )
        j.expect(Kind.REFUND_TO_OTHER_CARD, [other.transaction_id], "refund to another card")

        big = j.pick_sale()
        large = j.add(
            replace(
                big,
                transaction_id=j.new_id(),
                amount_cents=rng.randint(1_250_000, 4_000_000),
                created_local=big.created_local + timedelta(hours=1),
            )
        )
        j.expect(Kind.LARGE_AMOUNT, [large.transaction_id], "above the large-payment amount")


def _inject_outliers(j: _Injector, per_kind: int, min_history: int) -> None:
    by_customer: dict[str, list[TxnFacts]] = defaultdict(list)
    for t in j.txns.values():
        if t.transaction_type == "SALE" and t.customer_key.startswith("vault:"):
            by_customer[t.customer_key].append(t)
    eligible = sorted(k for k, v in by_customer.items() if len(v) >= min_history)
    for key in j.rng.sample(eligible, min(per_kind, len(eligible))):
        charges = by_customer[key]
        amounts = sorted(t.amount_cents for t in charges)
        median = amounts[len(amounts) // 2]
        base = j.rng.choice(charges)  # an extra digit typed: about ten times the usual
        outlier = j.add(
            replace(
                base,
                transaction_id=j.new_id(),
                invoice_key="",
                amount_cents=median * j.rng.randint(8, 12) + j.rng.randint(0, 99),
                created_local=base.created_local + timedelta(hours=1),
                settled_local=None,
                batch_number=None,
            )
        )
        scores = robust_scores([t.amount_cents for t in charges] + [outlier.amount_cents])
        assert scores is not None and scores[-1] > Decimal("3.5")
        j.expect(Kind.AMOUNT_OUTLIER, [outlier.transaction_id], f"~10x {key}'s median")


def _inject_timing(j: _Injector, per_kind: int) -> None:
    rng = j.rng
    days = sorted({t.created_local.date() for t in j.txns.values()})
    for _ in range(per_kind):
        sale = j.pick_sale()
        night = datetime.combine(
            sale.created_local.date(), time(rng.randint(0, 4), rng.randint(0, 59))
        )
        late = j.add(
            replace(
                sale,
                transaction_id=j.new_id(),
                created_local=night,
                amount_cents=sale.amount_cents + 1,
                settled_local=None,
                batch_number=None,
            )
        )
        j.expect(Kind.UNUSUAL_HOUR, [late.transaction_id], "charge at night")
    for day in rng.sample(days[:-1], per_kind):
        start = datetime.combine(day, time(rng.randint(9, 16)))
        ids = []
        for _ in range(rng.randint(18, 30)):  # card testing: small amounts, mostly declined
            t = j.add(
                TxnFacts(
                    transaction_id=j.new_id(),
                    transaction_type="DECLINED" if rng.random() < 0.7 else "SALE",
                    amount_cents=rng.randint(100, 499),
                    created_local=start + timedelta(seconds=rng.randint(0, 3599)),
                    card_last4=f"{rng.randint(0, 9999):04d}",
                    customer_key=f"name:{rng.choice(WALK_INS).lower()}",
                )
            )
            ids.append(t.transaction_id)
        j.expect(Kind.VOLUME_SPIKE_HOUR, ids, f"card-testing burst on {day}")
    # A day-long run of stolen-card orders spread over business hours: no hour stands out,
    # the day does.
    day = rng.choice(days[:-1])
    ids = []
    for _ in range(45):
        t = j.add(
            TxnFacts(
                transaction_id=j.new_id(),
                transaction_type=rng.choice(("SALE", "DECLINED")),
                amount_cents=rng.randint(2_000, 30_000),
                created_local=datetime.combine(day, time(8))
                + timedelta(seconds=rng.randint(0, 35_999)),
                card_last4=f"{rng.randint(0, 9999):04d}",
                customer_key=f"name:{rng.choice(WALK_INS).lower()}",
            )
        )
        ids.append(t.transaction_id)
    j.expect(Kind.VOLUME_SPIKE_DAY, ids, f"busy day {day}")


def _inject_voids_and_cutoffs(j: _Injector, per_kind: int, today: date) -> None:
    rng = j.rng
    for index in range(per_kind):
        sale = j.pick_sale(settled=True)
        assert sale.settled_local is not None
        j.txns[sale.transaction_id] = replace(sale, transaction_type="VOID")
        seen = sale.settled_local + timedelta(hours=1)
        if index % 2 == 0:  # seen settled first, then VOID (settlement data kept or dropped)
            j.history[sale.transaction_id] = [
                HistoryStep(seen, "SALE", False, True),
                HistoryStep(seen + timedelta(days=1), "VOID", True, index % 4 == 0),
            ]
        j.expect(Kind.VOID_AFTER_SETTLEMENT, [sale.transaction_id], "settled, then VOID")

        sale = j.pick_sale(settled=True)
        j.refusals.append(
            VoidRefusal(
                sale.transaction_id,
                sale.settled_local + timedelta(days=1),  # type: ignore[operator]
                "A refund was queued instead.",
            )
        )
        j.expect(Kind.VOID_REFUSED_SETTLED, [sale.transaction_id], "collect-flow void got 818")

        sale = j.pick_sale(settled=True)
        j.posting[sale.transaction_id] = sale.created_local.date() + timedelta(days=1)
        j.expect(Kind.CUTOFF_AFTER_BATCH, [sale.transaction_id], "posting date a day late")

        sale = j.pick_sale(settled=True)
        batch = j.new_id()
        j.batches[batch] = sale.created_local.date() + timedelta(days=rng.randint(5, 9))
        j.txns[sale.transaction_id] = replace(sale, batch_number=batch)
        j.expect(Kind.CUTOFF_LATE_SETTLEMENT, [sale.transaction_id], "batch days late")

    month_end = today.replace(day=1) - timedelta(days=1)
    for _ in range(per_kind):
        base = j.pick_sale()
        moment = datetime.combine(month_end, time(21, rng.randint(0, 59)))
        batch = j.new_id()
        j.batches[batch] = month_end + timedelta(days=1)
        late = j.add(
            replace(
                base,
                transaction_id=j.new_id(),
                created_local=moment,
                amount_cents=base.amount_cents + 2,
                batch_number=batch,
                settled_local=datetime.combine(month_end + timedelta(days=1), SETTLE),
            )
        )
        j.posting[late.transaction_id] = month_end
        j.expect(Kind.CUTOFF_PERIOD, [late.transaction_id], "posted 31st, settled 1st")


def seeded_scenario(seed: int, *, per_kind: int = 3, min_history: int = 8) -> Scenario:
    """The demo company of ``seed`` with ``per_kind`` anomalies of every kind injected."""
    company = demo_company(seed)
    j = _Injector(clean_inputs(company), seed)
    _inject_money(j, per_kind)
    _inject_outliers(j, per_kind, min_history)
    _inject_timing(j, per_kind)
    _inject_voids_and_cutoffs(j, per_kind, company.today)
    return j.scenario()


def demo_company(seed: int) -> DemoCompany:
    return generate_demo_company(seed, today=date(2025, 3, 15))


def score(findings: Sequence[Finding], expected: Sequence[Expected]) -> Score:
    flagged: dict[Kind, set[int]] = defaultdict(set)
    for f in findings:
        flagged[f.kind].add(f.transaction_id)
        flagged[f.kind].update(f.related_ids)
    missed = tuple(e for e in expected if not (flagged[e.kind] & e.transaction_ids))
    return Score(len(expected) - len(missed), len(expected), missed)
