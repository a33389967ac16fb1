"""A full sync cycle against the PayTrace stand-in and the bridge over a FoxPro company
holding the stand-in's demo books: payments are matched and staged, and Python writes
nothing into a Sage Pro file (every table and index byte-identical afterwards); a payment
the app staged leaves the app's worklist once it is entered in Sage Pro with its token."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from app import credentials
from app.bridge.http_app import BridgeApp
from app.bridge.service import open_company
from app.bridge.staging import StagedReceipts, StagedStore
from app.config import Profile
from app.domain.money import to_cents
from app.queries import sagepro_worklist
from app.sandbox.demo_data import generate_demo_company
from app.sandbox.http_base import SandboxServer
from app.sandbox.paytrace import PayTraceStandIn
from app.sandbox.sagepro import DEFAULT_API_KEY, build_app
from app.store import open_store
from app.store.models import OutboxItem, StagedPosting
from app.sync.cycle import CycleResult, run_cycle
from tests.support.sagepro_folder import (
    Company,
    build_company_from_contract,
    enter_receipt_in_sage_pro,
    right,
)
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv


def _all(url: str, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = requests.get(
            url + path,
            params={**params, "page": page, "page_size": 1000},
            headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
            timeout=10,
        ).json()
        items += body["items"]
        if page * body["page_size"] >= body["total"]:
            return items
        page += 1


@dataclass
class BridgeSync:
    """The app's sync over the PayTrace stand-in and a bridge serving a FoxPro company that
    holds the Sage Pro stand-in's demo books."""

    env: SyncEnv
    sage: Company
    staged: StagedStore
    before: dict[Path, str]  # every fixture table's bytes when the bridge started

    def cycle(self) -> CycleResult:
        return run_cycle(
            self.env.context(), since=DEMO_TODAY - timedelta(days=31), auto_approve=True
        )

    def digests(self) -> dict[Path, str]:
        return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in self.sage.table_files()}


@contextmanager
def bridge_sync(tmp_path: Path) -> Iterator[BridgeSync]:
    standin = build_app(seed=1, today=DEMO_TODAY)
    with SandboxServer(standin) as books:
        sage = build_company_from_contract(
            tmp_path / "sage",
            _all(books.url, "/api/customers"),
            _all(books.url, "/api/invoices", status="all"),
            _all(books.url, "/api/payments"),
            _all(books.url, "/api/glaccounts"),
            _all(books.url, "/api/periods"),
        )
    standin.books.store.close()
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sage.table_files()}

    served = open_company(sage.data_folder)
    staged = StagedStore(tmp_path / "bridge" / "staged.sqlite3")
    moment = datetime.combine(DEMO_TODAY, datetime.min.time(), tzinfo=UTC)
    receipts = StagedReceipts(served, staged, clock=lambda: moment)
    company = generate_demo_company(1, today=DEMO_TODAY)
    paytrace = PayTraceStandIn(company=company)
    with (
        SandboxServer(paytrace) as pt,
        SandboxServer(BridgeApp(served, DEFAULT_API_KEY, receipts)) as bridge,
    ):
        profile = Profile(name="Bridge")
        profile.paytrace.base_url = pt.url
        profile.paytrace.username = paytrace.settings.username
        profile.paytrace.integrator_id = paytrace.settings.integrator_id
        profile.sagepro.base_url = bridge.url
        credentials.set_secret("Bridge", "paytrace", paytrace.settings.password)
        credentials.set_secret("Bridge", "sagepro", DEFAULT_API_KEY)
        store = open_store(tmp_path / "Bridge.db")
        try:
            env = SyncEnv(company, pt, bridge, profile, store, tmp_path / "Bridge.db")
            yield BridgeSync(env, sage, staged, before)
        finally:
            store.dispose()
            staged.close()


def test_a_full_sync_matches_and_stages_payments_without_writing_sage_pro(
    tmp_path: Path,
) -> None:
    with bridge_sync(tmp_path) as site:
        result = site.cycle()
        print("\nsync through the bridge:", result.as_dict(), result.notes)
        staged_now = site.staged.all()
        company = site.env.company
        after = site.digests()
    assert result.fetched == len(company.transactions) and result.proposals > 0
    assert result.auto_approved > 0 and result.dead_letter == 0
    assert len(staged_now) > 0 and result.posted >= len(staged_now)
    assert all(record["Token"] for _, record, _ in staged_now)
    # Journal entries (settlement batches) wait for the GL batch writer, bridge part 2: the
    # poster pauses on the first one instead of posting around it.
    assert result.errors == 1 and "GL batch writer" in result.notes[-1]
    assert after == site.before  # no Sage Pro table, CDX or memo file touched


def test_a_payment_staged_by_the_app_leaves_its_worklist_once_entered_in_sage_pro(
    tmp_path: Path,
) -> None:
    with bridge_sync(tmp_path) as site:
        site.cycle()
        store = site.env.store
        with store.read() as session:
            waiting = {r.key for r in sagepro_worklist.rows(session)}
            listed = [r for r in sagepro_worklist.rows(session) if r.kind == "payment"]
            # the one the next cycle looks up first (it checks a bounded number per cycle)
            first = session.execute(
                select(OutboxItem.key)
                .join(StagedPosting, StagedPosting.outbox_id == OutboxItem.id)
                .where(OutboxItem.posting_state == "Staged", OutboxItem.kind == "payment")
                .order_by(StagedPosting.checked_at, OutboxItem.id)
                .limit(1)
            ).scalar_one()
        row = next(r for r in listed if r.key == first)
        bridge_record = next(
            record
            for _, record, _ in site.staged.all()
            if record["PaymentReference"].upper() == row.key.upper()
        )
        assert row.token == bridge_record["Token"]  # the app shows the bridge's token
        assert row.amount_cents == to_cents(Decimal(bridge_record["Amount"]))

        # The bookkeeper enters it in Sage Pro's Cash Receipts, typing the token.
        applications = bridge_record["Applications"] or [
            {"InvoiceID": "", "Amount": bridge_record["Amount"]}
        ]
        enter_receipt_in_sage_pro(
            site.sage,
            [
                {
                    "INVNO": right(a["InvoiceID"]) if a["InvoiceID"] else "",
                    "CUSTNO": bridge_record["CustomerID"],
                    "PAIDAMT": Decimal(a["Amount"]),
                    "DTEPAID": date.fromisoformat(bridge_record["PaymentDate"]),
                    "REFNO": row.token,
                    "GLACCNT": bridge_record["GLAccountID"],
                }
                for a in applications
            ],
            {},  # ARMAST is left as is: the receipt's row is what links it
        )
        result = site.cycle()
        with store.read() as session:
            still = {r.key for r in sagepro_worklist.rows(session)}
            item = session.execute(select(OutboxItem).where(OutboxItem.key == row.key)).scalar_one()
            state = item.posting_state
    assert "1 staged item entered in Sage Pro." in result.notes, result.notes
    assert state == "Entered" and row.key not in still
    assert still == waiting - {row.key}  # only the entered one left; the rest still wait
