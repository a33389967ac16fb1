"""Posting benchmark: 1,000 payments from the outbox into the Sage Pro stand-in with 20 ms
added to every request, against the one-at-a-time floor (a lookup and a post per payment,
back to back) computed from round trips timed in the same run.

Run: uv run pytest tests/bench/test_bench_posting.py -m bench -s
"""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from app.connectors.sagepro import SageProClient
from app.sandbox.http_base import SandboxServer
from app.sandbox.sagepro import DEFAULT_API_KEY, build_app
from app.store import open_store
from app.sync.outbound.poster import OutboxPoster
from tests.support.outbox_queue import customer_ids, payment_references, queue_payments

pytestmark = pytest.mark.bench
COUNT = 1000
LATENCY_S = 0.020
TARGET = 10.0 / 40.0  # 1,000 postings in 10 s where one at a time takes at least 40 s
TODAY = date(2025, 3, 15)
NOW = datetime(2025, 3, 15, 12, 0)


def _round_trip_s(client: SageProClient) -> float:
    """One lookup's wall time, the best of 20 (the floor counts two per posting)."""
    times = []
    for n in range(20):
        start = time.perf_counter()
        client.find_payment(f"PT-NOPE-{n}")
        times.append(time.perf_counter() - start)
    return min(times)


def test_post_1000_payments_with_latency(tmp_path: Path):
    app = build_app(seed=1, today=TODAY)
    with SandboxServer(app) as server:
        customers = customer_ids(server)
        store = open_store(tmp_path / "bench.db")
        queue_payments(store, customers, COUNT, today=TODAY, now=NOW)
        server.faults.settings.latency_s = LATENCY_S
        client = SageProClient(server.url, DEFAULT_API_KEY, read_timeout_s=30)
        round_trip = _round_trip_s(client)
        poster = OutboxPoster(store, client, clock=lambda: NOW)
        start = time.perf_counter()
        counts = poster.post_due()
        ours = time.perf_counter() - start
        server.faults.settings.latency_s = 0.0
        references = [r for r in payment_references(server) if r.startswith("PT-9")]
        client.close()
        store.dispose()
    app.books.store.close()
    assert counts.posted == COUNT and counts.dead_letter == 0, counts
    assert len(references) == COUNT == len(set(references))
    floor = COUNT * 2 * round_trip
    ratio = ours / floor
    print(
        json.dumps(
            {
                "bench": "posting",
                "ratio": round(ratio, 3),
                "target": TARGET,
                "postings": COUNT,
                "seconds": round(ours, 2),
                "floor_seconds": round(floor, 2),
                "round_trip_ms": round(round_trip * 1000, 1),
                "latency_ms": LATENCY_S * 1000,
                "customers": len(customers),
            }
        )
    )
    assert ratio <= TARGET * 1.5, f"{ours:.1f} s for {COUNT} postings (floor {floor:.1f} s)"
