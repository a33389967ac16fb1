"""Staged cash receipts: a payment posted to the bridge waits in the bridge's own store
until the bookkeeper enters it in Sage Pro with its token in the Check/Reference No.

Nothing is written into a Sage Pro table. ``POST /api/payments`` checks the contract's
rules against the folder plus the staged overlay, stores the receipt with its key and the
token to type, and answers ``PostingState: Staged``. Until the token shows up in
ARCASH/ARYCSH.REFNO, the invoices and customers the bridge reports carry the staged amounts
(the overlay); once it is there the receipt is ``Entered`` and Sage Pro's own figures count.
Receipts not found after ``alert_after_days`` are listed as alerts (a mistyped token, or
entered without it), and so is an entered receipt whose customer or amount differ. Credit
memos are staged in the same store and overlay (their rules and linking: ``credit_memos``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.bridge import credit_memos, reversals, vault
from app.bridge.company import Record, SageProCompany
from app.bridge.tokens import TokenWidthError, token_for
from app.domain.money import format_money
from app.sandbox.sagepro.errors import ApiError
from app.sandbox.sagepro.fields import (
    Body,
    money_text,
    refuse_card_data,
    refuse_changed_read_only,
)
from app.sandbox.sagepro.store import fold

ZERO = Decimal("0.00")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS staged (
    kind TEXT NOT NULL,               -- 'payment', 'creditmemo' or 'reversal'
    reference_key TEXT NOT NULL,      -- the app's key, folded
    token TEXT NOT NULL,
    record TEXT NOT NULL,             -- the contract record as answered (JSON)
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, reference_key)
);
-- PaymentStatus (Failed/Refunded) and DueDate set by the app: Sage Pro has no field for them
-- (bridge doc §3.5), so they stay here, and PaymentStatus holds until money moves on the
-- invoice (AmountPaid differs from amount_paid_at).
CREATE TABLE IF NOT EXISTS customer_vault (
    customer_key TEXT PRIMARY KEY,
    paytrace_customer_id TEXT NOT NULL,
    card_last4 TEXT NOT NULL,
    card_expiry TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS invoice_marks (
    invoice_key TEXT PRIMARY KEY,
    payment_status TEXT,
    due_date TEXT,
    amount_paid_at TEXT NOT NULL
);
"""
PAYMENT, CREDIT_MEMO, REVERSAL = "payment", "creditmemo", "reversal"  # staged postings
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


class StagedStore:
    """The bridge's own SQLite file of staged postings (never a Sage Pro file)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def add(
        self, reference: str, token: str, record: Record, created: datetime, kind: str = PAYMENT
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO staged (kind, reference_key, token, record, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (kind, fold(reference), token, json.dumps(record), created.isoformat()),
            )

    def all(self, kind: str = PAYMENT) -> list[tuple[str, Record, datetime]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT token, record, created_at FROM staged WHERE kind = ?"
                " ORDER BY created_at, reference_key",
                (kind,),
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

    def set_vault(self, customer_id: str, vault: tuple[str, str, str]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO customer_vault VALUES (?, ?, ?, ?)",
                (fold(customer_id), *vault),
            )

    def vaults(self) -> dict[str, tuple[str, str, str]]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM customer_vault").fetchall()
        return {row[0]: (row[1], row[2], row[3]) for row in rows}

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
        return _View(reversals.marked(answered, self.reversal_view()), pending, alerts)

    def invoices(self) -> list[Record]:
        """Invoices as Sage Pro has them, less what staged receipts apply to them."""
        applied = _applied_by_invoice(self.view().pending)
        marks = self.store.invoice_marks()
        invoices, _ = self.company.invoices()
        lowered = [_lowered(i, applied.get(fold(i["InvoiceID"]), ZERO)) for i in invoices]
        credited = credit_memos.overlay(lowered, self.credit_view().pending)
        credited = reversals.overlay(credited, self.reversal_view().pending)
        return [_marked(invoice, marks.get(fold(invoice["InvoiceID"]))) for invoice in credited]

    def credit_view(self) -> credit_memos.CreditView:
        return credit_memos.link(
            self.store.all(CREDIT_MEMO),
            self.company.invoices()[0],
            self.company.payments()[0],
            self._clock(),
            self.alert_after,
        )

    def reversal_view(self) -> reversals.ReversalView:
        return reversals.link(
            self.store.all(REVERSAL), self.company.payments()[0], self._clock(), self.alert_after
        )

    def alerts(self) -> list[Alert]:
        late = [
            Alert(
                reference,
                token,
                f"credit memo not found in Sage Pro after "
                f"{self.alert_after.days} days: was it entered with reference {token}?",
            )
            for reference, token in self.credit_view().late
        ]
        late += [
            Alert(
                reference,
                token,
                f"payment reversal not found in Sage Pro after {self.alert_after.days} days: "
                f"was the receipt voided with reference {token}?",
            )
            for reference, token in self.reversal_view().late
        ]
        return self.view().alerts + late

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
        for record in self.view().pending + self.credit_view().pending:
            key = fold(record["CustomerID"])
            staged[key] = staged.get(key, ZERO) + Decimal(record["Amount"])
        for reversal in self.reversal_view().pending:  # the money goes back on the account
            key = fold(reversal["CustomerID"])
            staged[key] = staged.get(key, ZERO) - Decimal(reversal["Amount"])
        customers, _ = self.company.customers()
        vaults = self.store.vaults()
        lowered = [
            {**c, "Balance": format_money(Decimal(c["Balance"]) - staged[fold(c["CustomerID"])])}
            if fold(c["CustomerID"]) in staged
            else c
            for c in customers
        ]
        return [vault.with_vault(c, vaults.get(fold(c["CustomerID"]))) for c in lowered]

    def update_customer(self, customer_id: str, data: Any) -> Record:
        """PUT /api/customers/{id}: the PayTrace vault fields, kept bridge-local."""
        current = self._customer(customer_id)
        self.store.set_vault(current["CustomerID"], vault.vault_update(current, data))
        return self._customer(customer_id)

    def _customer(self, customer_id: str) -> Record:
        wanted = fold(customer_id)
        found = next((c for c in self.customers() if fold(c["CustomerID"]) == wanted), None)
        if found is None:
            raise ApiError("not_found", f"Customer {customer_id} does not exist")
        return found

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
        self._check_period(payment_date, "PaymentDate")
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

    def post_credit_memo(self, data: Any) -> Record:
        reference = data.get("Reference") if isinstance(data, dict) else None
        if isinstance(reference, str) and reference.strip():
            self._refuse_duplicate_memo(reference)  # before every other rule
        invoices = {fold(i["InvoiceID"]): i for i in self.invoices()}
        request, invoice = credit_memos.parse(
            data,
            {fold(c["CustomerID"]) for c in self.company.customers()[0]},
            {fold(a["GLAccountID"]) for a in self.company.gl_accounts() if a["Active"]},
            invoices,
        )
        self._check_period(request.memo_date, "MemoDate")
        refunded = sum(
            (
                Decimal(r["Amount"])
                for _, r, _ in self.store.all(CREDIT_MEMO)
                if fold(r["InvoiceID"]) == fold(request.invoice_id)
            ),
            ZERO,
        )
        credit_memos.refuse_over_credit(request, invoice, refunded)
        token = self._token(request.reference, "invoices", "Reference")
        record = credit_memos.record_for(request, token)
        self.store.add(request.reference, token, record, self._clock(), CREDIT_MEMO)
        return {**record, "PostingState": "Staged"}

    def post_reversal(self, data: Any) -> Record:
        reference = data.get("Reference") if isinstance(data, dict) else None
        if isinstance(reference, str) and reference.strip():
            self._refuse_duplicate_reversal(reference)  # before every other rule
        view = self.reversal_view()
        request = reversals.parse(
            data, self.view().payments, {fold(r["PaymentID"]) for r in view.reversals}
        )
        self._check_period(request.reversal_date, "ReversalDate")
        # entered as a void in Cash Receipts: the token goes where a receipt's reference does
        token = self._token(request.reference)
        record = reversals.record_for(request, token)
        self.store.add(request.reference, token, record, self._clock(), REVERSAL)
        return {**record, "PostingState": "Staged"}

    def _refuse_duplicate_reversal(self, reference: str) -> None:
        existing = next(
            (r for r in self.reversal_view().reversals if fold(r["Reference"]) == fold(reference)),
            None,
        )
        if existing is not None:
            raise ApiError(
                "duplicate_reference",
                f"a payment reversal with Reference {reference} already exists",
                {"Reference": "already used"},
                existing=existing,
            )

    def _refuse_duplicate_memo(self, reference: str) -> None:
        existing = next(
            (m for m in self.credit_view().memos if fold(m["Reference"]) == fold(reference)), None
        )
        if existing is not None:
            raise ApiError(
                "duplicate_reference",
                f"a credit memo with Reference {reference} already exists",
                {"Reference": "already used"},
                existing=existing,
            )

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

    def _token(
        self, reference: str, record: str = "payments", contract: str = "PaymentReference"
    ) -> str:
        """The token for ``reference`` cut to the width of the field Sage Pro keeps it in."""
        tables = self.company.layout["records"][record]["tables"]
        field = self.company.layout["records"][record]["fields"].get(contract, {}).get("field")
        headers = self.company.headers()
        spec = (
            headers[tables[0]].field(field) if tables and tables[0] in headers and field else None
        )
        if spec is None:
            raise ApiError(
                "unavailable",
                f"this company has no {record} table with a reference "
                "field to find entered postings in; they cannot be staged",
            )
        try:
            return token_for(reference, spec.width)
        except TokenWidthError as exc:
            raise ApiError("unavailable", f"{record} cannot be staged: {exc}") from None

    def _check_period(self, day: date, field: str) -> None:
        for period in self.company.periods():
            if period["Start"] <= day.isoformat() <= period["End"]:
                if period["Locked"]:
                    raise ApiError(
                        "period_closed",
                        f"{day.isoformat()} falls in locked period "
                        f"{period['Year']}-{period['Period']:02d}",
                        {field: "period locked"},
                    )
                return
        raise ApiError(
            "validation_failed",
            f"{field}: {day.isoformat()} is in no fiscal period of this company",
            {field: "in no fiscal period"},
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
