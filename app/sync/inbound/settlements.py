"""Settlement batches and vault profiles: store them, and queue what they mean for the books
(a clearing → bank journal entry per settled batch; the card link on the Sage Pro customer).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Profile
from app.domain.money import from_cents, to_cents
from app.domain.records import CustomerProfile, SettlementBatch
from app.store.models import (
    CustomerProfileRow,
    ExceptionItem,
    PayTraceTransaction,
    SageProCustomer,
    SettlementBatchRow,
)
from app.store.transactions import content_hash
from app.sync.outbox.effects import (
    customer_update_spec,
    sequence_of,
    settlement_fees,
    settlement_spec,
)
from app.sync.outbox.mapping_bridge import active_record_mapper
from app.sync.review.approval import RecordMapper, ReviewError, write_outbox


def store_batches(session: Session, batches: Sequence[SettlementBatch], now: datetime) -> int:
    changed = 0
    for batch in batches:
        values = {
            "created_local": batch.created_local,
            "transaction_count": batch.transaction_count,
            "sales_count": batch.sales_count,
            "sales_cents": to_cents(batch.sales_amount),
            "refund_count": batch.refund_count,
            "refund_cents": to_cents(batch.refund_amount),
            "net_cents": to_cents(batch.net_amount),
        }
        digest = content_hash({k: str(v) for k, v in values.items()})
        row = session.get(SettlementBatchRow, batch.number)
        if row is None:
            session.add(
                SettlementBatchRow(
                    number=batch.number, content_hash=digest, status="new", updated_at=now, **values
                )
            )
            changed += 1
        elif row.content_hash != digest:
            for key, value in values.items():
                setattr(row, key, value)
            row.content_hash = digest
            row.updated_at = now
            if row.status == "mismatch":
                row.status = "new"
            changed += 1
    return changed


# How far back a missing batch may pull the batch export's window (a batch PayTrace never
# lists must not make every cycle read its whole history).
BATCH_CATCH_UP = timedelta(days=90)


def batch_window_start(session: Session, start: date) -> date:
    """Where this cycle's settlement-batch export starts: the transactions' window, widened
    back to the earliest transaction whose batch the store does not hold yet.

    The transactions cursor moves with each day's rows, but batches are read after all the
    days; a crash (or a failed batch export) in between would otherwise leave batches older
    than the look-back unread for ever, and their journal entries unposted."""
    numbers = (
        select(PayTraceTransaction.batch_number)
        .where(PayTraceTransaction.batch_number.is_not(None))
        .distinct()
        .subquery()
    )
    missing = (
        select(numbers.c.batch_number)
        .outerjoin(SettlementBatchRow, SettlementBatchRow.number == numbers.c.batch_number)
        .where(SettlementBatchRow.number.is_(None))
    )
    earliest = session.execute(
        select(func.min(PayTraceTransaction.merchant_date)).where(
            PayTraceTransaction.batch_number.in_(missing)
        )
    ).scalar_one()
    if earliest is None:
        return start
    return min(start, max(earliest, start - BATCH_CATCH_UP))


def batch_totals(session: Session, number: int) -> dict[str, int]:
    """What our own copy of the batch's transactions adds up to, per type and method."""
    rows = session.execute(
        select(
            PayTraceTransaction.transaction_type,
            PayTraceTransaction.payment_method,
            func.count(),
            func.sum(PayTraceTransaction.amount_cents),
        )
        .where(PayTraceTransaction.batch_number == number)
        .group_by(PayTraceTransaction.transaction_type, PayTraceTransaction.payment_method)
    )
    totals = {
        "sales_count": 0,
        "sales_cents": 0,
        "refund_count": 0,
        "refund_cents": 0,
        "card_count": 0,
        "card_cents": 0,
        "ach_count": 0,
        "ach_cents": 0,
    }
    for kind, method, count, cents in rows:
        if kind in ("SALE", "STR/FWD"):
            totals["sales_count"] += count
            totals["sales_cents"] += int(cents or 0)
            prefix = "ach" if method == "ACH" else "card"
            totals[f"{prefix}_count"] += count
            totals[f"{prefix}_cents"] += int(cents or 0)
        elif kind == "REFUND":
            totals["refund_count"] += count
            totals["refund_cents"] += int(cents or 0)
    return totals


def plan_settlements(session: Session, profile: Profile, now: datetime) -> int:
    """Queue the journal entry of each settled batch whose transactions add up.

    Not a matching decision, so it does not wait for approval: the entry follows from
    PayTrace's settled totals and the fee schedule alone, and a batch that does not add up
    is held back as a "settlement_mismatch" item instead.
    """
    queued = 0
    batches = (
        session.execute(
            select(SettlementBatchRow).where(
                SettlementBatchRow.status == "new",
                SettlementBatchRow.created_local.is_not(None),
            )
        )
        .scalars()
        .all()
    )
    for batch in batches:
        totals = batch_totals(session, batch.number)
        if (totals["sales_cents"], totals["refund_cents"]) != (
            batch.sales_cents,
            batch.refund_cents,
        ):
            if batch.status != "mismatch":
                batch.status = "mismatch"
                session.add(_mismatch_item(batch, totals, now))
            continue
        try:
            queue_settlement(session, batch, totals, profile, now)
        except ReviewError as exc:  # held like a mismatch: a person fixes the mapping
            batch.status = "mismatch"
            session.add(_unmappable_item(batch, str(exc), now))
            continue
        queued += 1
    return queued


def _unmappable_item(batch: SettlementBatchRow, reason: str, now: datetime) -> ExceptionItem:
    return ExceptionItem(
        category="settlement_mismatch",
        reason_code="mapping",
        title=f"Settlement batch {batch.number} cannot be built with the active mapping",
        detail=f"{reason} No journal entry was made; fix the mapping's SettlementEntry fields.",
        created_at=now,
    )


def _mismatch_item(
    batch: SettlementBatchRow, totals: dict[str, int], now: datetime
) -> ExceptionItem:
    return ExceptionItem(
        category="settlement_mismatch",
        reason_code="batch_totals",
        title=f"Settlement batch {batch.number} does not add up",
        detail=(
            f"PayTrace reports sales {from_cents(batch.sales_cents)} and refunds "
            f"{from_cents(batch.refund_cents)}; its transactions here add up to "
            f"{from_cents(totals['sales_cents'])} and {from_cents(totals['refund_cents'])}. "
            "No journal entry was made."
        ),
        created_at=now,
    )


def queue_settlement(
    session: Session,
    batch: SettlementBatchRow,
    totals: dict[str, int],
    profile: Profile,
    now: datetime,
) -> None:
    fees = settlement_fees(
        profile.fees,
        totals["card_count"],
        from_cents(totals["card_cents"]),
        totals["ach_count"],
        from_cents(totals["ach_cents"]),
    )
    assert batch.created_local is not None
    mapper = active_record_mapper(session, profile)
    spec = settlement_spec(
        batch_number=batch.number,
        settle_date=batch.created_local.date(),
        net=from_cents(batch.net_cents),
        fees=fees,
        gl=profile.gl,
        sequence=sequence_of(batch.created_local, batch.number, 9),
        mapped=mapper.settlement_fields(batch.number),
    )
    write_outbox(session, [spec], now=now, mapping_version_id=mapper.version_id)
    batch.status = "queued"


def store_profiles(
    session: Session,
    profiles: Sequence[CustomerProfile],
    now: datetime,
    profile: Profile | None = None,
) -> int:
    """Upsert vault profiles; queue the card link onto the matching Sage Pro customer,
    its card fields worded by the active mapping version."""
    queued = 0
    mapper: RecordMapper | None = None
    for p in profiles:
        values = {
            "billing_name": p.billing_name,
            "email": p.email,
            "phone": p.phone,
            "card_brand": p.card_brand,
            "card_last4": p.card_last4,
            "card_exp_month": p.card_exp_month,
            "card_exp_year": p.card_exp_year,
        }
        digest = content_hash({k: str(v) for k, v in values.items()})
        row = session.get(CustomerProfileRow, p.customer_id)
        if row is None:
            session.add(
                CustomerProfileRow(
                    customer_id=p.customer_id, content_hash=digest, updated_at=now, **values
                )
            )
        elif row.content_hash != digest:
            for key, value in values.items():
                setattr(row, key, value)
            row.content_hash = digest
            row.updated_at = now
        customer = (
            session.execute(
                select(SageProCustomer).where(
                    func.upper(SageProCustomer.paytrace_customer_id) == p.customer_id.upper()
                )
            )
            .scalars()
            .first()
        )
        if customer is None or not p.card_last4:
            continue
        expiry = (
            f"{p.card_exp_month:02d}/{p.card_exp_year % 100:02d}"
            if p.card_exp_month and p.card_exp_year
            else ""
        )
        if (customer.card_last4, customer.card_expiry) == (p.card_last4, expiry):
            continue
        mapper = mapper or active_record_mapper(session, profile)
        if _queue_card_update(session, mapper, p, customer, expiry, now):
            queued += 1
    return queued


def _queue_card_update(
    session: Session,
    mapper: RecordMapper,
    p: CustomerProfile,
    customer: SageProCustomer,
    expiry: str,
    now: datetime,
) -> bool:
    """Queue the card details onto ``customer``; a mapping that cannot word them leaves an
    alert (once) and the customer as it is, and the other profiles go on."""
    row = _profile_row(p, customer, expiry)
    try:
        mapped = mapper.row_fields("Customer", row, {p.customer_id: customer.customer_id})
    except ReviewError as exc:
        title = f"Card details of customer {customer.customer_id} cannot be built"
        open_already = session.execute(
            select(ExceptionItem.id).where(
                ExceptionItem.title == title, ExceptionItem.status == "open"
            )
        ).first()
        if open_already is None:
            detail = f"{exc} Sage Pro keeps the old card; fix the mapping's Customer fields."
            session.add(
                ExceptionItem(
                    category="alert",
                    reason_code="mapping",
                    title=title,
                    detail=detail,
                    created_at=now,
                )
            )
        return False
    spec = customer_update_spec(
        customer_id=customer.customer_id,
        paytrace_customer_id=p.customer_id,
        card_last4=p.card_last4,
        card_expiry=expiry,
        sequence=sequence_of(now, 0, 8),
        mapped=mapped,
    )
    return bool(write_outbox(session, [spec], now=now, mapping_version_id=mapper.version_id))


def _profile_row(p: CustomerProfile, customer: SageProCustomer, expiry: str) -> dict[str, Any]:
    """A vault profile as the mapping reads a PayTrace row (the Customer record's sources);
    Sage Pro's own name stands in when the profile has none, since Name is required."""
    return {
        "customer_id": p.customer_id,
        "billing_address": {"name": p.billing_name or customer.name},
        "receipt_emailed_to": p.email,
        "account_last4": p.card_last4,
        "posting": {"card_expiry": expiry},
    }
