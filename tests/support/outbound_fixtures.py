"""The setting of the outbound (Sage Pro → PayTrace) tests: ``sync_env`` with the PayTrace
stand-in's clock moved to the demo's "today" (so new charges fall inside the sync window),
caches filled by one sync without auto-approval, and helpers to count charges per invoice."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from app.connectors.paytrace import PayTraceClient, RetryPolicy, Timeouts
from app.sandbox.paytrace import PayTraceStandIn
from app.store.models import Proposal, ProposalApplication, SageProInvoice
from app.sync.cycle import CycleResult, SyncContext, run_cycle
from app.sync.outbound.collect import collectable_invoices
from app.sync.outbound.paytrace_poster import PayTraceOutboxPoster, PayTracePostCounts
from tests.support.sync_fixtures import DEMO_TODAY, SyncEnv, running_sync_env


@dataclass
class OutboundEnv:
    env: SyncEnv
    ctx: SyncContext

    @property
    def standin(self) -> PayTraceStandIn:
        return self.env.paytrace.app  # type: ignore[return-value]

    def client(self, money_read_s: float = 5.0) -> PayTraceClient:
        s = self.standin.settings
        return PayTraceClient(
            self.env.paytrace.url,
            s.username,
            s.password,
            s.integrator_id,
            timeouts=Timeouts(connect_s=2, read_s=5, money_read_s=money_read_s),
            retry=RetryPolicy(max_attempts=3, sleep=self.env.sleeps.append, rng=random.Random(0)),
        )

    def poster(
        self,
        client: PayTraceClient | None = None,
        *,
        grace_s: float = 0.0,
        clock: Callable[[], datetime] | None = None,
    ) -> PayTraceOutboxPoster:
        return PayTraceOutboxPoster(
            self.env.store,
            client or self.ctx.paytrace,
            today=self.ctx.merchant_today,
            base_delay_s=0.0,
            cap_delay_s=0.0,
            unknown_grace_s=grace_s,
            rng=random.Random(0),
            **({"clock": clock} if clock else {}),
        )

    def drain(self, poster: PayTraceOutboxPoster, rounds: int = 6) -> list[PayTracePostCounts]:
        """post_due until nothing is left to retry (each round is one later 'run')."""
        history = []
        for _ in range(rounds):
            counts = poster.post_due()
            history.append(counts)
            if not counts.retry_later and not counts.switched:
                break
        return history

    def sales(self, invoice_id: str) -> dict:  # type: ignore[type-arg]
        response = requests.get(
            self.env.paytrace.url + "/_sandbox/sales", params={"invoice_id": invoice_id}, timeout=5
        )
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    def sync(self, *, auto_approve: bool = True) -> CycleResult:
        return run_cycle(self.ctx, since=DEMO_TODAY - timedelta(days=1), auto_approve=auto_approve)

    def settle(self) -> int | None:
        return self.standin.settle()

    def free_invoices(self, count: int) -> list[str]:
        """Open invoices of customers with a stored card that no payment claims yet."""
        with self.env.store.read() as session:
            claimed = set(
                session.execute(
                    select(ProposalApplication.invoice_id)
                    .join(Proposal)
                    .where(Proposal.status.in_(("proposed", "review", "approved", "posted")))
                ).scalars()
            )
            # Balances of 0.29 and 1.12 would meet the stand-in's test declines.
            balances = dict(
                session.execute(
                    select(SageProInvoice.invoice_id, SageProInvoice.balance_cents)
                ).all()
            )
        rows = [
            r.invoice_id
            for r in collectable_invoices(self.env.store)
            if r.invoice_id not in claimed and balances[r.invoice_id] not in (29, 112)
        ]
        assert len(rows) >= count, f"the demo company has only {len(rows)} free invoices"
        return rows[:count]


def pin_standin_clock(standin: PayTraceStandIn) -> None:
    """Move the stand-in's merchant clock to noon of the demo's today."""
    target = datetime.combine(DEMO_TODAY, time(12, 0)).timestamp()
    standin.clock.advance(target - standin.clock.now())


@pytest.fixture(name="outbound")
def outbound_fixture(tmp_path: Path) -> Iterator[OutboundEnv]:
    with running_sync_env(tmp_path) as env:
        pin_standin_clock(env.paytrace.app)  # type: ignore[arg-type]
        ctx = env.context()
        # All 31 days: every demo payment then claims its invoice, so "free" ones are free.
        run_cycle(ctx, since=DEMO_TODAY - timedelta(days=31), auto_approve=False)
        yield OutboundEnv(env, ctx)
