"""Declines and voids decided by provenance, not by the row's own ``transaction_type``.

How PayTrace renders a declined or a voided transaction in an export is not verified (the
reference's "Not verified" notes): a decline may read ``DECLINED`` or keep ``SALE`` /
``AUTHORIZATION`` with an empty approval code, and may or may not be listed unfiltered; a
voided sale may read ``VOID`` or keep ``SALE`` with a status change. So: an id PayTrace
returns for the ``DECLINED`` filter is declined, an id returned for ``VOID`` is voided,
whatever its row says; a row seen only unfiltered that carries every decline signal is
declined too. A declined attempt never moved money, so it must never reach the books as paid.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from app.connectors.paytrace.parse_transactions import ParsedExport, ParsedRecord
from app.domain.records import Transaction, TransactionType

FROM_DECLINED_EXPORT = "listed by PayTrace's DECLINED export"
FROM_VOID_EXPORT = "listed by PayTrace's VOID export"
FROM_DECLINE_SIGNALS = "no approval code, a decline message and a decline status code"

# Status codes that mean "declined": PayTrace's response code 102, and the ISO 8583 decline
# codes processors pass through (do not honor, invalid card, lost/stolen, no funds, expired,
# not permitted, over limit, restricted).
DECLINE_STATUS_CODES = frozenset(
    {"102", "05", "14", "41", "43", "51", "54", "57", "61", "62", "65"}
)
# Words PayTrace and processors put in a decline's approval_message.
DECLINE_MESSAGE_WORDS = (
    "DECLINE",
    "EXPIRED CARD",
    "INSUFFICIENT FUNDS",
    "DO NOT HONOR",
    "PICK UP CARD",
    "LOST CARD",
    "STOLEN CARD",
    "INVALID CARD",
    "CALL ISSUER",
)
# Only a charge can be a decline in disguise; refunds and voids carry other signals.
_CHARGE_TYPES = (TransactionType.SALE, TransactionType.AUTHORIZATION, TransactionType.FORCE)


def is_decline_status(status_code: str) -> bool:
    return status_code.strip().upper() in DECLINE_STATUS_CODES


def is_decline_message(approval_message: str) -> bool:
    words = " ".join(approval_message.upper().split())
    return "APPROVED" not in words and any(w in words for w in DECLINE_MESSAGE_WORDS)


def has_every_decline_signal(tx: Transaction) -> bool:
    """A charge row with no approval code, a decline message and a decline status code."""
    return (
        tx.transaction_type in _CHARGE_TYPES
        and not tx.approval_code.strip()
        and is_decline_message(tx.approval_message)
        and is_decline_status(tx.status_code)
    )


def decide(
    record: ParsedRecord, declined_ids: Collection[int], voided_ids: Collection[int]
) -> ParsedRecord:
    """``record`` with the type its provenance gives it; a changed type names its reason.

    A decline wins over a void: either way no money moved, and a decline must never post.
    """
    tx = record.transaction
    if tx.transaction_id in declined_ids:
        wanted, reason = TransactionType.DECLINED, FROM_DECLINED_EXPORT
    elif tx.transaction_id in voided_ids:
        wanted, reason = TransactionType.VOID, FROM_VOID_EXPORT
    elif has_every_decline_signal(tx):
        wanted, reason = TransactionType.DECLINED, FROM_DECLINE_SIGNALS
    else:
        return record
    if tx.transaction_type == wanted:
        return record
    return replace(record, transaction=replace(tx, transaction_type=wanted), provenance=reason)


def decide_by_provenance(chunks: Mapping[str | None, ParsedExport]) -> ParsedExport:
    """One export from the same days' answers per filter (``None`` = unfiltered,
    ``"DECLINED"``, ``"VOID"``): unique by id, first seen wins, each type decided."""
    declined_ids = _ids(chunks.get(TransactionType.DECLINED.value))
    voided_ids = _ids(chunks.get(TransactionType.VOID.value))
    result = ParsedExport()
    seen: set[int] = set()
    for chunk in chunks.values():
        for record in chunk.records:
            if record.transaction.transaction_id not in seen:
                seen.add(record.transaction.transaction_id)
                result.records.append(decide(record, declined_ids, voided_ids))
        result.errors.extend(chunk.errors)
    return result


def _ids(chunk: ParsedExport | None) -> set[int]:
    return {r.transaction.transaction_id for r in chunk.records} if chunk else set()
