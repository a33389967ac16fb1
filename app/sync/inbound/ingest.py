"""Store fetched PayTrace transactions: upsert by id, keep every raw version, record status
history, and flag changes to what was already posted — all in the caller's transaction, so
the sync cursor moves in the same commit as the rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, Table, bindparam, or_, select, update
from sqlalchemy.orm import Session

from app.connectors.paytrace.parse_transactions import ParsedRecord
from app.domain.cycle_collector import cycle_collector_paused
from app.domain.records import ParseError, TransactionType
from app.store import audit
from app.store.bulk_insert import JsonText, insert_rows
from app.store.grid_sort_keys import refresh_sort_keys
from app.store.models import (
    Base,
    ExceptionItem,
    OutboxItem,
    PayTraceTransaction,
    Proposal,
    RawRecord,
    SyncCursor,
    TransactionEvent,
)
from app.store.transactions import (
    SIGNIFICANT_FIELDS,
    content_hash,
    describe_changes,
    payload_json,
    row_values,
)
from app.sync.outbox.effects import REVERSAL_KIND

SOURCE = "paytrace.transaction"
CHUNK = 2000
# A new transaction's history entry: one encoded value shared by every new row.
_FIRST_SEEN = JsonText(json.dumps({"first_seen": True}))
# Proposals and outbox rows that a significant change makes obsolete.
_OPEN_PROPOSALS = ("proposed", "review", "approved")


@dataclass
class IngestCounts:
    fetched: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    changed_after_posting: int = 0
    parse_errors: int = 0
    new_ids: list[int] = field(default_factory=list)

    def add(self, other: IngestCounts) -> None:
        for name in ("fetched", "new", "changed", "unchanged", "changed_after_posting"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.parse_errors += other.parse_errors
        self.new_ids.extend(other.new_ids)


def _table(model: type[Base]) -> Table:
    """The Core table, for plain executemany inserts (``bulk_insert``: no ORM, no per-row
    parameter processing)."""
    return Base.metadata.tables[model.__tablename__]


def set_cursor(
    session: Session,
    name: str,
    cursor_date: date | None,
    now: datetime,
    cursor_at: datetime | None = None,
) -> None:
    row = session.get(SyncCursor, name)
    if row is None:
        session.add(
            SyncCursor(name=name, cursor_date=cursor_date, cursor_at=cursor_at, updated_at=now)
        )
    else:
        row.cursor_date = cursor_date
        row.cursor_at = cursor_at
        row.updated_at = now


def get_cursor(session: Session, name: str) -> SyncCursor | None:
    return session.get(SyncCursor, name)


def ingest_transactions(
    session: Session,
    records: Sequence[ParsedRecord],
    errors: Sequence[ParseError] = (),
    *,
    now: datetime,
    tz: ZoneInfo | None = None,
) -> IngestCounts:
    counts = IngestCounts(fetched=len(records) + len(errors))
    # The same id may come twice (e.g. two day chunks); the last version wins.
    unique = {r.transaction.transaction_id: r for r in records}
    items = list(unique.values())
    with cycle_collector_paused():
        for start in range(0, len(items), CHUNK):
            counts.add(_ingest_chunk(session, items[start : start + CHUNK], now, tz))
    counts.parse_errors = record_parse_errors(session, errors, now)
    return counts


def _ingest_chunk(
    session: Session, chunk: Sequence[ParsedRecord], now: datetime, tz: ZoneInfo | None
) -> IngestCounts:
    counts = IngestCounts()
    existing, known_raw = _stored_state(session, [r.transaction.transaction_id for r in chunk])
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    raws: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for record in chunk:
        tx = record.transaction
        digest = content_hash(record.hashed_content())
        old = existing.get(tx.transaction_id)
        if old is not None and old["content_hash"] == digest:
            counts.unchanged += 1
            continue
        values = row_values(tx, digest, tz)
        if (str(tx.transaction_id), digest) not in known_raw:
            raws.append(
                {
                    "source": SOURCE,
                    "source_id": str(tx.transaction_id),
                    "content_hash": digest,
                    "payload": payload_json(record.raw),
                    "fetched_at": now,
                }
            )
        if old is None:
            counts.new += 1
            counts.new_ids.append(tx.transaction_id)
            bookkeeping = {
                "match_status": "unmatched",
                "first_seen_at": now,
                "last_changed_at": now,
            }
            inserts.append({**values, **bookkeeping})
            events.append(_event(now, None, values, _FIRST_SEEN))
            continue
        counts.changed += 1
        changes = describe_changes(old, values)
        update_row = {**values, "last_changed_at": now}
        if any(name in changes for name in SIGNIFICANT_FIELDS):
            status = _react_to_change(session, tx.transaction_id, old, changes, now)
            update_row["match_status"] = status
            if status == "changed_after_posting":
                counts.changed_after_posting += 1
        updates.append(update_row)
        events.append(_event(now, old, values, changes))
    insert_rows(session, _table(RawRecord), raws)
    insert_rows(session, _table(PayTraceTransaction), inserts)
    if updates:
        session.execute(update(PayTraceTransaction), updates)
        # A changed record may carry another billing name or card: its proposals' grid keys
        # follow (a few changed rows per sync; new transactions have no proposals yet).
        refresh_sort_keys(session, transaction_ids=[row["transaction_id"] for row in updates])
    insert_rows(session, _table(TransactionEvent), events)
    return counts


def _stored_state(
    session: Session, ids: list[int]
) -> tuple[dict[int, dict[str, Any]], set[tuple[str, str]]]:
    """What is stored of these transactions (the columns a change is judged by) and which
    of their raw versions (source id, content hash) are kept already."""
    columns = [
        PayTraceTransaction.transaction_id,
        PayTraceTransaction.content_hash,
        PayTraceTransaction.match_status,
        *(getattr(PayTraceTransaction, f) for f in SIGNIFICANT_FIELDS),
        PayTraceTransaction.settled_local,
        PayTraceTransaction.batch_number,
    ]
    # One expanding parameter, not 2,000 literals for SQLAlchemy to coerce one by one.
    ids_param: BindParameter[Any] = bindparam("ids", expanding=True)
    existing = {
        row.transaction_id: row._asdict()
        for row in session.execute(
            select(*columns).where(PayTraceTransaction.transaction_id.in_(ids_param)),
            {"ids": ids},
        )
    }
    known_raw = session.execute(
        select(RawRecord.source_id, RawRecord.content_hash).where(
            RawRecord.source == SOURCE, RawRecord.source_id.in_(ids_param)
        ),
        {"ids": [str(i) for i in ids]},
    )
    return existing, {(source_id, digest) for source_id, digest in known_raw}


def _event(
    now: datetime, old: dict[str, Any] | None, values: dict[str, Any], changes: Any
) -> dict[str, Any]:
    """A status-history row: what the transaction was (nothing when new) and what it is."""
    return {
        "transaction_id": values["transaction_id"],
        "at": now,
        "old_type": old["transaction_type"] if old else None,
        "new_type": values["transaction_type"],
        "old_hash": old["content_hash"] if old else None,
        "new_hash": values["content_hash"],
        "changes": changes,
    }


def _react_to_change(
    session: Session,
    transaction_id: int,
    old: dict[str, Any],
    changes: dict[str, Any],
    now: datetime,
) -> str:
    """The new match status after a significant change, with its side effects.

    Posted → a "changed after posting" item (the books are never silently rewritten).
    Proposed or approved but not yet posted → the stale proposal and its pending outbox
    rows are withdrawn and the transaction goes back through matching.
    """
    # Withdraw what waits to be sent (never a queued payment reversal: Sage Pro holds that
    # payment) whichever way the transaction stands, then see whether Sage Pro has it.
    withdrawn = _withdraw_waiting_work(session, transaction_id, changes, now)
    if old["match_status"] in ("posted", "changed_after_posting") or _reached_sage_pro(
        session, transaction_id
    ):
        # By the books, not by match_status alone: an unreconciled payment (back in review)
        # or one with a reversal waiting is still in Sage Pro.
        words = ", ".join(
            f"{k} {v[0]!r} → {v[1]!r}" for k, v in changes.items() if k in SIGNIFICANT_FIELDS
        )
        title = f"PayTrace transaction {transaction_id} changed after it was posted"
        detail = (
            f"PayTrace now reports: {words}. Sage Pro still has the original posting; "
            "review the proposed reversal or adjust it by hand."
        )
        if _became(changes, TransactionType.DECLINED):
            # The books say paid for money that never moved: a person must undo it.
            title = f"PayTrace transaction {transaction_id} was declined but posted as paid"
            detail = (
                f"PayTrace lists transaction {transaction_id} as declined, but its payment was "
                "already posted to Sage Pro. No money moved: check it in PayTrace, then approve "
                "the payment reversal waiting in Reconciliation (it opens the invoice again). "
                "Paysage does not reverse it on its own."
            )
        session.add(
            ExceptionItem(
                category="changed_after_posting",
                reason_code=_change_code(changes),
                title=title,
                detail=detail,
                payload={"changes": changes},
                transaction_id=transaction_id,
                created_at=now,
            )
        )
        audit.record(
            session,
            "changed_after_posting",
            "transaction",
            transaction_id,
            before={"match_status": old["match_status"]},
            after={"changes": changes},
        )
        return "changed_after_posting"
    if withdrawn or old["match_status"] != "unmatched":
        audit.record(
            session,
            "withdrawn_before_posting",
            "transaction",
            transaction_id,
            before={"match_status": old["match_status"]},
            after={"changes": changes, "discarded_outbox": list(withdrawn)},
        )
    return "unmatched"


def _reached_sage_pro(session: Session, transaction_id: int) -> bool:
    """Whether a payment of the transaction was posted (reversed or not), or a reversal of one
    is queued or posted."""
    found = session.execute(
        select(OutboxItem.id)
        .where(
            OutboxItem.transaction_id == transaction_id,
            or_(
                (OutboxItem.kind == "payment") & (OutboxItem.status == "posted"),
                (OutboxItem.kind == REVERSAL_KIND) & (OutboxItem.status != "discarded"),
            ),
        )
        .limit(1)
    ).first()
    return found is not None


def _withdraw_waiting_work(
    session: Session, transaction_id: int, changes: dict[str, Any], now: datetime
) -> list[str]:
    """Supersede the transaction's open proposals and discard its postings still waiting to
    be sent; returns the discarded keys. A reversal (proposal or queued row) stays: it takes
    back a payment Sage Pro holds, whatever PayTrace says now."""
    session.execute(
        update(Proposal)
        .where(
            Proposal.transaction_id == transaction_id,
            Proposal.status.in_(_OPEN_PROPOSALS),
            Proposal.kind != "reversal",
        )
        .values(status="superseded", decided_at=now, decided_by="system")
    )
    stale = OutboxItem.status == "pending"
    if _became(changes, TransactionType.DECLINED):
        # A decline never moved money: not even a dead letter of it may be retried into the
        # books (a declined PayTrace charge's own dead letter stays: a person may retry it).
        stale |= (OutboxItem.status == "dead") & (OutboxItem.target == "sagepro")
    discarded = session.execute(
        update(OutboxItem)
        .where(OutboxItem.transaction_id == transaction_id, OutboxItem.kind != REVERSAL_KIND, stale)
        .values(
            status="discarded",
            last_error="Withdrawn: the PayTrace transaction changed before it was posted.",
        )
        .returning(OutboxItem.id, OutboxItem.key)
    ).all()
    if discarded:
        # Their dead-letter items must not offer a Retry any more.
        session.execute(
            update(ExceptionItem)
            .where(
                ExceptionItem.outbox_id.in_([row.id for row in discarded]),
                ExceptionItem.status == "open",
            )
            .values(
                status="discarded",
                resolved_at=now,
                resolved_by="system",
                resolution_note="PayTrace changed the transaction (e.g. declined) before it "
                "was posted: nothing to post.",
            )
        )
    return [row.key for row in discarded]


def _became(changes: dict[str, Any], kind: TransactionType) -> bool:
    return "transaction_type" in changes and changes["transaction_type"][1] == kind.value


def _change_code(changes: dict[str, Any]) -> str:
    if "transaction_type" in changes:
        return f"became_{str(changes['transaction_type'][1]).lower()}"
    if "amount_cents" in changes:
        return "amount_changed"
    return "details_changed"


def record_parse_errors(session: Session, errors: Iterable[ParseError], now: datetime) -> int:
    """One open exceptions item per unparseable record (not repeated on every poll)."""
    count = 0
    for error in errors:
        count += 1
        code = f"parse:{error.field}"[:40]
        title = f"PayTrace record {error.transaction_id or '(no id)'} could not be read"
        exists = session.execute(
            select(ExceptionItem.id).where(
                ExceptionItem.category == "parse_error",
                ExceptionItem.status == "open",
                ExceptionItem.reason_code == code,
                ExceptionItem.title == title,
            )
        ).first()
        if exists:
            continue
        session.add(
            ExceptionItem(
                category="parse_error",
                reason_code=code,
                title=title,
                detail=f"Field {error.field!r}: {error.message}. The record waits here; the rest "
                "of the sync went on.",
                payload={"raw": error.raw},
                created_at=now,
            )
        )
    return count
