"""The grid's stored sort keys (customer and card on each proposal) follow every writer of the
rows they come from: the matching pipeline, the Sage Pro customer cache (a new customer, a
renamed one), the automatic re-match, a person's re-match to another customer, and ingest
of a changed PayTrace record. Over real sockets against both stand-ins; after each step no
proposal's stored key differs from the one computed live from its rows."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta
from decimal import Decimal

import requests
from sqlalchemy import select

from app.connectors.paytrace.parse_transactions import ParsedRecord
from app.sandbox.paytrace.state import StoredCard, StoredTransaction
from app.sandbox.sagepro import DEFAULT_API_KEY
from app.store.grid_sort_keys import card_key, customer_key, search_key
from app.store.models import PayTraceTransaction, Proposal, SageProCustomer, SageProInvoice
from app.store.transactions import transaction_from_row
from app.sync.cycle import run_cycle
from app.sync.inbound.ingest import ingest_transactions
from app.sync.review.actions import rematch_proposal
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv

SINCE = DEMO_TODAY - timedelta(days=1)
LATE = "CLATE"
VAULT_ID = "PT-CLATE"
BILLED_AS = "Latecomer Hardware LLC"


def _sagepro(env: SyncEnv, method: str, path: str, body: dict) -> None:  # type: ignore[type-arg]
    response = requests.request(
        method,
        env.sagepro.url + path,
        json=body,
        headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
        timeout=10,
    )
    assert response.status_code in (200, 201), response.text


def _card_sale(env: SyncEnv, invoice_id: str, amount: str, minute: int) -> int:
    store = env.paytrace.app.store  # type: ignore[attr-defined]
    transaction_id = max(store.transactions) + 100 + minute
    store.add(
        StoredTransaction(
            transaction_id=transaction_id,
            kind="SALE",
            amount=Decimal(amount),
            created=datetime.combine(DEMO_TODAY, time(9, minute)),
            card=StoredCard("4111111111111111", 12, 2027),
            customer_id=VAULT_ID,
            invoice_id=invoice_id,
            email="ap@latecomer.example.com",
            billing={"name": BILLED_AS, "country": "US"},
            approval_code="TAS901",
            approval_message="  NO  MATCH - Approved and completed",
            status_code="GB101",
        )
    )
    return transaction_id


def _keys(env: SyncEnv, transaction_id: int) -> list[tuple[str, str, str]]:
    """(customer id, customer key, card key) of the transaction's proposals, oldest first."""
    with env.store.read() as session:
        rows = session.execute(
            select(Proposal.customer_id, Proposal.customer_sort_key, Proposal.card_sort_key)
            .where(Proposal.transaction_id == transaction_id)
            .order_by(Proposal.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _stale(env: SyncEnv) -> list[tuple[str, ...]]:
    """Proposals whose stored keys differ from the keys computed live from their rows."""
    with env.store.read() as session:
        rows = session.execute(
            select(
                Proposal.customer_sort_key,
                customer_key(),
                Proposal.card_sort_key,
                card_key(),
                Proposal.search_text,
                search_key(),
            )
        ).all()
        assert rows, "no proposals to check"
    return [tuple(r) for r in rows if r[0::2] != r[1::2]]


def test_keys_follow_pipeline_cache_rematch_and_ingest(sync_env: SyncEnv) -> None:
    env = sync_env
    sale = _card_sale(env, "209301", "123.45", minute=1)
    other = _card_sale(env, "209302", "50.00", minute=2)
    run_cycle(env.context(), since=SINCE, auto_approve=False)
    # Nobody in Sage Pro pays these yet: the grid shows the PayTrace billing name.
    [(customer, name, card)] = _keys(env, sale)
    assert (customer, name) == ("", BILLED_AS)
    assert card.endswith("··1111")
    assert _stale(env) == []

    # The customer is entered in Sage Pro under another name: the cache refresh and the
    # automatic re-match give the proposal that customer and that name.
    _sagepro(
        env,
        "POST",
        "/api/customers",
        {"CustomerID": LATE, "Name": "Latecomer Hardware", "PayTraceCustomerID": VAULT_ID},
    )
    run_cycle(env.context(), auto_approve=False)
    assert _keys(env, sale)[-1][:2] == (LATE, "Latecomer Hardware")
    assert _stale(env) == []

    # Renamed in Sage Pro: every proposal of that customer shows the new name.
    _sagepro(env, "PUT", f"/api/customers/{LATE}", {"Name": "Latecomer & Sons"})
    run_cycle(env.context(), auto_approve=False)
    assert _keys(env, sale)[-1][:2] == (LATE, "Latecomer & Sons")
    assert _stale(env) == []

    # A person re-matches the other payment to another customer's invoice.
    with env.store.read() as session:
        invoice, owner, owner_name = session.execute(
            select(SageProInvoice.invoice_id, SageProCustomer.customer_id, SageProCustomer.name)
            .join(SageProCustomer, SageProCustomer.customer_id == SageProInvoice.customer_id)
            .where(SageProInvoice.status == "Open", SageProInvoice.balance_cents >= 5000)
            .where(SageProCustomer.customer_id != LATE, SageProInvoice.currency == "USD")
            .limit(1)
        ).one()
        waiting = session.scalars(
            select(Proposal.id)
            .where(Proposal.transaction_id == other, Proposal.status.in_(("proposed", "review")))
            .order_by(Proposal.id.desc())
        ).first()
    assert waiting is not None
    rematch_proposal(
        env.store, waiting, [(invoice, Decimal("50.00"))], user="pat", profile=env.profile
    )
    assert _keys(env, other)[-1][:2] == (owner, owner_name)
    with env.store.read() as session:
        searched = session.scalar(
            select(Proposal.search_text)
            .where(Proposal.transaction_id == other)
            .order_by(Proposal.id.desc())
        )
    assert searched is not None and invoice in searched and "Chosen by pat" in searched
    assert _stale(env) == []

    # PayTrace changes the billing name and card of a payment nobody in Sage Pro pays yet
    # (its first proposal, kept as superseded, still shows the billing name).
    with env.store.write() as session:
        row = session.get(PayTraceTransaction, sale)
        assert row is not None
        changed = transaction_from_row(row)
    renamed = dataclasses.replace(changed, billing_name="Latecomer Hardware Inc", card_last4="4242")
    with env.store.write() as session:
        ingest_transactions(session, [ParsedRecord(renamed, {"changed": True})], now=datetime.now())
    first = _keys(env, sale)[0]
    assert first[1] == "Latecomer Hardware Inc" and first[2].endswith("··4242")
    assert _stale(env) == []


def test_an_orm_change_of_customer_moves_the_key(sync_env: SyncEnv) -> None:
    """Any write through the store's sessions keeps the keys, not only the sync's own."""
    env = sync_env
    sale = _card_sale(env, "209401", "10.00", minute=3)
    run_cycle(env.context(), since=SINCE, auto_approve=False)
    with env.store.read() as session:
        someone, their_name = session.execute(
            select(SageProCustomer.customer_id, SageProCustomer.name).limit(1)
        ).one()
    with env.store.write() as session:
        proposal = session.scalars(select(Proposal).where(Proposal.transaction_id == sale)).one()
        proposal.customer_id = someone
    assert _keys(env, sale)[0][:2] == (someone, their_name)
    assert _stale(env) == []
