"""Typed inputs and results of PayTrace's money-moving calls.

A ``KeyedCard`` exists only for the duration of a keyed call (sandbox and tests): its
``repr`` shows the last four digits and the number is never logged or stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.connectors.paytrace.errors import PayTraceResponseError
from app.domain.money import format_money, to_money


@dataclass(frozen=True)
class KeyedCard:
    number: str = field(repr=False)
    expiration_month: int
    expiration_year: int
    csc: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return (
            f"KeyedCard(last4={self.number[-4:]!r}, "
            f"exp={self.expiration_month:02d}/{self.expiration_year})"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "expiration_month": self.expiration_month,
            "expiration_year": self.expiration_year,
        }


@dataclass(frozen=True)
class BillingAddress:
    name: str = ""
    street_address: str = ""
    street_address2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = "US"

    def as_json(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class PaymentDetails:
    """Optional fields every sale/authorization/refund may carry."""

    invoice_id: str = ""
    description: str = ""
    customer_reference_id: str = ""
    email: str = ""
    tax_amount: Decimal | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            k: v
            for k, v in (
                ("invoice_id", self.invoice_id),
                ("description", self.description),
                ("customer_reference_id", self.customer_reference_id),
                ("email", self.email),
            )
            if v
        }
        if self.tax_amount is not None:
            body["tax_amount"] = format_money(self.tax_amount)
        return body


@dataclass(frozen=True)
class PaymentResult:
    """PayTrace's answer to a sale, authorization, capture, void or refund."""

    transaction_id: int
    response_code: int
    status_message: str
    approval_code: str = ""
    approval_message: str = ""
    avs_response: str = ""
    csc_response: str = ""
    masked_card_number: str = ""  # "xxxxxxxxxxxx5439": last 4 only
    external_transaction_id: str = ""
    amount: Decimal | None = None

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> PaymentResult:
        txn = body.get("transaction_id", body.get("check_transaction_id"))
        if isinstance(txn, str) and txn.isdigit():
            txn = int(txn)
        if not isinstance(txn, int) or isinstance(txn, bool):
            raise PayTraceResponseError("PayTrace's answer did not name a transaction id")
        code = body.get("response_code")
        amount = body.get("amount")
        return cls(
            transaction_id=txn,
            response_code=code if isinstance(code, int) else -1,
            status_message=str(body.get("status_message") or ""),
            approval_code=str(body.get("approval_code") or ""),
            approval_message=str(body.get("approval_message") or ""),
            avs_response=str(body.get("avs_response") or ""),
            csc_response=str(body.get("csc_response") or ""),
            masked_card_number=str(body.get("masked_card_number") or ""),
            external_transaction_id=str(body.get("external_transaction_id") or ""),
            amount=to_money(amount) if amount not in (None, "") else None,
        )


@dataclass(frozen=True)
class RecurrenceResult:
    recurrence_id: int
    customer_id: str
    amount: Decimal
    frequency: int
    status_message: str
