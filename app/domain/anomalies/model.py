"""What the anomaly detectors read and what they report. Qt-free, I/O-free.

Each detector family is one module of ``app.domain.anomalies``; all take plain facts
(``TxnFacts`` and a few mappings) and return ``Finding`` values whose ``fingerprint`` names
the finding so a re-scan never reports it twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from app.domain.money import format_money, from_cents


class Kind(StrEnum):
    """The reason code each finding is stored under, one per kind of anomaly."""

    DUPLICATE_CHARGE = "duplicate_charge"
    REFUND_EXCEEDS_ORIGINAL = "refund_exceeds_original"
    REFUND_TO_OTHER_CARD = "refund_to_other_card"
    VOID_AFTER_SETTLEMENT = "void_after_settlement"
    VOID_REFUSED_SETTLED = "void_refused_settled"
    AMOUNT_OUTLIER = "amount_outlier"
    LARGE_AMOUNT = "large_amount"
    UNUSUAL_HOUR = "unusual_hour"
    VOLUME_SPIKE_HOUR = "volume_spike_hour"
    VOLUME_SPIKE_DAY = "volume_spike_day"
    CUTOFF_AFTER_BATCH = "cutoff_after_batch"
    CUTOFF_PERIOD = "cutoff_period"
    CUTOFF_LATE_SETTLEMENT = "cutoff_late_settlement"


# One line per kind, for the Settings page's list of checks.
KIND_LABELS: dict[Kind, str] = {
    Kind.DUPLICATE_CHARGE: "Same card last 4 and amount charged twice within minutes",
    Kind.REFUND_EXCEEDS_ORIGINAL: "Refunds adding up to more than the sale they give back",
    Kind.REFUND_TO_OTHER_CARD: "Refund to a card other than the one the sale charged",
    Kind.VOID_AFTER_SETTLEMENT: "A settled transaction that later shows as voided",
    Kind.VOID_REFUSED_SETTLED: "A void refused by PayTrace because the sale had settled (818)",
    Kind.AMOUNT_OUTLIER: "A charge far from the customer's usual amounts (median/MAD)",
    Kind.LARGE_AMOUNT: "A charge at or above the large-payment amount in Settings",
    Kind.UNUSUAL_HOUR: "A charge or refund in the quiet hours",
    Kind.VOLUME_SPIKE_HOUR: "Many more transactions in one hour than usual",
    Kind.VOLUME_SPIKE_DAY: "Many more transactions in one day than usual",
    Kind.CUTOFF_AFTER_BATCH: "Sage Pro posting date later than the PayTrace settlement date",
    Kind.CUTOFF_PERIOD: "Posted in one month, settled in the next (month-end cut-off)",
    Kind.CUTOFF_LATE_SETTLEMENT: "Settled many days after its Sage Pro posting date",
}

CHARGES = ("SALE", "STR/FWD")  # money taken from a card or account
MONEY_MOVING = ("SALE", "STR/FWD", "AUTHORIZATION", "REFUND")


@dataclass(frozen=True)
class TxnFacts:
    """One PayTrace transaction in its current state, as the detectors need it."""

    transaction_id: int
    transaction_type: str
    amount_cents: int
    created_local: datetime  # merchant-local wall clock
    payment_method: str = "CC"
    card_last4: str = ""
    card_brand: str = ""
    customer_key: str = ""  # who paid: vault id, else e-mail, else billing name
    invoice_key: str = ""  # normalised invoice reference ("" when none)
    paytrace_customer_id: str = ""
    settled_local: datetime | None = None
    batch_number: int | None = None

    @property
    def card(self) -> str:
        return f"****{self.card_last4}" if self.card_last4 else "no card shown"


@dataclass(frozen=True)
class Finding:
    kind: Kind
    transaction_id: int  # the transaction the grid shows the flag on
    subject: str  # unique within the kind: the ids or the time bucket it is about
    title: str
    detail: str  # plain words: what was seen, and why it matters
    facts: dict[str, Any] = field(default_factory=dict)
    related_ids: tuple[int, ...] = ()

    @property
    def fingerprint(self) -> str:
        return f"{self.kind.value}:{self.subject}"


@dataclass(frozen=True)
class Thresholds:
    duplicate_window_minutes: int = 10
    outlier_threshold: Decimal = Decimal("3.5")
    outlier_min_history: int = 8
    large_amount_cents: int = 1_000_000
    quiet_hours_start: int = 22
    quiet_hours_end: int = 6
    spike_factor: Decimal = Decimal("3")
    spike_hour_min_count: int = 10
    spike_day_min_count: int = 40
    cutoff_max_days: int = 3
    disabled: frozenset[str] = frozenset()

    def enabled(self, kind: Kind) -> bool:
        return kind.value not in self.disabled


def money(cents: int) -> str:
    return format_money(from_cents(cents))


def when(moment: datetime) -> str:
    return f"{moment:%m/%d/%Y %I:%M %p}"
