"""`paysage demo`: both stand-ins on free localhost ports with one seeded demo company, a
throw-away data folder, and demo credentials in an in-memory keyring (the real keyring is
never touched). Quitting stops the servers and removes the folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app import credentials
from app.config import Profile, Settings, SyncSettings, save_settings
from app.sandbox.demo_data import DemoCompany, generate_demo_company
from app.sandbox.http_base import SandboxServer
from app.sandbox.paytrace import PayTraceStandIn
from app.sandbox.sagepro import DEFAULT_API_KEY, SageProApp
from app.sandbox.sagepro.books import Books
from app.sandbox.sagepro.seed import seed_demo_company
from app.sandbox.sagepro.store import RecordStore

DEMO_PROFILE = "Demo"


@dataclass
class DemoEnvironment:
    home: Path
    company: DemoCompany
    paytrace: SandboxServer
    sagepro: SandboxServer
    settings: Settings

    @property
    def profile(self) -> Profile:
        return self.settings.profiles[DEMO_PROFILE]


def demo_profile(paytrace_url: str, sagepro_url: str, days: int) -> Profile:
    profile = Profile(name=DEMO_PROFILE, environment="Sandbox")
    profile.paytrace.base_url = paytrace_url
    profile.paytrace.username = "demo"
    profile.paytrace.integrator_id = "DEMOINTEGRA1"
    profile.sagepro.base_url = sagepro_url
    # The first Sync now reads the whole demo month, not just the usual 3-day lookback.
    profile.sync = SyncSettings(lookback_days=days + 1)
    return profile


@contextmanager
def demo_environment(
    seed: int = 1, *, today: date | None = None, days: int = 30
) -> Iterator[DemoEnvironment]:
    today = today or date.today()
    home = Path(tempfile.mkdtemp(prefix="paysage-demo-"))
    previous_home = os.environ.get("PAYSAGE_HOME")
    os.environ["PAYSAGE_HOME"] = str(home)
    previous_keyring = credentials.install_backend(credentials.MemoryKeyring())
    company = generate_demo_company(seed, today=today, days=days)
    # Both stand-ins from the very same company, whatever the number of days.
    sagepro_app = SageProApp(Books(RecordStore(None)), DEFAULT_API_KEY)
    seed_demo_company(sagepro_app.books, company)
    paytrace = SandboxServer(PayTraceStandIn(company=company)).start()
    sagepro = SandboxServer(sagepro_app).start()
    try:
        profile = demo_profile(paytrace.url, sagepro.url, days)
        settings = Settings(active_profile=DEMO_PROFILE, profiles={DEMO_PROFILE: profile})
        save_settings(settings)
        credentials.set_secret(DEMO_PROFILE, "paytrace", "demo")
        credentials.set_secret(DEMO_PROFILE, "sagepro", DEFAULT_API_KEY)
        yield DemoEnvironment(home, company, paytrace, sagepro, settings)
    finally:
        paytrace.stop()
        sagepro.stop()
        sagepro_app.books.store.close()
        credentials.install_backend(previous_keyring)
        if previous_home is None:
            os.environ.pop("PAYSAGE_HOME", None)
        else:
            os.environ["PAYSAGE_HOME"] = previous_home
        shutil.rmtree(home, ignore_errors=True)
