"""Five workstations at once on one PostgreSQL store: two pollers (full cycles with
auto-approval, which also post) and three posters, each its own process with its own data
folder, against the stand-ins served from this process. Every effect reaches Sage Pro
exactly once — not merely "no duplicate record" (the stand-in refuses those, and the poster
takes a 409 for its own earlier post), but exactly one POST per key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.sandbox.http_base import SandboxRequest, SandboxResponse
from app.sandbox.sagepro import DEFAULT_API_KEY
from app.store import audit
from app.store.models import OutboxItem, SyncRun
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv
from tests.team.team_env import running_team_env

ROOT = Path(__file__).resolve().parents[2]
CREATES = ("/api/payments", "/api/creditmemos", "/api/journalentries", "/api/salesorders")


class PostCounter:
    """Wraps the Sage Pro stand-in's handler: every create POST, by reference."""

    def __init__(self, env: SyncEnv) -> None:
        self.attempts: Counter[str] = Counter()
        self.created: Counter[str] = Counter()
        self._lock = threading.Lock()
        app: Any = env.sagepro.app
        self._handle = app.handle
        app.handle = self.handle

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        response: SandboxResponse = self._handle(request)
        if request.method == "POST" and request.path.rstrip("/") in CREATES:
            body = request.json()
            reference = str(body.get("PaymentReference") or body.get("Reference") or "")
            with self._lock:
                self.attempts[reference] += 1
                if 200 <= response.status < 300:
                    self.created[reference] += 1
        return response


def _start(folder: Path, role: str, name: str) -> subprocess.Popen[bytes]:
    home = folder / f"home-{name}"  # its own data folder: another computer
    home.mkdir()
    env = {**os.environ, "PAYSAGE_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.team.workstation", str(folder / "config.json"), role, name],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_for(paths: list[Path], procs: list[subprocess.Popen[bytes]], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not all(p.exists() for p in paths):
        failed = [p for p in procs if p.poll() not in (None, 0)]
        assert not failed, failed[0].communicate()[0].decode()
        assert time.monotonic() < deadline, "workstations did not start"
        time.sleep(0.02)


def test_three_posters_and_two_pollers_post_every_effect_once(tmp_path: Path, pg_url: str):
    with running_team_env(tmp_path / "env", pg_url) as env:
        counter = PostCounter(env)
        work = tmp_path / "work"
        work.mkdir()
        pt = env.paytrace.app.settings  # type: ignore[attr-defined]
        config = {
            "profile": env.profile.name,
            "pg_url": pg_url,
            "paytrace_url": env.paytrace.url,
            "paytrace_username": pt.username,
            "paytrace_password": pt.password,
            "paytrace_integrator_id": pt.integrator_id,
            "sagepro_url": env.sagepro.url,
            "sagepro_api_key": DEFAULT_API_KEY,
            "since": (DEMO_TODAY - timedelta(days=15)).isoformat(),
            "deadline_s": 90,
        }
        (work / "config.json").write_text(json.dumps(config))
        roles = {"poller-1": "poller", "poller-2": "poller"}
        roles |= {f"poster-{n}": "poster" for n in (1, 2, 3)}
        procs = {name: _start(work, role, name) for name, role in roles.items()}
        try:
            _wait_for([work / f"{n}.ready" for n in roles], list(procs.values()), 60)
            (work / "go").touch()
            outputs = {name: p.communicate(timeout=120)[0].decode() for name, p in procs.items()}
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.kill()
        for name, p in procs.items():
            assert p.returncode == 0, f"{name}:\n{outputs[name]}"
        results = {n: json.loads((work / f"{n}.json").read_text()) for n in roles}

        # The poll lock: both pollers completed a cycle, never at the same time (the times
        # are the cycle's own, written while it held the lock).
        polled = [r["cycles"] for n, r in results.items() if n.startswith("poller")]
        assert [len(c) for c in polled] == [1, 1]
        with env.store.read() as session:
            runs = session.execute(
                select(SyncRun.started_at, SyncRun.finished_at, SyncRun.status).order_by(
                    SyncRun.started_at
                )
            ).all()
        assert [status for _, _, status in runs] == ["ok", "ok"]
        assert runs[0].finished_at <= runs[1].started_at, "two cycles overlapped"
        first = min((c[0] for c in polled), key=lambda c: c["start"])
        assert first["errors"] == 0 and first["auto_approved"] > 0

        with env.store.read() as session:
            rows = session.execute(
                select(OutboxItem.key, OutboxItem.status, OutboxItem.claimed_by)
            ).all()
            assert audit.verify(session).ok
            posted_rows = session.execute(
                select(func.count()).where(OutboxItem.status == "posted")
            ).scalar_one()
        assert rows and {status for _, status, _ in rows} == {"posted"}
        # Each row was posted by exactly one workstation ...
        assert sum(r["posted"] for r in results.values()) == posted_rows
        # ... and several did post (the claim is shared work, not one winner).
        assert len({claimant for _, _, claimant in rows}) >= 2
        # Exactly one POST per Sage Pro record; every created record is one outbox key.
        repeated = {ref: n for ref, n in counter.attempts.items() if n != 1}
        assert repeated == {}, repeated
        keys = {key for key, _, _ in rows}
        assert set(counter.created) <= keys and all(n == 1 for n in counter.created.values())
        busy = sum(results[n]["busy"] for n in ("poller-1", "poller-2"))
        print(
            f"\n{posted_rows} outbox rows posted by "
            + ", ".join(f"{n}={r['posted']}" for n, r in results.items())
            + f"; {len(counter.created)} Sage Pro creates; poller busy retries {busy}"
        )
