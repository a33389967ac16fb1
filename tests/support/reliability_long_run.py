"""The long crash runs (``-m reliability``): a crash after every single step of a sync of
a company sized so that each engine's run stays within the suite's budget (issue 24), on
copies of one prepared store, judged against one crash-free reference run."""

from __future__ import annotations

import os
import time
from pathlib import Path

from app.sandbox.demo_data import DemoCompany, generate_demo_company
from tests.support.reliability_crash import (
    CrashReport,
    Reference,
    StoreFactory,
    check_report,
    crash_everywhere,
    prepared_stores,
    reference_run,
    sqlite_store,
)
from tests.support.reliability_env import TODAY

LONG_RUN_SIZE_ENV = "RELIABILITY_CRASH_TRANSACTIONS"
# The long runs' company sizes (issue 24): every step is still a kill point, but a kill and its
# restart cost about one sync of the company, so the run grows with the square of its size
# (the 300-transaction demo company: ~1,200 kill points at ~7 s each per engine). These sizes
# hold every kind of transaction and every kind of Sage Pro effect (``check_coverage``); a
# PostgreSQL step costs about twice a SQLite one (a server round trip per statement).
LONG_RUN_TRANSACTIONS = 60
LONG_RUN_TRANSACTIONS_POSTGRESQL = 24
# What a long run's company must hold for its kill points to cover every kind of step.
TRANSACTION_KINDS = {"SALE", "REFUND", "VOID", "DECLINED", "AUTHORIZATION"}
SAGEPRO_EFFECTS = ("payments", "credit_memos", "journal_entries")
SAGEPRO_CHANGES = {"POST", "PUT"}


def long_run_company(transactions: int = LONG_RUN_TRANSACTIONS) -> DemoCompany:
    """The demo company's generator at ``transactions`` (``LONG_RUN_SIZE_ENV`` overrides it;
    300 is the app's demo company itself)."""
    size = int(os.environ.get(LONG_RUN_SIZE_ENV, str(transactions)))
    if size == 300:
        return generate_demo_company(1, today=TODAY)
    return generate_demo_company(1, transactions=size, days=max(5, size // 10), today=TODAY)


def check_coverage(company: DemoCompany, reference: Reference) -> None:
    """The company is big enough for its every step to include every kind of step: each
    kind of PayTrace transaction, each kind of Sage Pro record a sync creates, and both
    kinds of Sage Pro change."""
    kinds = {t.transaction_type for t in company.transactions}
    assert kinds >= TRANSACTION_KINDS, f"no {sorted(TRANSACTION_KINDS - kinds)} transaction"
    empty = [part for part in SAGEPRO_EFFECTS if not reference.sagepro[part]]
    assert not empty, f"the reference run created no {empty}"
    methods = set(reference.sagepro_methods)
    assert methods >= SAGEPRO_CHANGES, f"no Sage Pro {sorted(SAGEPRO_CHANGES - methods)} call"


def crash_at_every_step(
    company: DemoCompany, folder: Path, label: str, new_store: StoreFactory = sqlite_store
) -> CrashReport:
    """The long run: a crash-free reference, then a crash after every single step, each run
    on a copy of one prepared (migrated) store."""
    started = time.perf_counter()
    with prepared_stores(new_store, folder / "prepared") as copy_of_prepared:
        reference = reference_run(company, folder / "reference", copy_of_prepared)
        if LONG_RUN_SIZE_ENV not in os.environ:  # a quicker look may leave kinds out
            check_coverage(company, reference)
        report = crash_everywhere(
            company,
            reference,
            range(1, reference.writes + 1),
            range(1, reference.sagepro_calls + 1),
            workers=os.cpu_count() or 2,
            new_store=copy_of_prepared,
        )
    check_report(
        report,
        f"{label}{len(company.transactions)} transactions, every step",
        time.perf_counter() - started,
    )
    assert report.runs == reference.writes + reference.sagepro_calls
    return report
