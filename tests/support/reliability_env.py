"""Stand-ins seeded from one demo company of any size, a sync context whose clients never
sleep, and the read-outs the reliability suites compare: what Sage Pro holds, what the store
holds, and whether its audit chain is sound (the store's own read-outs: store_checks).

No pytest here: the crash harness's child processes import this module too.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import requests

from app.config import Profile
from app.connectors.paytrace import PayTraceClient, RetryPolicy, Timeouts
from app.connectors.sagepro import SageProClient
from app.sandbox.demo_data import DemoCompany, generate_demo_company
from app.sandbox.faults import FaultKind
from app.sandbox.http_base import SandboxRequest, SandboxResponse, SandboxServer
from app.sandbox.paytrace import PayTraceStandIn
from app.sandbox.paytrace.settings import StandInSettings
from app.sandbox.sagepro import DEFAULT_API_KEY, SageProApp
from app.sandbox.sagepro.books import Books
from app.sandbox.sagepro.seed import seed_demo_company
from app.sandbox.sagepro.store import RecordStore
from app.store import Store, audit
from app.sync.cycle import SyncContext, merchant_zone

TODAY = date(2025, 3, 15)


def small_company(seed: int = 3) -> DemoCompany:
    """A company small enough to crash at many points within the default run's budget."""
    return generate_demo_company(seed, customers=8, transactions=24, days=6, today=TODAY)


def demo_company(seed: int = 1) -> DemoCompany:
    """The demo company of the app (40 customers, 300 transactions, 30 days)."""
    return generate_demo_company(seed, today=TODAY)


def sagepro_books(company: DemoCompany) -> Books:
    """Sage Pro books seeded from ``company`` (``build_app`` only knows the default sizes)."""
    books = Books(RecordStore(None), company="01")
    seed_demo_company(books, company)
    return books


class CountingSageProApp:
    """The Sage Pro stand-in, counting what a crash test must see zero of: a create whose
    key Sage Pro already held (answered 409). A correct poster looks the key up first, so
    it never sends one; without its guard, only Sage Pro's unique index would stop it."""

    def __init__(self, inner: SageProApp) -> None:
        self.inner = inner
        self.books = inner.books
        self.duplicate_posts: Counter[str] = Counter()
        self.calls = 0
        self._lock = threading.Lock()

    def is_write(self, request: SandboxRequest) -> bool:
        return self.inner.is_write(request)

    def fault_response(self, kind: FaultKind, retry_after_s: int) -> SandboxResponse:
        return self.inner.fault_response(kind, retry_after_s)

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        response = self.inner.handle(request)
        with self._lock:
            self.calls += 1
            if response.status == 409:  # duplicate_reference, the contract's only 409
                self.duplicate_posts[request.path] += 1
        return response

    def handle_admin(self, request: SandboxRequest) -> SandboxResponse:
        return self.inner.handle_admin(request)


@dataclass
class StandIns:
    company: DemoCompany
    paytrace_app: PayTraceStandIn
    sagepro_app: CountingSageProApp
    paytrace: SandboxServer
    sagepro: SandboxServer

    sagepro_api_key: str = DEFAULT_API_KEY

    def connection(self) -> dict[str, str]:
        """What a child process needs to reach both stand-ins."""
        settings = self.paytrace_app.settings
        return {
            "paytrace_url": self.paytrace.url,
            "paytrace_username": settings.username,
            "paytrace_password": settings.password,
            "paytrace_integrator_id": settings.integrator_id,
            "sagepro_url": self.sagepro.url,
            "sagepro_api_key": self.sagepro_api_key,
        }

    def issued_tokens(self) -> list[str]:
        """Every OAuth access token the PayTrace stand-in handed out and still knows."""
        return list(self.paytrace_app.tokens._expires)


@contextmanager
def running_stand_ins(
    company: DemoCompany,
    *,
    paytrace_password: str = "demo",
    sagepro_api_key: str = DEFAULT_API_KEY,
) -> Iterator[StandIns]:
    """Both stand-ins seeded from ``company``, on free localhost ports."""
    paytrace_app = PayTraceStandIn(StandInSettings(password=paytrace_password), company=company)
    books = sagepro_books(company)
    sagepro_app = CountingSageProApp(SageProApp(books, sagepro_api_key))
    try:
        with SandboxServer(paytrace_app) as pt, SandboxServer(sagepro_app) as sp:
            yield StandIns(company, paytrace_app, sagepro_app, pt, sp, sagepro_api_key)
    finally:
        books.store.close()


EXPORT_PATH = "/v1/transactions/export/by_date_range"


class InjectedRows:
    """Extra rows the PayTrace stand-in appends to every plain date-range export (the
    test's way of making PayTrace send what it should not)."""

    def __init__(self, stand_ins: StandIns) -> None:
        self.rows: list[Any] = []
        routes = stand_ins.paytrace_app.routes
        export = routes[EXPORT_PATH]

        def with_rows(body: dict[str, Any]) -> SandboxResponse:
            response = export(body)
            if not body.get("transaction_type") and isinstance(response.body, dict):
                response.body["transactions"] = [*response.body["transactions"], *self.rows]
            return response

        routes[EXPORT_PATH] = with_rows


def make_profile(connection: dict[str, str], name: str = "Reliability") -> Profile:
    profile = Profile(name=name)
    profile.paytrace.base_url = connection["paytrace_url"]
    profile.paytrace.username = connection["paytrace_username"]
    profile.paytrace.integrator_id = connection["paytrace_integrator_id"]
    profile.sagepro.base_url = connection["sagepro_url"]
    return profile


@dataclass
class Sleeps:
    """The waits the clients asked for; they are recorded, never slept."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def fast_context(
    connection: dict[str, str],
    store: Store,
    *,
    profile: Profile | None = None,
    sleeps: Sleeps | None = None,
    today: date = TODAY,
    attempts: int = 6,
) -> SyncContext:
    """A sync context over both stand-ins whose clients and poster never sleep."""
    profile = profile or make_profile(connection)
    sleeps = sleeps or Sleeps()
    paytrace = PayTraceClient(
        connection["paytrace_url"],
        connection["paytrace_username"],
        connection["paytrace_password"],
        connection["paytrace_integrator_id"],
        timeouts=Timeouts(connect_s=2, read_s=10, money_read_s=10),
        retry=RetryPolicy(max_attempts=attempts, sleep=sleeps, rng=random.Random(0)),
    )
    sagepro = SageProClient(
        connection["sagepro_url"],
        connection["sagepro_api_key"],
        connect_timeout_s=2,
        read_timeout_s=10,
    )
    return SyncContext(
        profile,
        store,
        paytrace,
        sagepro,
        merchant_zone(profile),
        poster_options={
            "base_delay_s": 0.0,
            "cap_delay_s": 0.0,
            "retry_policy": RetryPolicy(max_attempts=3, sleep=sleeps),
        },
        today=lambda: today,
    )


# -- read-outs -------------------------------------------------------------------------


def _all_items(url: str, path: str, api_key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    headers = {"Authorization": f"Bearer {api_key}"}
    while True:
        response = requests.get(
            url + path, params={"page": page, "page_size": 1000}, headers=headers, timeout=30
        )
        response.raise_for_status()
        body = response.json()
        items.extend(body["items"])
        if page * body["page_size"] >= body["total"]:
            return items
        page += 1


def sagepro_snapshot(url: str, api_key: str = DEFAULT_API_KEY) -> dict[str, dict[str, Any]]:
    """Every record Sage Pro holds that a sync can create or change, by its natural key,
    without the ids and times Sage Pro assigns (those differ between two equal runs)."""

    def keyed(path: str, key: str, drop: tuple[str, ...] = ()) -> dict[str, Any]:
        dropped = {*drop, "CreatedAt", "ModifiedAt", "PostedAt"}
        rows: dict[str, Any] = {}
        for item in _all_items(url, path, api_key):
            rows[str(item[key])] = {k: v for k, v in item.items() if k not in dropped}
        return rows

    return {
        "payments": keyed("/api/payments", "PaymentReference", ("PaymentID",)),
        "credit_memos": keyed("/api/creditmemos", "Reference", ("CreditMemoID",)),
        "journal_entries": keyed("/api/journalentries", "Reference", ("JournalID",)),
        "orders": keyed("/api/orders", "OrderNumber"),
        "invoices": keyed("/api/invoices", "InvoiceID"),
        "customers": keyed("/api/customers", "CustomerID"),
    }


@dataclass(frozen=True)
class Comparison:
    lost: list[str]  # expected but missing or different
    unexpected: list[str]  # present but not expected

    @property
    def ok(self) -> bool:
        return not self.lost and not self.unexpected


def compare_snapshots(
    expected: dict[str, dict[str, Any]], got: dict[str, dict[str, Any]]
) -> Comparison:
    lost: list[str] = []
    unexpected: list[str] = []
    for part, rows in expected.items():
        have = got.get(part, {})
        for key, row in rows.items():
            if have.get(key) != row:
                lost.append(f"{part}/{key}")
        unexpected.extend(f"{part}/{key}" for key in have if key not in rows)
    return Comparison(sorted(lost), sorted(unexpected))


def audit_chain_ok(store: Store) -> audit.ChainCheck:
    with store.read() as session:
        return audit.verify(session)
