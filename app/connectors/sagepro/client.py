"""``SageProClient``: the ``SageProGateway`` over the Sage Pro API service's REST contract.

One pooled ``requests.Session``, explicit connect/read timeouts, no automatic retries (the
exactly-once helper decides when to try again). Every failure becomes a typed error from
``errors``; the API key is registered with the log redactor and never appears in an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import requests

from app.connectors.sagepro import wire
from app.connectors.sagepro.errors import NotFoundError
from app.connectors.sagepro.gateway import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, iterate_pages
from app.connectors.sagepro.transport import Transport, unreadable
from app.domain.records import Customer, Invoice
from app.domain.sagepro_records import (
    CreditMemo,
    CreditMemoDraft,
    CustomerDraft,
    GLAccount,
    Health,
    InvoiceDraft,
    JournalEntry,
    JournalEntryDraft,
    Page,
    Payment,
    PaymentDraft,
    PaymentReversal,
    PaymentReversalDraft,
    Period,
    SalesOrder,
    SalesOrderDraft,
)
from app.log import register_secret

T = TypeVar("T")


class SageProClient:
    """REST client for one company's Sage Pro API service (``base_url`` like
    ``http://sagepro-host:8080``)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 30.0,
        pool_size: int = 4,
        session: requests.Session | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("a Sage Pro API key is required")
        register_secret(api_key)
        self.base_url = base_url.rstrip("/")
        self._http = Transport(
            self.base_url,
            api_key,
            timeouts=(connect_timeout_s, read_timeout_s),
            pool_size=pool_size,
            session=session,
        )

    def __repr__(self) -> str:  # no key, ever
        return f"SageProClient({self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SageProClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- health & reference data ----------------------------------------------------

    def health(self) -> Health:
        return self._read(wire.parse_health, "GET", "/api/health", "checking the service")

    def list_gl_accounts(self) -> list[GLAccount]:
        return list(iterate_pages(lambda n: self._page("glaccounts", wire.parse_gl_account, n)))

    def list_periods(self) -> list[Period]:
        return list(iterate_pages(lambda n: self._page("periods", wire.parse_period, n)))

    # --- customers ------------------------------------------------------------------

    def list_customers(
        self,
        *,
        customer_id: str | None = None,
        email: str | None = None,
        paytrace_customer_id: str | None = None,
        modified_since: datetime | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[Customer]:
        filters = {
            "CustomerID": customer_id,
            "Email": email,
            "PayTraceCustomerID": paytrace_customer_id,
            "modified_since": modified_since,
        }
        return self._page("customers", wire.parse_customer, page, page_size, filters)

    def get_customer(self, customer_id: str) -> Customer:
        path = f"/api/customers/{_q(customer_id)}"
        return self._read(wire.parse_customer, "GET", path, f"reading customer {customer_id}")

    def create_customer(self, draft: CustomerDraft) -> Customer:
        what = f"creating customer {draft.customer_id}"
        body = wire.customer_json(draft)
        return self._read(wire.parse_customer, "POST", "/api/customers", what, body)

    def update_customer(
        self,
        customer_id: str,
        *,
        name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        terms: str | None = None,
        credit_hold: bool | None = None,
        status: str | None = None,
        paytrace_customer_id: str | None = None,
        card_last4: str | None = None,
        card_expiry: str | None = None,
    ) -> Customer:
        changes = _present(
            Name=name,
            Email=email,
            Phone=phone,
            Terms=terms,
            CreditHold=credit_hold,
            Status=status,
            PayTraceCustomerID=paytrace_customer_id,
            CardLast4=card_last4,
            CardExpiry=card_expiry,
        )
        path = f"/api/customers/{_q(customer_id)}"
        what = f"updating customer {customer_id}"
        return self._read(wire.parse_customer, "PUT", path, what, changes)

    # --- invoices -------------------------------------------------------------------

    def list_invoices(
        self,
        *,
        status: str = "open",
        customer_id: str | None = None,
        order_number: str | None = None,
        modified_since: datetime | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[Invoice]:
        filters = {
            "status": status,
            "CustomerID": customer_id,
            "OrderNumber": order_number,
            "modified_since": modified_since,
        }
        return self._page("invoices", wire.parse_invoice, page, page_size, filters)

    def get_invoice(self, invoice_id: str) -> Invoice:
        path = f"/api/invoices/{_q(invoice_id)}"
        return self._read(wire.parse_invoice, "GET", path, f"reading invoice {invoice_id}")

    def create_invoice(self, draft: InvoiceDraft) -> Invoice:
        what = f"creating invoice {draft.invoice_id or '(next number)'}"
        body = wire.invoice_json(draft)
        return self._read(wire.parse_invoice, "POST", "/api/invoices", what, body)

    def update_invoice(
        self,
        invoice_id: str,
        *,
        payment_status: str | None = None,
        due_date: date | None = None,
    ) -> Invoice:
        changes = _present(
            PaymentStatus=payment_status, DueDate=due_date.isoformat() if due_date else None
        )
        path = f"/api/invoices/{_q(invoice_id)}"
        what = f"updating invoice {invoice_id}"
        return self._read(wire.parse_invoice, "PUT", path, what, changes)

    # --- payments -------------------------------------------------------------------

    def list_payments(
        self,
        *,
        invoice_id: str | None = None,
        customer_id: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[Payment]:
        filters = {
            "InvoiceID": invoice_id,
            "CustomerID": customer_id,
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
        }
        return self._page("payments", wire.parse_payment, page, page_size, filters)

    def get_payment(self, payment_id: str) -> Payment:
        path = f"/api/payments/{_q(payment_id)}"
        return self._read(wire.parse_payment, "GET", path, f"reading payment {payment_id}")

    def find_payment(self, reference: str) -> Payment | None:
        return self._find("payments", "PaymentReference", reference, wire.parse_payment)

    def post_payment(self, draft: PaymentDraft) -> Payment:
        what = f"posting payment {draft.reference}"
        body = wire.payment_json(draft)
        return self._read(wire.parse_payment, "POST", "/api/payments", what, body)

    # --- payment reversals (contract v1.1) ----------------------------------------------

    def get_payment_reversal(self, reversal_id: str) -> PaymentReversal:
        path = f"/api/paymentreversals/{_q(reversal_id)}"
        what = f"reading payment reversal {reversal_id}"
        return self._read(wire.parse_payment_reversal, "GET", path, what)

    def find_payment_reversal(self, reference: str) -> PaymentReversal | None:
        return self._find("paymentreversals", "Reference", reference, wire.parse_payment_reversal)

    def post_payment_reversal(self, draft: PaymentReversalDraft) -> PaymentReversal:
        what = f"posting payment reversal {draft.reference}"
        body = wire.payment_reversal_json(draft)
        return self._read(wire.parse_payment_reversal, "POST", "/api/paymentreversals", what, body)

    # --- credit memos & journal entries -----------------------------------------------

    def get_credit_memo(self, credit_memo_id: str) -> CreditMemo:
        path = f"/api/creditmemos/{_q(credit_memo_id)}"
        what = f"reading credit memo {credit_memo_id}"
        return self._read(wire.parse_credit_memo, "GET", path, what)

    def find_credit_memo(self, reference: str) -> CreditMemo | None:
        return self._find("creditmemos", "Reference", reference, wire.parse_credit_memo)

    def post_credit_memo(self, draft: CreditMemoDraft) -> CreditMemo:
        what = f"posting credit memo {draft.reference}"
        body = wire.credit_memo_json(draft)
        return self._read(wire.parse_credit_memo, "POST", "/api/creditmemos", what, body)

    def get_journal_entry(self, journal_id: str) -> JournalEntry:
        path = f"/api/journalentries/{_q(journal_id)}"
        what = f"reading journal entry {journal_id}"
        return self._read(wire.parse_journal_entry, "GET", path, what)

    def find_journal_entry(self, reference: str) -> JournalEntry | None:
        return self._find("journalentries", "Reference", reference, wire.parse_journal_entry)

    def post_journal_entry(self, draft: JournalEntryDraft) -> JournalEntry:
        what = f"posting journal entry {draft.reference}"
        body = wire.journal_entry_json(draft)
        return self._read(wire.parse_journal_entry, "POST", "/api/journalentries", what, body)

    # --- sales orders ---------------------------------------------------------------

    def list_sales_orders(
        self,
        *,
        customer_id: str | None = None,
        status: str | None = None,
        payment_reference: str | None = None,
        modified_since: datetime | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[SalesOrder]:
        filters = {
            "CustomerID": customer_id,
            "Status": status,
            "PaymentReference": payment_reference,
            "modified_since": modified_since,
        }
        return self._page("orders", wire.parse_sales_order, page, page_size, filters)

    def get_sales_order(self, order_number: str) -> SalesOrder:
        path = f"/api/orders/{_q(order_number)}"
        what = f"reading sales order {order_number}"
        return self._read(wire.parse_sales_order, "GET", path, what)

    def find_sales_order(self, order_number: str) -> SalesOrder | None:
        try:
            return self.get_sales_order(order_number)
        except NotFoundError:
            return None

    def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder:
        what = f"creating sales order {draft.order_number or '(next number)'}"
        body = wire.sales_order_json(draft)
        return self._read(wire.parse_sales_order, "POST", "/api/orders", what, body)

    def update_sales_order(
        self,
        order_number: str,
        *,
        status: str | None = None,
        payment_status: str | None = None,
        payment_reference: str | None = None,
    ) -> SalesOrder:
        changes = _present(
            Status=status, PaymentStatus=payment_status, PaymentReference=payment_reference
        )
        path = f"/api/orders/{_q(order_number)}"
        what = f"updating sales order {order_number}"
        return self._read(wire.parse_sales_order, "PUT", path, what, changes)

    # --- plumbing -------------------------------------------------------------------

    def _find(
        self, collection: str, field: str, reference: str, parse: Callable[[Mapping[str, Any]], T]
    ) -> T | None:
        """The record whose unique ``field`` is ``reference`` (ignoring case), or None.

        The answer is checked, not trusted: a service that ignored the filter (unknown
        parameters are ignored) must not make some other record look like ours.
        """
        what = f"looking up {reference}"
        data = self._http.call("GET", f"/api/{collection}", what, {field: reference})
        for item in _page_items(data, what):
            if str(item.get(field, "")).strip().upper() == reference.strip().upper():
                return self._parse(parse, item, what)
        return None

    def _page(
        self,
        collection: str,
        parse: Callable[[Mapping[str, Any]], T],
        page: int,
        page_size: int = MAX_PAGE_SIZE,
        filters: Mapping[str, str | datetime | None] | None = None,
    ) -> Page[T]:
        params: dict[str, str | int] = {"page": page, "page_size": min(page_size, MAX_PAGE_SIZE)}
        for name, value in (filters or {}).items():
            if isinstance(value, datetime):
                params[name] = value.isoformat()
            elif value:
                params[name] = value
        what = f"listing {collection}"
        data = self._http.call("GET", f"/api/{collection}", what, params)
        try:
            return wire.parse_page(data, parse)
        except wire.WireFormatError as exc:
            raise unreadable(what, exc) from None

    def _read(
        self,
        parse: Callable[[Mapping[str, Any]], T],
        method: str,
        path: str,
        what: str,
        body: Mapping[str, Any] | None = None,
    ) -> T:
        return self._parse(parse, self._http.call(method, path, what, body=body), what)

    @staticmethod
    def _parse(parse: Callable[[Mapping[str, Any]], T], data: Any, what: str) -> T:
        if not isinstance(data, Mapping):
            raise unreadable(what, wire.WireFormatError("the answer is not a JSON object"))
        try:
            return parse(data)
        except wire.WireFormatError as exc:
            raise unreadable(what, exc) from None


def _page_items(data: Any, what: str) -> list[Mapping[str, Any]]:
    items = data.get("items") if isinstance(data, Mapping) else None
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise unreadable(what, wire.WireFormatError("items must be a list of objects"))
    return items


def _present(**fields: Any) -> dict[str, Any]:
    """Only the fields given (None = leave unchanged)."""
    return {name: value for name, value in fields.items() if value is not None}


def _q(key: str) -> str:
    return quote(key.strip(), safe="")
