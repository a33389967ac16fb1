"""Team-mode fixtures: a real PostgreSQL server for the session and a fresh database per test.

The server comes from ``TEST_POSTGRES_URL`` (``.ci/run`` starts one and sets it); without it
a throw-away cluster is started here when the server binaries are installed, else the tests
skip with the reason — except in CI, where a missing server is a failure. (The variable has
no PAYSAGE_ prefix because tests/conftest.py clears those.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store import Store, open_store, open_store_url
from tests.team.pg_server import URL_ENV, fresh_database, start_cluster


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    url = os.environ.get(URL_ENV)
    if url:
        yield url
        return
    cluster = start_cluster()
    if cluster is None:
        reason = (
            f"PostgreSQL is needed: set {URL_ENV} or install the server (apt-get install "
            "postgresql) so a throw-away cluster can be started"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(postgres_server_url: str) -> Iterator[str]:
    """The URL of an empty database of its own on the test server."""
    with fresh_database(postgres_server_url) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, not yet migrated store URL on each engine."""
    if engine_name == "sqlite":
        return f"sqlite:///{(tmp_path / 'store.db').as_posix()}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def any_store(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated store on each engine."""
    if engine_name == "sqlite":
        store = open_store(tmp_path / "store.db")
    else:
        store = open_store_url(str(request.getfixturevalue("pg_url")))
    try:
        yield store
    finally:
        store.dispose()
