"""Put the independent company into both stand-ins: PayTrace rows straight into the
stand-in's store (their final export state, settled ones in nightly batches, as
app/sandbox/paytrace/seed.py does for the demo company), Sage Pro customers and invoices
through its HTTP API, the way the office keys them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path

import requests

from app import credentials
from app.config import Profile
from app.sandbox.demo_records import DemoCompany
from app.sandbox.http_base import SandboxServer
from app.sandbox.paytrace import PayTraceStandIn
from app.sandbox.paytrace.state import (
    Batch,
    StoredCard,
    StoredCheck,
    StoredTransaction,
    VaultProfile,
)
from app.sandbox.paytrace.store import PayTraceStore
from app.sandbox.sagepro import DEFAULT_API_KEY, build_app
from app.store import open_store
from tests.support.independent_company_records import Card, Customer, IndependentCompany, Row
from tests.support.sync_fixtures import SyncEnv

SETTLE_AT = time(20, 15)
ACH_ROUTING = "325070760"


def _card(card: Card) -> StoredCard:
    return StoredCard(card.number, card.exp_month, card.exp_year)


def _billing(c: Customer) -> dict[str, str]:
    return {"name": c.name, "street_address": c.street, "city": c.city, "state": c.state,
            "zip": c.zip, "country": "US"}  # fmt: skip


def _stored(row: Row) -> StoredTransaction:
    txn = StoredTransaction(
        transaction_id=row.transaction_id,
        kind=row.kind,
        amount=row.amount,
        created=row.created,
        card=_card(row.card) if row.card else None,
        check=StoredCheck(str(row.transaction_id)[-4:], ACH_ROUTING) if row.ach else None,
        customer_id=row.vault_id,
        invoice_id=row.invoice_field,
        description=row.description,
        customer_reference_id=row.customer_reference,
        email=row.email,
        billing={"name": row.billing_name, "country": "US"},
        voided=row.voided,
        captured=row.captured,
        status_code=f"GB{row.transaction_id % 900 + 100}",
    )
    if row.kind == "DECLINED":
        txn.approval_message, txn.status_code = "  DECLINED", "D0005"
    elif row.kind != "REFUND":
        txn.approval_code = f"TAS{row.transaction_id % 900 + 100}"
        txn.approval_message = "  EXACT MATCH - Approved and completed"
    return txn


def seed_paytrace(store: PayTraceStore, company: IndependentCompany) -> None:
    with store.lock:
        for c in company.customers:
            for vault_id, card in ((c.linked_vault, c.cards[0]), (c.extra_vault, c.cards[-1])):
                if vault_id:
                    store.create_profile(
                        VaultProfile(vault_id, _card(card), _billing(c), c.email, c.phone)
                    )
        by_day: dict[date, list[StoredTransaction]] = defaultdict(list)
        for row in company.rows:
            txn = store.add(_stored(row))
            if row.refund_of is not None:
                store.transactions[row.refund_of.transaction_id].refunded_amount += row.amount
            if row.settled:
                by_day[row.created.date()].append(txn)
        number = 5001
        for day in sorted(by_day):
            batch = Batch(number, datetime.combine(day, SETTLE_AT))
            for txn in by_day[day]:
                txn.settled, txn.batch_number = batch.settled, number
                batch.transaction_ids.append(txn.transaction_id)
            store.batches[number] = batch
            number += 1
        store.next_batch_number = number


def _post(url: str, path: str, body: dict[str, object]) -> None:
    response = requests.post(
        url + path, json=body, headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"}, timeout=10
    )
    if response.status_code >= 300:
        raise AssertionError(f"seeding {path} failed: {response.status_code} {response.text}")


def seed_sagepro(url: str, company: IndependentCompany, *, late: bool = False) -> None:
    """Customers and the invoices keyed so far; ``late=True`` keys the late invoices."""
    if not late:
        for c in company.customers:
            _post(url, "/api/customers", {
                "CustomerID": c.customer_id, "Name": c.name, "Email": c.email, "Phone": c.phone,
                "BillingAddress": {"Street": c.street, "City": c.city, "State": c.state,
                                   "Zip": c.zip, "Country": "US"},
                "Terms": "Net 30", "PayTraceCustomerID": c.linked_vault,
                "CardLast4": c.cards[0].last4 if c.linked_vault else "",
                "CardExpiry": f"{c.cards[0].exp_month:02d}/{c.cards[0].exp_year % 100:02d}"
                if c.linked_vault else "",
            })  # fmt: skip
    for inv in company.invoices:
        if inv.late != late:
            continue
        _post(url, "/api/invoices", {
            "InvoiceID": inv.invoice_id, "CustomerID": inv.customer_id,
            "InvoiceDate": inv.invoice_date.isoformat(), "Amount": f"{inv.amount:.2f}",
            "PONumber": inv.po_number, "OrderNumber": inv.order_number,
        })  # fmt: skip
        if inv.paid_in_office:
            _post(url, f"/_sandbox/invoices/{inv.invoice_id}/pay",
                  {"PaymentDate": company.month_start.isoformat()})  # fmt: skip


@contextmanager
def running_independent_env(
    folder: Path, company: IndependentCompany, name: str = "Independent"
) -> Iterator[SyncEnv]:
    """Both stand-ins over real sockets holding ``company`` (late invoices not yet keyed),
    and a profile and store pointing at them."""
    paytrace_app = PayTraceStandIn()
    seed_paytrace(paytrace_app.store, company)
    sagepro_app = build_app(seed=None, today=company.today)
    with SandboxServer(paytrace_app) as pt, SandboxServer(sagepro_app) as sp:
        seed_sagepro(sp.url, company)
        profile = Profile(name=name)
        profile.paytrace.base_url = pt.url
        profile.paytrace.username = paytrace_app.settings.username
        profile.paytrace.integrator_id = paytrace_app.settings.integrator_id
        profile.sagepro.base_url = sp.url
        credentials.set_secret(name, "paytrace", paytrace_app.settings.password)
        credentials.set_secret(name, "sagepro", DEFAULT_API_KEY)
        folder.mkdir(parents=True, exist_ok=True)
        store = open_store(folder / f"{name}.db")
        # SyncEnv wants the shared demo company; ours lives in ``company``, so it gets none.
        empty = DemoCompany(company.seed, company.today, (), (), ())
        try:
            yield SyncEnv(empty, pt, sp, profile, store, folder / f"{name}.db")
        finally:
            store.dispose()
    sagepro_app.books.store.close()
