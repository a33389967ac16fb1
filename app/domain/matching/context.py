"""What the matching tiers share: the run's indexes and settings, and one payment's facts."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.matching.customers import CustomerDirectory, CustomerResolution
from app.domain.matching.invoice_book import InvoiceBook
from app.domain.matching.model import MatchSettings
from app.domain.matching.references import ReferenceHit
from app.domain.records import Transaction


@dataclass(frozen=True)
class MatchContext:
    book: InvoiceBook
    directory: CustomerDirectory
    settings: MatchSettings
    tolerance_cents: int


@dataclass(frozen=True)
class PaymentFacts:
    """What the engine knows about one payment before it looks at invoices."""

    payment: Transaction
    cents: int
    resolution: CustomerResolution
    references: tuple[ReferenceHit, ...]
