"""The Sage Pro API stand-in as a ``SandboxApp``: authentication, routing, errors in Sage
Pro's shape, and what an injected fault looks like. Serve it with ``SandboxServer``.

    app = build_app(seed=1, today=date(2025, 3, 15))     # in memory
    with SandboxServer(app) as server: ...               # server.url
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote

from app.sandbox.faults import FaultKind
from app.sandbox.http_base import SandboxRequest, SandboxResponse
from app.sandbox.sagepro import (
    admin,
    credit_memos,
    customers,
    invoices,
    ledger,
    orders,
    payments,
    reversals,
)
from app.sandbox.sagepro.books import Books
from app.sandbox.sagepro.calls import Call
from app.sandbox.sagepro.errors import ApiError
from app.sandbox.sagepro.listing import Query
from app.sandbox.sagepro.seed import seed_chart_of_accounts, seed_default, seed_periods
from app.sandbox.sagepro.store import RecordStore

DEFAULT_API_KEY = "demo-key"
log = logging.getLogger(__name__)

Handler = Callable[[Books, Call], SandboxResponse]

# (method, collection, with an id in the path?) → handler
_ROUTES: dict[tuple[str, str, bool], Handler] = {
    ("GET", "customers", False): customers.list_customers,
    ("POST", "customers", False): customers.create_customer,
    ("GET", "customers", True): customers.get_customer,
    ("PUT", "customers", True): customers.update_customer,
    ("GET", "invoices", False): invoices.list_invoices,
    ("POST", "invoices", False): invoices.create_invoice,
    ("GET", "invoices", True): invoices.get_invoice,
    ("PUT", "invoices", True): invoices.update_invoice,
    ("GET", "payments", False): payments.list_payments,
    ("POST", "payments", False): payments.create_payment,
    ("GET", "payments", True): payments.get_payment,
    ("GET", "paymentreversals", False): reversals.list_reversals,
    ("POST", "paymentreversals", False): reversals.create_reversal,
    ("GET", "paymentreversals", True): reversals.get_reversal,
    ("GET", "creditmemos", False): credit_memos.list_credit_memos,
    ("POST", "creditmemos", False): credit_memos.create_credit_memo,
    ("GET", "creditmemos", True): credit_memos.get_credit_memo,
    ("GET", "journalentries", False): ledger.list_journal_entries,
    ("POST", "journalentries", False): ledger.create_journal_entry,
    ("GET", "journalentries", True): ledger.get_journal_entry,
    ("GET", "orders", False): orders.list_orders,
    ("POST", "orders", False): orders.create_order,
    ("GET", "orders", True): orders.get_order,
    ("PUT", "orders", True): orders.update_order,
    ("GET", "glaccounts", False): ledger.list_gl_accounts,
    ("GET", "glaccounts", True): ledger.get_gl_account,
    ("GET", "periods", False): ledger.list_periods,
}
_PATH = re.compile(r"^/api/(?P<collection>[A-Za-z]+)(?:/(?P<key>[^/]+))?/?$")
_FAULTS = {
    FaultKind.RATE_LIMITED: ("rate_limited", "Too many requests; slow down and try again"),
    FaultKind.UNAVAILABLE: ("unavailable", "The Sage Pro API service is unavailable"),
    FaultKind.INTERNAL: ("internal", "The Sage Pro API service failed unexpectedly"),
}


class SageProApp:
    """Routes ``/api/...`` requests to the resource handlers over one company's books."""

    def __init__(self, books: Books, api_key: str = DEFAULT_API_KEY) -> None:
        if not api_key:
            raise ValueError("the stand-in needs an API key")
        self.books = books
        self._api_key = api_key.encode("utf-8")

    # --- SandboxApp -----------------------------------------------------------------

    def is_write(self, request: SandboxRequest) -> bool:
        return request.method in ("POST", "PUT", "DELETE")

    def fault_response(self, kind: FaultKind, retry_after_s: int) -> SandboxResponse:
        code, message = _FAULTS.get(kind, _FAULTS[FaultKind.INTERNAL])
        headers = {} if code == "internal" else {"Retry-After": str(retry_after_s)}
        return ApiError(code, message, headers=headers).response()

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        try:
            return self._route(request)
        except ApiError as error:
            return error.response()
        except Exception:  # a server answers 500 rather than hang up
            log.exception("Sage Pro stand-in failed on %s %s", request.method, request.path)
            return ApiError("internal", "The Sage Pro API service failed unexpectedly").response()

    def handle_admin(self, request: SandboxRequest) -> SandboxResponse:
        try:
            return admin.handle(self.books, request)
        except ApiError as error:
            return error.response()

    # --- routing --------------------------------------------------------------------

    def _route(self, request: SandboxRequest) -> SandboxResponse:
        match = _PATH.match(request.path)
        if match is None:
            raise ApiError("not_found", f"there is no endpoint {request.path}")
        collection = match["collection"].lower()
        key = unquote(match["key"] or "")
        if collection == "health" and not key and request.method == "GET":
            return SandboxResponse(200, {"status": "ok", "company": self.books.company})
        self._authenticate(request)
        handler = _ROUTES.get((request.method, collection, bool(key)))
        if handler is None:
            raise ApiError("not_found", f"there is no endpoint {request.method} {request.path}")
        body: object = {}
        if request.method in ("POST", "PUT"):
            try:
                body = request.json()
            except ValueError:
                raise ApiError("validation_failed", "the request body is not valid JSON") from None
        return handler(self.books, Call(Query(request.query), body, key))

    def _authenticate(self, request: SandboxRequest) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        valid = scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode("utf-8"), self._api_key
        )
        if not valid or request.token_expired:
            raise ApiError(
                "unauthorized",
                "missing or wrong API key (send Authorization: Bearer <api key>)",
            )


def build_app(
    *,
    api_key: str = DEFAULT_API_KEY,
    data: str | Path | None = None,
    seed: int | None = 1,
    today: date | None = None,
    company: str = "01",
    clock: Callable[[], datetime] | None = None,
    staged_posting: bool = False,
) -> SageProApp:
    """A stand-in over ``data`` (a SQLite file; in memory when None).

    An empty store is seeded: with ``seed`` the demo company as of ``today``; with
    ``seed=None`` only the chart of accounts and the fiscal periods (none locked). A file
    that already holds a company is served as it is, so a demo survives a restart.
    """
    books = Books(RecordStore(data), company=company, clock=clock, staged_posting=staged_posting)
    if books.store.is_empty():
        day = today or books.now().date()
        if seed is None:
            with books.store.transaction():
                seed_chart_of_accounts(books)
                seed_periods(books, day, None)
        else:
            seed_default(books, seed, day)
    return SageProApp(books, api_key)
