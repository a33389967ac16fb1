"""The contract v1.1 routes over a Sage Pro company folder, as a ``SandboxApp`` so the same
threaded server, request objects and socket plumbing serve it.

Lists, filters, paging and errors reuse the stand-in's helpers (``app.sandbox.sagepro``
``listing`` and ``errors``), so the bridge and the stand-in answer the read rules alike:
the list wrapper, ids and references compared without regard to case, unknown parameters
ignored, ``modified_since`` as ISO 8601, 401 without the key, 404 for an unknown id.

With a ``StagedReceipts`` (``serve`` always gives one) ``POST /api/payments``,
``POST /api/creditmemos`` and ``POST /api/paymentreversals`` stage the posting for the
bookkeeper; ``PUT /api/invoices`` and
``PUT /api/customers`` keep PaymentStatus/DueDate and the PayTrace vault fields bridge-local;
the reads carry the staged overlay (see ``staging``). Every other write is not served yet
(journals without an engine, new customers and invoices): it answers
``unavailable`` saying so, never a pretend success.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from app.bridge.addon import CREDIT_MEMO_KIND, PAYMENT_KIND, REVERSAL_KIND, AddonInbox
from app.bridge.company import Record, SageProCompany, Unreadable
from app.bridge.dbf_table import TableReadError
from app.bridge.journal_batches import JournalBatches
from app.bridge.staging import StagedReceipts
from app.sandbox.faults import FaultKind
from app.sandbox.http_base import SandboxRequest, SandboxResponse
from app.sandbox.sagepro.books import public
from app.sandbox.sagepro.errors import ApiError, invalid, not_found
from app.sandbox.sagepro.listing import Query, date_range, key_filters, list_response
from app.sandbox.sagepro.store import fold

log = logging.getLogger(__name__)

_PATH = re.compile(r"^/api/(?P<collection>[A-Za-z]+)(?:/(?P<key>[^/]+))?/?$")
_INVOICE_STATUS = {"open": "Open", "paid": "Paid", "void": "Void"}
_NOT_YET = {
    "creditmemos": "credit memos are staged only by a bridge with a staging store",
    "journalentries": "journal entries come with the GL batch writer (bridge part 2)",
    "orders": "this company has sales orders (SOMAST), which are not read from Sage Pro yet",
    "paymentreversals": "payment reversals are staged only by a bridge with a staging store",
}
MAX_UNREADABLE_SHOWN = 50


class BridgeApp:
    """Routes ``/api/...`` requests to reads of one Sage Pro company."""

    def __init__(
        self,
        company: SageProCompany,
        api_key: str,
        receipts: StagedReceipts | None = None,
        journals: JournalBatches | None = None,
        addon: AddonInbox | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("the bridge needs an API key")
        self.company = company
        self.receipts = receipts
        self.journals = journals  # GL batches through an engine (bridge part 2)
        self.addon = addon  # add-on mode: staged postings also go to the add-on's inbox
        self._api_key = api_key.encode("utf-8")
        self._routes: dict[tuple[str, bool], Callable[[Query, str], SandboxResponse]] = {
            ("customers", False): self._list_customers,
            ("customers", True): self._get_customer,
            ("invoices", False): self._list_invoices,
            ("invoices", True): self._get_invoice,
            ("payments", False): self._list_payments,
            ("payments", True): self._get_payment,
            ("glaccounts", False): self._list_gl_accounts,
            ("glaccounts", True): self._get_gl_account,
            ("periods", False): self._list_periods,
        }

    # --- SandboxApp --------------------------------------------------------------------

    def is_write(self, request: SandboxRequest) -> bool:
        return request.method in ("POST", "PUT", "DELETE")

    def fault_response(self, kind: FaultKind, retry_after_s: int) -> SandboxResponse:
        code = {FaultKind.RATE_LIMITED: "rate_limited", FaultKind.UNAVAILABLE: "unavailable"}
        name = code.get(kind, "internal")
        headers = {} if name == "internal" else {"Retry-After": str(retry_after_s)}
        return ApiError(name, "the Sage Pro bridge is busy", headers=headers).response()

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        try:
            return self._route(request)
        except ApiError as error:
            return error.response()
        except TableReadError as exc:  # a table locked, packed or torn right now
            log.warning("bridge read failed: %s", exc)
            return ApiError(
                "unavailable",
                f"a Sage Pro table cannot be read now: {exc}",
                headers={"Retry-After": "5"},
            ).response()
        except Exception:  # a server answers 500 rather than hang up
            log.exception("Sage Pro bridge failed on %s %s", request.method, request.path)
            return ApiError("internal", "the Sage Pro bridge failed unexpectedly").response()

    # --- routing -----------------------------------------------------------------------

    def _route(self, request: SandboxRequest) -> SandboxResponse:
        match = _PATH.match(request.path)
        if match is None:
            raise ApiError("not_found", f"there is no endpoint {request.path}")
        collection = match["collection"].lower()
        key = unquote(match["key"] or "")
        if collection == "health" and not key and request.method == "GET":
            return SandboxResponse(200, self._health())
        self._authenticate(request)
        staged = self._staged_write(request, collection, key)
        if staged is not None:
            return staged
        if collection == "orders" and request.method == "GET" and not self._has_orders():
            # No SOMAST: this company has no sales orders, which is an answer, not an outage.
            if key:
                raise not_found("Sales order", key)
            return list_response([], Query(request.query))
        if collection == "journalentries" and self.journals is not None:
            return self._journal_entries(request, key)
        if request.method != "GET":
            raise ApiError(
                "unavailable",
                f"the Sage Pro bridge does not take {request.method} /api/{collection} yet: "
                "it serves reads, stages payments, credit memos and reversals, and writes "
                "journal entries only with --write-journals; enter this in Sage Pro by hand",
            )
        staged = self._staged_read(request, collection, key)
        if staged is not None:
            return staged
        if collection in _NOT_YET:
            raise ApiError(
                "unavailable", f"the Sage Pro bridge cannot answer: {_NOT_YET[collection]}"
            )
        handler = self._routes.get((collection, bool(key)))
        if handler is None:
            raise ApiError("not_found", f"there is no endpoint GET {request.path}")
        return handler(Query(request.query), key)

    def _staged_write(
        self, request: SandboxRequest, collection: str, key: str
    ) -> SandboxResponse | None:
        """A posting the bridge stages for Sage Pro; None when the request is not one."""
        if self.receipts is None or request.method not in ("POST", "PUT"):
            return None
        receipts = self.receipts
        posts: dict[str, Callable[[Any], Record]] = {
            "payments": receipts.post_payment,
            "creditmemos": receipts.post_credit_memo,
            "paymentreversals": receipts.post_reversal,
        }
        updates: dict[str, Callable[[str, Any], Record]] = {
            "customers": receipts.update_customer,
            "invoices": receipts.update_invoice,
        }
        if request.method == "POST" and not key and collection in posts:
            staged = posts[collection](_json_body(request))
            self._drop_for_addon()
            return SandboxResponse(201, staged)
        if request.method == "PUT" and key and collection in updates:
            return SandboxResponse(200, updates[collection](key, _json_body(request)))
        return None

    def _staged_read(
        self, request: SandboxRequest, collection: str, key: str
    ) -> SandboxResponse | None:
        """Credit memos and reversals the bridge staged; None for any other collection."""
        if self.receipts is None:
            return None
        query = Query(request.query)
        if collection == "creditmemos":
            memos = self.receipts.credit_view().memos
            if key:
                return _one(memos, "CreditMemoID", key, "credit memo")
            fields = {
                "Reference": "Reference",
                "CustomerID": "CustomerID",
                "InvoiceID": "InvoiceID",
            }
            return list_response(memos, query, key_filters(query, fields))
        if collection == "paymentreversals":
            reversals = self.receipts.reversal_view().reversals
            if key:
                return _one(reversals, "ReversalID", key, "payment reversal")
            fields = {"Reference": "Reference", "PaymentID": "PaymentID"}
            return list_response(reversals, query, key_filters(query, fields))
        return None

    def _drop_for_addon(self) -> None:
        """Add-on mode: every pending posting goes to the inbox (an earlier drop may have
        failed; one already there is left alone)."""
        if self.addon is None or self.receipts is None:
            return
        for payment in self.receipts.view().pending:
            self.addon.drop(payment, PAYMENT_KIND)
        for memo in self.receipts.credit_view().pending:
            self.addon.drop(memo, CREDIT_MEMO_KIND)
        for reversal in self.receipts.reversal_view().pending:
            self.addon.drop(reversal, REVERSAL_KIND)

    def _has_orders(self) -> bool:
        return self.company.folder.table("SOMAST") is not None

    def _authenticate(self, request: SandboxRequest) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        valid = scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode("utf-8"), self._api_key
        )
        if not valid or request.token_expired:
            raise ApiError(
                "unauthorized", "missing or wrong API key (send Authorization: Bearer <api key>)"
            )

    def _health(self) -> dict[str, Any]:
        unreadable: list[Unreadable] = []
        for read in (self.company.customers, self.company.invoices, self.company.payments):
            unreadable += read()[1]
        return {
            "status": "ok",
            "company": self.company.company,
            "source": "sage-pro-data-folder",
            "unreadable_records": [
                {"table": u.table, "record": u.record, "why": u.why}
                for u in unreadable[:MAX_UNREADABLE_SHOWN]
            ],
            "unreadable_count": len(unreadable),
            "staged_alerts": [
                {"reference": a.reference, "token": a.token, "why": a.why}
                for a in (self.receipts.alerts() if self.receipts else [])
            ],
            "addon_rejections": [
                {"reference": o.reference, "token": o.token, "why": o.message}
                for o in (self.addon.rejections() if self.addon else [])
            ],
            "journal_alerts": [
                {"reference": reference, "token": token, "why": why}
                for reference, token, why in (self.journals.alerts() if self.journals else [])
            ],
        }

    # --- resources ---------------------------------------------------------------------

    def _list_customers(self, query: Query, _key: str) -> SandboxResponse:
        filters = key_filters(
            query,
            {
                "CustomerID": "CustomerID",
                "Email": "Email",
                "PayTraceCustomerID": "PayTraceCustomerID",
            },
        )
        return list_response(self._customers(), query, filters)

    def _get_customer(self, _query: Query, key: str) -> SandboxResponse:
        return _one(self._customers(), "CustomerID", key, "customer")

    def _customers(self) -> list[Record]:
        return self.receipts.customers() if self.receipts else self.company.customers()[0]

    def _invoices(self) -> list[Record]:
        return self.receipts.invoices() if self.receipts else self.company.invoices()[0]

    def _payments(self) -> list[Record]:
        return self.receipts.view().payments if self.receipts else self.company.payments()[0]

    def _list_invoices(self, query: Query, _key: str) -> SandboxResponse:
        filters = key_filters(
            query,
            {"InvoiceID": "InvoiceID", "CustomerID": "CustomerID", "OrderNumber": "OrderNumber"},
        )
        status = query.get("status").lower() or "all"
        if status != "all":
            if status not in _INVOICE_STATUS:
                raise invalid("status", "must be open, paid, void or all")
            filters.append(lambda doc: doc["Status"] == _INVOICE_STATUS[status])
        return list_response(self._invoices(), query, filters)

    def _get_invoice(self, _query: Query, key: str) -> SandboxResponse:
        # Sage Pro keeps INVNO right-justified; ids compare trimmed, without regard to case.
        return _one(self._invoices(), "InvoiceID", key, "invoice")

    def _list_payments(self, query: Query, _key: str) -> SandboxResponse:
        filters = key_filters(
            query, {"PaymentReference": "PaymentReference", "CustomerID": "CustomerID"}
        )
        invoice = query.get("InvoiceID")
        if invoice:
            filters.append(
                lambda doc: any(fold(a["InvoiceID"]) == fold(invoice) for a in doc["Applications"])
            )
        filters += date_range(query, "PaymentDate")
        return list_response(self._payments(), query, filters)

    def _get_payment(self, _query: Query, key: str) -> SandboxResponse:
        return _one(self._payments(), "PaymentID", key, "payment")

    def _list_gl_accounts(self, query: Query, _key: str) -> SandboxResponse:
        filters = key_filters(query, {"GLAccountID": "GLAccountID"})
        return list_response(self.company.gl_accounts(), query, filters)

    def _get_gl_account(self, _query: Query, key: str) -> SandboxResponse:
        return _one(self.company.gl_accounts(), "GLAccountID", key, "GL account")

    def _journal_entries(self, request: SandboxRequest, key: str) -> SandboxResponse:
        assert self.journals is not None  # routed here only with a writer
        if request.method == "POST" and not key:
            try:
                body = request.json()
            except ValueError:
                raise ApiError("validation_failed", "the request body is not valid JSON") from None
            return SandboxResponse(201, self.journals.post(body))
        if request.method != "GET":
            raise ApiError("not_found", f"there is no endpoint {request.method} {request.path}")
        if key:
            return _one(self.journals.entries(), "JournalID", key, "journal entry")
        query = Query(request.query)
        reference = query.get("Reference")
        if reference:
            found = self.journals.find(reference)
            entries = [found] if found is not None else []
        else:
            entries = self.journals.entries()
        if query.get("from") or query.get("to"):  # a batch without its header has no date
            entries = [entry for entry in entries if entry["EntryDate"]]
        filters = key_filters(query, {"Reference": "Reference"}) + date_range(query, "EntryDate")
        return list_response(entries, query, filters)

    def _list_periods(self, query: Query, _key: str) -> SandboxResponse:
        periods = self.company.periods()
        year = query.get("Year")
        filters = [lambda p: str(p["Year"]) == year] if year else []
        return list_response(periods, query, filters)


def _one(records: list[Record], field: str, key: str, what: str) -> SandboxResponse:
    wanted = fold(key)
    for record in records:
        if fold(str(record.get(field) or "")) == wanted:
            return SandboxResponse(200, public(record))
    raise not_found(what, key)


def _json_body(request: SandboxRequest) -> Any:
    try:
        return request.json()
    except ValueError:
        raise ApiError("validation_failed", "the request body is not valid JSON") from None
