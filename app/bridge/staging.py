"""Staged cash receipts: a payment posted to the bridge waits in the bridge's own store
until the bookkeeper enters it in Sage Pro with its token in the Check/Reference No.

Nothing is written into a Sage Pro table. ``POST /api/payments`` checks the contract's
rules against the folder plus the staged overlay, stores the receipt with its key and the
token to type, and answers ``PostingState: Staged``. Until the token shows up in
ARCASH/ARYCSH.REFNO, the invoices and customers the bridge reports carry the staged amounts
(the overlay); once it is there the receipt is ``Entered`` and Sage Pro's own figures count.
Receipts not found after ``alert_after_days`` are listed as alerts (a mistyped token, or
entered without it), and so is an entered receipt whose customer or amount differ. Credit
memos and reversals are staged in the same store and overlay. This module ties the folder
to the staged store (``staged_store``); each kind's rules, record and overlay are in its own
module: ``staged_payments``, ``credit_memos``, ``reversals``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.bridge import credit_memos, reversals, staged_payments, vault
from app.bridge.company import Record, SageProCompany
from app.bridge.staged_store import CREDIT_MEMO, REVERSAL, StagedStore
from app.bridge.tokens import TokenWidthError, token_for
from app.domain.money import format_money
from app.sandbox.sagepro.errors import ApiError
from app.sandbox.sagepro.fields import (
    Body,
    refuse_card_data,
    refuse_changed_read_only,
)
from app.sandbox.sagepro.store import fold

ZERO = Decimal("0.00")

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
        applied = staged_payments.applied_by_invoice(self.view().pending)
        marks = self.store.invoice_marks()
        invoices, _ = self.company.invoices()
        lowered = [
            staged_payments.lowered(i, applied.get(fold(i["InvoiceID"]), ZERO)) for i in invoices
        ]
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
        payment = staged_payments.read(data)
        targets = staged_payments.resolve(
            payment,
            {fold(c["CustomerID"]) for c in self.company.customers()[0]},
            {fold(a["GLAccountID"]): a for a in self.company.gl_accounts()},
            {fold(i["InvoiceID"]): i for i in self.invoices()},
        )
        self._check_period(payment.payment_date, "PaymentDate")
        staged_payments.refuse_closed_or_overpaid(targets)
        token = self._token(payment.reference)
        record = staged_payments.record_for(payment, targets, token)
        self.store.add(payment.reference, token, record, self._clock())
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


def _marked(invoice: Record, mark: tuple[str | None, str | None, str] | None) -> Record:
    if mark is None:
        return invoice
    payment_status, due_date, amount_paid_at = mark
    marked = {**invoice, "DueDate": due_date or invoice["DueDate"]}
    if payment_status and invoice["AmountPaid"] == amount_paid_at:
        marked["PaymentStatus"] = payment_status
    return marked
