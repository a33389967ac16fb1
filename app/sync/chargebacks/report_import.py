"""Importing PayTrace's chargeback report: each new case becomes a "chargeback" item in the
Exceptions queue (plus an alert), idempotent on the case number — importing the same file
twice adds nothing. Nothing is posted until the bookkeeper confirms the case
(``app.sync.chargebacks.cases.confirm_chargeback``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.config import Profile
from app.domain.chargebacks import (
    ChargebackRow,
    ChargebackRowError,
    parse_chargeback_report,
    scrub,
)
from app.domain.display_time import show_date
from app.domain.money import display_money, format_money, from_cents
from app.store import Store, audit
from app.store.models import ExceptionItem
from app.sync.chargebacks.cases import ALERT_CODE, CATEGORY, ChargebackError
from app.sync.chargebacks.entries import case_reference, fee_account
from app.sync.chargebacks.sale import SaleLink, link_sale

MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class ChargebackImportResult:
    added: int = 0
    already_known: int = 0
    alerts: int = 0
    item_ids: list[int] = field(default_factory=list)
    errors: list[ChargebackRowError] = field(default_factory=list)
    rows_with_card_numbers: int = 0  # rows where a full card number was found and removed


def known_case_keys(session: Session) -> set[str]:
    keys = session.execute(
        select(ExceptionItem.payload["case_key"].as_string()).where(
            ExceptionItem.category == CATEGORY
        )
    ).scalars()
    return {key for key in keys if key}


def import_chargebacks(
    session: Session,
    data: bytes | str,
    *,
    profile: Profile,
    now: datetime,
    source: str = "",
    user: str = "paysage",
) -> ChargebackImportResult:
    """Parse ``data`` and add one item per new case, in the caller's write transaction."""
    report = parse_chargeback_report(data)
    result = ChargebackImportResult(errors=list(report.errors))
    known = known_case_keys(session)
    for row in report.rows:
        if row.redacted_columns:
            result.rows_with_card_numbers += 1
        if row.case_key in known:
            result.already_known += 1
            continue
        known.add(row.case_key)
        link = link_sale(session, row.transaction_id)
        item = _item(row, link, profile, now, source)
        session.add(item)
        session.flush()
        result.added += 1
        result.item_ids.append(item.id)
        if profile.alerts.notify_chargebacks:
            session.add(_alert(row, item.id, now, profile))
            result.alerts += 1
    if result.added or result.errors:
        audit.record(
            session,
            "import_chargebacks",
            "chargeback_report",
            scrub(source)[0][:80] or "(upload)",
            actor=user,
            after={
                "added": result.added,
                "already_known": result.already_known,
                "refused_rows": len(result.errors),
                "card_numbers_removed": result.rows_with_card_numbers,
            },
        )
    return result


def import_chargeback_file(
    store: Store, path: Path, *, profile: Profile, user: str, now: datetime | None = None
) -> ChargebackImportResult:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ChargebackError(f"{path.name} is {size // 1_048_576} MB; a report is smaller.")
        data = path.read_bytes()
    except OSError as exc:
        raise ChargebackError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    with store.write() as session:
        return import_chargebacks(
            session,
            data,
            profile=profile,
            now=now or utcnow(),
            source=path.name,
            user=user,
        )


def _card(row: ChargebackRow) -> str:
    if row.card_last4:
        return f"{row.card_type or 'card'} ****{row.card_last4}"
    return row.card_type or "card"


def _item(
    row: ChargebackRow, link: SaleLink, profile: Profile, now: datetime, source: str
) -> ExceptionItem:
    on = f" on transaction {row.transaction_id}" if row.transaction_id else ""
    payload: dict[str, Any] = {
        "state": "received",
        "case_number": row.case_number,
        "case_key": row.case_key,
        "amount": format_money(row.amount),
        "fee": format_money(row.fee) if row.fee else None,
        "transaction_id": row.transaction_id,
        "card_type": row.card_type,
        "card_last4": row.card_last4,
        "reason_code": row.reason_code,
        "reason": row.reason,
        "received_date": row.received_date.isoformat() if row.received_date else None,
        "due_date": row.due_date.isoformat() if row.due_date else None,
        "paytrace_status": row.status,
        "invoice_id": row.invoice_id,
        "cardholder": row.cardholder,
        "redacted_columns": list(row.redacted_columns),
        "extra": row.extra,
        "source": scrub(source)[0][:120],
        "line": row.line,
        "sale": {
            "found": link.found,
            "payment_state": link.payment_state,
            "invoices": list(link.invoice_ids),
            "customer_id": link.customer_id,
        },
    }
    return ExceptionItem(
        category=CATEGORY,
        reason_code=(row.reason_code or "chargeback")[:40],
        title=f"Chargeback {row.case_number}: {_money(row.amount, profile)}{on} ({_card(row)})"[
            :200
        ],
        detail=_received_words(row, link, profile),
        payload=payload,
        transaction_id=row.transaction_id,
        created_at=now,
    )


def _received_words(row: ChargebackRow, link: SaleLink, profile: Profile) -> str:
    reason = " ".join(p for p in (row.reason_code, row.reason) if p) or "no reason given"
    due = f" PayTrace wants an answer by {show_date(row.due_date)}." if row.due_date else ""
    fee = f" plus the {_money(row.fee, profile)} fee to {fee_account(profile)}" if row.fee else ""
    warnings = []
    if link.found and row.card_last4 and link.card_last4 and row.card_last4 != link.card_last4:
        warnings.append(
            f"The report's card ****{row.card_last4} is not the transaction's "
            f"****{link.card_last4}: check the transaction id with PayTrace."
        )
    if link.found and row.amount > from_cents(link.amount_cents):
        warnings.append(
            f"The disputed {_money(row.amount, profile)} is more than the transaction's "
            f"{_money(from_cents(link.amount_cents), profile)}."
        )
    if row.redacted_columns:
        warnings.append(
            "The report held a full card number (" + ", ".join(row.redacted_columns) + "); "
            "only the last 4 digits were kept."
        )
    invoices = ", ".join(link.invoice_ids)
    reopen = (
        f" and marks invoice {invoices} PaymentStatus Failed (Sage Pro's API cannot reopen a "
        "paid invoice; this mark plus the entry stand for it)"
        if invoices
        else ""
    )
    return " ".join(
        [
            f"The card holder's bank took back {_money(row.amount, profile)} ({reason}).{due}",
            link.describe(profile.base_currency),
            f"Confirming it posts journal entry {case_reference(row.case_key)}: debit "
            f"receivables {profile.gl.receivables}{fee}, credit bank {profile.gl.bank}{reopen}."
            " Then mark the case won or lost when PayTrace decides it.",
            *warnings,
        ]
    )


def _money(amount: Decimal, profile: Profile) -> str:
    """A card amount in words: PayTrace's money, the profile's base currency."""
    return display_money(amount, base=profile.base_currency)


def _alert(row: ChargebackRow, item_id: int, now: datetime, profile: Profile) -> ExceptionItem:
    due = f", answer by {show_date(row.due_date)}" if row.due_date else ""
    return ExceptionItem(
        category="alert",
        reason_code=ALERT_CODE,
        title=f"Chargeback received: case {row.case_number} ({_money(row.amount, profile)}){due}"[
            :200
        ],
        detail="A card holder disputed a payment. Open the chargeback item in Exceptions to "
        "confirm it and answer PayTrace before the due date.",
        payload={"case_number": row.case_number, "chargeback_item_id": item_id},
        transaction_id=row.transaction_id,
        created_at=now,
    )
