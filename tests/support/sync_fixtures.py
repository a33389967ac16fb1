"""Both stand-ins seeded with one demo company, a profile pointing at them, a store, and a
sync context whose clients never really sleep: the setting of every end-to-end sync test."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from app import credentials
from app.config import Profile
from app.connectors.paytrace import PayTraceClient, RetryPolicy, Timeouts
from app.connectors.sagepro import SageProClient
from app.sandbox.demo_data import DemoCompany, generate_demo_company
from app.sandbox.http_base import SandboxServer
from app.sandbox.paytrace import PayTraceStandIn, StandInSettings
from app.sandbox.sagepro import DEFAULT_API_KEY, build_app
from app.store import Store, open_store
from app.sync.cycle import SyncContext, build_context

DEMO_TODAY = date(2025, 3, 15)


@dataclass
class SyncEnv:
    company: DemoCompany
    paytrace: SandboxServer
    sagepro: SandboxServer
    profile: Profile
    store: Store
    db_path: Path
    sleeps: list[float] = field(default_factory=list)

    def context(self, **poster_options: object) -> SyncContext:
        ctx = build_context(self.profile, self.store)
        settings = self.paytrace.app.settings  # type: ignore[attr-defined]
        ctx.paytrace = PayTraceClient(
            self.paytrace.url,
            settings.username,
            settings.password,
            settings.integrator_id,
            timeouts=Timeouts(connect_s=2, read_s=5, money_read_s=5),
            retry=RetryPolicy(max_attempts=6, sleep=self.sleeps.append, rng=random.Random(0)),
        )
        ctx.sagepro = SageProClient(
            self.sagepro.url, DEFAULT_API_KEY, connect_timeout_s=2, read_timeout_s=5
        )
        ctx.today = lambda: DEMO_TODAY
        options: dict[str, object] = {
            "base_delay_s": 0.0,
            "cap_delay_s": 0.0,
            "retry_policy": RetryPolicy(max_attempts=3, sleep=self.sleeps.append),
        }
        options.update(poster_options)
        ctx.poster_options = options
        return ctx

    def sagepro_get(self, path: str, **params: object) -> dict:  # type: ignore[type-arg]
        import requests

        response = requests.get(
            self.sagepro.url + path,
            params=params,  # type: ignore[arg-type]
            headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    def all_items(self, path: str) -> list[dict]:  # type: ignore[type-arg]
        items, page = [], 1
        while True:
            body = self.sagepro_get(path, page=page, page_size=1000)
            items.extend(body["items"])
            if page * body["page_size"] >= body["total"]:
                return items
            page += 1


@contextmanager
def running_sync_env(
    folder: Path,
    name: str = "Test",
    *,
    paytrace_settings: StandInSettings | None = None,
    seed_paytrace: bool = True,
) -> Iterator[SyncEnv]:
    """``paytrace_settings`` picks the stand-in's row shapes; ``seed_paytrace=False`` leaves
    PayTrace empty (Sage Pro keeps the demo company) for tests that add their own rows."""
    company = generate_demo_company(1, today=DEMO_TODAY)
    paytrace_app = PayTraceStandIn(paytrace_settings, company=company if seed_paytrace else None)
    sagepro_app = build_app(seed=1, today=DEMO_TODAY)
    with SandboxServer(paytrace_app) as pt, SandboxServer(sagepro_app) as sp:
        profile = Profile(name=name)
        profile.paytrace.base_url = pt.url
        profile.paytrace.username = paytrace_app.settings.username
        profile.paytrace.integrator_id = paytrace_app.settings.integrator_id
        profile.sagepro.base_url = sp.url
        credentials.set_secret(name, "paytrace", paytrace_app.settings.password)
        credentials.set_secret(name, "sagepro", DEFAULT_API_KEY)
        folder.mkdir(parents=True, exist_ok=True)
        db_path = folder / f"{name}.db"
        store = open_store(db_path)
        try:
            yield SyncEnv(company, pt, sp, profile, store, db_path)
        finally:
            store.dispose()
    sagepro_app.books.store.close()


@pytest.fixture
def sync_env(tmp_path: Path) -> Iterator[SyncEnv]:
    with running_sync_env(tmp_path) as env:
        yield env
