"""Staged cash receipts: a payment posted to the bridge waits in the bridge's own store
until the bookkeeper enters it in Sage Pro with its token in the Check/Reference No.

Nothing is written into a Sage Pro table. ``POST /api/payments`` checks the contract's
rules against the folder plus the staged overlay, stores the receipt with its key and the
token to type, and answers ``PostingState: Staged``. Until the token shows up in
ARCASH/ARYCSH.REFNO, the invoices and customers the bridge reports carry the staged amounts
(the overlay); once it is there the receipt is ``Entered`` and Sage Pro's own figures count.
Receipts not found after ``alert_after_days`` are listed as alerts (a mistyped token, or
entered without it), and so is an entered receipt whose customer or amount differ.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.bridge.company import Record, SageProCompany
from app.domain.money import format_money
from app.sandbox.sagepro.errors import ApiError
from app.sandbox.sagepro.fields import (
    Body,
    money_text,
    refuse_card_data,
    refuse_changed_read_only,
)
from app.sandbox.sagepro.store import fold

MIN_TOKEN_WIDTH = 8  # below this a hashed token has too few characters to be unique
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ZERO = Decimal("0.00")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS staged (
    reference_key TEXT PRIMARY KEY,   -- the app's key, folded
    kind TEXT NOT NULL,               -- 'payment'
    token TEXT NOT NULL,
    record TEXT NOT NULL,             -- the contract record as answered (JSON)
    created_at TEXT NOT NULL
);
-- PaymentStatus (Failed/Refunded) and DueDate set by the app: Sage Pro has no field for them
-- (bridge doc §3.5), so they stay here, and PaymentStatus holds until money moves on the
-- invoice (AmountPaid differs from amount_paid_at).
CREATE TABLE IF NOT EXISTS invoice_marks (
    invoice_key TEXT PRIMARY KEY,
    payment_status TEXT,
    due_date TEXT,
    amount_paid_at TEXT NOT NULL
);
"""
PAYMENT_STATUSES = ("Unpaid", "Partial", "Paid", "Failed", "Refunded")
_INVOICE_READ_ONLY = (
    "InvoiceID",
    "CustomerID",
    "OrderNumber",
    "PONumber",
    "InvoiceDate",
    "Amount",
    "AmountPaid",
    "Balance",
    "Status",
    "Currency",
)


class TokenWidthError(ValueError):
    pass


def token_for(key: str, width: int) -> str:
    """What the bookkeeper types: the key itself (upper case) when it fits the field, else
    "P" + a kind letter + base36 of its SHA-256, cut to the width. Deterministic, so a
    restart or a retry finds the same token without a stored mapping."""
    if width < MIN_TOKEN_WIDTH:
        raise TokenWidthError(
            f"the reference field is {width} characters wide; at least {MIN_TOKEN_WIDTH} "
            "are needed to carry a token"
        )
    key = key.strip().upper()
    if len(key) <= width:
        return key
    number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest(), "big")
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits += _BASE36[rest]
    kind = key.rsplit("-", 1)[-1][:1] or "X"  # PAY → P, REFUND → R …
    return ("P" + kind + digits)[:width]


class StagedStore:
    """The bridge's own SQLite file of staged postings (never a Sage Pro file)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def get(self, reference: str) -> tuple[str, Record, datetime] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT token, record, created_at FROM staged WHERE reference_key = ?",
                (fold(reference),),
            ).fetchone()
        return None if row is None else (row[0], json.loads(row[1]), datetime.fromisoformat(row[2]))

    def add(self, reference: str, token: str, record: Record, created: datetime) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO staged (reference_key, kind, token, record, created_at) "
                "VALUES (?, 'payment', ?, ?, ?)",
                (fold(reference), token, json.dumps(record), created.isoformat()),
            )

    def all(self) -> list[tuple[str, Record, datetime]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT token, record, created_at FROM staged ORDER BY created_at, reference_key"
            ).fetchall()
        return [(r[0], json.loads(r[1]), datetime.fromisoformat(r[2])) for r in rows]

    def mark_invoice(
        self, invoice_id: str, payment_status: str | None, due_date: str | None, amount_paid: str
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO invoice_marks (invoice_key, payment_status, due_date, amount_paid_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (invoice_key) DO UPDATE SET"
                " payment_status = COALESCE(excluded.payment_status, payment_status),"
                " due_date = COALESCE(excluded.due_date, due_date),"
                " amount_paid_at = excluded.amount_paid_at",
                (fold(invoice_id), payment_status, due_date, amount_paid),
            )

    def invoice_marks(self) -> dict[str, tuple[str | None, str | None, str]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT invoice_key, payment_status, due_date, amount_paid_at FROM invoice_marks"
            ).fetchall()
        return {row[0]: (row[1], row[2], row[3]) for row in rows}

    def close(self) -> None:
        self._db.close()


@dataclass(frozen=True)
class Alert:
    reference: str
    token: str
    why: str


@dataclass
class _View:
    """Sage Pro's receipts and the staged ones, linked by token, for one request."""

    payments: list[Record]  # what GET /api/payments answers
    pending: list[Record]  # staged, not yet found in Sage Pro (the overlay)
    alerts: list[Alert]


class StagedReceipts:
    def __init__(
        self,
        company: SageProCompany,
        store: StagedStore,
        *,
        alert_after_days: int = 3,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.company = company
        self.store = store
        self.alert_after = timedelta(days=alert_after_days)
        self._clock = clock or (lambda: datetime.now(UTC))

    # --- reading: Sage Pro + staged, and the overlay --------------------------------------

    def view(self) -> _View:
        sage, _ = self.company.payments()
        by_reference = {fold(p["PaymentReference"]): p for p in sage if p["PaymentReference"]}
        linked: set[str] = set()
        answered: list[Record] = []
        pending: list[Record] = []
        alerts: list[Alert] = []
        now = self._clock()
        for token, record, created in self.store.all():
            entered = by_reference.get(fold(token))
            if entered is None:
                pending.append(record)
                answered.append({**record, "PostingState": "Staged"})
                if now - created >= self.alert_after:
                    alerts.append(
                        Alert(
                            record["PaymentReference"],
                            token,
                            f"not found in Sage Pro after {self.alert_after.days} "
                            f"days: was it entered with Check/Reference No. {token}?",
                        )
                    )
                continue
            linked.add(fold(token))
            if fold(entered["CustomerID"]) != fold(record["CustomerID"]) or (
                entered["Amount"] != record["Amount"]
            ):
                alerts.append(
                    Alert(
                        record["PaymentReference"],
                        token,
                        f"entered in Sage Pro as {entered['Amount']} for customer "
                        f"{entered['CustomerID']}, staged as {record['Amount']} for "
                        f"{record['CustomerID']}",
                    )
                )
            answered.append(
                {
                    **entered,
                    "PaymentID": record["PaymentID"],
                    "PaymentReference": record["PaymentReference"],
                    "PaymentMethodCode": record["PaymentMethodCode"],
                    "Memo": record["Memo"],
                    "PostingState": "Entered",
                    "Token": token,
                }
            )
        answered += [p for p in sage if fold(p["PaymentReference"]) not in linked]
        return _View(answered, pending, alerts)

    def invoices(self) -> list[Record]:
        """Invoices as Sage Pro has them, less what staged receipts apply to them."""
        applied = _applied_by_invoice(self.view().pending)
        marks = self.store.invoice_marks()
        invoices, _ = self.company.invoices()
        lowered = (_lowered(i, applied.get(fold(i["InvoiceID"]), ZERO)) for i in invoices)
        return [_marked(invoice, marks.get(fold(invoice["InvoiceID"]))) for invoice in lowered]

    def update_invoice(self, invoice_id: str, data: Any) -> Record:
        """PUT /api/invoices/{id}: PaymentStatus and DueDate, kept bridge-local."""
        invoice = self._invoice(invoice_id)
        refuse_card_data(data)
        body = Body(data)
        body.check()
        refuse_changed_read_only(
            body, invoice, _INVOICE_READ_ONLY, money=("Amount", "AmountPaid", "Balance")
        )
        status = None
        if "PaymentStatus" in body.data:
            status = body.choice("PaymentStatus", PAYMENT_STATUSES, invoice["PaymentStatus"])
        due = body.day("DueDate", required=True) if "DueDate" in body.data else None
        body.check()
        self.store.mark_invoice(
            invoice["InvoiceID"], status, due.isoformat() if due else None, invoice["AmountPaid"]
        )
        return self._invoice(invoice_id)

    def _invoice(self, invoice_id: str) -> Record:
        wanted = fold(invoice_id)
        found = next((i for i in self.invoices() if fold(i["InvoiceID"]) == wanted), None)
        if found is None:
            raise ApiError("not_found", f"Invoice {invoice_id} does not exist")
        return found

    def customers(self) -> list[Record]:
        staged: dict[str, Decimal] = {}
        for record in self.view().pending:
            key = fold(record["CustomerID"])
            staged[key] = staged.get(key, ZERO) + Decimal(record["Amount"])
        customers, _ = self.company.customers()
        return [
            {**c, "Balance": format_money(Decimal(c["Balance"]) - staged[fold(c["CustomerID"])])}
            if fold(c["CustomerID"]) in staged
            else c
            for c in customers
        ]

    # --- posting -------------------------------------------------------------------------

    def post_payment(self, data: Any) -> Record:
        reference = data.get("PaymentReference") if isinstance(data, dict) else None
        if isinstance(reference, str) and reference.strip():
            self._refuse_duplicate(reference)  # before every other rule, as the contract says
        refuse_card_data(data)
        body = Body(data)
        reference = body.text("PaymentReference", required=True, max_len=40)
        payment_date = body.day("PaymentDate", required=True)
        amount = body.money("Amount", required=True, positive=True)
        customer_id = body.text("CustomerID", required=True).upper()
        gl_account = body.text("GLAccountID", required=True)
        method = body.choice("PaymentMethodCode", ("CC", "ACH"), "")
        if not method and "PaymentMethodCode" not in body.errors:
            body.fail("PaymentMethodCode", "is required")
        if body.choice("PaymentStatus", ("Paid", "Failed"), "Paid") == "Failed":
            body.fail("PaymentStatus", "a failed attempt is not entered in Sage Pro")
        memo = body.text("Memo", max_len=200)
        invoice_id = body.text("InvoiceID")
        wanted = [(invoice_id, amount, "InvoiceID")] if invoice_id else []
        for index, child in enumerate(body.children("Applications")):
            wanted.append(
                (
                    child.text("InvoiceID", required=True),
                    child.money("Amount", required=True, positive=True),
                    f"Applications[{index}].InvoiceID",
                )
            )
        if invoice_id and len(wanted) > 1:
            body.fail("Applications", "send either InvoiceID or Applications, not both")
        body.check()
        applied = sum((amt for _, amt, _ in wanted), ZERO)
        if applied > amount:
            body.fail(
                "Applications",
                f"the applications add up to {money_text(applied)}, "
                f"more than the payment Amount {money_text(amount)}",
            )
        customers = {fold(c["CustomerID"]) for c in self.company.customers()[0]}
        if fold(customer_id) not in customers:
            body.fail("CustomerID", f"customer {customer_id} does not exist")
        accounts = {fold(a["GLAccountID"]): a for a in self.company.gl_accounts()}
        account = accounts.get(fold(gl_account))
        if account is None or not account["Active"]:
            body.fail("GLAccountID", f"GL account {gl_account} does not exist or is inactive")
        invoices = {fold(i["InvoiceID"]): i for i in self.invoices()}
        targets: list[tuple[Record, Decimal, str]] = []
        for number, amt, field in wanted:
            invoice = invoices.get(fold(number))
            if invoice is None:
                body.fail(field, f"invoice {number} does not exist")
            elif fold(invoice["CustomerID"]) != fold(customer_id):
                body.fail(
                    field,
                    f"invoice {number} belongs to customer "
                    f"{invoice['CustomerID']}, not {customer_id}",
                )
            else:
                targets.append((invoice, amt, field))
        body.check()
        assert payment_date is not None  # required above
        self._check_period(payment_date)
        _refuse_closed_or_overpaid(targets)
        token = self._token(reference)
        record: Record = {
            "PaymentID": f"STAGED-{token}",
            "PaymentReference": reference,
            "PaymentDate": payment_date.isoformat(),
            "Amount": money_text(amount),
            "CustomerID": customer_id,
            "InvoiceID": targets[0][0]["InvoiceID"] if invoice_id else None,
            "Applications": [
                {"InvoiceID": inv["InvoiceID"], "Amount": money_text(amt)}
                for inv, amt, _ in targets
            ],
            "GLAccountID": gl_account,
            "PaymentMethodCode": method,
            "PaymentStatus": "Paid",
            "Memo": memo,
            "Token": token,
        }
        self.store.add(reference, token, record, self._clock())
        return {**record, "PostingState": "Staged"}

    def _refuse_duplicate(self, reference: str) -> None:
        payments = self.view().payments
        existing = next(
            (p for p in payments if fold(p["PaymentReference"]) == fold(reference)), None
        )
        if existing is None:
            # Entered in Sage Pro under its token while the bridge's store has no record of
            # it (a restored or lost store): the token is deterministic, so it is still found.
            token = fold(self._token(reference))
            entered = next((p for p in payments if fold(p["PaymentReference"]) == token), None)
            if entered is not None:
                existing = {
                    **entered,
                    "PaymentReference": reference,
                    "PostingState": "Entered",
                    "Token": entered["PaymentReference"],
                }
        if existing is not None:
            raise ApiError(
                "duplicate_reference",
                f"a payment with PaymentReference {reference} already exists",
                {"PaymentReference": "already used"},
                existing=existing,
            )

    def _token(self, reference: str) -> str:
        tables = self.company.layout["records"]["payments"]["tables"]
        field = self.company.layout["records"]["payments"]["fields"]["PaymentReference"]["field"]
        headers = self.company.headers()
        if not tables or tables[0] not in headers or not field:
            raise ApiError(
                "unavailable",
                "this company has no cash receipt table (ARCASH) "
                "to find entered receipts in; payments cannot be staged",
            )
        spec = headers[tables[0]].field(field)
        assert spec is not None  # the layout was checked against the headers at start
        try:
            return token_for(reference, spec.width)
        except TokenWidthError as exc:
            raise ApiError("unavailable", f"payments cannot be staged: {exc}") from None

    def _check_period(self, day: date) -> None:
        for period in self.company.periods():
            if period["Start"] <= day.isoformat() <= period["End"]:
                if period["Locked"]:
                    raise ApiError(
                        "period_closed",
                        f"{day.isoformat()} falls in locked period "
                        f"{period['Year']}-{period['Period']:02d}",
                        {"PaymentDate": "period locked"},
                    )
                return
        raise ApiError(
            "validation_failed",
            f"PaymentDate: {day.isoformat()} is in no fiscal period of this company",
            {"PaymentDate": "in no fiscal period"},
        )


def _applied_by_invoice(pending: list[Record]) -> dict[str, Decimal]:
    applied: dict[str, Decimal] = {}
    for record in pending:
        for application in record["Applications"] or []:
            key = fold(application["InvoiceID"])
            applied[key] = applied.get(key, ZERO) + Decimal(application["Amount"])
        if record.get("InvoiceID") and not record["Applications"]:
            key = fold(record["InvoiceID"])
            applied[key] = applied.get(key, ZERO) + Decimal(record["Amount"])
    return applied


def _lowered(invoice: Record, staged: Decimal) -> Record:
    if staged == ZERO or invoice["Status"] == "Void":
        return invoice
    paid = Decimal(invoice["AmountPaid"]) + staged
    balance = Decimal(invoice["Balance"]) - staged
    return {
        **invoice,
        "AmountPaid": format_money(paid),
        "Balance": format_money(balance),
        "Status": "Open" if balance > ZERO else "Paid",
        "PaymentStatus": "Paid" if balance <= ZERO else "Partial",
    }


def _marked(invoice: Record, mark: tuple[str | None, str | None, str] | None) -> Record:
    if mark is None:
        return invoice
    payment_status, due_date, amount_paid_at = mark
    marked = {**invoice, "DueDate": due_date or invoice["DueDate"]}
    if payment_status and invoice["AmountPaid"] == amount_paid_at:
        marked["PaymentStatus"] = payment_status
    return marked


def _refuse_closed_or_overpaid(targets: list[tuple[Record, Decimal, str]]) -> None:
    for invoice, _, field in targets:  # every "not open" before any "overpayment"
        if invoice["Status"] != "Open":
            raise ApiError(
                "invoice_not_open",
                f"invoice {invoice['InvoiceID']} is {invoice['Status']}, not open",
                {field: f"invoice {invoice['InvoiceID']} is {invoice['Status']}"},
            )
    for invoice, amount, field in targets:
        balance = Decimal(invoice["Balance"])
        if amount > balance:
            raise ApiError(
                "overpayment",
                f"{money_text(amount)} is more than the {money_text(balance)} "
                f"still owed on invoice {invoice['InvoiceID']}",
                {field: f"more than the balance {money_text(balance)}"},
            )
