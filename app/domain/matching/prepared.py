"""The facts of one run's payments, computed set-wise: once per distinct value, not per payment.

Payers repeat themselves: the same description ("card", "web payment"), the same
reference list, the same PayTrace customer, e-mail and billing name on many payments. Each
reference field is factorised (pandas: one C hash pass over the column) and read once per
distinct text; who paid is resolved once per distinct (PayTrace customer, e-mail, billing
name). The per-payment work left is gluing those results together. The answers are the
ones ``extract_references`` and ``CustomerDirectory.resolve`` give for each payment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from app.domain.matching.context import MatchContext, PaymentFacts
from app.domain.matching.customers import CustomerResolution
from app.domain.matching.invoice_book import cents_column
from app.domain.matching.references import (
    ReferenceHit,
    ReferenceSource,
    field_hits,
    strongest_hits,
)
from app.domain.records import Transaction

FactsOf = Callable[[int], PaymentFacts]


class PreparedPayments:
    """References and customer resolution of every payment, read once per distinct value."""

    def __init__(self, payments: Sequence[Transaction], ctx: MatchContext) -> None:
        self._payments = payments
        min_length = ctx.settings.min_reference_length
        columns = (
            ("invoice_id", ReferenceSource.INVOICE_ID, True),
            ("customer_reference_id", ReferenceSource.CUSTOMER_REFERENCE, True),
            ("description", ReferenceSource.DESCRIPTION, False),
        )
        codes_per_column: list[list[int]] = []
        reads_per_column: list[list[list[ReferenceHit]]] = []
        for name, source, can_be_hard in columns:
            values = pd.Series([getattr(p, name) for p in payments], dtype=object)
            codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=False)
            codes_per_column.append(codes.tolist())
            reads_per_column.append(
                [field_hits(text, source, min_length, can_be_hard) for text in uniques]
            )
        first, second, third = reads_per_column
        combined: dict[tuple[int, int, int], tuple[ReferenceHit, ...]] = {}
        self.references: list[tuple[ReferenceHit, ...]] = []
        for key in zip(*codes_per_column, strict=True):
            hits = combined.get(key)
            if hits is None:
                a, b, c = key
                hits = combined[key] = strongest_hits([*first[a], *second[b], *third[c]])
            self.references.append(hits)
        resolved: dict[tuple[str, str, str], CustomerResolution] = {}
        self.resolutions: list[CustomerResolution] = []
        for payment in payments:
            payer = (payment.customer_id, payment.email, payment.billing_name)
            resolution = resolved.get(payer)
            if resolution is None:
                resolution = resolved[payer] = ctx.directory.resolve(payment)
            self.resolutions.append(resolution)
        self.cents = cents_column([payment.amount for payment in payments])
        self._cents: list[int] = self.cents.tolist()

    def facts(self, position: int) -> PaymentFacts:
        payment = self._payments[position]
        return PaymentFacts(
            payment=payment,
            cents=self._cents[position],
            resolution=self.resolutions[position],
            references=self.references[position],
        )
