"""One team-mode workstation in its own process, for tests/team: a *poller* (``run_cycle``
with auto-approval, which also posts) or a *poster* (``OutboxPoster.post_due`` until the
outbox is empty), against a shared PostgreSQL store and the stand-ins of the test process.

    python -m tests.team.workstation CONFIG.json poller|poster NAME

It writes NAME.ready, waits for the test's go file, works, then writes NAME.json with what
it did (and NAME.done). Everything is bounded by the config's deadline.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select

from app import credentials
from app.config import Profile
from app.store import Store, open_store_url
from app.store.models import OutboxItem
from app.sync.cycle import SyncContext, run_cycle
from app.sync.errors import SyncBusyError
from app.sync.outbound.poster import OutboxPoster
from tests.support.sync_fixtures import SyncEnv


def _context(config: dict[str, Any], store: Store) -> SyncContext:
    credentials.install_backend(credentials.MemoryKeyring())
    credentials.set_secret(config["profile"], "paytrace", config["paytrace_password"])
    credentials.set_secret(config["profile"], "sagepro", config["sagepro_api_key"])
    profile = Profile(name=config["profile"])
    profile.paytrace.base_url = config["paytrace_url"]
    profile.paytrace.username = config["paytrace_username"]
    profile.paytrace.integrator_id = config["paytrace_integrator_id"]
    profile.sagepro.base_url = config["sagepro_url"]
    # The same clients as the in-process tests (SyncEnv.context), built from plain values.
    settings = SimpleNamespace(
        username=config["paytrace_username"],
        password=config["paytrace_password"],
        integrator_id=config["paytrace_integrator_id"],
    )
    env = SimpleNamespace(
        profile=profile,
        store=store,
        paytrace=SimpleNamespace(
            url=config["paytrace_url"], app=SimpleNamespace(settings=settings)
        ),
        sagepro=SimpleNamespace(url=config["sagepro_url"]),
        sleeps=[],
    )
    return SyncEnv.context(env)  # type: ignore[arg-type]


def _pending(store: Store) -> int:
    with store.read() as session:
        return int(
            session.execute(
                select(func.count()).where(OutboxItem.status.in_(("pending", "in_flight")))
            ).scalar_one()
        )


def _poll(ctx: SyncContext, config: dict[str, Any], deadline: float) -> dict[str, Any]:
    """One successful cycle, retrying while another workstation's cycle holds the lock."""
    busy, cycles = 0, []
    since = date.fromisoformat(config["since"])
    while time.monotonic() < deadline:
        started = datetime.now(UTC).timestamp()
        try:
            result = run_cycle(ctx, trigger="test", since=since, auto_approve=True)
        except SyncBusyError:
            busy += 1
            time.sleep(0.05)
            continue
        cycles.append({"start": started, "end": datetime.now(UTC).timestamp(), **result.as_dict()})
        break
    return {"busy": busy, "cycles": cycles, "posted": sum(c["posted"] for c in cycles)}


def _post(ctx: SyncContext, store: Store, folder: Path, deadline: float) -> dict[str, Any]:
    """Post until the pollers are done and nothing waits in the outbox."""
    poster = OutboxPoster(store, ctx.sagepro, worker=ctx.worker, **ctx.poster_options)  # type: ignore[arg-type]
    posted = rounds = 0
    while time.monotonic() < deadline:
        pollers_done = len(list(folder.glob("poller-*.done")))
        counts = poster.post_due()
        posted += counts.posted
        rounds += 1
        if counts.posted == 0:
            if pollers_done == 2 and _pending(store) == 0:
                break
            time.sleep(0.02)
    return {"posted": posted, "rounds": rounds, "claimant": poster.claimant}


def main(argv: list[str]) -> int:
    config_path, role, name = Path(argv[1]), argv[2], argv[3]
    config = json.loads(config_path.read_text())
    folder = config_path.parent
    deadline = time.monotonic() + float(config["deadline_s"])
    store = open_store_url(config["pg_url"])
    try:
        ctx = _context(config, store)
        (folder / f"{name}.ready").touch()
        while not (folder / "go").exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the test never said go")
            time.sleep(0.01)
        if role == "poller":
            outcome = _poll(ctx, config, deadline)
        else:
            outcome = _post(ctx, store, folder, deadline)
    finally:
        store.dispose()
    (folder / f"{name}.json").write_text(json.dumps(outcome))
    (folder / f"{name}.done").touch()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
