"""``PayTraceClient``: everything the app asks of PayTrace's JSON API v1.

Reads return parsed, typed records (per-record errors alongside, never raised); money-moving
calls return a ``PaymentResult`` or raise a typed error (see ``errors``). Date-range exports
are split into one request per merchant-local day and ask for declines and voids separately:
an export without ``transaction_type`` leaves declined transactions out, and which rows are
declines or voids is decided by the filter that returned them (``provenance``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import requests

from app.connectors.paytrace.errors import PayTraceResponseError
from app.connectors.paytrace.parse_profiles import ParsedItems, parse_batches, parse_profiles
from app.connectors.paytrace.parse_transactions import (
    TRANSACTION_ROWS,
    ParsedExport,
    parse_transactions_export,
)
from app.connectors.paytrace.parse_values import request_date
from app.connectors.paytrace.payloads import (
    BillingAddress,
    KeyedCard,
    PaymentDetails,
    PaymentResult,
    RecurrenceResult,
)
from app.connectors.paytrace.provenance import decide_by_provenance
from app.connectors.paytrace.transport import PayTraceTransport, Timeouts
from app.connectors.retry import RetryPolicy
from app.domain.money import format_money, to_money
from app.domain.records import CustomerProfile, SettlementBatch, TransactionType

SANDBOX_URL = "https://api.sandbox.paytrace.com"
PRODUCTION_URL = "https://api.paytrace.com"
DECLINED, VOID = "DECLINED", "VOID"


def _amount(value: Decimal) -> str:
    return format_money(to_money(value))


class PayTraceClient:
    """One PayTrace account. Token in memory only; the password is never logged."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        integrator_id: str,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        session: requests.Session | None = None,
    ) -> None:
        self.transport = PayTraceTransport(
            base_url,
            username,
            password,
            integrator_id,
            timeouts=timeouts,
            retry=retry,
            clock=clock,
            session=session,
        )

    def __repr__(self) -> str:
        return f"PayTraceClient({self.transport.base_url!r})"

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> PayTraceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connection ----------------------------------------------------------------------

    def ping(self) -> bool:
        return self.transport.ping()

    def authenticate(self) -> None:
        """Sign in now; raises ``PayTraceAuthError`` for bad credentials."""
        self.transport.authenticate()

    # -- transactions --------------------------------------------------------------------

    def export_transactions(
        self,
        start: date,
        end: date,
        *,
        customer_id: str = "",
        include_declined: bool = True,
        include_voided: bool = True,
    ) -> ParsedExport:
        """Every transaction created on merchant-local days ``start``..``end`` (inclusive),
        declines and voids decided by provenance (``provenance``).

        One request per day, plus one for ``DECLINED`` and one for ``VOID``, so a long range
        never becomes one huge answer. Rows are unique by transaction id, first seen wins;
        the type comes from which exports listed the id, not from which came first.
        """
        if end < start:
            raise ValueError("the export range ends before it starts")
        result = ParsedExport()
        day = start
        while day <= end:
            result.extend(
                self._export_day(
                    day,
                    customer_id=customer_id,
                    include_declined=include_declined,
                    include_voided=include_voided,
                )
            )
            day += timedelta(days=1)
        return result

    def _export_day(
        self, day: date, *, customer_id: str, include_declined: bool, include_voided: bool
    ) -> ParsedExport:
        chunks: dict[str | None, ParsedExport] = {None: ParsedExport()}
        types: list[str | None] = [None]
        types += [DECLINED] if include_declined else []
        types += [VOID] if include_voided else []
        for transaction_type in types:
            chunks[transaction_type] = self.export_transactions_by_type(
                day, day, transaction_type, customer_id=customer_id
            )
        return decide_by_provenance(chunks)

    def export_transaction_decided(self, transaction_id: int) -> ParsedExport:
        """``export_transaction``, then its type decided by provenance: a charge's row is
        checked against the ``DECLINED`` and ``VOID`` exports of the day it was made."""
        found = self.export_transaction(transaction_id)
        charges = [
            r.transaction.created_local.date()
            for r in found.records
            if r.transaction.transaction_id == transaction_id
            and r.transaction.transaction_type
            not in (TransactionType.DECLINED, TransactionType.VOID)
        ]
        if not charges:
            return found
        chunks: dict[str | None, ParsedExport] = {None: found}
        for transaction_type in (DECLINED, VOID):
            chunks[transaction_type] = self.export_transactions_by_type(
                charges[0], charges[0], transaction_type
            )
        decided = decide_by_provenance(chunks)
        decided.records = [
            r for r in decided.records if r.transaction.transaction_id == transaction_id
        ]
        decided.errors = list(found.errors)
        return decided

    def export_transactions_by_type(
        self,
        start: date,
        end: date,
        transaction_type: str | None = None,
        *,
        customer_id: str = "",
        include_bin: bool = False,
    ) -> ParsedExport:
        """One ``transactions/export/by_date_range`` request, as PayTrace filters it."""
        body: dict[str, Any] = {"start_date": request_date(start), "end_date": request_date(end)}
        if transaction_type:
            body["transaction_type"] = transaction_type
        if customer_id:
            body["customer_id"] = customer_id
        if include_bin:
            body["include_bin"] = True
        return self._read_export("/v1/transactions/export/by_date_range", body)

    def export_transaction(self, transaction_id: int) -> ParsedExport:
        """``transactions/export/by_id``; ``PayTraceNotFoundError`` when PayTrace has no such id."""
        return self._read_export(
            "/v1/transactions/export/by_id", {"transaction_id": transaction_id}
        )

    # -- batches and customers -----------------------------------------------------------

    def export_batches(self, start: date, end: date) -> ParsedItems[SettlementBatch]:
        body = self.transport.read(
            "/v1/batches/export",
            {"start_date": request_date(start), "end_date": request_date(end)},
        )
        return parse_batches(body.get("batches"))

    def export_batch(self, batch_number: int | None = None) -> SettlementBatch:
        """One batch; without a number, the current (pending) batch."""
        request = {} if batch_number is None else {"batch_number": batch_number}
        body = self.transport.read("/v1/batches/export_one", request)
        parsed = parse_batches([body.get("batch")])
        if parsed.errors or not parsed.items:
            problem = parsed.errors[0] if parsed.errors else None
            detail = f" ({problem.field}: {problem.message})" if problem else ""
            raise PayTraceResponseError(f"PayTrace's batch answer could not be read{detail}")
        return parsed.items[0]

    def batch_transactions(self, batch_number: int) -> ParsedExport:
        return self._read_export("/v1/batches/transaction_list", {"batch_number": batch_number})

    def export_customers(self, customer_id: str = "") -> ParsedItems[CustomerProfile]:
        request = {"customer_id": customer_id} if customer_id else {}
        body = self.transport.read("/v1/customer/export", request)
        return parse_profiles(body.get("customers"))

    def export_approved_recurrences(
        self, *, customer_id: str = "", recurrence_id: int | None = None
    ) -> ParsedExport:
        """Approved transactions made by recurring billing (``recurrence/export_approved``)."""
        request: dict[str, Any] = {}
        if customer_id:
            request["customer_id"] = customer_id
        if recurrence_id is not None:
            request["recurrence_id"] = recurrence_id
        return self._read_export("/v1/recurrence/export_approved", request)

    def _read_export(self, path: str, request: dict[str, Any]) -> ParsedExport:
        """A read answered by a ``transactions`` array, its rows parsed from their own JSON."""
        body = self.transport.read(path, request, rows_key=TRANSACTION_ROWS)
        return parse_transactions_export(body)

    # -- money-moving --------------------------------------------------------------------

    def _pay(self, path: str, body: dict[str, Any], action: str) -> PaymentResult:
        return PaymentResult.from_body(self.transport.write(path, body, action))

    def sale_by_customer(
        self, customer_id: str, amount: Decimal, details: PaymentDetails | None = None
    ) -> PaymentResult:
        body = {"customer_id": customer_id, "amount": _amount(amount)}
        body.update((details or PaymentDetails()).as_json())
        return self._pay("/v1/transactions/sale/by_customer", body, "sale")

    def sale_keyed(
        self,
        card: KeyedCard,
        amount: Decimal,
        details: PaymentDetails | None = None,
        billing: BillingAddress | None = None,
    ) -> PaymentResult:
        """Sandbox and tests only: the card number goes to PayTrace and nowhere else."""
        return self._pay(
            "/v1/transactions/sale/keyed", self._keyed(card, amount, details, billing), "sale"
        )

    def authorize_by_customer(
        self, customer_id: str, amount: Decimal, details: PaymentDetails | None = None
    ) -> PaymentResult:
        body = {"customer_id": customer_id, "amount": _amount(amount)}
        body.update((details or PaymentDetails()).as_json())
        return self._pay("/v1/transactions/authorization/by_customer", body, "authorization")

    def authorize_keyed(
        self,
        card: KeyedCard,
        amount: Decimal,
        details: PaymentDetails | None = None,
        billing: BillingAddress | None = None,
    ) -> PaymentResult:
        return self._pay(
            "/v1/transactions/authorization/keyed",
            self._keyed(card, amount, details, billing),
            "authorization",
        )

    def capture(self, transaction_id: int, amount: Decimal | None = None) -> PaymentResult:
        body: dict[str, Any] = {"transaction_id": transaction_id}
        if amount is not None:
            body["amount"] = _amount(amount)
        return self._pay("/v1/transactions/authorization/capture", body, "capture")

    def void(self, transaction_id: int) -> PaymentResult:
        return self._pay("/v1/transactions/void", {"transaction_id": transaction_id}, "void")

    def refund_transaction(
        self, transaction_id: int, amount: Decimal | None = None
    ) -> PaymentResult:
        body: dict[str, Any] = {"transaction_id": transaction_id}
        if amount is not None:
            body["amount"] = _amount(amount)
        return self._pay("/v1/transactions/refund/for_transaction", body, "refund")

    def refund_to_customer(
        self, customer_id: str, amount: Decimal, details: PaymentDetails | None = None
    ) -> PaymentResult:
        body = {"customer_id": customer_id, "amount": _amount(amount)}
        body.update((details or PaymentDetails()).as_json())
        return self._pay("/v1/transactions/refund/to_customer", body, "refund")

    def settle(self) -> int | None:
        """Sandbox: settle every pending transaction now; the new batch number, or None when
        nothing was pending."""
        body = self.transport.write("/v1/transactions/settle", {}, "settlement")
        number = body.get("batch_number")
        if number is None:
            return None
        if not isinstance(number, int) or isinstance(number, bool):
            raise PayTraceResponseError("PayTrace's settle answer named no usable batch")
        return number

    def create_customer(
        self,
        customer_id: str,
        card: KeyedCard,
        billing: BillingAddress | None = None,
        *,
        email: str = "",
        phone: str = "",
    ) -> str:
        """Store a vault profile (sandbox, tests, demo); the customer id PayTrace kept."""
        body: dict[str, Any] = {"customer_id": customer_id, "credit_card": card.as_json()}
        body["billing_address"] = (billing or BillingAddress()).as_json()
        if email:
            body["email"] = email
        if phone:
            body["phone"] = phone
        answer = self.transport.write("/v1/customer/create", body, "customer profile")
        return str(answer.get("customer_id") or customer_id)

    def delete_customer(self, customer_id: str) -> None:
        self.transport.write(
            "/v1/customer/delete", {"customer_id": customer_id}, "customer deletion"
        )

    def create_recurrence(
        self,
        customer_id: str,
        amount: Decimal,
        *,
        frequency: int,
        start_date: date,
        total_count: int,
        description: str = "",
    ) -> RecurrenceResult:
        body = {
            "customer_id": customer_id,
            "recurrence": {
                "amount": _amount(amount),
                "frequency": frequency,
                "start_date": request_date(start_date),
                "total_count": total_count,
                "description": description,
            },
        }
        answer = self.transport.write("/v1/recurrence/create", body, "recurring billing")
        recurrence = answer.get("recurrence")
        rid = recurrence.get("id") if isinstance(recurrence, dict) else None
        if not isinstance(rid, int) or isinstance(rid, bool):
            raise PayTraceResponseError("PayTrace's answer did not name the recurrence")
        return RecurrenceResult(
            rid, customer_id, to_money(amount), frequency, str(answer.get("status_message", ""))
        )

    def delete_recurrence(self, recurrence_id: int) -> None:
        self.transport.write(
            "/v1/recurrence/delete", {"recurrence_id": recurrence_id}, "recurrence deletion"
        )

    @staticmethod
    def _keyed(
        card: KeyedCard,
        amount: Decimal,
        details: PaymentDetails | None,
        billing: BillingAddress | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"amount": _amount(amount), "credit_card": card.as_json()}
        if card.csc:
            body["csc"] = card.csc
        if billing is not None:
            body["billing_address"] = billing.as_json()
        body.update((details or PaymentDetails()).as_json())
        return body
