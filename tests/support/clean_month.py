"""The demo month synced without any fault, once per test process.

Several tests compare a run under faults or an outage with the fault-free run of the same
demo company. That run is deterministic, so it is made once per process (each xdist worker)
and its outcome kept as plain data: what Sage Pro holds and which outbox keys posted.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.store.models import OutboxItem
from app.sync.cycle import run_cycle
from app.sync.errors import SyncFatalError
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv, running_sync_env

SINCE = DEMO_TODAY - timedelta(days=31)


def books(env: SyncEnv) -> dict[str, object]:
    """What the Sage Pro stand-in holds, without the ids it assigned."""

    def strip(items: list[dict], key: str, drop: tuple[str, ...]) -> dict[str, dict]:
        return {i[key]: {k: v for k, v in i.items() if k not in drop} for i in items}

    return {
        "payments": strip(env.all_items("/api/payments"), "PaymentReference", ("PaymentID",)),
        "memos": strip(env.all_items("/api/creditmemos"), "Reference", ("CreditMemoID",)),
        "journals": strip(env.all_items("/api/journalentries"), "Reference", ("JournalID",)),
        "invoices": {
            i["InvoiceID"]: (i["Balance"], i["Status"], i["PaymentStatus"])
            for i in env.sagepro_get("/api/invoices", page_size=1000)["items"]
        },
        "customers": {
            c["CustomerID"]: (c["Balance"], c.get("CardLast4"))
            for c in env.sagepro_get("/api/customers", page_size=1000)["items"]
        },
    }


def posted_keys(env: SyncEnv) -> set[str]:
    with env.store.read() as session:
        return set(
            session.execute(select(OutboxItem.key).where(OutboxItem.status == "posted")).scalars()
        )


def sync_until_drained(env: SyncEnv, max_cycles: int = 40) -> tuple[int, int]:
    """Run cycles as the scheduler would until nothing waits; returns (cycles, fatal)."""
    fatal = 0
    for cycle in range(1, max_cycles + 1):
        try:
            # The first cycle reads the whole month; later ones the usual lookback window.
            run_cycle(env.context(), since=SINCE if cycle == 1 else None, auto_approve=True)
        except SyncFatalError:
            fatal += 1
            continue
        with env.store.read() as session:
            waiting = session.execute(
                select(func.count()).where(OutboxItem.status.in_(("pending", "in_flight")))
            ).scalar_one()
        if waiting == 0:
            return cycle, fatal
    raise AssertionError(f"outbox not drained after {max_cycles} cycles")


@dataclass(frozen=True)
class CleanMonth:
    cycles: int  # cycles the fault-free run needed to drain its outbox
    books: dict[str, object]
    posted_keys: frozenset[str]


@functools.cache
def clean_month() -> CleanMonth:
    """The fault-free month, synced until drained (made on first use in this process)."""
    with (
        tempfile.TemporaryDirectory(prefix="paysage-clean-month-") as folder,
        running_sync_env(Path(folder), "Clean") as clean,
    ):
        cycles, fatal = sync_until_drained(clean)
        assert fatal == 0
        return CleanMonth(cycles, books(clean), frozenset(posted_keys(clean)))
