"""Chargebacks end to end over both stand-ins: a synced demo company, PayTrace's chargeback
report imported twice, a case confirmed and posted to Sage Pro exactly once, then won/lost."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.sandbox.demo_data import TEST_CARDS
from app.store.models import ExceptionItem, OutboxItem, PayTraceTransaction
from app.sync.chargebacks.cases import ChargebackError, confirm_chargeback, resolve_chargeback
from app.sync.chargebacks.report_import import import_chargeback_file
from app.sync.cycle import run_cycle
from app.sync.outbound.poster import OutboxPoster
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv

HEADER = "Case Number,Transaction ID,Card Type,Last 4,Amount,Reason Code,Reason,Received Date,Due Date,Status,Chargeback Fee"  # noqa: E501


def _posted_sales(env: SyncEnv, count: int) -> list[tuple[PayTraceTransaction, str]]:
    """Clean card sales whose payment reached Sage Pro on exactly one invoice."""
    clean = {t.transaction_id for t in env.company.transactions if t.scenario == "clean"}
    found = []
    with env.store.read() as session:
        rows = session.execute(
            select(PayTraceTransaction, OutboxItem.payload)
            .join(OutboxItem, OutboxItem.transaction_id == PayTraceTransaction.transaction_id)
            .where(
                OutboxItem.kind == "payment",
                OutboxItem.status == "posted",
                PayTraceTransaction.payment_method == "CC",
            )
            .order_by(PayTraceTransaction.transaction_id)
        ).all()
        for tx, payload in rows:
            if tx.transaction_id in clean and payload.get("InvoiceID"):
                session.expunge(tx)
                found.append((tx, str(payload["InvoiceID"])))
    assert len(found) >= count
    return found[:count]


def _synced(env: SyncEnv) -> None:
    result = run_cycle(env.context(), since=DEMO_TODAY - timedelta(days=31), auto_approve=True)
    assert result.errors == 0 and result.posted > 0, result.notes


def _post(env: SyncEnv) -> int:
    ctx = env.context()
    poster = OutboxPoster(env.store, ctx.sagepro, worker="test", **ctx.poster_options)  # type: ignore[arg-type]
    counts = poster.post_due()
    assert counts.dead_letter == 0
    return counts.posted


def _journal(env: SyncEnv, reference: str) -> list[dict]:  # type: ignore[type-arg]
    return env.sagepro_get("/api/journalentries", Reference=reference)["items"]  # type: ignore[no-any-return]


def _write_report(path: Path, lines: list[str], *, crlf: bool = True) -> Path:
    text = ("\r\n" if crlf else "\n").join(lines) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def test_chargeback_import_confirm_post_and_resolve(sync_env: SyncEnv, tmp_path: Path):
    env = sync_env
    _synced(env)
    (won_tx, won_invoice), (lost_tx, _) = _posted_sales(env, 2)
    voided = next(t for t in env.company.transactions if t.scenario == "voided")
    visa = TEST_CARDS[0][1]
    report = _write_report(
        tmp_path / "chargebacks.csv",
        [
            "PayTrace Chargeback Report,,,",
            HEADER,
            f"CB-1001,{won_tx.transaction_id},VISA,****{won_tx.card_last4},"
            f'"${won_tx.amount_cents / 100:,.2f}",10.4,Other fraud,3/10/2025,3/30/2025,Open,$15.00',
            f"CB-1002,{lost_tx.transaction_id},Visa,{visa},{lost_tx.amount_cents / 100:.2f},"
            f"13.1,Merchandise not received card {visa},3/11/2025,3/31/2025,Open,",
            f"CB-1003,{voided.transaction_id},MC,0057,25.00,4837,No authorization,3/12/2025,,Open,",
            "CB-1004,123,Visa,5439,not money,10.4,Fraud,3/12/2025,,Open,",
        ],
    )
    first = import_chargeback_file(env.store, report, profile=env.profile, user="ann")
    assert (first.added, first.alerts, len(first.errors)) == (3, 3, 1)
    assert first.errors[0].column == "amount" and first.rows_with_card_numbers == 1
    again = import_chargeback_file(env.store, report, profile=env.profile, user="ann")
    assert (again.added, again.already_known) == (0, 3)

    with env.store.read() as session:
        items = {
            i.payload["case_key"]: i
            for i in session.execute(
                select(ExceptionItem).where(ExceptionItem.category == "chargeback")
            ).scalars()
        }
        alerts = (
            session.execute(
                select(ExceptionItem).where(ExceptionItem.reason_code == "chargeback_received")
            )
            .scalars()
            .all()
        )
    assert set(items) == {"CB-1001", "CB-1002", "CB-1003"} and len(alerts) == 3
    won, lost, void = items["CB-1001"], items["CB-1002"], items["CB-1003"]
    assert won.transaction_id == won_tx.transaction_id and won.status == "open"
    assert won_invoice in won.detail and "receivables 1200" in won.detail
    assert lost.payload["card_last4"] == "5439" and lost.payload["redacted_columns"]

    # A chargeback naming a voided sale cannot be confirmed: no money moved.
    with pytest.raises(ChargebackError, match="VOID"):
        confirm_chargeback(env.store, void.id, user="ann", profile=env.profile)

    invoice_before = env.sagepro_get(f"/api/invoices/{won_invoice}")
    customer_id = invoice_before["CustomerID"]
    balance_before = Decimal(env.sagepro_get(f"/api/customers/{customer_id}")["Balance"])
    keys = confirm_chargeback(env.store, won.id, user="ann", profile=env.profile, today=DEMO_TODAY)
    # The sale's payment is in Sage Pro: a payment reversal reopens the invoice, the journal
    # entry carries only the bank side, the invoice is marked Failed.
    reversal_key = f"PT-{won_tx.transaction_id}-REVERSAL"
    assert keys == [reversal_key, "PT-CB-CB-1001-JE", f"PT-CB-CB-1001-INV-{won_invoice}"]
    with pytest.raises(ChargebackError, match="already confirmed"):
        confirm_chargeback(env.store, won.id, user="ann", profile=env.profile)
    confirm_chargeback(env.store, lost.id, user="ann", profile=env.profile, today=DEMO_TODAY)
    assert _post(env) == 6  # per case: a payment reversal, a journal entry, an invoice mark
    assert _post(env) == 0

    amount = Decimal(won_tx.amount_cents) / 100
    reopened = env.sagepro_get(f"/api/invoices/{won_invoice}")
    assert (reopened["Status"], reopened["PaymentStatus"]) == ("Open", "Failed")
    assert Decimal(reopened["Balance"]) == Decimal(invoice_before["Balance"]) + amount
    balance_now = Decimal(env.sagepro_get(f"/api/customers/{customer_id}")["Balance"])
    assert balance_now == balance_before + amount
    (made,) = env.sagepro_get("/api/paymentreversals", Reference=reversal_key)["items"]
    assert Decimal(made["Amount"]) == amount and made["ReversalDate"] == DEMO_TODAY.isoformat()
    (journal,) = _journal(env, "PT-CB-CB-1001-JE")
    lines = {(ln["GLAccountID"], ln["Debit"], ln["Credit"]) for ln in journal["Lines"]}
    assert lines == {
        ("1050", f"{amount:.2f}", "0.00"),  # what the reversal credited card clearing
        ("6160", "15.00", "0.00"),
        ("1010", "0.00", f"{amount + 15:.2f}"),
    }
    assert journal["EntryDate"] == DEMO_TODAY.isoformat()

    # Another full cycle (poll, match, post) posts nothing twice.
    _synced_again = run_cycle(env.context(), since=DEMO_TODAY - timedelta(days=31))
    assert _synced_again.dead_letter == 0
    assert len(_journal(env, "PT-CB-CB-1001-JE")) == 1
    assert len(env.sagepro_get("/api/paymentreversals", Reference=reversal_key)["items"]) == 1

    later = DEMO_TODAY + timedelta(days=10)
    won_keys = resolve_chargeback(env.store, won.id, outcome="won", user="bob", today=later)
    # Won: the money is back in the bank, so the payment posts again under the next key.
    assert won_keys == [f"PT-{won_tx.transaction_id}-PAY-2", "PT-CB-CB-1001-WON-JE"]
    assert resolve_chargeback(env.store, lost.id, outcome="lost", user="bob") == []
    with pytest.raises(ChargebackError, match="already won"):
        resolve_chargeback(env.store, won.id, outcome="lost", user="bob")
    assert _post(env) == 2
    (reversal,) = _journal(env, "PT-CB-CB-1001-WON-JE")
    assert reversal["EntryDate"] == later.isoformat()
    assert {(ln["GLAccountID"], ln["Debit"], ln["Credit"]) for ln in reversal["Lines"]} == {
        ("1010", f"{amount:.2f}", "0.00"),
        ("1050", "0.00", f"{amount:.2f}"),
    }
    assert _journal(env, "PT-CB-CB-1002-WON-JE") == []
    paid_again = env.sagepro_get(f"/api/invoices/{won_invoice}")
    assert (paid_again["Status"], paid_again["Balance"]) == ("Paid", invoice_before["Balance"])
    balance_won = Decimal(env.sagepro_get(f"/api/customers/{customer_id}")["Balance"])
    assert balance_won == balance_before

    with env.store.read() as session:
        closed = {
            i.payload["case_key"]: (i.status, i.payload["state"])
            for i in session.execute(
                select(ExceptionItem).where(ExceptionItem.category == "chargeback")
            ).scalars()
        }
        open_alerts = session.execute(
            select(ExceptionItem.id).where(
                ExceptionItem.reason_code == "chargeback_received", ExceptionItem.status == "open"
            )
        ).all()
    assert closed["CB-1001"] == ("resolved", "won") and closed["CB-1002"] == ("resolved", "lost")
    assert len(open_alerts) == 1  # CB-1003 still waits for the bookkeeper

    # The full card number in the report reached neither the database nor Sage Pro.
    env.store.dispose()
    with sqlite3.connect(env.db_path) as db:
        dump = "\n".join(db.iterdump())
    assert visa not in dump
    assert visa not in str(env.all_items("/api/journalentries"))


def test_confirmed_chargeback_marks_the_paid_invoice_failed(sync_env: SyncEnv, tmp_path: Path):
    env = sync_env
    _synced(env)
    ((tx, invoice_id),) = _posted_sales(env, 1)
    assert env.sagepro_get(f"/api/invoices/{invoice_id}")["PaymentStatus"] == "Paid"
    report = _write_report(
        tmp_path / "cb.csv",
        [HEADER, f"CB-2001,{tx.transaction_id},Visa,{tx.card_last4},{tx.amount_cents / 100:.2f}"
         ",10.4,Fraud,3/10/2025,,Open,"],
        crlf=False,
    )  # fmt: skip
    (item_id,) = import_chargeback_file(env.store, report, profile=env.profile, user="t").item_ids
    confirm_chargeback(env.store, item_id, user="t", profile=env.profile, today=DEMO_TODAY)
    _post(env)
    assert env.sagepro_get(f"/api/invoices/{invoice_id}")["PaymentStatus"] == "Failed"
    resolve_chargeback(env.store, item_id, outcome="won", user="t", today=DEMO_TODAY)
    _post(env)
    assert env.sagepro_get(f"/api/invoices/{invoice_id}")["PaymentStatus"] == "Paid"
