"""A second process writing to the same store while the test's process syncs: what the
window's approvals do while a scheduled `paysage sync` runs, or the other way round.

Each write is read-then-write (the audit chain's "read the last hash, append"), the shape
that needs BEGIN IMMEDIATE: a deferred transaction that read an older snapshot cannot
upgrade to a writer and fails with "database is locked" at once, busy_timeout or not.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from app.store import Store, audit

ORPHAN_DEADLINE_S = 3600


def writer_main(config: dict[str, Any]) -> None:
    os.environ["PAYSAGE_HOME"] = config["home"]
    store = Store(config["store_url"])  # already migrated by the test's process
    stop_file = Path(config["stop_path"])
    writes, locked, other = 0, 0, 0
    # The test's stop file ends the run; the deadline only keeps an orphan from writing on
    # for ever should the test's process die first.
    deadline = time.monotonic() + float(config.get("max_seconds", ORPHAN_DEADLINE_S))
    try:
        while not stop_file.exists() and time.monotonic() < deadline:
            try:
                with store.write() as session:
                    audit.record(session, "probe", "workstation", os.getpid(), actor="window")
                writes += 1
            except OperationalError as exc:  # PostgreSQL's lock timeout: "other"
                if "locked" in str(exc) or "busy" in str(exc):
                    locked += 1
                else:
                    other += 1
            time.sleep(0.002)
    finally:
        figures = store.write_lock_figures()
        store.dispose()
    result = {
        "writes": writes,
        "locked": locked,
        "other": other,
        "longest_wait_s": figures.longest_wait_s,
        "longest_hold_s": figures.longest_hold_s,
        "busy_retries": figures.busy_retries,
    }
    Path(config["result_path"]).write_text(json.dumps(result), encoding="utf-8")
