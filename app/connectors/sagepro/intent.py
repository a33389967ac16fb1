"""Is the record Sage Pro holds under our key the one we meant to post?

A retried post that finds its key already used is a success only when the existing record
says the same thing (customer, amount, invoice or applications, date …); otherwise both
are described in plain words so a person can tell which is right.
"""

from __future__ import annotations

from decimal import Decimal

from app.domain.money import format_money
from app.domain.sagepro_records import (
    CreditMemo,
    CreditMemoDraft,
    JournalEntry,
    JournalEntryDraft,
    JournalLine,
    Payment,
    PaymentApplication,
    PaymentDraft,
    PaymentReversal,
    PaymentReversalDraft,
    SalesOrder,
    SalesOrderDraft,
    SalesOrderLine,
)

Draft = PaymentDraft | CreditMemoDraft | JournalEntryDraft | SalesOrderDraft | PaymentReversalDraft
Posted = Payment | CreditMemo | JournalEntry | SalesOrder | PaymentReversal


def differences(draft: Draft, record: Posted) -> list[str]:
    """The names of what differs between the intent and the record ([] = the same)."""
    facts_a, facts_b = _facts(draft), _facts(record)
    if facts_a.keys() != facts_b.keys():
        return ["kind of record"]
    return [name for name in facts_a if facts_a[name] != facts_b[name]]


def describe(item: Draft | Posted) -> str:
    """One line a bookkeeper can read, e.g. ``customer C00012, 125.00 on invoice 104512,
    dated 2025-03-10``."""
    if isinstance(item, PaymentDraft | Payment):
        return (
            f"customer {item.customer_id}, {format_money(item.amount)} "
            f"{_target(item.invoice_id, item.applications, item.amount)}, "
            f"dated {item.payment_date.isoformat()}"
            + ("" if item.status == "Paid" else f", status {item.status}")
        )
    if isinstance(item, CreditMemoDraft | CreditMemo):
        return (
            f"customer {item.customer_id}, {format_money(item.amount)} against invoice "
            f"{item.invoice_id}, dated {item.memo_date.isoformat()}"
        )
    if isinstance(item, PaymentReversalDraft | PaymentReversal):
        return f"reversal of payment {item.payment_id}, dated {item.reversal_date.isoformat()}"
    if isinstance(item, JournalEntryDraft | JournalEntry):
        lines = ", ".join(_journal_line_text(line) for line in item.lines)
        return f"dated {item.entry_date.isoformat()}, lines {lines}"
    total = sum((line.quantity * line.unit_price for line in item.lines), Decimal("0.00"))
    return (
        f"customer {item.customer_id}, dated {item.order_date.isoformat()}, "
        f"{len(item.lines)} line(s) totalling {format_money(total)}"
    )


def _facts(item: Draft | Posted) -> dict[str, object]:
    if isinstance(item, PaymentDraft | Payment):
        return {
            "customer": item.customer_id.strip().upper(),
            "amount": item.amount,
            "invoices": _applications(item.invoice_id, item.applications, item.amount),
            "date": item.payment_date,
            "status": item.status,
        }
    if isinstance(item, CreditMemoDraft | CreditMemo):
        return {
            "customer": item.customer_id.strip().upper(),
            "invoice": item.invoice_id.strip().upper(),
            "amount": item.amount,
            "date": item.memo_date,
        }
    if isinstance(item, PaymentReversalDraft | PaymentReversal):
        # The amount is the payment's, decided by Sage Pro: not part of the intent.
        return {"payment": item.payment_id.strip().upper(), "date": item.reversal_date}
    if isinstance(item, JournalEntryDraft | JournalEntry):
        return {"date": item.entry_date, "lines": sorted(_journal_key(x) for x in item.lines)}
    return {
        "customer": item.customer_id.strip().upper(),
        "date": item.order_date,
        "lines": sorted(_order_key(line) for line in item.lines),
    }


def _applications(
    invoice_id: str | None, applications: tuple[PaymentApplication, ...], amount: Decimal
) -> frozenset[tuple[str, Decimal]]:
    """One invoice paid in full and a single application of the whole amount are the same."""
    if invoice_id:
        return frozenset({(invoice_id.strip().upper(), amount)})
    return frozenset((a.invoice_id.strip().upper(), a.amount) for a in applications)


def _target(
    invoice_id: str | None, applications: tuple[PaymentApplication, ...], amount: Decimal
) -> str:
    if invoice_id:
        return f"on invoice {invoice_id}"
    if not applications:
        return "on account"
    parts = ", ".join(f"{a.invoice_id} {format_money(a.amount)}" for a in applications)
    rest = amount - sum((a.amount for a in applications), Decimal("0.00"))
    return f"on invoices {parts}" + (f" (+ {format_money(rest)} on account)" if rest else "")


def _journal_key(line: JournalLine) -> tuple[str, Decimal, Decimal]:
    return (line.gl_account_id.strip().upper(), line.debit, line.credit)


def _journal_line_text(line: JournalLine) -> str:
    if line.debit:
        return f"{line.gl_account_id} Dr {format_money(line.debit)}"
    return f"{line.gl_account_id} Cr {format_money(line.credit)}"


def _order_key(line: SalesOrderLine) -> tuple[str, Decimal, Decimal]:
    return (line.item_id.strip().upper(), line.quantity, line.unit_price)
