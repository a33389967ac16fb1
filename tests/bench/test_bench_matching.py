"""Benchmark: 100,000 payments against 200,000 open invoices.

Baseline, measured in the same run: a pandas merge of the payments' normalised invoice_id
against the invoices' InvoiceID (the exact-key join alone, nothing else). The engine does
that join plus customer resolution, token search, subset-sum and explanations, so the
ratio says what the explainability costs, not that pandas could do the job.

Run: ``uv run pytest tests/bench/test_bench_matching.py -m bench -s``
"""

from __future__ import annotations

import time
from collections import Counter

import pandas as pd
import pytest

from app.domain.matching import AutoApprovePolicy, is_auto_approvable, match_payments
from app.domain.matching.references import normalise_reference
from tests.support.matching_scenarios import generate_at_scale

PAYMENTS = 100_000
INVOICES = 200_000


@pytest.mark.bench
def test_bench_matching_against_a_pandas_merge() -> None:
    data = generate_at_scale(PAYMENTS, INVOICES)
    assert (len(data.payments), len(data.invoices)) == (PAYMENTS, INVOICES)

    payments_frame = pd.DataFrame(
        {
            "transaction_id": [p.transaction_id for p in data.payments],
            "key": [normalise_reference(p.invoice_id) for p in data.payments],
        }
    )
    invoices_frame = pd.DataFrame(
        {
            "key": [i.invoice_id for i in data.invoices],
            "customer_id": [i.customer_id for i in data.invoices],
            "balance": [i.balance for i in data.invoices],
        }
    )
    started = time.perf_counter()
    merged = payments_frame.merge(invoices_frame, on="key", how="inner")
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    proposals = match_payments(data.payments, data.invoices, data.customers)
    engine = time.perf_counter() - started

    rules = Counter(p.rule.value for p in proposals)
    auto = sum(is_auto_approvable(p, AutoApprovePolicy(enabled=True)) for p in proposals)
    right = sum(data.truths[p.transaction_id].is_met_by(p) for p in proposals)
    print(f"\n{PAYMENTS:,} payments x {INVOICES:,} invoices, {len(data.customers):,} customers")
    print(f"pandas merge on the exact key: {baseline:.3f} s ({len(merged):,} rows)")
    print(
        f"match_payments:                {engine:.2f} s ({engine / PAYMENTS * 1e6:.0f} µs/payment)"
    )
    print(f"ratio engine / pandas merge:   {engine / baseline:.0f}x")
    print(f"auto-approvable: {auto:,}; agreeing with ground truth: {right / PAYMENTS:.2%}")
    print("rules:", dict(rules.most_common()))
    assert len(proposals) == PAYMENTS
