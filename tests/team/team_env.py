"""The end-to-end setting of tests/support/sync_fixtures.py with the store on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.store import open_store_url
from tests.support.sync_fixtures import SyncEnv, running_sync_env


@contextmanager
def running_team_env(folder: Path, pg_url: str, name: str = "Team") -> Iterator[SyncEnv]:
    with running_sync_env(folder, name) as env:
        env.store.dispose()  # the fixture's SQLite file stays unused
        env.store = open_store_url(pg_url)
        env.profile.database_url = pg_url
        yield env  # running_sync_env disposes env.store
