"""``post_once`` against the stand-in over real sockets: found-not-posted, lost answers,
409 with matching and conflicting records, permanent vs transient errors, and a soak with
apply-then-drop faults and 30% transient failures that must leave exactly one record per key."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from app.connectors.sagepro import (
    IntentMismatchError,
    OverpaymentError,
    RetryPolicy,
    SageProClient,
    UnavailableError,
    post_once,
)
from app.domain.sagepro_records import (
    CreditMemoDraft,
    JournalEntryDraft,
    JournalLine,
    PaymentDraft,
    SalesOrderDraft,
    SalesOrderLine,
)

pytest_plugins = ["tests.support.sagepro_fixtures"]

D = Decimal
SOAK_FAULTS = ["429", "503", "500", "reset", "malformed", "apply_then_drop"]


class Recorder:
    """Zero-length sleeps, remembered."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def fast_policy(attempts: int = 8, sleep: Recorder | None = None) -> RetryPolicy:
    return RetryPolicy(max_attempts=attempts, sleep=sleep or Recorder(), rng=random.Random(3))


def on_account(customer_id: str, amount: str = "10.00", **changes) -> PaymentDraft:
    fields = dict(
        reference="",
        payment_date=date(2025, 3, 10),
        amount=D(amount),
        customer_id=customer_id,
        gl_account_id="1050",
    )
    return PaymentDraft(**(fields | changes))


class CountingGateway:
    """The real client, with its finds and posts counted (and the first finds blinded)."""

    def __init__(self, client: SageProClient, blind_finds: int = 0) -> None:
        self.client = client
        self.blind_finds = blind_finds
        self.finds = 0
        self.posts = 0

    def __getattr__(self, name):
        return getattr(self.client, name)

    def find_payment(self, reference):
        self.finds += 1
        if self.blind_finds:
            self.blind_finds -= 1
            return None
        return self.client.find_payment(reference)

    def post_payment(self, draft):
        self.posts += 1
        return self.client.post_payment(draft)


def payments_count(server) -> int:
    return server.app.books.store.counts().get("payments", 0)


def test_absent_key_is_posted_once(sagepro_server, sagepro_client):
    gateway = CountingGateway(sagepro_client)
    posted = post_once(gateway, "payment", "PT-1-PAY", on_account("C00001"), policy=fast_policy())
    assert posted.reference == "PT-1-PAY" and posted.amount == D("10.00")
    assert (gateway.finds, gateway.posts) == (1, 1)
    again = post_once(gateway, "payment", "pt-1-pay", on_account("C00001"), policy=fast_policy())
    assert again == posted and gateway.posts == 1 and payments_count(sagepro_server) == 1


@pytest.mark.parametrize("fault", ["apply_then_drop", "malformed", "reset", "503"])
def test_a_lost_answer_is_found_before_any_retry(sagepro_server, sagepro_client, fault):
    sagepro_server.faults.script(fault, path_contains="/api/payments", writes_only=True)
    sleep = Recorder()
    gateway = CountingGateway(sagepro_client)
    posted = post_once(
        gateway, "payment", "PT-2-PAY", on_account("C00002"), policy=fast_policy(sleep=sleep)
    )
    assert payments_count(sagepro_server) == 1
    assert gateway.finds == 2 and len(sleep.waits) == 1
    assert gateway.posts == (1 if fault in ("apply_then_drop", "malformed") else 2)
    assert sagepro_client.find_payment("PT-2-PAY") == posted


def test_duplicate_409_with_the_same_intent_is_success(sagepro_server, sagepro_client):
    first = sagepro_client.post_payment(on_account("C00003", reference="PT-3-PAY"))
    gateway = CountingGateway(sagepro_client, blind_finds=1)  # a race: the find missed it
    got = post_once(gateway, "payment", "PT-3-PAY", on_account("C00003"), policy=fast_policy())
    assert got == first and gateway.posts == 1 and payments_count(sagepro_server) == 1


def test_duplicate_409_with_another_intent_names_both(sagepro_client):
    sagepro_client.post_payment(on_account("C00003", reference="PT-4-PAY"))
    gateway = CountingGateway(sagepro_client, blind_finds=1)
    with pytest.raises(IntentMismatchError) as caught:
        post_once(gateway, "payment", "PT-4-PAY", on_account("C00004", "12.00"))
    text = str(caught.value)
    assert "C00003" in text and "C00004" in text and "10.00" in text and "12.00" in text
    assert "customer" in text and "amount" in text and not caught.value.transient


def test_found_record_with_another_intent_is_a_mismatch(sagepro_client):
    sagepro_client.post_payment(on_account("C00005", reference="PT-5-PAY"))
    with pytest.raises(IntentMismatchError):
        post_once(sagepro_client, "payment", "PT-5-PAY", on_account("C00005", "10.01"))


def test_invoice_id_and_one_full_application_are_the_same_intent(sagepro_client):
    inv = sagepro_client.list_invoices(page_size=1).items[0]
    draft = on_account(inv.customer_id, str(inv.balance), invoice_id=inv.invoice_id.lower())
    first = post_once(sagepro_client, "payment", "PT-6-PAY", draft)
    assert first.invoice_id == inv.invoice_id
    assert post_once(sagepro_client, "payment", "PT-6-PAY", draft) == first


def test_permanent_errors_raise_at_once(sagepro_client):
    inv = sagepro_client.list_invoices(page_size=1).items[0]
    sleep = Recorder()
    draft = on_account(inv.customer_id, str(inv.balance + 1), invoice_id=inv.invoice_id)
    with pytest.raises(OverpaymentError):
        post_once(sagepro_client, "payment", "PT-7-PAY", draft, policy=fast_policy(sleep=sleep))
    assert sleep.waits == []


def test_transient_errors_stop_after_max_attempts_honouring_retry_after(
    sagepro_server, sagepro_client
):
    sagepro_server.faults.script("503", count=100)
    sleep = Recorder()
    with pytest.raises(UnavailableError):
        post_once(
            sagepro_client,
            "payment",
            "PT-8-PAY",
            on_account("C00001"),
            policy=fast_policy(4, sleep),
        )
    assert len(sleep.waits) == 3 and all(wait >= 1.0 for wait in sleep.waits)
    assert payments_count(sagepro_server) == 0


def test_field_payloads_and_key_checks(sagepro_client):
    fields = {
        "PaymentDate": "2025-03-10",
        "Amount": "15.25",
        "CustomerID": "C00006",
        "GLAccountID": "1060",
        "PaymentMethodCode": "ACH",
    }
    posted = post_once(sagepro_client, "payment", "PT-9-PAY", fields)
    assert posted.reference == "PT-9-PAY" and posted.method_code == "ACH"
    with pytest.raises(ValueError, match="float"):
        post_once(sagepro_client, "payment", "PT-10-PAY", fields | {"Amount": 15.25})
    with pytest.raises(ValueError, match="not its key"):
        post_once(sagepro_client, "payment", "PT-11-PAY", fields | {"PaymentReference": "X"})
    with pytest.raises(ValueError):
        post_once(sagepro_client, "payment", " ", fields)


def test_credit_memo_journal_entry_and_sales_order(sagepro_server, sagepro_client):
    inv = sagepro_client.list_invoices(page_size=1).items[0]
    memo = CreditMemoDraft(
        "", inv.customer_id, inv.invoice_id, date(2025, 3, 12), D("2.00"), "4900"
    )
    sagepro_server.faults.script("apply_then_drop", path_contains="creditmemos")
    cm = post_once(sagepro_client, "credit_memo", "PT-1-REFUND", memo, policy=fast_policy())
    assert post_once(sagepro_client, "credit_memo", "PT-1-REFUND", memo) == cm
    lines = (JournalLine("1010", debit=D("5.00")), JournalLine("1050", credit=D("5.00")))
    entry = JournalEntryDraft("", date(2025, 3, 14), lines, "Batch 4")
    sagepro_server.faults.script("apply_then_drop", path_contains="journalentries")
    je = post_once(sagepro_client, "journal_entry", "PT-BATCH-4-JE", entry, policy=fast_policy())
    other = JournalEntryDraft("", date(2025, 3, 14), lines[::-1] + lines, "Batch 4")
    with pytest.raises(IntentMismatchError, match="lines"):
        post_once(sagepro_client, "journal_entry", "PT-BATCH-4-JE", other)
    assert je.status == "Unposted"
    order = SalesOrderDraft("C00001", date(2025, 3, 9), (SalesOrderLine("X", D(1), D("3.00")),))
    sagepro_server.faults.script("apply_then_drop", path_contains="/api/orders")
    so = post_once(sagepro_client, "sales_order", "WEB-77", order, policy=fast_policy())
    assert so.order_number == "WEB-77" and so.total == D("3.00")
    counts = sagepro_server.app.books.store.counts()
    assert (counts["creditmemos"], counts["journalentries"]) == (1, 1)


def soak(server, client: SageProClient, calls: int) -> None:
    """``calls`` posts under 30% faults (apply-then-drop among them): exactly ``calls`` records.

    Runs in a few seconds over the fixture's server (TCP_NODELAY); without it ~40 ms per
    answer would make 1,000 calls take about two minutes."""
    customers = [c.customer_id for c in client.list_customers(page_size=100).items]
    rng = random.Random(11)
    intents = {
        f"PT-{80_000_000 + n}-PAY": on_account(
            rng.choice(customers), f"{rng.randint(100, 99_999) / 100:.2f}"
        )
        for n in range(calls)
    }
    owed_before = sum(c.balance for c in client.list_customers(page_size=100).items)
    server.faults.set_random(0.3, SOAK_FAULTS, seed=5)
    sleep = Recorder()
    policy = RetryPolicy(max_attempts=25, sleep=sleep, rng=random.Random(1))
    results = {
        key: post_once(client, "payment", key, draft, policy=policy)
        for key, draft in intents.items()
    }
    injected = dict(server.faults.counts)
    server.faults.clear()
    stored = server.app.books.store.all("payments")
    assert len(stored) == calls
    assert len({p["PaymentReference"].upper() for p in stored}) == calls
    for key, payment in results.items():
        assert payment.reference == key and payment.amount == intents[key].amount
    owed_after = sum(c.balance for c in client.list_customers(page_size=100).items)
    assert owed_before - owed_after == sum(d.amount for d in intents.values())  # applied once
    assert injected.get("apply_then_drop", 0) > calls // 50  # the hard case really happened
    assert sum(injected.values()) > calls // 2 and len(sleep.waits) == sum(injected.values())
    print(f"\n{calls} post_once calls, faults injected: {injected}")


def test_soak_1000_posts_under_faults_leave_exactly_1000_records(sagepro_server, sagepro_client):
    soak(sagepro_server, sagepro_client, 1000)
