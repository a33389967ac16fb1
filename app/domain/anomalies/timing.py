"""When money moves: charges in the quiet hours, and hours or days far busier than usual.

Counts are per merchant-local hour and day (PayTrace reports local wall-clock times). The
usual count is the median over the hours (days) that had any transaction, so a quiet
weekend does not make every weekday look busy; a bucket is a spike when it holds at least
``factor`` × that median *and* at least the configured minimum — a burst of card-testing
attempts (declines included) is what this is for.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime
from decimal import Decimal

from app.domain.anomalies.model import MONEY_MOVING, Finding, Kind, TxnFacts, money, when


def in_quiet_hours(moment: datetime, start: int, end: int) -> bool:
    hour = moment.hour
    if start == end:
        return False
    return start <= hour < end if start < end else hour >= start or hour < end


def find_unusual_hours(txns: Iterable[TxnFacts], start: int, end: int) -> list[Finding]:
    return [
        Finding(
            Kind.UNUSUAL_HOUR,
            t.transaction_id,
            str(t.transaction_id),
            f"{t.transaction_type.title()} at an unusual hour: {when(t.created_local)}",
            f"Transaction {t.transaction_id} ({t.transaction_type}, {money(t.amount_cents)}, "
            f"card {t.card}) happened at {t.created_local:%I:%M %p}, inside the quiet hours "
            f"{start:02d}:00–{end:02d}:00 set in Settings → Alerts. Charges and refunds at "
            "night are worth a look when nobody is at work.",
            {"hour": t.created_local.hour},
        )
        for t in txns
        if t.transaction_type in MONEY_MOVING and in_quiet_hours(t.created_local, start, end)
    ]


def _spikes(
    txns: list[TxnFacts],
    bucket_of: Callable[[datetime], Hashable],
    factor: Decimal,
    minimum: int,
) -> list[tuple[Hashable, list[TxnFacts], int, Decimal]]:
    buckets: dict[Hashable, list[TxnFacts]] = defaultdict(list)
    for t in txns:
        buckets[bucket_of(t.created_local)].append(t)
    if not buckets:
        return []
    counts = sorted(len(v) for v in buckets.values())
    n = len(counts)
    usual = Decimal(counts[n // 2]) if n % 2 else Decimal(counts[n // 2 - 1] + counts[n // 2]) / 2
    limit = max(minimum, math.ceil(factor * usual))
    return [
        (key, sorted(rows, key=lambda t: (t.created_local, t.transaction_id)), limit, usual)
        for key, rows in buckets.items()
        if len(rows) >= limit
    ]


def find_volume_spikes(
    txns: Iterable[TxnFacts],
    factor: Decimal,
    hour_minimum: int,
    day_minimum: int,
    *,
    hours: bool = True,
    days: bool = True,
) -> list[Finding]:
    rows = list(txns)
    findings = []
    if hours:
        for key, bucket, limit, usual in _spikes(
            rows, lambda m: m.replace(minute=0, second=0, microsecond=0), factor, hour_minimum
        ):
            assert isinstance(key, datetime)
            findings.append(_spike(Kind.VOLUME_SPIKE_HOUR, key, bucket, limit, usual, "hour"))
    if days:
        for key, bucket, limit, usual in _spikes(rows, lambda m: m.date(), factor, day_minimum):
            start = datetime.combine(key, datetime.min.time())  # type: ignore[arg-type]
            findings.append(_spike(Kind.VOLUME_SPIKE_DAY, start, bucket, limit, usual, "day"))
    return findings


def _spike(
    kind: Kind, start: datetime, bucket: list[TxnFacts], limit: int, usual: Decimal, unit: str
) -> Finding:
    declines = sum(1 for t in bucket if t.transaction_type == "DECLINED")
    small = sum(1 for t in bucket if t.amount_cents < 500)
    span = (
        f"between {start:%I %p} and {(start.hour + 1) % 24:02d}:00 on {start:%m/%d/%Y}"
        if unit == "hour"
        else f"on {start:%m/%d/%Y}"
    )
    subject = f"{start:%Y-%m-%dT%H}" if unit == "hour" else f"{start:%Y-%m-%d}"
    return Finding(
        kind,
        bucket[limit - 1].transaction_id,  # the one that crossed the line
        subject,
        f"Volume spike: {len(bucket)} transactions {span}",
        f"{len(bucket)} transactions {span} ({declines} declined, {small} under $5.00); a busy "
        f"{unit} here usually has {usual.normalize()} (median), and {limit} or more is "
        "flagged. Many small or declined attempts in a short time is how stolen cards are "
        "tested; a real rush of business is fine.",
        {"count": len(bucket), "limit": limit, "declined": declines},
        tuple(t.transaction_id for t in bucket[:200]),
    )
