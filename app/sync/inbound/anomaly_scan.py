"""The store side of the anomaly checks: read the facts, run the pure detectors
(``app.domain.anomalies``), and add one "anomaly" exceptions item per new finding.

Idempotent: each finding carries a fingerprint (kind + subject) in its payload, and a
fingerprint already on any anomaly item — open, resolved or dismissed — is never added again,
so a dismissed flag stays dismissed. The window is the last ``anomaly_lookback_days`` of
transactions on record (anchored at the newest merchant date, not the wall clock, so a
store that has not synced for a while is still judged on its own recent history).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import AlertSettings, Profile
from app.domain.anomalies import (
    AnomalyInputs,
    Finding,
    HistoryStep,
    Thresholds,
    TxnFacts,
    VoidRefusal,
    find_anomalies,
)
from app.domain.matching.references import normalise_reference
from app.domain.money import to_cents
from app.store import audit
from app.store.models import (
    AuditEvent,
    ExceptionItem,
    OutboxItem,
    PayTraceTransaction,
    RawRecord,
    SettlementBatchRow,
    TransactionEvent,
)
from app.sync.outbound.paytrace_intents import TARGET as PAYTRACE_TARGET
from app.sync.outbound.paytrace_intents import VOID as PAYTRACE_VOID

CATEGORY = "anomaly"
_CHUNK = 900  # ids per IN (...) list, below every SQLite build's variable limit
_T = PayTraceTransaction


def thresholds_from(alerts: AlertSettings) -> Thresholds:
    return Thresholds(
        duplicate_window_minutes=alerts.duplicate_window_minutes,
        outlier_threshold=alerts.outlier_threshold,
        outlier_min_history=alerts.outlier_min_history,
        large_amount_cents=to_cents(alerts.large_payment_amount),
        quiet_hours_start=alerts.quiet_hours_start,
        quiet_hours_end=alerts.quiet_hours_end,
        spike_factor=alerts.spike_factor,
        spike_hour_min_count=alerts.spike_hour_min_count,
        spike_day_min_count=alerts.spike_day_min_count,
        cutoff_max_days=alerts.cutoff_max_days,
        disabled=frozenset(kind for kind, on in alerts.anomaly_checks.items() if not on),
    )


def customer_key(paytrace_customer_id: str, email: str, billing_name: str) -> str:
    if paytrace_customer_id:
        return f"vault:{paytrace_customer_id.upper()}"
    if email.strip():
        return f"email:{email.strip().lower()}"
    name = " ".join(billing_name.lower().split())
    return f"name:{name}" if name else ""


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def _load_txns(session: Session, since: date) -> list[TxnFacts]:
    rows = session.execute(
        select(
            _T.transaction_id, _T.transaction_type, _T.amount_cents, _T.created_local,
            _T.payment_method, _T.card_last4, _T.card_brand, _T.paytrace_customer_id,
            _T.email, _T.billing_name, _T.invoice_ref, _T.settled_local, _T.batch_number,
        ).where(_T.merchant_date >= since)
    )  # fmt: skip
    return [
        TxnFacts(
            transaction_id=r.transaction_id,
            transaction_type=r.transaction_type,
            amount_cents=r.amount_cents,
            created_local=r.created_local,
            payment_method=r.payment_method,
            card_last4=r.card_last4,
            card_brand=r.card_brand,
            customer_key=customer_key(r.paytrace_customer_id, r.email, r.billing_name),
            invoice_key=normalise_reference(r.invoice_ref),
            paytrace_customer_id=r.paytrace_customer_id,
            settled_local=r.settled_local,
            batch_number=r.batch_number,
        )
        for r in rows
    ]


def _void_history(session: Session, void_ids: Sequence[int]) -> dict[int, list[HistoryStep]]:
    """Each VOID transaction's changes, with whether the version before/after was settled
    (read from the stored raw versions: a settled row carries ``settled``/``batch_number``)."""
    history: dict[int, list[HistoryStep]] = defaultdict(list)
    for ids in _chunks(void_ids):
        settled = {
            (int(source_id), digest): bool(payload.get("settled") or payload.get("batch_number"))
            for source_id, digest, payload in session.execute(
                select(RawRecord.source_id, RawRecord.content_hash, RawRecord.payload).where(
                    RawRecord.source == "paytrace.transaction",
                    RawRecord.source_id.in_([str(i) for i in ids]),
                )
            )
        }
        events = session.execute(
            select(
                TransactionEvent.transaction_id,
                TransactionEvent.at,
                TransactionEvent.new_type,
                TransactionEvent.old_hash,
                TransactionEvent.new_hash,
            )
            .where(TransactionEvent.transaction_id.in_(ids))
            .order_by(TransactionEvent.id)
        )
        for tid, at, new_type, old_hash, new_hash in events:
            history[tid].append(
                HistoryStep(
                    at,
                    new_type,
                    settled.get((tid, old_hash), False) if old_hash else False,
                    settled.get((tid, new_hash), False),
                )
            )
    return history


def _void_refusals(session: Session) -> list[VoidRefusal]:
    """Void intents of the collect flow (``app.sync.outbound.paytrace_poster``) that PayTrace
    refused with 818: switched to a refund (audit "paytrace_switch" from the void kind), or dead."""
    refusals = []
    switched = session.execute(
        select(AuditEvent.at, AuditEvent.before, OutboxItem.transaction_id, OutboxItem.payload)
        .join(OutboxItem, OutboxItem.key == AuditEvent.entity_id)
        .where(
            AuditEvent.action == "paytrace_switch",
            AuditEvent.entity_type == "outbox",
            OutboxItem.target == PAYTRACE_TARGET,
        )
    )
    for at, before, tid, payload in switched:
        if (before or {}).get("kind") != PAYTRACE_VOID:
            continue
        sale = _sale_id(tid, payload)
        if sale is not None:
            refusals.append(
                VoidRefusal(sale, at, "Paysage queued a refund instead; check it went through.")
            )
    dead = session.execute(
        select(OutboxItem.transaction_id, OutboxItem.payload, OutboxItem.created_at).where(
            OutboxItem.target == PAYTRACE_TARGET,
            OutboxItem.kind == PAYTRACE_VOID,
            OutboxItem.status == "dead",
            OutboxItem.last_error.like("%818%"),
        )
    )
    for tid, payload, created in dead:
        sale = _sale_id(tid, payload)
        if sale is not None:
            refusals.append(
                VoidRefusal(sale, created, "The request is a dead letter: nobody is refunded yet.")
            )
    return refusals


def _sale_id(transaction_id: int | None, payload: dict[str, Any]) -> int | None:
    if transaction_id is not None:
        return transaction_id
    text = str(payload.get("transaction_id") or "")
    return int(text) if text.isdigit() else None


def _posting_dates(session: Session, since: date) -> dict[int, date]:
    rows = session.execute(
        select(OutboxItem.transaction_id, OutboxItem.payload["PaymentDate"].as_string())
        .join(_T, _T.transaction_id == OutboxItem.transaction_id)
        .where(
            OutboxItem.kind == "payment",
            OutboxItem.status != "discarded",
            _T.merchant_date >= since,
        )
    )
    dates = {}
    for tid, text in rows:
        if tid is None:
            continue
        try:
            dates[int(tid)] = date.fromisoformat(str(text)[:10])
        except ValueError:  # an edited dead letter with a bad date: nothing to compare
            continue
    return dates


def _batch_dates(session: Session) -> dict[int, date]:
    rows = session.execute(
        select(SettlementBatchRow.number, SettlementBatchRow.created_local).where(
            SettlementBatchRow.created_local.is_not(None)
        )
    )
    return {int(number): created.date() for number, created in rows if created is not None}


def load_inputs(session: Session, lookback_days: int) -> AnomalyInputs | None:
    newest = session.execute(select(func.max(_T.merchant_date))).scalar_one_or_none()
    if newest is None:
        return None
    since = newest - timedelta(days=max(lookback_days, 1))
    txns = _load_txns(session, since)
    void_ids = [t.transaction_id for t in txns if t.transaction_type == "VOID"]
    return AnomalyInputs(
        txns=txns,
        history=_void_history(session, void_ids),
        void_refusals=_void_refusals(session),
        posting_dates=_posting_dates(session, since),
        batch_dates=_batch_dates(session),
    )


def known_fingerprints(session: Session) -> set[str]:
    found = session.execute(
        select(ExceptionItem.payload["fingerprint"].as_string()).where(
            ExceptionItem.category == CATEGORY
        )
    ).scalars()
    return {f for f in found if f}


def _item(finding: Finding, now: datetime) -> ExceptionItem:
    return ExceptionItem(
        category=CATEGORY,
        reason_code=finding.kind.value,
        title=finding.title[:200],
        detail=finding.detail,
        payload={
            "fingerprint": finding.fingerprint,
            "kind": finding.kind.value,
            "facts": finding.facts,
            "related_ids": list(finding.related_ids),
        },
        transaction_id=finding.transaction_id,
        created_at=now,
    )


def scan_anomalies(session: Session, profile: Profile, now: datetime) -> int:
    """Add an "anomaly" item for each new finding, in the caller's write transaction;
    returns how many were added."""
    inputs = load_inputs(session, profile.alerts.anomaly_lookback_days)
    if inputs is None:
        return 0
    findings = find_anomalies(inputs, thresholds_from(profile.alerts))
    known = known_fingerprints(session)
    fresh = [f for f in findings if f.fingerprint not in known]
    for finding in fresh:
        session.add(_item(finding, now))
    if fresh:
        audit.record(
            session,
            "anomaly_scan",
            "anomalies",
            now.date().isoformat(),
            after={"new": len(fresh), "kinds": dict(Counter(f.kind.value for f in fresh))},
        )
    return len(fresh)
