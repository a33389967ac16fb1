"""Duplicate charges: the same card (last 4) charged the same amount within N minutes.

Grouped by (method, last 4, amount) and sorted by time, so each charge is compared only with
its neighbour in its group — never every charge with every other. Declines and voids moved no
money and are left out; a declined attempt followed by a good retry is normal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from itertools import pairwise

from app.domain.anomalies.model import Finding, Kind, TxnFacts, money, when

_TYPES = ("SALE", "STR/FWD", "AUTHORIZATION")


def find_duplicate_charges(txns: Iterable[TxnFacts], window_minutes: int) -> list[Finding]:
    window = timedelta(minutes=window_minutes)
    groups: dict[tuple[str, str, int], list[TxnFacts]] = defaultdict(list)
    for t in txns:
        if t.transaction_type in _TYPES and t.card_last4 and t.amount_cents > 0:
            groups[(t.payment_method, t.card_last4, t.amount_cents)].append(t)
    findings = []
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda t: (t.created_local, t.transaction_id))
        for first, second in pairwise(group):
            gap = second.created_local - first.created_local
            if gap > window:
                continue
            minutes = int(gap.total_seconds() // 60)
            findings.append(
                Finding(
                    Kind.DUPLICATE_CHARGE,
                    second.transaction_id,
                    f"{first.transaction_id}:{second.transaction_id}",
                    f"Possible duplicate charge: {money(second.amount_cents)} on {second.card}",
                    f"Card {second.card} was charged {money(second.amount_cents)} twice "
                    f"{minutes} minute(s) apart: transaction {first.transaction_id} at "
                    f"{when(first.created_local)} and {second.transaction_id} at "
                    f"{when(second.created_local)}. A double click or a retried request can "
                    "charge a customer twice; if only one charge was meant, void or refund "
                    "the second.",
                    {"minutes_apart": minutes, "window_minutes": window_minutes},
                    (first.transaction_id,),
                )
            )
    return findings
