"""The stand-in's in-memory PayTrace account and its state rules.

void only while pending settlement (818), refund only after settlement (817), capture only
an approved, uncaptured authorization (816), unknown ids 811, unknown customers 30,
duplicate customer ids 171, declines at 0.29 ("EXPIRED CARD") and 1.12. Every method runs
under one lock; the HTTP server also serialises requests.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.sandbox.paytrace import codes
from app.sandbox.paytrace.codes import RuleError
from app.sandbox.paytrace.state import (
    Batch,
    Recurrence,
    StoredCard,
    StoredTransaction,
    VaultProfile,
)

DECLINE_AMOUNTS = {Decimal("0.29"): "EXPIRED CARD", Decimal("1.12"): "DECLINED"}
# PayTrace frequency codes → days between charges (approximate months: a stand-in only).
FREQUENCY_DAYS = {1: 365, 8: 182, 2: 91, 9: 61, 3: 30, 4: 14, 7: 15, 5: 7, 6: 1}
EXPORT_FILTERS = (
    "SALE", "AUTHORIZATION", "STR/FWD", "REFUND", "VOID", "SETTLED", "PENDING", "DECLINED"
)  # fmt: skip


@dataclass
class ChargeDetails:
    invoice_id: str = ""
    description: str = ""
    customer_reference_id: str = ""
    email: str = ""
    tax_amount: Decimal | None = None
    billing: dict[str, str] = field(default_factory=dict)
    discretionary_data: dict[str, Any] = field(default_factory=dict)
    csc_given: bool = False


class PayTraceStore:
    def __init__(
        self,
        now: Callable[[], datetime],
        *,
        first_transaction_id: int = 90_000_001,
        first_batch_number: int = 1001,
        seed: int = 0,
    ) -> None:
        self.now = now
        self.lock = threading.RLock()
        self.transactions: dict[int, StoredTransaction] = {}
        self.profiles: dict[str, VaultProfile] = {}
        self.batches: dict[int, Batch] = {}
        self.recurrences: dict[int, Recurrence] = {}
        self.next_transaction_id = first_transaction_id
        self.next_batch_number = first_batch_number
        self.next_recurrence_id = 5001
        self._rng = random.Random(seed)

    # -- lookups -------------------------------------------------------------------------

    def get(self, transaction_id: int) -> StoredTransaction:
        txn = self.transactions.get(transaction_id)
        if txn is None:
            raise RuleError(codes.ID_NOT_FOUND)
        return txn

    def profile(self, customer_id: str) -> VaultProfile:
        profile = self.profiles.get(customer_id)
        if profile is None:
            raise RuleError(codes.CUSTOMER_NOT_FOUND)
        return profile

    def add(self, txn: StoredTransaction) -> StoredTransaction:
        with self.lock:
            self.transactions[txn.transaction_id] = txn
            self.next_transaction_id = max(self.next_transaction_id, txn.transaction_id + 1)
            return txn

    def _new_id(self) -> int:
        self.next_transaction_id += self._rng.randint(1, 7)
        return self.next_transaction_id - 1

    # -- money ---------------------------------------------------------------------------

    def charge(
        self,
        kind: str,
        amount: Decimal,
        card: StoredCard,
        details: ChargeDetails,
        *,
        customer_id: str = "",
        recurrence_id: int | None = None,
    ) -> StoredTransaction:
        """A sale or authorization; declined (kept as a DECLINED row) at 0.29 and 1.12."""
        with self.lock:
            decline = DECLINE_AMOUNTS.get(amount)
            has_address = bool(details.billing.get("street_address") and details.billing.get("zip"))
            txn = StoredTransaction(
                transaction_id=self._new_id(),
                kind="DECLINED" if decline else kind,
                amount=amount,
                created=self.now(),
                card=card,
                customer_id=customer_id,
                invoice_id=details.invoice_id,
                description=details.description,
                customer_reference_id=details.customer_reference_id,
                email=details.email,
                tax_amount=details.tax_amount,
                billing=dict(details.billing),
                discretionary_data=dict(details.discretionary_data),
                approval_code="" if decline else f"TAS{self._rng.randint(100, 999)}",
                approval_message=(
                    f"  {decline}" if decline else "  NO  MATCH - Approved and completed"
                ),
                avs_response="Full Exact Match" if has_address else "Not Processed",
                csc_response="Match" if details.csc_given else "",
                status_code=f"GB{self._rng.randint(100, 999)}",
                recurrence_id=recurrence_id,
                declined_kind=kind,
            )
            if decline:
                txn.status_code = codes.DECLINE_STATUS_CODE
            return self.add(txn)

    def void(self, transaction_id: int) -> StoredTransaction:
        with self.lock:
            txn = self.get(transaction_id)
            pending_type = txn.export_type in ("SALE", "REFUND", "AUTHORIZATION")
            if not pending_type or txn.settled is not None:
                raise RuleError(codes.ONLY_PENDING_VOID)
            txn.voided = True
            return txn

    def capture(self, transaction_id: int, amount: Decimal | None) -> StoredTransaction:
        with self.lock:
            txn = self.get(transaction_id)
            if txn.export_type != "AUTHORIZATION":
                raise RuleError(codes.ONLY_OPEN_AUTHORIZATIONS_CAPTURE)
            if amount is not None and amount > txn.amount:
                raise RuleError(
                    codes.INVALID_AMOUNT, "The capture amount exceeds the authorization."
                )
            txn.captured = True
            txn.amount = amount if amount is not None else txn.amount
            return txn

    def refund_transaction(self, transaction_id: int, amount: Decimal | None) -> StoredTransaction:
        with self.lock:
            original = self.get(transaction_id)
            if original.export_type != "SALE" or original.settled is None:
                raise RuleError(codes.ONLY_SETTLED_REFUND)
            refundable = original.amount - original.refunded_amount
            refund_amount = refundable if amount is None else amount
            if refund_amount <= 0 or refund_amount > refundable:
                raise RuleError(codes.INVALID_AMOUNT, "The refund amount exceeds what is left.")
            original.refunded_amount += refund_amount
            # Its own row: the original's invoice, customer and card, but nothing naming it.
            return self.add(
                StoredTransaction(
                    transaction_id=self._new_id(),
                    kind="REFUND",
                    amount=refund_amount,
                    created=self.now(),
                    card=original.card,
                    check=original.check,
                    customer_id=original.customer_id,
                    invoice_id=original.invoice_id,
                    email=original.email,
                    billing=dict(original.billing),
                    status_code=f"GB{self._rng.randint(100, 999)}",
                )
            )

    def refund_to(
        self, amount: Decimal, card: StoredCard, details: ChargeDetails, customer_id: str
    ) -> StoredTransaction:
        with self.lock:
            txn = StoredTransaction(
                transaction_id=self._new_id(),
                kind="REFUND",
                amount=amount,
                created=self.now(),
                card=card,
                customer_id=customer_id,
                invoice_id=details.invoice_id,
                description=details.description,
                customer_reference_id=details.customer_reference_id,
                email=details.email,
                billing=dict(details.billing),
                status_code=f"GB{self._rng.randint(100, 999)}",
            )
            return self.add(txn)

    def settle(self, at: datetime | None = None) -> Batch | None:
        """Every pending transaction into a new batch; None when nothing was pending."""
        with self.lock:
            pending = [t for t in self.transactions.values() if t.pending_settlement]
            if not pending:
                return None
            batch = Batch(self.next_batch_number, at or self.now())
            self.next_batch_number += 1
            for txn in sorted(pending, key=lambda t: t.transaction_id):
                txn.settled = batch.settled
                txn.batch_number = batch.number
                batch.transaction_ids.append(txn.transaction_id)
            self.batches[batch.number] = batch
            return batch

    def batch(self, number: int) -> Batch:
        batch = self.batches.get(number)
        if batch is None:
            raise RuleError(codes.ID_NOT_FOUND, "The batch number could not be found.")
        return batch

    # -- vault and recurrences -----------------------------------------------------------

    def create_profile(self, profile: VaultProfile) -> VaultProfile:
        with self.lock:
            if profile.customer_id in self.profiles:
                raise RuleError(codes.CUSTOMER_ID_NOT_UNIQUE)
            self.profiles[profile.customer_id] = profile
            return profile

    def delete_profile(self, customer_id: str) -> None:
        with self.lock:
            self.profile(customer_id)
            del self.profiles[customer_id]

    def create_recurrence(self, recurrence: Recurrence) -> Recurrence:
        with self.lock:
            self.profile(recurrence.customer_id)
            recurrence.recurrence_id = self.next_recurrence_id
            self.next_recurrence_id += 1
            self.recurrences[recurrence.recurrence_id] = recurrence
            return recurrence

    def delete_recurrence(self, recurrence_id: int) -> None:
        with self.lock:
            if self.recurrences.pop(recurrence_id, None) is None:
                raise RuleError(codes.ID_NOT_FOUND, "The recurrence could not be found.")

    def run_recurrences(self, today: date) -> list[StoredTransaction]:
        """Charge every recurrence whose next date has come (the stand-in's scheduler)."""
        made = []
        with self.lock:
            for rec in list(self.recurrences.values()):
                period = timedelta(days=FREQUENCY_DAYS.get(rec.frequency, 30))
                while (
                    rec.charged < rec.total_count and rec.start_date + rec.charged * period <= today
                ):
                    profile = self.profiles.get(rec.customer_id)
                    if profile is None:
                        break
                    rec.charged += 1
                    details = ChargeDetails(description=rec.description, email=profile.email)
                    made.append(
                        self.charge(
                            "SALE",
                            rec.amount,
                            profile.card,
                            details,
                            customer_id=rec.customer_id,
                            recurrence_id=rec.recurrence_id,
                        )
                    )
        return made

    # -- exports -------------------------------------------------------------------------

    def export(
        self,
        start: date,
        end: date,
        transaction_type: str = "",
        customer_id: str = "",
        including_text: str = "",
        *,
        declined_in_unfiltered: bool = False,
    ) -> list[StoredTransaction]:
        """Rows created on merchant-local days start..end, filtered as the reference says
        (filters go by the transaction's state, whatever shape its row is rendered in)."""
        if transaction_type and transaction_type not in EXPORT_FILTERS:
            raise RuleError(
                codes.INVALID_DATE_OR_FILTER, "Please provide a valid transaction type."
            )
        needle = including_text.lower()
        with self.lock:
            rows = []
            for txn in self.transactions.values():
                if not start <= txn.created.date() <= end:
                    continue
                if customer_id and txn.customer_id != customer_id:
                    continue
                if not _type_matches(txn, transaction_type, declined_in_unfiltered):
                    continue
                if needle and not any(
                    needle in text.lower()
                    for text in (txn.invoice_id, txn.description, txn.customer_reference_id)
                ):
                    continue
                rows.append(txn)
            return sorted(rows, key=lambda t: t.transaction_id)


def _type_matches(txn: StoredTransaction, wanted: str, declined_in_unfiltered: bool) -> bool:
    shown = txn.export_type
    if not wanted:
        # Declines come only when asked for by name, unless the switch says otherwise.
        return declined_in_unfiltered or shown != "DECLINED"
    if wanted == "PENDING":
        return txn.pending_settlement
    if wanted == "SETTLED":
        return txn.settled is not None
    return shown == wanted
