"""Anomaly detectors (Qt-free, I/O-free, set-based), one module per family:
duplicates, refunds, voids, outliers, timing, cutoff; ``scan.find_anomalies`` runs them all.

Settlement batches whose transactions do not add up are not here: the settlement planner
(``app.sync.inbound.settlements``) already raises them as "settlement_mismatch" items.
"""

from app.domain.anomalies.model import KIND_LABELS, Finding, Kind, Thresholds, TxnFacts
from app.domain.anomalies.scan import AnomalyInputs, find_anomalies
from app.domain.anomalies.voids import HistoryStep, VoidRefusal

__all__ = [
    "KIND_LABELS",
    "AnomalyInputs",
    "Finding",
    "HistoryStep",
    "Kind",
    "Thresholds",
    "TxnFacts",
    "VoidRefusal",
    "find_anomalies",
]
