"""The Sage Pro worklist: staged receipts, credit memos and receipt voids (payment
reversals) still to be entered in Sage Pro, with what to type. Entered ones (their token
found in Sage Pro) leave the list by themselves; those waiting longer than the alert
threshold are flagged."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from app.bridge.staged_store import CREDIT_MEMO, PAYMENT, REVERSAL
from app.bridge.staging import StagedReceipts
from app.sandbox.sagepro.store import fold

COLUMNS = (
    "Enter as",
    "Customer",
    "Name",
    "Date",
    "Amount",
    "Invoices",
    "Check/Reference No.",
    "Waiting",
)


@dataclass(frozen=True)
class WorkItem:
    kind: str  # "Cash receipt", "Credit memo" or "Void receipt"
    customer_id: str
    customer_name: str
    payment_date: str
    amount: str
    invoices: str  # "1002 150.00; 1001 400.00", or "on account"
    token: str  # what to type in Check/Reference No.
    waiting_days: int
    overdue: bool

    def cells(self) -> tuple[str, ...]:
        flag = " (alert)" if self.overdue else ""
        return (
            self.kind,
            self.customer_id,
            self.customer_name,
            self.payment_date,
            self.amount,
            self.invoices,
            self.token,
            f"{self.waiting_days} d{flag}",
        )


def work_items(receipts: StagedReceipts, now: datetime) -> list[WorkItem]:
    names = {fold(c["CustomerID"]): c["Name"] for c in receipts.company.customers()[0]}
    items = []
    staged = [
        ("Cash receipt", "PaymentReference", "PaymentDate", PAYMENT, receipts.view().pending),
        ("Credit memo", "Reference", "MemoDate", CREDIT_MEMO, receipts.credit_view().pending),
        # a reversal voids the receipt whose applications it lists (negative, same invoices)
        ("Void receipt", "Reference", "ReversalDate", REVERSAL, receipts.reversal_view().pending),
    ]
    for kind, reference, day, store_kind, pending in staged:
        created = {fold(r[reference]): when for _, r, when in receipts.store.all(store_kind)}
        for record in pending:
            applications = record.get("Applications")
            if applications is None:  # a credit memo names one invoice
                applications = [{"InvoiceID": record["InvoiceID"], "Amount": record["Amount"]}]
            applied = "; ".join(f"{a['InvoiceID']} {a['Amount']}" for a in applications)
            if record.get("ReceiptReference"):  # a reversal: which receipt to void
                applied = f"void receipt {record['ReceiptReference']}: {applied or 'on account'}"
            waiting = now - created[fold(record[reference])]
            items.append(
                WorkItem(
                    kind=kind,
                    customer_id=record["CustomerID"],
                    customer_name=names.get(fold(record["CustomerID"]), ""),
                    payment_date=record[day],
                    amount=record["Amount"],
                    invoices=applied or "on account",
                    token=record["Token"],
                    waiting_days=waiting.days,
                    overdue=waiting >= receipts.alert_after,
                )
            )
    return items


def print_table(items: list[WorkItem], out: TextIO) -> None:
    rows = [COLUMNS, *(item.cells() for item in items)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for row in rows:
        out.write(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            + "\n"
        )


def write_csv(items: list[WorkItem], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(item.cells() for item in items)
