"""The demo company: a chart of accounts, a fiscal calendar, and the customers and open
invoices of ``app.sandbox.demo_data`` — the same company the PayTrace stand-in serves.

Fiscal years are calendar years of twelve monthly periods, from January of last year to
December of next year. Exactly one past period is locked: the month before the earliest
demo date, so month-end locks can be shown without refusing any demo posting.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from app.sandbox.demo_data import DemoCompany, generate_demo_company
from app.sandbox.sagepro.books import (
    CUSTOMERS,
    GL_ACCOUNTS,
    INVOICES,
    ORDERS,
    PERIODS,
    Books,
    period_id,
)
from app.sandbox.sagepro.fields import money_text
from app.sandbox.sagepro.store import Doc

# (GLAccountID, Description, Type, Active)
CHART_OF_ACCOUNTS: tuple[tuple[str, str, str, bool], ...] = (
    ("1010", "Operating bank account", "Asset", True),
    ("1040", "Old card clearing (closed)", "Asset", False),
    ("1050", "Card clearing - PayTrace", "Asset", True),
    ("1060", "ACH clearing - PayTrace", "Asset", True),
    ("1200", "Accounts receivable", "Asset", True),
    ("2300", "Customer deposits / on account", "Liability", True),
    ("3000", "Retained earnings", "Equity", True),
    ("4000", "Sales", "Income", True),
    ("4900", "Sales returns and refunds", "Income", True),
    ("6150", "Merchant card fees", "Expense", True),
    ("6160", "Chargeback fees", "Expense", True),
)


def seed_chart_of_accounts(books: Books) -> None:
    for account_id, description, kind, active in CHART_OF_ACCOUNTS:
        doc = {"GLAccountID": account_id, "Description": description, "Type": kind}
        books.save(GL_ACCOUNTS, account_id, doc | {"Active": active})


def seed_periods(books: Books, today: date, locked: tuple[int, int] | None) -> None:
    """Monthly periods Jan (today.year − 1) … Dec (today.year + 1); ``locked`` = (year, month)."""
    for year in range(today.year - 1, today.year + 2):
        for month in range(1, 13):
            start = date(year, month, 1)
            following = date(year + (month == 12), month % 12 + 1, 1)
            doc = {
                "Year": year,
                "Period": month,
                "Start": start.isoformat(),
                "End": (following - timedelta(days=1)).isoformat(),
                "Locked": (year, month) == locked,
            }
            books.save(PERIODS, period_id(year, month), doc)


def seed_demo_company(books: Books, company: DemoCompany) -> None:
    """Everything the demo needs, in one transaction, into an empty store."""
    earliest = min(
        [inv.invoice_date for inv in company.invoices]
        + [t.created_local.date() for t in company.transactions],
        default=company.today,
    )
    before = earliest.replace(day=1) - timedelta(days=1)
    with books.store.transaction():
        seed_chart_of_accounts(books)
        seed_periods(books, company.today, (before.year, before.month))
        balances: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
        orders: dict[str, list[Doc]] = defaultdict(list)
        for inv in company.invoices:
            doc: Doc = {
                "InvoiceID": inv.invoice_id,
                "CustomerID": inv.customer_id,
                "OrderNumber": inv.order_number,
                "PONumber": inv.po_number,
                "InvoiceDate": inv.invoice_date.isoformat(),
                "DueDate": inv.due_date.isoformat(),
                "Amount": money_text(inv.amount),
                "AmountPaid": "0.00",
                "Balance": money_text(inv.amount),
                "Status": "Open",
                "PaymentStatus": "Unpaid",
                "Currency": "USD",
            }
            books.save(INVOICES, inv.invoice_id, doc)
            if inv.invoice_id.isdigit():
                books.store.bump_number(INVOICES, int(inv.invoice_id))
            balances[inv.customer_id] += inv.amount
            if inv.order_number:
                orders[inv.order_number].append(doc)
        for person in company.customers:
            expiry = (
                f"{person.exp_month:02d}/{person.exp_year % 100:02d}"
                if person.paytrace_customer_id
                else ""
            )
            record: Doc = {
                "CustomerID": person.customer_id,
                "Name": person.name,
                "Email": person.email,
                "Phone": person.phone,
                "BillingAddress": {
                    "Street": person.street,
                    "City": person.city,
                    "State": person.state,
                    "Zip": person.zip,
                    "Country": "US",
                },
                "Terms": "Net 30",
                "CreditHold": False,
                "Status": "Active",
                "Balance": money_text(balances[person.customer_id]),
                "PayTraceCustomerID": person.paytrace_customer_id,
                "CardLast4": person.card_last4 if person.paytrace_customer_id else "",
                "CardExpiry": expiry,
            }
            books.save(CUSTOMERS, person.customer_id, record)
        for number, invoices in orders.items():
            books.save(ORDERS, number, _shipped_order(number, invoices))


def _shipped_order(number: str, invoices: list[Doc]) -> Doc:
    """The sales order an invoice was billed from: shipped, one line per invoice."""
    lines = [
        {
            "ItemID": "SVC",
            "Description": f"Billed on invoice {inv['InvoiceID']}",
            "Quantity": "1",
            "UnitPrice": inv["Amount"],
        }
        for inv in invoices
    ]
    total = sum((Decimal(inv["Amount"]) for inv in invoices), Decimal("0.00"))
    return {
        "OrderNumber": number,
        "CustomerID": invoices[0]["CustomerID"],
        "OrderDate": min(inv["InvoiceDate"] for inv in invoices),
        "Lines": lines,
        "Total": money_text(total),
        "Status": "Shipped",
        "PaymentStatus": "Unpaid",
        "PaymentReference": "",
    }


def seed_default(books: Books, seed: int, today: date) -> None:
    """The demo company for ``seed`` as of ``today``."""
    seed_demo_company(books, generate_demo_company(seed, today=today))
