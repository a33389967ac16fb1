"""The concurrency soak of tests/reliability/test_concurrency.py on a shared PostgreSQL store
(issue 24): grid reads, approvals, the scheduled cycle and Sync-now clicks in this process,
a second process appending audit events, all at once — no lock error, one intact audit
chain, and the longest wait for and hold of the store-wide writer lock reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.sandbox.demo_data import generate_demo_company
from tests.reliability.test_concurrency import report_soak, soak
from tests.support.reliability_env import TODAY


@pytest.mark.reliability
@pytest.mark.timeout(1800)
def test_reads_approvals_schedule_and_sync_now_at_once_on_postgresql_long(
    tmp_path: Path, pg_url: str
):
    company = generate_demo_company(1, today=TODAY)
    report_soak(soak(company, tmp_path, cycles=20, readers=8, store_url=pg_url))
