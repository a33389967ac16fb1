"""Ingest benchmark: 100,000 transactions from one stand-in export through parse, redact and
upsert, against a raw sqlite3 executemany of the same rows measured in the same run.

Run: uv run pytest tests/bench/test_bench_ingest.py -m bench -s
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests

from app.connectors.paytrace.json_body import decode_body
from app.connectors.paytrace.parse_transactions import parse_transactions_export
from app.sandbox.demo_data import generate_demo_company
from app.sandbox.http_base import SandboxServer
from app.sandbox.paytrace import PayTraceStandIn
from app.store import open_store
from app.store.transactions import content_hash, row_values
from app.sync.inbound.ingest import ingest_transactions

pytestmark = pytest.mark.bench
COUNT = 100_000
TARGET = 3.3  # parse + redact + upsert, as a multiple of a bare sqlite3 executemany
TODAY = date(2025, 3, 15)


def _export_body(server: SandboxServer) -> bytes:
    token = requests.post(
        server.url + "/oauth/token",
        timeout=30,
        data={"grant_type": "password", "username": "demo", "password": "demo"},
    ).json()["access_token"]
    response = requests.post(
        server.url + "/v1/transactions/export/by_date_range",
        timeout=300,
        headers={"Authorization": f"Bearer {token}"},
        json={
            "start_date": "01/01/2025",
            "end_date": "03/15/2025",
            "integrator_id": "DEMOINTEGRA1",
        },
    )
    response.raise_for_status()
    return response.content


def test_ingest_100k(tmp_path: Path):
    company = generate_demo_company(7, customers=2000, transactions=COUNT, days=60, today=TODAY)
    with SandboxServer(PayTraceStandIn(company=company)) as server:
        body = _export_body(server)
    now = datetime.now(UTC).replace(tzinfo=None)

    store = open_store(tmp_path / "bench.db")
    start, start_cpu = time.perf_counter(), time.process_time()
    parsed = parse_transactions_export(decode_body(body, "transactions"))  # as the client reads
    parsed_at = time.perf_counter()
    with store.write() as session:
        counts = ingest_transactions(session, parsed.records, parsed.errors, now=now)
    ours = time.perf_counter() - start
    ours_cpu = time.process_time() - start_cpu  # hardly moved by other processes' load
    rows = counts.new
    assert rows > 0.9 * COUNT and not parsed.errors

    # Baseline: the same column values, one executemany into a bare table, same pragmas.
    values = [row_values(r.transaction, content_hash(r.raw), None) for r in parsed.records]
    columns = list(values[0])
    raw = sqlite3.connect(tmp_path / "raw.db", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=FULL")
    raw.execute(f"CREATE TABLE t ({', '.join(columns)}, PRIMARY KEY (transaction_id))")
    base_start, base_start_cpu = time.perf_counter(), time.process_time()
    raw.execute("BEGIN")
    raw.executemany(
        f"INSERT INTO t VALUES ({', '.join('?' for _ in columns)})",
        [tuple(v.values()) for v in values],
    )
    raw.execute("COMMIT")
    baseline = time.perf_counter() - base_start
    baseline_cpu = time.process_time() - base_start_cpu
    raw.close()

    # A second import of the same export: nothing changes, and it is quick.
    again_start = time.perf_counter()
    with store.write() as session:
        again = ingest_transactions(session, parsed.records, now=now)
    again_s = time.perf_counter() - again_start
    assert again.new == 0 and again.changed == 0
    store.dispose()
    print(
        f"\ningest {rows:,} rows: {ours:.2f} s ({rows / ours:,.0f} rows/s; parse+redact "
        f"{parsed_at - start:.2f} s, upsert {ours - (parsed_at - start):.2f} s); raw sqlite3 "
        f"executemany {baseline:.2f} s; ratio {ours / baseline:.1f}x; re-import unchanged "
        f"{again_s:.2f} s; export body {len(body) / 1e6:.0f} MB"
    )
    print(
        json.dumps(
            {
                "bench": "ingest",
                "ratio": round(ours / baseline, 2),
                "target": TARGET,
                "rows": rows,
                "seconds": round(ours, 2),
                "parse_seconds": round(parsed_at - start, 2),
                "upsert_seconds": round(ours - (parsed_at - start), 2),
                "upsert_ratio": round((ours - (parsed_at - start)) / baseline, 2),
                "baseline_seconds": round(baseline, 2),
                "reimport_seconds": round(again_s, 2),
                "cpu_ratio": round(ours_cpu / baseline_cpu, 2),
            }
        )
    )
