"""One listing of Sage Pro payments by date range, taken before a posting pass, standing in
for the per-posting lookup of a key's first attempt.

Sage Pro (contract v1) filters payments by ``from``/``to`` PaymentDate but takes only one
reference per request, so a pass that would look up 1,000 keys one by one lists the dates
they span instead. A key absent from a complete listing of its date was absent when the
pass began; nothing else posts it meanwhile (the outbox claim is ours), and should a dead
worker's late request land anyway, Sage Pro's 409 on the reference still stops a second
record. Retries never use the snapshot: ``post_once`` looks the key up again before every
one. A range holding far more payments than the pass needs is not listed at all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from app.connectors.sagepro.errors import SageProError
from app.connectors.sagepro.gateway import MAX_PAGE_SIZE, SageProGateway
from app.domain.sagepro_records import Payment

log = logging.getLogger(__name__)

# A listing is worth it while it reads fewer records than this many times the keys it
# answers for (each page of 1,000 costs about one lookup's round trip).
MAX_RECORDS_PER_KEY = 20


@dataclass(frozen=True)
class PaymentSnapshot:
    """Every payment Sage Pro held, at one moment, dated ``date_from``..``date_to``."""

    date_from: date
    date_to: date
    by_reference: dict[str, Payment] = field(default_factory=dict)

    def covers(self, payment_date: date) -> bool:
        return self.date_from <= payment_date <= self.date_to

    def get(self, reference: str) -> Payment | None:
        return self.by_reference.get(reference.strip().upper())


def list_payments_between(
    gateway: SageProGateway, dates: Iterable[date], keys: int
) -> PaymentSnapshot | None:
    """The snapshot for the span of ``dates``, or None when listing it does not pay (too
    many payments in the span) or Sage Pro did not answer (each posting then looks up its
    own key, as it always may)."""
    days = sorted(set(dates))
    if not days or keys <= 0:
        return None
    date_from, date_to = days[0], days[-1]
    limit = max(MAX_PAGE_SIZE, keys * MAX_RECORDS_PER_KEY)
    found: dict[str, Payment] = {}
    number = 1
    try:
        while True:
            page = gateway.list_payments(
                date_from=date_from, date_to=date_to, page=number, page_size=MAX_PAGE_SIZE
            )
            if page.total > limit:
                return None
            for payment in page.items:
                found[payment.reference.strip().upper()] = payment
            if not page.items or not page.has_more:
                break
            number += 1
    except SageProError as exc:
        log.info("listing payments %s..%s: %s; each key is looked up", date_from, date_to, exc)
        return None
    return PaymentSnapshot(date_from, date_to, found)
