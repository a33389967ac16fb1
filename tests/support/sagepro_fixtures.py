"""Pytest fixtures for the Sage Pro API stand-in, for any test that needs one.

Use from a test module with::

    pytest_plugins = ["tests.support.sagepro_fixtures"]

``sagepro_server`` is a running stand-in (in memory, demo company seed 1 as of
``SAGEPRO_TODAY``) on a free localhost port: ``.url``, ``.faults``, ``.app.books``.
``sagepro_empty_server`` has only the chart of accounts and fiscal periods.
``sagepro_client`` is a ``SageProClient`` on ``sagepro_server`` with short timeouts.
``sagepro_http`` is a plain ``requests.Session`` with the API key, for raw contract checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import requests

from app.connectors.sagepro import SageProClient
from app.sandbox.http_base import SandboxServer
from app.sandbox.sagepro import DEFAULT_API_KEY, SageProApp, build_app

SAGEPRO_TODAY = date(2025, 3, 15)
SAGEPRO_SEED = 1


class SageProHttp:
    """Raw JSON calls against a stand-in: ``get/post/put(path, ...)`` → ``requests.Response``."""

    def __init__(self, server: SandboxServer, api_key: str = DEFAULT_API_KEY) -> None:
        self.server = server
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_key}"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.server.url + path, params=params, timeout=5)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.session.post(self.server.url + path, json=body, timeout=5)

    def put(self, path: str, body: Any) -> requests.Response:
        return self.session.put(self.server.url + path, json=body, timeout=5)

    def admin(self, path: str, body: Any | None = None) -> requests.Response:
        url = self.server.url + "/_sandbox/" + path
        if body is None:
            return requests.get(url, timeout=5)
        return requests.post(url, json=body, timeout=5)

    def close(self) -> None:
        self.session.close()


def start_sagepro(app: SageProApp) -> SandboxServer:
    """Serve ``app`` on a free port (caller stops it)."""
    server = SandboxServer(app)
    _answer_without_nagle(server)
    return server.start()


def _answer_without_nagle(server: SandboxServer) -> None:
    """Workaround until ``http_base`` sets it: the shared handler writes headers and body in
    two sends, so Nagle + delayed ACK add ~40 ms to every answer; TCP_NODELAY removes it.
    Only this server is affected (its own handler subclass)."""
    handler = server._server.RequestHandlerClass
    if not getattr(handler, "disable_nagle_algorithm", False):
        server._server.RequestHandlerClass = type(
            "NoDelayHandler", (handler,), {"disable_nagle_algorithm": True}
        )


@pytest.fixture
def sagepro_server() -> Iterator[SandboxServer]:
    app = build_app(seed=SAGEPRO_SEED, today=SAGEPRO_TODAY)
    server = start_sagepro(app)
    yield server
    server.stop()
    app.books.store.close()


@pytest.fixture
def sagepro_empty_server() -> Iterator[SandboxServer]:
    app = build_app(seed=None, today=SAGEPRO_TODAY)
    server = start_sagepro(app)
    yield server
    server.stop()
    app.books.store.close()


@pytest.fixture
def sagepro_client(sagepro_server: SandboxServer) -> Iterator[SageProClient]:
    client = SageProClient(
        sagepro_server.url, DEFAULT_API_KEY, connect_timeout_s=2.0, read_timeout_s=2.0
    )
    yield client
    client.close()


@pytest.fixture
def sagepro_http(sagepro_server: SandboxServer) -> Iterator[SageProHttp]:
    http = SageProHttp(sagepro_server)
    yield http
    http.close()
