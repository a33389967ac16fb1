"""The reconciliation grid: one row per proposal, joined to its transaction and customer,
with the proposed invoices, confidence, reason and status. Filters become WHERE clauses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtGui import QColor
from sqlalchemy import and_, case, exists, func, or_, select

from app.domain.money import to_cents
from app.store.models import PayTraceTransaction, Proposal, ProposalApplication, SageProCustomer
from app.ui.models.sql_query import Column
from app.ui.models.sql_table import SqlTableModel

P = Proposal.__table__
T = PayTraceTransaction.__table__
C = SageProCustomer.__table__
A = ProposalApplication.__table__

STATUS_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "open": ("Needs review", ("proposed", "review")),
    "approved": ("Approved, not posted", ("approved",)),
    "posted": ("Posted", ("posted",)),
    "rejected": ("Rejected", ("rejected",)),
    "reversed": ("Unreconciled", ("reversed",)),
    "all": ("All", ("proposed", "review", "approved", "posted", "rejected", "reversed")),
}

# Confidence bands: calm tints that keep black text readable.
HIGH, MEDIUM = 90, 70
BAND_COLOURS = {"high": QColor("#e6f4ea"), "medium": QColor("#fff4d6"), "low": QColor("#fde7e4")}
DONE_COLOUR = QColor("#eef1f5")


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class ReconFilter:
    status: str = "open"
    date_from: date | None = None
    date_to: date | None = None
    customer: str = ""
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    text: str = ""

    def clauses(self) -> list[Any]:
        where: list[Any] = [P.c.status.in_(STATUS_GROUPS[self.status][1])]
        if self.date_from is not None:
            where.append(T.c.merchant_date >= self.date_from)
        if self.date_to is not None:
            where.append(T.c.merchant_date <= self.date_to)
        if self.amount_min is not None:
            where.append(T.c.amount_cents >= to_cents(self.amount_min))
        if self.amount_max is not None:
            where.append(T.c.amount_cents <= to_cents(self.amount_max))
        if self.customer.strip():
            pattern = like_pattern(self.customer.strip())
            where.append(
                or_(
                    P.c.customer_id == self.customer.strip().upper(),
                    C.c.name.like(pattern, escape="\\"),
                    T.c.billing_name.like(pattern, escape="\\"),
                )
            )
        if self.text.strip():
            where.append(_text_clause(self.text.strip()))
        return where


def _text_clause(text: str) -> Any:
    pattern = like_pattern(text)
    fields = [
        T.c.billing_name,
        T.c.invoice_ref,
        T.c.customer_reference_id,
        T.c.description,
        P.c.reason,
        C.c.name,
    ]
    parts: list[Any] = [f.like(pattern, escape="\\") for f in fields]
    if text.isdigit():
        parts.append(T.c.transaction_id == int(text))
    applied = exists(
        select(A.c.id).where(and_(A.c.proposal_id == P.c.id, A.c.invoice_id.like(pattern)))
    )
    parts.append(applied)
    return or_(*parts)


def card_text() -> Any:
    return case(
        (T.c.payment_method == "ACH", "ACH"),
        (T.c.card_last4 != "", func.trim(T.c.card_brand + " ··" + T.c.card_last4)),
        else_=T.c.payment_method,
    )


def invoices_text() -> Any:
    return (
        select(func.group_concat(A.c.invoice_id, ", "))
        .where(A.c.proposal_id == P.c.id)
        .scalar_subquery()
    )


class ReconciliationModel(SqlTableModel):
    columns = (
        Column("date", "Paid on", T.c.merchant_date, "date", not_null=True, width=96),
        Column(
            "customer",
            "Customer",
            func.coalesce(C.c.name, func.nullif(T.c.billing_name, ""), P.c.customer_id),
            width=165,
        ),
        Column("amount", "Amount", T.c.amount_cents, "money", not_null=True, width=90),
        Column(
            "invoices",
            "Invoice(s)",
            invoices_text(),
            sortable=False,
            width=100,
            tooltip="The invoice(s) the payment is proposed for",
        ),
        Column(
            "confidence",
            "Score",
            P.c.confidence,
            "percent",
            not_null=True,
            width=64,
            tooltip="Confidence of the match, 0-100",
        ),
        Column("status", "Status", P.c.status, "status", not_null=True, width=84),
        Column("reason", "Reason", P.c.reason, width=280),
        Column("paytrace_id", "PayTrace id", T.c.transaction_id, "int", not_null=True, width=95),
        Column("card", "Card / ACH", card_text(), width=120),
    )
    hidden = (
        Column("customer_id", "Customer id", P.c.customer_id),
        Column("rule", "Rule", P.c.rule),
        Column("kind", "Kind", P.c.kind),
        Column("match_status", "Match status", T.c.match_status),
        Column("on_account", "On account", P.c.on_account_cents, "money"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.filter = ReconFilter()
        super().__init__(*args, **kwargs)

    def source(self) -> Any:
        return P.join(T, T.c.transaction_id == P.c.transaction_id).outerjoin(
            C, C.c.customer_id == P.c.customer_id
        )

    def key(self) -> Any:
        return P.c.id

    def where(self) -> list[Any]:
        return self.filter.clauses()

    def sum_expr(self) -> Any:
        return T.c.amount_cents

    def set_filter(self, new: ReconFilter) -> None:
        self.filter = new
        self.refresh()

    def row_background(self, row: dict[str, Any]) -> QColor | None:
        if row["status"] in ("approved", "posted", "rejected", "reversed"):
            return DONE_COLOUR
        confidence = int(row["confidence"] or 0)
        if confidence >= HIGH:
            return BAND_COLOURS["high"]
        if confidence >= MEDIUM:
            return BAND_COLOURS["medium"]
        return BAND_COLOURS["low"]


def confidence_band(confidence: int) -> str:
    return "high" if confidence >= HIGH else "medium" if confidence >= MEDIUM else "low"


__all__ = ["STATUS_GROUPS", "ReconFilter", "ReconciliationModel", "confidence_band"]
