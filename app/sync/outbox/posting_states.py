"""Contract v1.1 ``PostingState`` after a posting: remember it, follow Staged items until
Sage Pro says they are Entered, and raise an alert for those still Staged after N days.

A bridge over a real Sage Pro answers ``Staged`` for a cash receipt, credit memo or reversal
the bookkeeper still has to key into Sage Pro (typing the token as Check/Reference No.).
Every state means the record *exists* for exactly-once purposes (``post_once`` never posts
a key it finds, whatever its state); Staged only puts it on the Sage Pro worklist
(``app.queries.sagepro_worklist``). Each cycle looks a bounded number of Staged keys up again,
the least recently checked first, so a long list costs the same per cycle as a short one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.connectors.sagepro.errors import SageProError
from app.connectors.sagepro.exactly_once import find_posted
from app.connectors.sagepro.gateway import SageProGateway
from app.domain.display_time import show_date, to_local
from app.domain.money import format_money, to_cents
from app.domain.pan import redact_card_numbers
from app.domain.sagepro_records import PaymentReversal
from app.domain.states import ExceptionStatus
from app.store import Store, audit
from app.store.models import ExceptionItem, OutboxItem, StagedPosting

log = logging.getLogger(__name__)

STAGED, ENTERED, POSTED = "Staged", "Entered", "Posted"
_KNOWN = {s.lower(): s for s in (STAGED, ENTERED, POSTED)}
OVERDUE_ALERT_CODE = "sagepro_not_entered"
CHECKS_PER_CYCLE = 25  # look-ups of Staged keys per sync cycle (one GET each)


def normalise_state(raw: str) -> str | None:
    """``Staged``/``Entered``/``Posted`` in any case; None when the server said nothing (a
    contract v1 server); any other word kept as sent (cut to the column) so it is shown."""
    text = (raw or "").strip()
    if not text:
        return None
    return _KNOWN.get(text.lower(), text[:12])


@dataclass(frozen=True)
class WorklistFacts:
    """What the bookkeeper enters in Sage Pro's cash receipts for one staged posting."""

    token: str
    customer_id: str
    document_date: date | None
    amount_cents: int
    invoices: str


def worklist_facts(record: Any, key: str) -> WorklistFacts:
    """From a parsed Payment, CreditMemo, reversal or JournalEntry. The token is the one the
    server names; without one the key itself is what goes into the reference field."""
    token = str(getattr(record, "posting_token", "") or "").strip() or key.strip().upper()
    day = next(
        (
            getattr(record, name)
            for name in ("payment_date", "memo_date", "reversal_date", "entry_date")
            if isinstance(getattr(record, name, None), date)
        ),
        None,
    )
    amount = getattr(record, "amount", None)
    if not isinstance(amount, Decimal):  # a journal entry: its debits
        amount = sum((line.debit for line in getattr(record, "lines", ())), Decimal("0"))
    applications = getattr(record, "applications", ()) or ()
    if applications:
        invoices = ", ".join(f"{a.invoice_id}: {format_money(a.amount)}" for a in applications)
    elif isinstance(record, PaymentReversal):  # the bookkeeper voids the receipt it names
        invoices = f"void payment {record.payment_id}"
    else:
        invoices = str(getattr(record, "invoice_id", "") or "")
    # Text from the server is stored and shown: it passes the card-number redactor first.
    return WorklistFacts(
        token=redact_card_numbers(token)[:40],
        customer_id=str(getattr(record, "customer_id", "") or "")[:10],
        document_date=day,
        amount_cents=to_cents(amount),
        invoices=redact_card_numbers(invoices)[:400],
    )


def remember(session: Session, item: OutboxItem, record: Any, now: datetime) -> None:
    """Store the state a post (or a look-up) answered; a Staged one joins the worklist."""
    state = normalise_state(str(getattr(record, "posting_state", "") or ""))
    previous = item.posting_state
    item.posting_state = state
    if state != STAGED and previous != STAGED:
        return  # never staged: no worklist row to start or close (saves a read per post)
    staged = session.get(StagedPosting, item.id)
    if state == STAGED:
        facts = worklist_facts(record, item.key)
        if staged is None:
            staged = StagedPosting(outbox_id=item.id, staged_at=now)
            session.add(staged)
        staged.token = facts.token
        staged.customer_id = facts.customer_id
        staged.document_date = facts.document_date
        staged.amount_cents = facts.amount_cents
        staged.invoices = facts.invoices
        staged.checked_at = now
        return
    if staged is not None and staged.entered_at is None:
        staged.entered_at = now
        staged.checked_at = now
        _close_overdue_alert(session, item, now)
    if previous == STAGED and state != STAGED:
        audit.record(
            session,
            "entered_in_sagepro",
            "outbox",
            item.key,
            actor="paysage",
            before={"posting_state": previous},
            after={"posting_state": state},
        )


@dataclass
class StagedCheck:
    checked: int = 0
    entered: int = 0
    missing: int = 0  # keys Sage Pro no longer finds: logged, kept on the list
    error: str = ""  # why the look-ups stopped early (Sage Pro did not answer)


def refresh_staged(
    store: Store,
    gateway: SageProGateway,
    *,
    now: datetime,
    limit: int = CHECKS_PER_CYCLE,
) -> StagedCheck:
    """Look up to ``limit`` Staged postings up by key again (least recently checked first)
    and record what Sage Pro says now. Reads happen outside the write transaction."""
    with store.read() as session:
        due = session.execute(
            select(OutboxItem.id, OutboxItem.kind, OutboxItem.key)
            .join(StagedPosting, StagedPosting.outbox_id == OutboxItem.id)
            .where(OutboxItem.posting_state == STAGED)
            .order_by(StagedPosting.checked_at.is_not(None), StagedPosting.checked_at)
            .limit(limit)
        ).all()
    result = StagedCheck()
    found: list[tuple[int, Any]] = []
    for item_id, kind, key in due:
        try:
            record = find_posted(gateway, kind, key)
        except SageProError as exc:  # the rest waits for the next cycle
            result.error = str(exc)
            break
        result.checked += 1
        if record is None:
            result.missing += 1
            log.warning("staged posting %s is no longer found in Sage Pro by its key", key)
        found.append((item_id, record))
    with store.write() as session:
        for item_id, record in found:
            item = session.get(OutboxItem, item_id)
            if item is None or item.posting_state != STAGED:
                continue
            if record is None:
                staged = session.get(StagedPosting, item_id)
                if staged is not None:
                    staged.checked_at = now
                continue
            remember(session, item, record, now)
            if item.posting_state != STAGED:
                result.entered += 1
    return result


def raise_overdue_alerts(store: Store, *, now: datetime, after_days: int) -> int:
    """One alert per posting still Staged ``after_days`` after it was staged; returns how
    many were raised now. An alert a person closed is not raised again for that posting."""
    cutoff = now - timedelta(days=max(after_days, 0))
    with store.write() as session:
        alerted = select(ExceptionItem.outbox_id).where(
            ExceptionItem.reason_code == OVERDUE_ALERT_CODE,
            ExceptionItem.outbox_id.is_not(None),
        )
        rows = session.execute(
            select(OutboxItem, StagedPosting)
            .join(StagedPosting, StagedPosting.outbox_id == OutboxItem.id)
            .where(
                OutboxItem.posting_state == STAGED,
                StagedPosting.staged_at <= cutoff,
                OutboxItem.id.not_in(alerted),
            )
            .order_by(StagedPosting.staged_at)
        ).all()
        for item, staged in rows:
            _add_overdue_alert(session, item, staged, after_days, now)
        return len(rows)


def _add_overdue_alert(
    session: Session, item: OutboxItem, staged: StagedPosting, days: int, now: datetime
) -> None:
    what = item.kind.replace("_", " ")
    session.add(
        ExceptionItem(
            category="alert",
            reason_code=OVERDUE_ALERT_CODE,
            title=f"{item.key}: not entered in Sage Pro after {days} days",
            detail=(
                f"The {what} for customer {staged.customer_id or '—'} was staged on "
                f"{show_date(to_local(staged.staged_at))} and Sage Pro still does not show it. "
                "Enter it "
                f"from the Sage Pro worklist with Check/Reference No. {staged.token}; if it was "
                "entered already, the reference was probably mistyped: correct it in Sage Pro."
            ),
            outbox_id=item.id,
            transaction_id=item.transaction_id,
            created_at=now,
        )
    )
    audit.record(
        session,
        "staged_overdue",
        "outbox",
        item.key,
        actor="paysage",
        after={"staged_at": staged.staged_at.isoformat(), "days": days},
    )


def _close_overdue_alert(session: Session, item: OutboxItem, now: datetime) -> None:
    alerts: Iterable[ExceptionItem] = session.scalars(
        select(ExceptionItem).where(
            ExceptionItem.reason_code == OVERDUE_ALERT_CODE,
            ExceptionItem.outbox_id == item.id,
            ExceptionItem.status == "open",
        )
    )
    for alert in alerts:
        alert.status = ExceptionStatus.RESOLVED
        alert.resolved_at = now
        alert.resolved_by = "paysage"
        alert.resolution_note = "Entered in Sage Pro: found by its reference."
