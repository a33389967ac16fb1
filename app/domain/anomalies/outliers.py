"""Amount outliers per customer (robust z-score) and charges above the configured amount.

The robust z-score uses the median and the median absolute deviation (MAD), which a few
odd amounts cannot drag along the way a mean and standard deviation can:
``z = 0.6745 × (x − median) / MAD`` (Iglewicz & Hoaglin; |z| > 3.5 is their outlier rule).
When more than half of a customer's amounts are equal the MAD is zero; the mean absolute
deviation (×1.2533) stands in, so a subscription customer's one different amount still
counts. Customers with fewer charges than the minimum history are not judged.

Only the high side is flagged: a charge far *smaller* than usual (a partial payment, a
deposit) costs nothing and is common in B2B billing, while bursts of tiny card-testing
charges are what the volume-spike check is for. On the demo company, flagging both sides
doubled the false flags without finding anything the other checks missed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from app.domain.anomalies.model import CHARGES, Finding, Kind, TxnFacts, money

_MAD_SCALE = Decimal("0.6745")
_MEAN_AD_SCALE = Decimal("1.253314")


def _median(sorted_values: Sequence[Decimal]) -> Decimal:
    n = len(sorted_values)
    middle = n // 2
    if n % 2:
        return sorted_values[middle]
    return (sorted_values[middle - 1] + sorted_values[middle]) / 2


def robust_scores(values: Sequence[int]) -> list[Decimal] | None:
    """Robust z-score of each value, or None when the values do not spread at all."""
    amounts = [Decimal(v) for v in values]
    centre = _median(sorted(amounts))
    deviations = [abs(a - centre) for a in amounts]
    mad = _median(sorted(deviations))
    if mad > 0:
        return [_MAD_SCALE * (a - centre) / mad for a in amounts]
    mean_ad = sum(deviations, Decimal(0)) / len(deviations)
    if mean_ad == 0:
        return None
    return [(a - centre) / (_MEAN_AD_SCALE * mean_ad) for a in amounts]


def find_amount_outliers(
    txns: Iterable[TxnFacts], threshold: Decimal, min_history: int
) -> list[Finding]:
    by_customer: dict[str, list[TxnFacts]] = defaultdict(list)
    for t in txns:
        if t.transaction_type in CHARGES and t.customer_key and t.amount_cents > 0:
            by_customer[t.customer_key].append(t)
    findings = []
    for charges in by_customer.values():
        if len(charges) < max(min_history, 3):
            continue
        scores = robust_scores([t.amount_cents for t in charges])
        if scores is None:
            continue
        ordered = sorted(t.amount_cents for t in charges)
        typical = ordered[len(ordered) // 2]
        for t, z in zip(charges, scores, strict=True):
            if z <= threshold:
                continue
            findings.append(
                Finding(
                    Kind.AMOUNT_OUTLIER,
                    t.transaction_id,
                    str(t.transaction_id),
                    f"Unusual amount for this customer: {money(t.amount_cents)} "
                    f"(usually about {money(typical)})",
                    f"Transaction {t.transaction_id} charged {money(t.amount_cents)}, far "
                    f"larger than this customer's usual amounts: the middle of their "
                    f"{len(charges)} charges is {money(typical)}, and this one scores "
                    f"{z.quantize(Decimal('0.1'))} on the robust z-score (flagged above "
                    f"{threshold}). Check that the amount was typed right.",
                    {"z": str(z.quantize(Decimal("0.01"))), "median_cents": typical,
                     "charges": len(charges)},
                )
            )  # fmt: skip
    return findings


def find_large_amounts(txns: Iterable[TxnFacts], large_cents: int) -> list[Finding]:
    if large_cents <= 0:
        return []
    return [
        Finding(
            Kind.LARGE_AMOUNT,
            t.transaction_id,
            str(t.transaction_id),
            f"Large {t.transaction_type.lower()}: {money(t.amount_cents)}",
            f"Transaction {t.transaction_id} ({t.transaction_type}) moved "
            f"{money(t.amount_cents)}, at or above the {money(large_cents)} set in Settings → "
            "Alerts for a second look.",
            {"limit_cents": large_cents},
        )
        for t in txns
        if t.transaction_type in (*CHARGES, "REFUND") and t.amount_cents >= large_cents
    ]
