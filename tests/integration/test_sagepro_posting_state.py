"""Contract v1.1 ``PostingState`` and payment reversals through the client, over real
sockets. The state is marked unverified for a real bridge (``Staged`` until a bookkeeper
enters the record, ``Entered`` once found in Sage Pro): the exactly-once look-up must treat
every state — and its absence — as "exists", so a record is never posted twice."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from app.connectors.sagepro import (
    IntentMismatchError,
    RetryPolicy,
    SageProClient,
    ValidationFailedError,
    post_once,
)
from app.domain.sagepro_records import (
    JournalEntryDraft,
    JournalLine,
    PaymentDraft,
    PaymentReversalDraft,
)
from app.sandbox.http_base import SandboxRequest, SandboxResponse, SandboxServer
from app.sandbox.sagepro import DEFAULT_API_KEY, SageProApp, build_app
from tests.support.sagepro_fixtures import SAGEPRO_SEED, SAGEPRO_TODAY

SHAPES = ["Staged", "Entered", "Posted", None]  # None: the field is absent (a v1 service)


class PostingStateShape:
    """The stand-in, with every record it answers showing ``shape`` as its PostingState
    (or none at all), the way a bridge over a real Sage Pro data folder may answer."""

    def __init__(self, app: SageProApp) -> None:
        self.app = app
        self.shape: str | None = ""  # "" = as the stand-in answers

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        response = self.app.handle(request)
        if self.shape == "":
            return response
        body = response.body
        records = body.get("items") if isinstance(body, dict) and "items" in body else [body]
        for record in records or []:
            if isinstance(record, dict) and "PostingState" in record:
                if self.shape is None:
                    del record["PostingState"]
                else:
                    record["PostingState"] = self.shape
        return response


@pytest.fixture
def shaped() -> Iterator[tuple[PostingStateShape, SandboxServer, SageProClient]]:
    app = build_app(seed=SAGEPRO_SEED, today=SAGEPRO_TODAY)
    wrapper = PostingStateShape(app)
    server = SandboxServer(wrapper).start()  # type: ignore[arg-type]
    client = SageProClient(server.url, DEFAULT_API_KEY, connect_timeout_s=2, read_timeout_s=5)
    yield wrapper, server, client
    client.close()
    server.stop()
    app.books.store.close()


def _policy() -> RetryPolicy:
    return RetryPolicy(max_attempts=4, sleep=lambda s: None, rng=random.Random(1))


def _paid(client: SageProClient, key: str) -> PaymentDraft:
    invoice = next(i for i in client.list_invoices(status="open", page_size=50).items)
    return PaymentDraft(
        reference=key,
        payment_date=date(2025, 3, 10),
        amount=invoice.balance,
        customer_id=invoice.customer_id,
        gl_account_id="1050",
        invoice_id=invoice.invoice_id,
    )


def _counts(app: SageProApp) -> dict[str, int]:
    return app.books.store.counts()


@pytest.mark.parametrize("shape", SHAPES)
def test_a_payment_in_any_posting_state_is_found_not_posted_again(shaped, shape):
    wrapper, _, client = shaped
    draft = _paid(client, "PT-70-PAY")
    first = post_once(client, "payment", "PT-70-PAY", draft, policy=_policy())
    assert first.posting_state == "Posted" and not first.reversed
    before = _counts(wrapper.app)["payments"]
    wrapper.shape = shape
    again = post_once(client, "payment", "PT-70-PAY", draft, policy=_policy())
    assert again.payment_id == first.payment_id and again.posting_state == (shape or "")
    assert _counts(wrapper.app)["payments"] == before


@pytest.mark.parametrize("shape", SHAPES)
def test_a_reversal_in_any_posting_state_is_found_not_posted_again(shaped, shape):
    wrapper, _, client = shaped
    payment = post_once(client, "payment", "PT-71-PAY", _paid(client, "PT-71-PAY"))
    draft = PaymentReversalDraft(
        reference="",
        payment_id=payment.payment_id,
        reversal_date=date(2025, 3, 12),
        reason="voided after posting",
    )
    made = post_once(client, "payment_reversal", "PT-71-REVERSAL", draft, policy=_policy())
    assert made.amount == payment.amount and made.posting_state == "Posted"
    wrapper.shape = shape
    again = post_once(client, "payment_reversal", "pt-71-reversal", draft, policy=_policy())
    assert again.reversal_id == made.reversal_id and again.posting_state == (shape or "")
    assert _counts(wrapper.app)["paymentreversals"] == 1
    found = client.get_payment(payment.payment_id)
    assert found.reversed and found.reversal_id == made.reversal_id


@pytest.mark.parametrize("shape", SHAPES)
def test_a_journal_entry_in_any_posting_state_is_found_not_posted_again(shaped, shape):
    wrapper, _, client = shaped
    draft = JournalEntryDraft(
        reference="",
        entry_date=date(2025, 3, 10),
        lines=(
            JournalLine("1010", debit=Decimal("5.00")),
            JournalLine("1050", credit=Decimal("5.00")),
        ),
    )
    first = post_once(client, "journal_entry", "PT-BATCH-9-JE", draft, policy=_policy())
    assert first.posting_state == "Entered" and first.status == "Unposted"
    wrapper.shape = shape
    again = post_once(client, "journal_entry", "PT-BATCH-9-JE", draft, policy=_policy())
    assert again.journal_id == first.journal_id and again.posting_state == (shape or "")
    assert _counts(wrapper.app)["journalentries"] == 1


def test_a_reversal_after_a_lost_answer_is_found_before_the_retry(shaped):
    wrapper, server, client = shaped
    payment = post_once(client, "payment", "PT-72-PAY", _paid(client, "PT-72-PAY"))
    server.faults.script("apply_then_drop", path_contains="/api/paymentreversals")
    draft = PaymentReversalDraft("", payment.payment_id, date(2025, 3, 12), "unreconciled")
    made = post_once(client, "payment_reversal", "PT-72-REVERSAL", draft, policy=_policy())
    assert server.faults.counts["apply_then_drop"] == 1
    assert _counts(wrapper.app)["paymentreversals"] == 1
    assert client.find_payment_reversal("PT-72-REVERSAL") == made


def test_a_second_reversal_of_the_same_payment_is_refused_in_words(shaped):
    _, _, client = shaped
    payment = post_once(client, "payment", "PT-73-PAY", _paid(client, "PT-73-PAY"))
    post_once(
        client,
        "payment_reversal",
        "PT-73-REVERSAL",
        PaymentReversalDraft("", payment.payment_id, date(2025, 3, 12), "void"),
    )
    with pytest.raises(ValidationFailedError, match="already reversed"):
        post_once(
            client,
            "payment_reversal",
            "PT-73-REVERSAL-2",
            PaymentReversalDraft("", payment.payment_id, date(2025, 3, 12), "void"),
            policy=_policy(),
        )


def test_a_reversal_key_holding_another_payments_reversal_is_a_mismatch(shaped):
    _, _, client = shaped
    one = post_once(client, "payment", "PT-74-PAY", _paid(client, "PT-74-PAY"))
    two = post_once(client, "payment", "PT-75-PAY", _paid(client, "PT-75-PAY"))
    post_once(
        client,
        "payment_reversal",
        "PT-74-REVERSAL",
        PaymentReversalDraft("", one.payment_id, date(2025, 3, 12), "void"),
    )
    with pytest.raises(IntentMismatchError, match=two.payment_id):
        post_once(
            client,
            "payment_reversal",
            "PT-74-REVERSAL",
            PaymentReversalDraft("", two.payment_id, date(2025, 3, 12), "void"),
            policy=_policy(),
        )
    assert not client.get_payment(two.payment_id).reversed
