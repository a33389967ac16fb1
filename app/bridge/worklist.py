"""The Sage Pro worklist: staged receipts still to be entered in Sage Pro's Cash Receipts,
with what to type. Entered receipts (their token found in ARCASH/ARYCSH) leave the list by
themselves; receipts waiting longer than the alert threshold are flagged."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from app.bridge.staging import StagedReceipts
from app.sandbox.sagepro.store import fold

COLUMNS = ("Customer", "Name", "Date", "Amount", "Invoices", "Check/Reference No.", "Waiting")


@dataclass(frozen=True)
class WorkItem:
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
    created = {fold(record["PaymentReference"]): when for _, record, when in receipts.store.all()}
    items = []
    for record in receipts.view().pending:
        applications = record["Applications"] or []
        applied = "; ".join(f"{a['InvoiceID']} {a['Amount']}" for a in applications)
        waiting = now - created[fold(record["PaymentReference"])]
        items.append(
            WorkItem(
                customer_id=record["CustomerID"],
                customer_name=names.get(fold(record["CustomerID"]), ""),
                payment_date=record["PaymentDate"],
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
