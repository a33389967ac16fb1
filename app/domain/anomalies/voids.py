"""Voids after settlement (PayTrace error 818: only transactions pending settlement can be
voided).

How the app can know: PayTrace's export shows a VOID row only when a void succeeded, and it
refuses to void a settled sale — so a refused void never shows in the export at all. Two
signals remain, and both are used:

1. Our own history: a transaction we once saw settled (a ``settled`` time or a batch number
   in an earlier version) whose row later reads VOID. PayTrace should never allow this; when
   it shows up, the settlement batch, the clearing account and any posted payment disagree.
2. The app's own void attempts (the collect flow) that PayTrace refused with error 818: the
   bookkeeper tried to void money that had already settled and must refund it instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.domain.anomalies.model import Finding, Kind, TxnFacts, money, when


@dataclass(frozen=True)
class HistoryStep:
    """One change of a transaction seen by the poller."""

    at: datetime
    new_type: str
    settled_before: bool  # the version before this change carried settlement data
    settled_after: bool


@dataclass(frozen=True)
class VoidRefusal:
    """A void the app asked PayTrace for, refused because the sale had settled."""

    transaction_id: int
    at: datetime
    outcome: str  # what became of the request, in plain words


def _settled_before_void(txn: TxnFacts, steps: Sequence[HistoryStep]) -> bool:
    seen_settled = False
    for step in sorted(steps, key=lambda s: s.at):
        if step.new_type == "VOID":
            return seen_settled or step.settled_before
        seen_settled = seen_settled or step.settled_before or step.settled_after
    # No recorded transition (first seen already VOID): its own settlement data tells.
    return seen_settled or txn.settled_local is not None or txn.batch_number is not None


def find_voids_after_settlement(
    txns: Iterable[TxnFacts],
    history: Mapping[int, Sequence[HistoryStep]],
    refusals: Iterable[VoidRefusal] = (),
) -> list[Finding]:
    findings = []
    by_id: dict[int, TxnFacts] = {}
    for t in txns:
        by_id[t.transaction_id] = t
        if t.transaction_type != "VOID":
            continue
        if not _settled_before_void(t, history.get(t.transaction_id, ())):
            continue
        batch = f" in batch {t.batch_number}" if t.batch_number else ""
        findings.append(
            Finding(
                Kind.VOID_AFTER_SETTLEMENT,
                t.transaction_id,
                str(t.transaction_id),
                f"Voided after it settled: {money(t.amount_cents)} on {t.card}",
                f"Transaction {t.transaction_id} ({money(t.amount_cents)}, "
                f"{when(t.created_local)}) had settled{batch}, and PayTrace now shows it as "
                "VOID. PayTrace only voids unsettled transactions (error 818), so the "
                "settlement batch, the card clearing account and any payment posted for it "
                "no longer agree. Ask PayTrace what happened; a settled sale is given back "
                "with a refund.",
                {"batch_number": t.batch_number},
            )
        )
    for refusal in refusals:
        txn = by_id.get(refusal.transaction_id)
        amount = f" ({money(txn.amount_cents)})" if txn else ""
        findings.append(
            Finding(
                Kind.VOID_REFUSED_SETTLED,
                refusal.transaction_id,
                f"{refusal.transaction_id}:{refusal.at.isoformat()}",
                f"Void refused: transaction {refusal.transaction_id} had already settled",
                f"On {when(refusal.at)} Paysage asked PayTrace to void transaction "
                f"{refusal.transaction_id}{amount}; PayTrace refused with error 818 (only "
                "transactions pending settlement can be voided): the money had already "
                f"settled, so it can only be given back with a refund. {refusal.outcome} "
                "A void that comes too late usually means the sale should not have run: "
                "check why it was made.",
                {"outcome": refusal.outcome},
            )
        )
    return findings
