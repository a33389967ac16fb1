"""Pytest fixtures for a stand-in PayTrace on a free localhost port.

``paytrace_server`` is a factory: ``running = paytrace_server(seed=1, today=date(...))``
starts a server (stopped after the test) and ``running.client()`` gives a ``PayTraceClient``
for it whose retry backoff records its waits instead of sleeping.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
import requests

from app.connectors.paytrace import PayTraceClient, RetryPolicy, Timeouts
from app.sandbox.demo_data import DemoCompany, generate_demo_company
from app.sandbox.http_base import SandboxServer
from app.sandbox.paytrace import PayTraceStandIn, StandInClock, StandInSettings


@dataclass
class RunningPayTrace:
    server: SandboxServer
    app: PayTraceStandIn
    company: DemoCompany | None
    sleeps: list[float] = field(default_factory=list)  # waits requested by clients' backoff

    @property
    def url(self) -> str:
        return self.server.url

    def client(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        timeouts: Timeouts | None = None,
        attempts: int = 4,
        **kwargs: Any,
    ) -> PayTraceClient:
        settings = self.app.settings
        retry = RetryPolicy(max_attempts=attempts, sleep=self.sleeps.append, rng=random.Random(0))
        return PayTraceClient(
            self.url,
            settings.username if username is None else username,
            settings.password if password is None else password,
            settings.integrator_id,
            timeouts=timeouts or Timeouts(connect_s=2, read_s=5, money_read_s=5),
            retry=retry,
            **kwargs,
        )

    def admin(self, name: str, body: dict[str, Any] | None = None) -> Any:
        """POST (with a body) or GET a ``/_sandbox/<name>`` control over HTTP."""
        url = f"{self.url}/_sandbox/{name}"
        response = (
            requests.post(url, json=body, timeout=5)
            if body is not None
            else requests.get(url, timeout=5)
        )
        response.raise_for_status()
        return response.json()


StartPayTrace = Callable[..., RunningPayTrace]


@pytest.fixture
def paytrace_server() -> Iterator[StartPayTrace]:
    running: list[RunningPayTrace] = []

    def start(
        *,
        seed: int | None = None,
        today: date | None = None,
        settings: StandInSettings | None = None,
        clock: StandInClock | None = None,
        **company_args: Any,
    ) -> RunningPayTrace:
        company = None
        if seed is not None:
            company = generate_demo_company(seed, today=today or date.today(), **company_args)
        app = PayTraceStandIn(settings, clock=clock, company=company)
        handle = RunningPayTrace(SandboxServer(app).start(), app, company)
        running.append(handle)
        return handle

    yield start
    for handle in running:
        handle.server.stop()
