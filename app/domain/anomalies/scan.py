"""Run every enabled detector over one set of facts; one finding per fingerprint."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from app.domain.anomalies.cutoff import find_cutoff_mismatches
from app.domain.anomalies.duplicates import find_duplicate_charges
from app.domain.anomalies.model import Finding, Kind, Thresholds, TxnFacts
from app.domain.anomalies.outliers import find_amount_outliers, find_large_amounts
from app.domain.anomalies.refunds import find_refund_problems
from app.domain.anomalies.timing import find_unusual_hours, find_volume_spikes
from app.domain.anomalies.voids import HistoryStep, VoidRefusal, find_voids_after_settlement


@dataclass(frozen=True)
class AnomalyInputs:
    txns: Sequence[TxnFacts]
    history: Mapping[int, Sequence[HistoryStep]] = field(default_factory=dict)
    void_refusals: Sequence[VoidRefusal] = ()
    posting_dates: Mapping[int, date] = field(default_factory=dict)  # id -> Sage Pro date
    batch_dates: Mapping[int, date] = field(default_factory=dict)  # batch number -> date


def find_anomalies(inputs: AnomalyInputs, limits: Thresholds) -> list[Finding]:
    on = limits.enabled
    txns = inputs.txns
    found: list[Finding] = []
    if on(Kind.DUPLICATE_CHARGE):
        found += find_duplicate_charges(txns, limits.duplicate_window_minutes)
    if on(Kind.REFUND_EXCEEDS_ORIGINAL) or on(Kind.REFUND_TO_OTHER_CARD):
        found += find_refund_problems(txns)
    if on(Kind.VOID_AFTER_SETTLEMENT) or on(Kind.VOID_REFUSED_SETTLED):
        found += find_voids_after_settlement(txns, inputs.history, inputs.void_refusals)
    if on(Kind.AMOUNT_OUTLIER):
        found += find_amount_outliers(txns, limits.outlier_threshold, limits.outlier_min_history)
    if on(Kind.LARGE_AMOUNT):
        found += find_large_amounts(txns, limits.large_amount_cents)
    if on(Kind.UNUSUAL_HOUR):
        found += find_unusual_hours(txns, limits.quiet_hours_start, limits.quiet_hours_end)
    if on(Kind.VOLUME_SPIKE_HOUR) or on(Kind.VOLUME_SPIKE_DAY):
        found += find_volume_spikes(
            txns,
            limits.spike_factor,
            limits.spike_hour_min_count,
            limits.spike_day_min_count,
        )
    if on(Kind.CUTOFF_AFTER_BATCH) or on(Kind.CUTOFF_PERIOD) or on(Kind.CUTOFF_LATE_SETTLEMENT):
        found += find_cutoff_mismatches(
            txns, inputs.posting_dates, inputs.batch_dates, limits.cutoff_max_days
        )
    unique: dict[str, Finding] = {}
    for finding in found:
        if on(finding.kind):
            unique.setdefault(finding.fingerprint, finding)
    return sorted(unique.values(), key=lambda f: (f.transaction_id, f.kind.value))
