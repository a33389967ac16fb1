"""The posting services (approval → outbox → poster, unreconcile → reversal) against the
in-memory Sage Pro gateway: fast, no sockets. The same promises over HTTP are in
tests/integration/test_sync_poster.py and test_sync_reversals.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import Profile
from app.connectors.paytrace.parse_transactions import ParsedRecord, parse_row
from app.connectors.retry import RetryPolicy
from app.store import Store, open_store
from app.store.models import (
    ExceptionItem,
    OutboxItem,
    PayTraceTransaction,
    Proposal,
    ProposalApplication,
    SageProCustomer,
    SageProInvoice,
)
from app.sync.inbound.ingest import ingest_transactions
from app.sync.outbound.poster import OutboxPoster
from app.sync.outbox.outcomes import utcnow
from app.sync.review import actions as review
from tests.support.memory_sagepro import MemorySagePro

PROFILE = Profile()
NOW = datetime(2026, 12, 7, 9, 0)
NOVEMBER = date(2026, 11, 10)


@dataclass
class Books:
    store: Store
    sagepro: MemorySagePro
    clock: list[datetime]

    def poster(self) -> OutboxPoster:
        # One try per run: a lost answer waits for the next run, as after a crash.
        no_wait = RetryPolicy(max_attempts=1, sleep=lambda _s: None)
        return OutboxPoster(
            self.store, self.sagepro, clock=lambda: self.clock[0], retry_policy=no_wait
        )

    def later(self, minutes: int) -> None:
        self.clock[0] += timedelta(minutes=minutes)


@pytest.fixture
def books(tmp_path: Path):
    sagepro = MemorySagePro()
    sagepro.add_gl_account(PROFILE.gl.card_clearing)
    for month in (10, 11, 12):
        end = date(2026, month + 1, 1) - timedelta(days=1) if month < 12 else date(2026, 12, 31)
        sagepro.add_period(2026, month, date(2026, month, 1), end)
    store = open_store(tmp_path / "memory.db")
    # Approval stamps rows with the real clock; the poster's clock starts just after it.
    yield Books(store, sagepro, [utcnow() + timedelta(seconds=1)])
    store.dispose()


def _customer(books: Books, customer_id: str) -> None:
    books.sagepro.add_customer(customer_id, f"Customer {customer_id}")
    with books.store.write() as session:
        session.add(SageProCustomer(customer_id=customer_id, name=customer_id, refreshed_at=NOW))


def _invoice(books: Books, invoice_id: str, customer_id: str, amount: str) -> None:
    books.sagepro.add_invoice(invoice_id, customer_id, amount, date(2026, 10, 1))
    cents = int(Decimal(amount) * 100)
    with books.store.write() as session:
        session.add(
            SageProInvoice(
                invoice_id=invoice_id,
                customer_id=customer_id,
                invoice_date=date(2026, 10, 1),
                amount_cents=cents,
                balance_cents=cents,
                status="Open",
                refreshed_at=NOW,
            )
        )


def _paytrace_payment(
    books: Books, transaction_id: int, customer_id: str, invoice_id: str, cents: int, day: date
) -> int:
    """A PayTrace sale read from its export row, that the matcher proposed for one invoice;
    returns the proposal id."""
    row = {
        "transaction_id": transaction_id,
        "transaction_type": "SALE",
        "amount": f"{cents // 100}.{cents % 100:02d}",
        "created": {"through": "API", "at": f"{day.month}/{day.day}/{day.year} 10:00:00 AM"},
        "invoice_id": invoice_id,
        "credit_card": {
            "masked_number": "xxxxxxxxxxxx4242",
            "expiration_month": 12,
            "expiration_year": 2028,
        },
        "billing_address": {"name": f"Customer {customer_id}"},
        "approval_code": "TAS123",
        "approval_message": "Approved",
    }
    parsed = parse_row(row)
    assert isinstance(parsed, ParsedRecord), parsed
    with books.store.write() as session:
        ingest_transactions(session, [parsed], now=NOW)
        proposal = Proposal(
            transaction_id=transaction_id,
            kind="payment",
            status="proposed",
            rule="hard_key",
            confidence=99,
            reason=f"Reference {invoice_id} is an open invoice",
            customer_id=customer_id,
            created_at=NOW,
        )
        proposal.applications.append(ProposalApplication(invoice_id=invoice_id, amount_cents=cents))
        session.add(proposal)
        session.get(PayTraceTransaction, transaction_id).match_status = "proposed"  # type: ignore[union-attr]
        session.flush()
        return proposal.id


def _approve(books: Books, *proposal_ids: int) -> None:
    result = review.approve_proposals(books.store, proposal_ids, user="amy", profile=PROFILE)
    assert result.refused == {} and result.approved == list(proposal_ids)


def _outbox(books: Books) -> dict[str, OutboxItem]:
    with books.store.read() as session:
        return {item.key: item for item in session.scalars(select(OutboxItem))}


def test_an_approved_payment_posts_once_and_pays_the_invoice(books: Books):
    _customer(books, "ACME")
    _invoice(books, "1001", "ACME", "250.00")
    _approve(books, _paytrace_payment(books, 501, "ACME", "1001", 25_000, NOVEMBER))

    counts = books.poster().post_due()
    again = books.poster().post_due()  # nothing left to do: nothing posted twice

    assert (counts.posted, counts.dead_letter, again.posted) == (1, 0, 0)
    assert books.sagepro.writes == ["PT-501-PAY"]
    payment = books.sagepro.find_payment("pt-501-pay")  # references ignore case
    assert payment is not None and payment.amount == Decimal("250.00")
    invoice = books.sagepro.get_invoice("1001")
    assert (invoice.balance, invoice.status, invoice.payment_status) == (
        Decimal("0.00"),
        "Paid",
        "Paid",
    )
    item = _outbox(books)["PT-501-PAY"]
    assert (item.status, item.remote_id) == ("posted", payment.payment_id)
    with books.store.read() as session:
        assert session.get(Proposal, 1).status == "posted"  # type: ignore[union-attr]


def test_a_lost_answer_is_found_by_its_key_on_the_retry(books: Books):
    _customer(books, "ACME")
    _invoice(books, "1001", "ACME", "300.00")
    _approve(books, _paytrace_payment(books, 502, "ACME", "1001", 10_000, NOVEMBER))
    books.sagepro.lose_answers = 1  # Sage Pro books it, the answer never arrives

    first = books.poster().post_due()
    assert (first.posted, first.retry_later) == (0, 1)
    assert _outbox(books)["PT-502-PAY"].status == "pending"  # unknown is not failure

    assert books.sagepro.calls == ["find_payment PT-502-PAY", "post_payment PT-502-PAY"]
    books.sagepro.calls.clear()
    books.later(minutes=60)  # past the persisted backoff
    second = books.poster().post_due()
    assert books.sagepro.calls == ["find_payment PT-502-PAY"]  # found: not posted again

    assert second.posted == 1
    assert books.sagepro.writes == ["PT-502-PAY"]  # looked up first: no second payment
    assert books.sagepro.get_invoice("1001").balance == Decimal("200.00")
    posted = books.sagepro.find_payment("PT-502-PAY")
    assert posted is not None and _outbox(books)["PT-502-PAY"].remote_id == posted.payment_id


def test_a_closed_period_is_a_dead_letter_in_words_and_the_batch_goes_on(books: Books):
    for customer, invoice in (("ACME", "1001"), ("BOLT", "2001"), ("CRUX", "3001")):
        _customer(books, customer)
        _invoice(books, invoice, customer, "80.00")
    books.sagepro.lock_period(2026, 10)  # October is closed in Sage Pro
    _approve(
        books,
        _paytrace_payment(books, 601, "ACME", "1001", 8_000, NOVEMBER),
        _paytrace_payment(books, 602, "BOLT", "2001", 8_000, date(2026, 10, 20)),
        _paytrace_payment(books, 603, "CRUX", "3001", 8_000, NOVEMBER),
    )

    counts = books.poster().post_due()

    assert (counts.posted, counts.dead_letter) == (2, 1)
    assert sorted(books.sagepro.writes) == ["PT-601-PAY", "PT-603-PAY"]
    assert books.sagepro.get_invoice("2001").balance == Decimal("80.00")  # untouched
    assert _outbox(books)["PT-602-PAY"].status == "dead"
    with books.store.read() as session:
        dead = session.scalars(select(ExceptionItem)).one()
    assert dead.category == "dead_letter" and dead.status == "open"
    assert dead.reason_code == "period_closed"
    assert "Period 10/2026 is closed" in dead.detail and "PT-602-PAY" in dead.title


def test_unreconcile_reverses_the_payment_and_restores_the_invoice_balance(books: Books):
    _customer(books, "ACME")
    _invoice(books, "1001", "ACME", "500.00")
    proposal_id = _paytrace_payment(books, 701, "ACME", "1001", 20_000, NOVEMBER)
    _approve(books, proposal_id)
    assert books.poster().post_due().posted == 1
    assert books.sagepro.get_invoice("1001").balance == Decimal("300.00")
    balance_after_payment = books.sagepro.get_customer("ACME").balance

    again = review.unreconcile(books.store, proposal_id, user="amy")
    counts = books.poster().post_due()

    assert counts.posted == 1
    invoice = books.sagepro.get_invoice("1001")
    assert (invoice.balance, invoice.amount_paid, invoice.status, invoice.payment_status) == (
        Decimal("500.00"),
        Decimal("0.00"),
        "Open",
        "Unpaid",
    )
    assert books.sagepro.get_customer("ACME").balance == balance_after_payment + Decimal("200.00")
    payment = books.sagepro.find_payment("PT-701-PAY")
    assert payment is not None and payment.reversed
    reversal = books.sagepro.find_payment_reversal("PT-701-REVERSAL")
    assert reversal is not None and reversal.payment_id == payment.payment_id
    assert reversal.amount == Decimal("200.00")
    with books.store.read() as session:
        assert session.get(Proposal, again).status == "review"  # type: ignore[union-attr]
        assert session.get(SageProInvoice, "1001").balance_cents == 50_000  # type: ignore[union-attr]
    assert books.poster().post_due().posted == 0  # the reversal posts once
