"""Realistic data for the UI tests, written straight through the ORM (the sync engine's
pipeline is not needed to show pages). Built from the shared demo company so names,
invoices and references look like a real morning's work.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from app.domain.money import to_cents
from app.sandbox.demo_data import DemoTransaction, generate_demo_company
from app.store import Store
from app.store.audit import record
from app.store.database import sqlite_url
from app.store.models import (
    Base,
    ExceptionItem,
    OutboxItem,
    PayTraceTransaction,
    Proposal,
    ProposalApplication,
    RawRecord,
    SageProCustomer,
    SageProInvoice,
    SettlementBatchRow,
    StagedPosting,
    SyncRun,
    TransactionEvent,
)
from app.store.state_guard import arranged_states

TODAY = date(2025, 11, 20)
NOW = datetime(2025, 11, 20, 14, 5)

_RULES = {
    "clean": ("hard_key", 98, "Invoice number {ref} matches open invoice {inv} exactly."),
    "messy_ref": ("hard_key", 96, "Reference {ref!r} normalises to open invoice {inv}."),
    "ref_in_description": ("reference_token", 88, "Description mentions invoice {inv}."),
    "po_reference": ("reference_token", 84, "PO number matches invoice {inv}; amount fits."),
    "order_reference": ("hard_key", 93, "Order number matches invoice {inv}."),
    "partial": ("reference_token", 76, "Invoice {inv} matches; payment is less than balance."),
    "multi_invoice": ("subset_sum", 81, "Payment equals the sum of invoices {inv}."),
    "ach": ("customer_amount", 72, "Customer and amount match invoice {inv}."),
    "no_reference": ("on_account", 45, "No reference found; customer known, put on account."),
    "unknown_payer": (
        "review_unknown_customer",
        20,
        "Payer unknown and no reference: pick an invoice.",
    ),
}


def _parts(score: int) -> dict[str, int]:
    """Score parts as the engine keeps them: they add up to the score."""
    reference = max(0, score - 35)
    customer = min(20, score - reference)
    return {"reference": reference, "customer": customer, "amount": score - reference - customer}


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _status_for(i: int, scenario: str) -> str:
    if scenario in ("no_reference", "unknown_payer"):
        return "review"
    return ("posted", "approved", "proposed", "proposed", "proposed", "rejected")[i % 6]


def empty_store(path: Path) -> Store:
    """A store whose tables are the ORM models as they stand (the migrations may lag while
    the schema is being worked on; the UI reads what the models declare)."""
    store = Store(sqlite_url(path))
    Base.metadata.create_all(store.writer)
    return store


_templates: dict[int, Path] = {}


def seed_store(path: Path, *, seed: int = 1) -> Store:
    """A private copy of the seeded store (seeded once per test session, then copied)."""
    template = _templates.get(seed)
    if template is None:
        folder = Path(tempfile.mkdtemp(prefix="paysage-ui-seed-"))
        template = folder / "template.db"
        build_seeded_store(template, seed=seed).dispose()
        with sqlite3.connect(template) as con:  # fold the WAL in so one file copies whole
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _templates[seed] = template
    shutil.copyfile(template, path)
    return Store(sqlite_url(path))


def _stage(
    s: Session,
    ob: OutboxItem,
    day: date,
    applications: Sequence[tuple[str, Decimal]],
    *,
    staged_days: int,
) -> None:
    """A posted payment waiting on the Sage Pro worklist, staged ``staged_days`` ago."""
    ob.posting_state = "Staged"
    s.add(
        StagedPosting(
            outbox_id=ob.id,
            token=ob.key,
            customer_id=str(ob.payload["CustomerID"]),
            document_date=day,
            amount_cents=to_cents(ob.payload["Amount"]),
            invoices=", ".join(f"{inv}: {amt:.2f}" for inv, amt in applications),
            staged_at=NOW - timedelta(days=staged_days, hours=1),
            checked_at=NOW - timedelta(minutes=30),
        )
    )


def build_seeded_store(path: Path, *, seed: int = 1) -> Store:
    """A store with ~300 transactions, proposals in every state, batches, outbox rows,
    exceptions, audit events and sync runs, all dated around ``TODAY``."""
    company = generate_demo_company(seed, today=TODAY)
    store = empty_store(path)
    customers = {c.customer_id: c for c in company.customers}
    with store.write() as s:
        for c in company.customers:
            s.add(
                SageProCustomer(
                    customer_id=c.customer_id,
                    name=c.name,
                    email=c.email,
                    phone=c.phone,
                    paytrace_customer_id=c.paytrace_customer_id,
                    card_last4=c.card_last4,
                    refreshed_at=NOW,
                )
            )
        paid = {inv for t in company.transactions for inv, _ in t.expected_applications}
        for inv in company.invoices:
            cents = to_cents(inv.amount)
            s.add(
                SageProInvoice(
                    invoice_id=inv.invoice_id,
                    customer_id=inv.customer_id,
                    order_number=inv.order_number,
                    po_number=inv.po_number,
                    invoice_date=inv.invoice_date,
                    due_date=inv.due_date,
                    amount_cents=cents,
                    balance_cents=cents,
                    status="Open",
                    payment_status="Partial" if inv.invoice_id in paid else "Unpaid",
                    refreshed_at=NOW,
                )
            )
        batches: dict[date, list[DemoTransaction]] = defaultdict(list)
        for t in company.transactions:
            if t.settled and t.transaction_type in ("SALE", "REFUND"):
                batches[t.created_local.date()].append(t)
        batch_of: dict[int, int] = {}
        for n, (day, members) in enumerate(sorted(batches.items()), start=5001):
            sales = [m for m in members if m.transaction_type == "SALE"]
            refunds = [m for m in members if m.transaction_type == "REFUND"]
            sales_c = sum(to_cents(m.amount) for m in sales)
            refund_c = sum(to_cents(m.amount) for m in refunds)
            # One batch disagrees with its transactions, as the page must flag it.
            net = sales_c - refund_c + (1250 if n == 5003 else 0)
            s.add(
                SettlementBatchRow(
                    number=n,
                    created_local=datetime.combine(day, datetime.min.time()) + timedelta(hours=23),
                    transaction_count=len(members),
                    sales_count=len(sales),
                    sales_cents=sales_c,
                    refund_count=len(refunds),
                    refund_cents=refund_c,
                    net_cents=net,
                    content_hash=_hash(f"batch{n}"),
                    status="posted" if n % 3 else "new",
                    updated_at=NOW,
                )
            )
            for m in members:
                batch_of[m.transaction_id] = n
        s.flush()
        for t in company.transactions:
            raw = RawRecord(
                source="paytrace.transaction",
                source_id=str(t.transaction_id),
                content_hash=_hash(str(t.transaction_id)),
                payload=_export_record(t),
                fetched_at=NOW,
            )
            s.add(raw)
            s.flush()
            cust = t.customer
            s.add(
                PayTraceTransaction(
                    transaction_id=t.transaction_id,
                    transaction_type=t.transaction_type,
                    amount_cents=to_cents(t.amount),
                    created_local=t.created_local,
                    created_text=t.created_local.strftime("%m/%d/%Y %H:%M:%S"),
                    merchant_date=t.created_local.date(),
                    payment_method=t.payment_method,
                    invoice_ref=t.invoice_id,
                    customer_reference_id=t.customer_reference_id,
                    description=t.description,
                    paytrace_customer_id=cust.paytrace_customer_id if cust else "",
                    billing_name=cust.name if cust else "Walk-in payer",
                    email=cust.email if cust else "",
                    card_brand=_brand(t),
                    card_last4=_last4(t),
                    approval_code="TAS123",
                    approval_message="Approved",
                    settled_local=t.created_local + timedelta(hours=12) if t.settled else None,
                    batch_number=batch_of.get(t.transaction_id),
                    content_hash=raw.content_hash,
                    match_status="unmatched",
                    first_seen_at=NOW - timedelta(days=1),
                    last_changed_at=NOW - timedelta(days=1),
                )
            )
            s.add(
                TransactionEvent(
                    transaction_id=t.transaction_id,
                    at=datetime.combine(t.created_local.date(), datetime.min.time()),
                    old_type=None,
                    new_type="SALE" if t.transaction_type == "VOID" else t.transaction_type,
                    old_hash=None,
                    new_hash=_hash(f"first{t.transaction_id}"),
                    changes={},
                )
            )
        s.flush()
        _seed_proposals(s, company.transactions, customers)
        _seed_runs(s)
    return store


def _export_record(t: DemoTransaction) -> dict[str, object]:
    """The record as PayTrace's export shows it (reference/paytrace-v1.md), redacted."""
    cust = t.customer
    created = t.created_local.strftime("%-m/%-d/%Y %-I:%M:%S %p")
    record: dict[str, object] = {
        "transaction_id": t.transaction_id,
        "transaction_type": t.transaction_type,
        "description": t.description,
        "amount": float(t.amount),
        "invoice_id": t.invoice_id,
        "customer_reference_id": t.customer_reference_id,
        "billing_address": {"name": cust.name if cust else "Walk-in payer", "country": "US"},
        "receipt_emailed_to": cust.email if cust else "",
        "approval_code": "TAS123",
        "approval_message": "Approved",
        "status_code": "GB571",
        "created": {"through": "API", "at": created, "by": "demo", "from_ip": "10.0.0.1"},
        "settled": created if t.settled else "",
        "customer_id": cust.paytrace_customer_id if cust else "",
    }
    if t.payment_method == "ACH":
        record["check"] = {"account_last4": "6789"}
    else:
        record["credit_card"] = {
            "masked_number": f"************{_last4(t)}",
            "expiration_month": 12,
            "expiration_year": 28,
        }
    return record


def _brand(t: DemoTransaction) -> str:
    if t.payment_method == "ACH":
        return ""
    return t.customer.card_brand if t.customer and t.customer.card_brand else "Visa"


def _last4(t: DemoTransaction) -> str:
    if t.payment_method == "ACH":
        return ""
    return t.customer.card_last4 if t.customer and t.customer.card_last4 else "5439"


def _seed_proposals(s, transactions, customers) -> None:  # type: ignore[no-untyped-def]
    seq = 0
    for i, t in enumerate(transactions):
        if t.transaction_type not in ("SALE",) or t.scenario not in _RULES:
            continue
        rule, confidence, words = _RULES[t.scenario]
        status = _status_for(i, t.scenario)
        invs = ", ".join(inv for inv, _ in t.expected_applications) or "—"
        cust_id = t.customer.customer_id if t.customer else ""
        p = Proposal(
            transaction_id=t.transaction_id,
            kind="payment",
            status=status,
            rule=rule,
            confidence=max(0, confidence - (i % 7)),
            reason=words.format(ref=t.invoice_id or t.customer_reference_id, inv=invs),
            score_parts=_parts(max(0, confidence - (i % 7))),
            candidates=[
                {
                    "invoice_ids": [inv],
                    "customer_id": cust_id,
                    "open_balance": str(amt),
                    "confidence": confidence - 9,
                    "reason": "Same customer, similar amount",
                }
                for inv, amt in t.expected_applications[:1]
            ],
            customer_id=cust_id,
            on_account_cents=to_cents(t.amount) if rule == "on_account" else 0,
            created_at=NOW - timedelta(hours=3),
            decided_at=NOW - timedelta(hours=1) if status in ("approved", "posted") else None,
            decided_by="maria" if status in ("approved", "posted") else None,
        )
        for inv, amt in t.expected_applications:
            p.applications.append(ProposalApplication(invoice_id=inv, amount_cents=to_cents(amt)))
        s.add(p)
        s.flush()
        txn = s.get(PayTraceTransaction, t.transaction_id)
        with arranged_states():  # a scene, not a move the app makes
            txn.match_status = {"rejected": "unmatched"}.get(status, status)
        if status in ("approved", "posted"):
            seq += 1
            dead = seq % 9 == 0
            ob = OutboxItem(
                key=f"PT-{t.transaction_id}-PAY",
                kind="payment",
                payload={
                    "CustomerID": cust_id,
                    "Amount": str(t.amount),
                    "Reference": f"PT-{t.transaction_id}-PAY",
                },
                status="dead" if dead else ("posted" if status == "posted" else "pending"),
                sequence=seq,
                attempts=3 if dead else 1,
                last_error="Sage Pro refused: invoice_not_open" if dead else None,
                remote_id=f"PMT{9000 + seq}" if status == "posted" else None,
                transaction_id=t.transaction_id,
                proposal_id=p.id,
                created_at=NOW - timedelta(hours=1),
                posted_at=NOW - timedelta(minutes=30) if status == "posted" else None,
            )
            s.add(ob)
            s.flush()
            if status == "posted" and seq % 4 == 0:  # Sage Pro (the bridge) answered Staged
                _stage(s, ob, t.created_local.date(), t.expected_applications, staged_days=seq % 6)
            if dead:
                s.add(
                    ExceptionItem(
                        category="dead_letter",
                        reason_code="invoice_not_open",
                        title=f"Payment PT-{t.transaction_id}-PAY could not be posted",
                        detail=f"Sage Pro says invoice {invs} is not open (paid by cheque?).",
                        payload=dict(ob.payload),
                        outbox_id=ob.id,
                        transaction_id=t.transaction_id,
                        created_at=NOW - timedelta(minutes=20),
                    )
                )
            record(s, "approve", "proposal", p.id, actor="maria", after={"status": status})
    for n, t in enumerate([t for t in transactions if t.scenario == "voided"][:3]):
        s.add(
            ExceptionItem(
                category="changed_after_posting",
                reason_code="voided_after_posting",
                title=f"Transaction {t.transaction_id} was voided after it was posted",
                detail="PayTrace now shows this sale as voided; a reversal is needed in Sage Pro.",
                payload={"transaction_id": t.transaction_id},
                transaction_id=t.transaction_id,
                created_at=NOW - timedelta(hours=n + 2),
            )
        )
    s.add(
        ExceptionItem(
            category="dead_letter",
            reason_code="period_closed",
            title="Refund credit memo dated in a closed period",
            detail="October is locked in Sage Pro. Change the date or reopen the period.",
            payload={"Date": "2025-10-31", "Amount": "120.00"},
            created_at=NOW - timedelta(hours=5),
        )
    )


def _seed_runs(s) -> None:  # type: ignore[no-untyped-def]
    for n in range(6):
        started = NOW - timedelta(minutes=5 * (n + 1))
        failed = n == 3
        s.add(
            SyncRun(
                trigger="schedule",
                started_at=started,
                finished_at=started + timedelta(seconds=14),
                status="failed" if failed else "ok",
                counts={} if failed else {"fetched": 12, "new": 2, "posted": 1, "review": 1},
                error="PayTrace could not be reached (timeout)." if failed else None,
            )
        )
    record(s, "settings.save", "settings", "Sandbox", actor="maria", after={"interval": 5})
