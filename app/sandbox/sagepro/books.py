"""The stand-in's company books: the record kinds, the look-ups every rule needs (customer,
invoice, GL account, fiscal period), balance arithmetic, and saving with a modification
time. Handlers for each endpoint build on this; none of them touch SQLite directly.

Documents are stored in the JSON shape the API returns. Keys starting with ``_`` are the
stand-in's own bookkeeping (modification time, credits applied) and never leave it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from app.sandbox.sagepro.errors import ApiError, invalid
from app.sandbox.sagepro.fields import money_text
from app.sandbox.sagepro.store import Doc, RecordStore, fold

CUSTOMERS = "customers"
INVOICES = "invoices"
PAYMENTS = "payments"
CREDIT_MEMOS = "creditmemos"
JOURNAL_ENTRIES = "journalentries"
ORDERS = "orders"
GL_ACCOUNTS = "glaccounts"
PERIODS = "periods"
PAYMENT_REVERSALS = "paymentreversals"

# Contract v1.1 PostingState: the stand-in writes straight into the books, so its
# payments, credit memos and reversals are Posted and its journal entries Entered
# (they stay Unposted batches until Sage Pro's own posting).
POSTED = "Posted"
ENTERED = "Entered"

# Contract v1.1 PostingState in "staged" mode, which is how the bridge over a real Sage Pro
# answers: receipts, credit memos and reversals wait as Staged until a person enters them
# (``/_sandbox/staged/enter``), then they are Entered.
STAGED_KINDS = {
    PAYMENTS: "PaymentID",
    CREDIT_MEMOS: "CreditMemoID",
    "paymentreversals": "ReversalID",
}
STAGED = "Staged"

MODIFIED = "_modified"
CREDITS = "_credits"  # credit memos applied to an open invoice (lower its Balance)
REFUNDS = "_refunds"  # refund credits against a paid invoice


def money(doc: Doc, field: str) -> Decimal:
    return Decimal(str(doc.get(field) or "0"))


def public(doc: Doc) -> Doc:
    """The record as the API shows it (without the stand-in's bookkeeping)."""
    return {key: value for key, value in doc.items() if not key.startswith("_")}


def period_id(year: int, number: int) -> str:
    return f"{year}-{number:02d}"


class Books:
    """One company's records plus the rules every endpoint shares."""

    def __init__(
        self,
        store: RecordStore,
        *,
        company: str = "01",
        clock: Callable[[], datetime] | None = None,
        staged_posting: bool = False,
    ) -> None:
        self.store = store
        self.company = company
        self._clock = clock or (lambda: datetime.now(UTC))
        self.staged_posting = staged_posting

    def now(self) -> datetime:
        return self._clock()

    def save(self, kind: str, record_id: str, doc: Doc, reference: str | None = None) -> Doc:
        doc[MODIFIED] = self.now().isoformat()
        if self.staged_posting and kind in STAGED_KINDS and self.store.get(kind, record_id) is None:
            doc["PostingState"] = STAGED
        self.store.put(kind, record_id, doc, reference)
        return doc

    def next_id(self, kind: str, prefix: str) -> str:
        return f"{prefix}{self.store.next_number(kind, 1):06d}"

    def refuse_duplicate(self, kind: str, field: str, key: str, by_id: bool = False) -> None:
        """409 with the record holding ``key`` — the first rule of every create."""
        if not key:
            return
        holder = self.store.get(kind, key) if by_id else self.store.find_by_ref(kind, key)
        if holder is not None:
            raise ApiError(
                "duplicate_reference",
                f"{field} {key} is already used by an existing record",
                {field: "already exists"},
                existing=public(holder),
            )

    # --- look-ups -------------------------------------------------------------------

    def customer(self, customer_id: str) -> Doc | None:
        return self.store.get(CUSTOMERS, customer_id) if customer_id else None

    def invoice(self, invoice_id: str) -> Doc | None:
        return self.store.get(INVOICES, invoice_id) if invoice_id else None

    def check_gl_account(self, account_id: str, field: str, errors: dict[str, str]) -> None:
        """GL accounts that money touches must exist and be active."""
        if not account_id:
            return
        account = self.store.get(GL_ACCOUNTS, account_id)
        if account is None:
            errors.setdefault(field, f"GL account {account_id} does not exist")
        elif not account.get("Active", True):
            errors.setdefault(field, f"GL account {account_id} is inactive")

    def check_period(self, day: date, field: str) -> None:
        """``period_closed`` for a locked period; outside every period is a field error."""
        for period in self.store.all(PERIODS):
            start = date.fromisoformat(period["Start"])
            end = date.fromisoformat(period["End"])
            if start <= day <= end:
                if period.get("Locked"):
                    raise ApiError(
                        "period_closed",
                        f"{field} {day.isoformat()} falls in period {period['Period']} of "
                        f"{period['Year']}, which is locked",
                        {field: "falls in a locked period"},
                    )
                return
        raise invalid(field, f"{day.isoformat()} is outside every fiscal period")

    # --- balances -------------------------------------------------------------------

    def adjust_customer_balance(self, customer_id: str, delta: Decimal) -> None:
        customer = self.customer(customer_id)
        if customer is None:
            raise ApiError("internal", f"customer {customer_id} vanished during a write")
        customer["Balance"] = money_text(money(customer, "Balance") + delta)
        self.save(CUSTOMERS, customer["CustomerID"], customer)

    def restate_invoice(self, invoice: Doc) -> None:
        """Recompute Balance, Status and PaymentStatus after money moved."""
        paid = money(invoice, "AmountPaid")
        balance = money(invoice, "Amount") - paid - money(invoice, CREDITS)
        invoice["Balance"] = money_text(balance)
        if invoice.get("Status") == "Void":
            return
        invoice["Status"] = "Paid" if balance <= 0 else "Open"
        if paid > 0 and money(invoice, REFUNDS) >= paid:
            invoice["PaymentStatus"] = "Refunded"
        elif balance <= 0:
            invoice["PaymentStatus"] = "Paid"
        elif paid > 0:
            invoice["PaymentStatus"] = "Partial"

    def save_invoice(self, invoice: Doc) -> None:
        self.save(INVOICES, invoice["InvoiceID"], invoice)


def same_key(a: Any, b: Any) -> bool:
    """Ids and references compare without regard to case."""
    return isinstance(a, str) and isinstance(b, str) and fold(a) == fold(b)
