"""``PayTraceStandIn``: the stand-in PayTrace as a ``SandboxApp`` — routing, bearer-token
checks, fault answers in PayTrace's envelope, and ``/_sandbox/`` controls for tests and
the demo.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from app.sandbox.demo_records import DemoCompany
from app.sandbox.faults import FaultKind
from app.sandbox.http_base import ADMIN_PREFIX, SandboxRequest, SandboxResponse
from app.sandbox.paytrace import codes, envelopes, exports, payments
from app.sandbox.paytrace.auth import TokenIssuer
from app.sandbox.paytrace.clock import StandInClock, merchant_now
from app.sandbox.paytrace.codes import RuleError
from app.sandbox.paytrace.seed import seed_company
from app.sandbox.paytrace.settings import StandInSettings
from app.sandbox.paytrace.store import PayTraceStore

Handler = Callable[[dict[str, Any]], SandboxResponse]
READ_PATHS = frozenset(
    {
        "/v1/transactions/export/by_date_range",
        "/v1/transactions/export/by_id",
        "/v1/batches/export",
        "/v1/batches/export_one",
        "/v1/batches/transaction_list",
        "/v1/customer/export",
        "/v1/recurrence/export_approved",
    }
)


class PayTraceStandIn:
    def __init__(
        self,
        settings: StandInSettings | None = None,
        *,
        clock: StandInClock | None = None,
        company: DemoCompany | None = None,
    ) -> None:
        self.settings = settings or StandInSettings()
        self.clock = clock or StandInClock()
        self.tokens = TokenIssuer(self.clock, self.settings.token_lifetime_s)
        self.store = PayTraceStore(self.merchant_now, seed=company.seed if company else 0)
        self.request_counts: Counter[str] = Counter()
        if company is not None:
            seed_company(self.store, company)
        s, shapes = self.store, self.settings
        self.routes: dict[str, Handler] = {
            "/v1/transactions/sale/keyed": lambda b: payments.keyed(s, b, "SALE"),
            "/v1/transactions/sale/by_customer": lambda b: payments.by_customer(s, b, "SALE"),
            "/v1/transactions/authorization/keyed": lambda b: payments.keyed(s, b, "AUTHORIZATION"),
            "/v1/transactions/authorization/by_customer": lambda b: payments.by_customer(
                s, b, "AUTHORIZATION"
            ),
            "/v1/transactions/authorization/capture": lambda b: payments.capture(s, b),
            "/v1/transactions/void": lambda b: payments.void(s, b),
            "/v1/transactions/refund/for_transaction": lambda b: payments.refund_transaction(s, b),
            "/v1/transactions/refund/to_customer": lambda b: payments.refund_to_customer(s, b),
            "/v1/transactions/settle": lambda b: payments.settle(s),
            "/v1/customer/create": lambda b: payments.create_customer(s, b),
            "/v1/customer/delete": lambda b: payments.delete_customer(s, b),
            "/v1/recurrence/create": lambda b: payments.create_recurrence(s, b),
            "/v1/recurrence/delete": lambda b: payments.delete_recurrence(s, b),
            "/v1/transactions/export/by_date_range": lambda b: exports.by_date_range(s, b, shapes),
            "/v1/transactions/export/by_id": lambda b: exports.by_id(s, b, shapes),
            "/v1/batches/export": lambda b: exports.batches(s, b),
            "/v1/batches/export_one": lambda b: exports.batch_one(s, b),
            "/v1/batches/transaction_list": lambda b: exports.batch_transactions(s, b, shapes),
            "/v1/customer/export": lambda b: exports.customers(s, b),
            "/v1/recurrence/export_approved": lambda b: exports.approved_recurrences(s, b, shapes),
        }

    def merchant_now(self) -> datetime:
        return merchant_now(self.clock, self.settings.merchant_zone)

    # -- SandboxApp ----------------------------------------------------------------------

    def is_write(self, request: SandboxRequest) -> bool:
        return request.path in self.routes and request.path not in READ_PATHS

    def fault_response(self, kind: FaultKind, retry_after_s: int) -> SandboxResponse:
        messages = {
            FaultKind.RATE_LIMITED: (429, "Too many requests. Please slow down."),
            FaultKind.UNAVAILABLE: (503, "The service is temporarily unavailable."),
        }
        status, message = messages.get(kind, (500, "An internal error occurred."))
        headers = {"Retry-After": str(retry_after_s)} if status in (429, 503) else {}
        body = {"success": False, "response_code": codes.ERRORS, "status_message": message}
        return SandboxResponse(status, body, headers)

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        self.request_counts[request.path] += 1
        if request.path == "/oauth/token":
            return self._token(request)
        if request.path == "/v1/ping":
            return envelopes.ok(codes.ERRORS, "pong")
        route = self.routes.get(request.path)
        if route is None or request.method != "POST":
            return SandboxResponse(
                404,
                {"success": False, "response_code": codes.ERRORS, "status_message": "Not found."},
            )
        authorization = request.headers.get("authorization", "")
        if request.token_expired or not self.tokens.valid(authorization):
            return envelopes.invalid_token("The access token is invalid or has expired.")
        try:
            body = request.json()
        except ValueError:
            return envelopes.errors(RuleError(codes.INVALID_REQUEST, "The body is not valid JSON."))
        if not isinstance(body, dict):
            return envelopes.errors(RuleError(codes.INVALID_REQUEST, "The body must be an object."))
        try:
            self._check_integrator(body)
            with self.store.lock:
                return route(body)
        except RuleError as problem:
            return envelopes.errors(problem)

    def _check_integrator(self, body: dict[str, Any]) -> None:
        # (A) accepted when missing unless the strict switch is on.
        if self.settings.strict_integrator_id and (
            body.get("integrator_id") != self.settings.integrator_id
        ):
            raise RuleError(codes.INSUFFICIENT_PERMISSIONS)

    def _token(self, request: SandboxRequest) -> SandboxResponse:
        content_type = request.headers.get("content-type", "")
        try:
            if "json" in content_type:
                form = request.json()
                form = form if isinstance(form, dict) else {}
            else:
                parsed = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
                form = {k: v[-1] for k, v in parsed.items()}
        except (ValueError, UnicodeDecodeError):
            form = {}
        if form.get("grant_type") != "password":
            return envelopes.oauth_error("unsupported_grant_type", "Use grant_type=password.")
        s = self.settings
        if form.get("username") != s.username or form.get("password") != s.password:
            return envelopes.oauth_error(
                "invalid_grant", "The provided authorization grant is invalid."
            )
        token, created_at = self.tokens.issue()
        return SandboxResponse(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": s.token_lifetime_s,
                "created_at": created_at,
            },
        )

    # -- controls (also reachable over HTTP under /_sandbox/) ----------------------------

    def settle(self) -> int | None:
        batch = self.store.settle()
        return batch.number if batch else None

    def advance_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def sales_for_invoice(self, invoice_id: str) -> dict[str, Any]:
        """How many charges carry ``invoice_id`` (exactly-once checks), by export type."""
        with self.store.lock:
            rows = [t for t in self.store.transactions.values() if t.invoice_id == invoice_id]
        by_type = Counter(t.export_type for t in rows)
        return {
            "invoice_id": invoice_id,
            "sales": by_type.get("SALE", 0),
            "by_type": dict(by_type),
            "transaction_ids": sorted(t.transaction_id for t in rows),
        }

    def state(self) -> dict[str, Any]:
        with self.store.lock:
            txns = list(self.store.transactions.values())
            return {
                "now_local": self.merchant_now().isoformat(timespec="seconds"),
                "transactions": len(txns),
                "pending": sum(1 for t in txns if t.pending_settlement),
                "batches": len(self.store.batches),
                "customers": len(self.store.profiles),
                "recurrences": len(self.store.recurrences),
                "tokens_issued": self.tokens.issued,
                "requests": dict(self.request_counts),
            }

    def handle_admin(self, request: SandboxRequest) -> SandboxResponse:
        name = request.path[len(ADMIN_PREFIX) :]
        try:
            body = request.json() if request.body else {}
        except ValueError:
            return SandboxResponse(400, {"error": "the control body is not JSON"})
        if name == "state":
            return SandboxResponse(200, self.state())
        if name == "clock" and request.method == "POST":
            try:
                self.advance_clock(float(body.get("advance_s", 0)))
            except (TypeError, ValueError):
                return SandboxResponse(400, {"error": "advance_s must be a number of seconds"})
            return SandboxResponse(200, {"now_local": self.merchant_now().isoformat()})
        if name == "settle" and request.method == "POST":
            return SandboxResponse(200, {"batch_number": self.settle()})
        if name == "sales":
            return SandboxResponse(200, self.sales_for_invoice(request.query.get("invoice_id", "")))
        if name == "expire_tokens" and request.method == "POST":
            return SandboxResponse(200, {"expired": self.tokens.expire_all()})
        if name == "run_recurrences" and request.method == "POST":
            made = self.store.run_recurrences(self.merchant_now().date())
            return SandboxResponse(200, {"transaction_ids": [t.transaction_id for t in made]})
        return SandboxResponse(404, {"error": f"unknown sandbox control {json.dumps(name)}"})
