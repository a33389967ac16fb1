"""Cut-off mismatches between the PayTrace settlement (batch) date and the Sage Pro posting
date of the same money.

A sale is posted to Sage Pro on its merchant-local date and settles in the batch of that
evening or the next. Three shapes are wrong or worth knowing before month end:

- posted *after* it settled: the posting date was shifted (a UTC date used for an evening
  sale, or a cut-off setting), so the day's clearing account does not net to zero;
- posted in one month and settled in the next: the card clearing account carries the money
  across the period end — expected for late sales, but the bookkeeper reconciles it;
- settled more than N days after posting: the batch is late or the posting date is wrong.

The posting date is the one queued for Sage Pro (the payment's PaymentDate) when there is
one, else the merchant-local date it will be posted with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from app.domain.anomalies.model import Finding, Kind, TxnFacts, money

_TYPES = ("SALE", "STR/FWD", "REFUND")


def find_cutoff_mismatches(
    txns: Iterable[TxnFacts],
    posting_dates: Mapping[int, date],
    batch_dates: Mapping[int, date],
    max_days: int,
) -> list[Finding]:
    findings = []
    for t in txns:
        if t.transaction_type not in _TYPES:
            continue
        settled = batch_dates.get(t.batch_number) if t.batch_number is not None else None
        settled = settled or (t.settled_local.date() if t.settled_local else None)
        if settled is None:
            continue
        queued = t.transaction_id in posting_dates
        posted = posting_dates.get(t.transaction_id) or t.created_local.date()
        source = "Sage Pro posting date" if queued else "date it will be posted with"
        batch = f"batch {t.batch_number}" if t.batch_number is not None else "its batch"
        facts = {"posting_date": posted.isoformat(), "batch_date": settled.isoformat()}
        head = (
            f"Transaction {t.transaction_id} ({money(t.amount_cents)}, PayTrace date "
            f"{t.created_local:%m/%d/%Y}): {source} {posted:%m/%d/%Y}, settled in {batch} on "
            f"{settled:%m/%d/%Y}. "
        )
        if posted > settled:
            findings.append(
                Finding(
                    Kind.CUTOFF_AFTER_BATCH,
                    t.transaction_id,
                    str(t.transaction_id),
                    f"Posted {posted:%m/%d} but settled {settled:%m/%d}: date shifted",
                    head + "Money cannot be posted after it settled: the posting date was "
                    "shifted, most likely by a time-zone conversion (UTC instead of the "
                    "merchant's local date) or a cut-off setting. Check the mapping's "
                    "PaymentDate; the clearing account will not net to zero for that day.",
                    facts,
                )
            )
            continue
        if (posted.year, posted.month) != (settled.year, settled.month):
            findings.append(
                Finding(
                    Kind.CUTOFF_PERIOD,
                    t.transaction_id,
                    str(t.transaction_id),
                    f"Month-end cut-off: posted {posted:%m/%d}, settled {settled:%m/%d}",
                    head + "The payment lands in one month and its settlement in the next, so "
                    "the card clearing account carries it across the period end. Expected for "
                    "late sales; reconcile clearing with this in mind before closing the month.",
                    facts,
                )
            )
        if (settled - posted).days > max_days:
            findings.append(
                Finding(
                    Kind.CUTOFF_LATE_SETTLEMENT,
                    t.transaction_id,
                    str(t.transaction_id),
                    f"Settled {(settled - posted).days} days after posting",
                    head + f"Settlement normally follows within a day or two (alert after "
                    f"{max_days}); either the batch was held or the posting date is wrong.",
                    facts,
                )
            )
    return findings
