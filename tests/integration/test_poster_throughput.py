"""The poster's throughput promises over the Sage Pro stand-in (issue 22): claims read only
what they take, one listing replaces the first lookup of every never-tried payment (the
per-key lookup stays before each retry and for reclaimed rows), and calls overlap across
customers while one customer's postings keep their order."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from app.connectors.retry import RetryPolicy
from app.connectors.sagepro import SageProClient
from app.connectors.sagepro.payloads import payment_draft
from app.sandbox.faults import FaultKind
from app.sandbox.http_base import SandboxServer
from app.sandbox.sagepro import DEFAULT_API_KEY, build_app
from app.store import Store, open_store
from app.store.models import OutboxItem
from app.sync.outbound.poster import OutboxPoster
from tests.support.outbox_queue import customer_ids, payment_references, queue_payments

TODAY = date(2025, 3, 15)
NOW = datetime(2025, 3, 15, 12, 0)


@dataclass
class CountingClient:
    """The real client, with each call counted and the posts' overlap watched."""

    client: SageProClient
    calls: Counter[str] = field(default_factory=Counter)
    posted: list[tuple[str, str]] = field(default_factory=list)  # (customer, reference)
    in_air: set[str] = field(default_factory=set)  # customers with a post in the air
    most_in_air: int = 0
    overlaps_one_customer: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                self.calls[name] += 1
            return method(*args, **kwargs)

        return counted

    def post_payment(self, draft: Any) -> Any:
        with self.lock:
            self.calls["post_payment"] += 1
            self.overlaps_one_customer |= draft.customer_id in self.in_air
            self.in_air.add(draft.customer_id)
            self.most_in_air = max(self.most_in_air, len(self.in_air))
        try:
            return self.client.post_payment(draft)
        finally:
            with self.lock:
                self.in_air.discard(draft.customer_id)
                self.posted.append((draft.customer_id, draft.reference))


@dataclass
class Env:
    server: SandboxServer
    store: Store
    customers: list[str]

    def poster(self, **options: Any) -> tuple[OutboxPoster, CountingClient]:
        counting = CountingClient(SageProClient(self.server.url, DEFAULT_API_KEY))
        poster = OutboxPoster(self.store, counting, clock=lambda: NOW, **options)  # type: ignore[arg-type]
        return poster, counting


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    app = build_app(seed=1, today=TODAY)
    with SandboxServer(app) as server:
        store = open_store(tmp_path / "poster.db")
        try:
            yield Env(server, store, customer_ids(server))
        finally:
            store.dispose()
    app.books.store.close()


def test_a_pass_lists_once_instead_of_looking_up_each_key_and_keeps_each_customers_order(
    env: Env,
):
    customers = env.customers[:6]
    keys = queue_payments(env.store, customers, 60, today=TODAY, now=NOW)
    poster, counting = env.poster(concurrency=4)
    counts = poster.post_due()
    assert counts.posted == 60 and counts.dead_letter == 0
    assert counting.calls["find_payment"] == 0 and counting.calls["list_payments"] == 1
    assert counting.calls["post_payment"] == 60
    references = payment_references(env.server)
    assert sorted(r for r in references if r in keys) == sorted(keys)
    # Different customers overlapped; one customer's postings never did, and went in order.
    assert counting.most_in_air > 1 and not counting.overlaps_one_customer
    for customer in customers:
        theirs = [ref for who, ref in counting.posted if who == customer]
        assert theirs == [k for n, k in enumerate(keys) if customers[n % 6] == customer]


def test_a_payment_already_in_sage_pro_is_found_in_the_listing_not_posted_again(env: Env):
    keys = queue_payments(env.store, env.customers[:3], 9, today=TODAY, now=NOW)
    with env.store.read() as session:
        first = session.execute(select(OutboxItem).where(OutboxItem.key == keys[0])).scalar_one()
        payload = dict(first.payload)
    # The post went through before a crash that lost the answer and the claim with it.
    SageProClient(env.server.url, DEFAULT_API_KEY).post_payment(payment_draft(payload))
    poster, counting = env.poster()
    counts = poster.post_due()
    assert counts.posted == 9 and counting.calls["post_payment"] == 8
    assert payment_references(env.server).count(keys[0]) == 1


def test_retries_and_reclaimed_rows_look_their_key_up_again(env: Env):
    keys = queue_payments(env.store, env.customers[:4], 8, today=TODAY, now=NOW)
    with env.store.write() as session:  # a crash left this one in flight after one try
        row = session.execute(select(OutboxItem).where(OutboxItem.key == keys[1])).scalar_one()
        row.status, row.attempts, row.claimed_by = "in_flight", 1, "paysage"
    env.server.faults.script(
        FaultKind.UNAVAILABLE, 1, path_contains="/api/payments", writes_only=True
    )
    poster, counting = env.poster(concurrency=1)
    counts = poster.post_due()
    # The reclaimed row and the post that met a 503 are each looked up by key first.
    assert counting.calls["find_payment"] >= 2
    assert counts.posted + counts.retry_later == 8
    again = env.poster()[0].post_due()
    assert counts.posted + again.posted == 8
    references = payment_references(env.server)
    assert all(references.count(k) == 1 for k in keys)


def test_a_claim_reads_only_the_rows_it_takes(env: Env):
    # 400 rows on one customer behind an earlier one still in flight, then 3 free ones.
    queue_payments(env.store, env.customers[:1], 400, today=TODAY, now=NOW)
    queue_payments(env.store, env.customers[1:4], 3, today=TODAY, now=NOW, first=1000)
    with env.store.write() as session:
        head = session.execute(select(OutboxItem).where(OutboxItem.sequence == 1)).scalar_one()
        head.status = "in_flight"
    loaded: list[int] = []
    listener = lambda target, context: loaded.append(target.id)  # noqa: E731
    event.listen(OutboxItem, "load", listener)
    try:
        poster, _ = env.poster()
        claimed = poster._claim(set(), 10)
    finally:
        event.remove(OutboxItem, "load", listener)
    assert [c.key for c in claimed] == [f"PT-{9_001_000 + n}-PAY" for n in range(3)]
    assert len(loaded) == 3  # not the 400 rows waiting behind the one in flight


def test_a_pass_that_meets_a_refusing_sage_pro_stops_after_one_call(env: Env):
    queue_payments(env.store, env.customers[:8], 8, today=TODAY, now=NOW)
    env.server.faults.script(FaultKind.UNAVAILABLE, 100, writes_only=True)
    poster, counting = env.poster(retry_policy=RetryPolicy(max_attempts=1))
    counts = poster.post_due()
    assert counts.paused and counts.retry_later == 1 and counts.posted == 0
    assert counting.calls["post_payment"] == 1  # not one per free slot
    with env.store.read() as session:
        statuses = Counter(session.execute(select(OutboxItem.status)).scalars())
        attempts = sum(session.execute(select(OutboxItem.attempts)).scalars())
    assert statuses == {"pending": 8} and attempts == 1  # the unsent claims went back
