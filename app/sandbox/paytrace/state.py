"""What the stand-in remembers: transactions with their lifecycle, vault profiles, batches,
recurrences. Export state is derived from the lifecycle the way PayTrace shows it: a voided
sale keeps its id and reads ``VOID``, a captured authorization reads ``SALE``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass
class StoredCard:
    """Card data as the stand-in's vault holds it (the only place a full number lives)."""

    number: str
    expiration_month: int
    expiration_year: int  # four digits

    @property
    def last4(self) -> str:
        return self.number[-4:]


@dataclass
class StoredCheck:
    account_last4: str
    routing_number: str
    account_type: str = "Checking"


@dataclass
class StoredTransaction:
    transaction_id: int
    kind: str  # SALE, AUTHORIZATION, REFUND, DECLINED (what was asked for)
    amount: Decimal
    created: datetime  # merchant-local
    card: StoredCard | None = None
    check: StoredCheck | None = None
    customer_id: str = ""
    invoice_id: str = ""
    description: str = ""
    customer_reference_id: str = ""
    email: str = ""
    tax_amount: Decimal | None = None
    billing: dict[str, str] = field(default_factory=dict)
    approval_code: str = ""
    approval_message: str = ""
    avs_response: str = ""
    csc_response: str = ""
    status_code: str = ""
    discretionary_data: dict[str, Any] = field(default_factory=dict)
    voided: bool = False
    captured: bool = False
    settled: datetime | None = None
    batch_number: int | None = None
    recurrence_id: int | None = None
    refunded_amount: Decimal = Decimal("0.00")
    declined_kind: str = "SALE"  # for a DECLINED row: the SALE or AUTHORIZATION asked for

    @property
    def export_type(self) -> str:
        if self.kind == "DECLINED":
            return "DECLINED"
        if self.voided:
            return "VOID"
        if self.kind == "AUTHORIZATION":
            return "SALE" if self.captured else "AUTHORIZATION"
        return self.kind

    @property
    def pending_settlement(self) -> bool:
        """Waiting for the next batch: approved sales (captured auths) and refunds."""
        return self.settled is None and self.export_type in ("SALE", "REFUND")


@dataclass
class VaultProfile:
    customer_id: str
    card: StoredCard
    billing: dict[str, str] = field(default_factory=dict)
    email: str = ""
    phone: str = ""


@dataclass
class Batch:
    number: int
    settled: datetime
    transaction_ids: list[int] = field(default_factory=list)


@dataclass
class Recurrence:
    recurrence_id: int
    customer_id: str
    amount: Decimal
    frequency: int
    start_date: date
    total_count: int
    description: str = ""
    charged: int = 0
