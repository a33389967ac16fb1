"""Crash at every step on a shared PostgreSQL store (issue 12): the harness of
tests/reliability/test_crash_every_step.py with a fresh database per run. A SIGKILL drops
the child's connections; PostgreSQL must roll back its open transaction and end its
advisory locks (the poll lock, the poster's lease), and the restart — another process,
so another claimant — must reclaim the dead one's in-flight row at once and post every
effect exactly once.

The default run crashes a small company at a sample of points; ``-m reliability`` crashes
a 24-transaction demo company at every step (``RELIABILITY_CRASH_TRANSACTIONS`` sizes it:
300 is the app's demo company).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest

from tests.support.reliability_crash import (
    SAGEPRO,
    check_report,
    crash_everywhere,
    crash_once,
    crash_points,
    reference_run,
)
from tests.support.reliability_env import small_company
from tests.support.reliability_long_run import (
    LONG_RUN_TRANSACTIONS_POSTGRESQL,
    crash_at_every_step,
    long_run_company,
)
from tests.team.pg_server import fresh_database

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="the harness forks its children (POSIX only)"
)


@contextmanager
def _database(server_url: str, _folder: Path) -> Iterator[str]:
    with fresh_database(server_url) as url:
        yield url


def test_crash_at_sampled_steps_on_postgresql(tmp_path: Path, postgres_server_url: str):
    new_store = partial(_database, postgres_server_url)
    company = small_company()
    started = time.perf_counter()
    reference = reference_run(company, tmp_path / "reference", new_store)
    assert reference.sagepro["payments"] and reference.sagepro["journal_entries"]
    changes = reference.sagepro_changes()
    report = crash_everywhere(
        company,
        reference,
        write_points=crash_points(reference.writes, every=17, first=2),
        sagepro_points=crash_points(reference.sagepro_calls, every=17, first=1) + changes[:3],
        new_store=new_store,
    )
    check_report(
        report,
        f"PostgreSQL, {len(company.transactions)} transactions, sampled",
        time.perf_counter() - started,
    )
    assert report.runs >= 10


def test_a_kill_right_after_a_claim_is_reclaimed_by_the_restart(
    tmp_path: Path, postgres_server_url: str
):
    """The case the lease exists for: the child dies with a claim committed and its POST
    sent (Sage Pro applied it, nobody recorded it). The restart runs as another claimant; a
    claim-timeout rule alone would leave the row in flight for ten minutes."""
    new_store = partial(_database, postgres_server_url)
    company = small_company()
    reference = reference_run(company, tmp_path / "reference", new_store)
    first_post = reference.sagepro_changes()[0]
    outcome = crash_once(company, reference, SAGEPRO, first_post, new_store)
    assert outcome.ok, outcome
    assert outcome.mode == SAGEPRO and outcome.killed


@pytest.mark.reliability
@pytest.mark.timeout(12 * 3600)
def test_crash_at_every_step_on_postgresql(tmp_path: Path, postgres_server_url: str):
    new_store = partial(_database, postgres_server_url)
    crash_at_every_step(
        long_run_company(LONG_RUN_TRANSACTIONS_POSTGRESQL), tmp_path, "PostgreSQL, ", new_store
    )
