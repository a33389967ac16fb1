"""Settlement batches and vault customer profiles → typed records, leniently.

Batch field names are an assumption in the reference (A): both ``number`` and
``batch_number`` are read, the settle time from ``created_at``, ``settled`` or
``settle_date``. A bad object becomes a ``ParseError`` naming it; the rest go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from app.connectors.paytrace import parse_values as v
from app.connectors.paytrace.redaction import redact
from app.domain.records import CustomerProfile, ParseError, SettlementBatch

T = TypeVar("T")


@dataclass
class ParsedItems(Generic[T]):
    items: list[T] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)


def _first(obj: dict[str, Any], *keys: str) -> tuple[str, Any]:
    for key in keys:
        if obj.get(key) not in (None, ""):
            return key, obj[key]
    return keys[0], None


def _money_or_zero(obj: dict[str, Any], key: str) -> Decimal:
    return v.optional_money(obj.get(key), key) or Decimal("0.00")


def parse_batch(obj: dict[str, Any]) -> SettlementBatch:
    number_key, number = _first(obj, "number", "batch_number")
    created_key, created = _first(obj, "created_at", "settled", "settle_date")
    sales_amount = _money_or_zero(obj, "sales_amount")
    refund_amount = _money_or_zero(obj, "refund_amount")
    net_key, net = _first(obj, "amount", "net_amount")
    net_amount = v.optional_money(net, net_key)
    if net_amount is None:
        net_amount = sales_amount - refund_amount
    return SettlementBatch(
        number=v.required_int(number, number_key),
        created_local=v.timestamp(created, created_key),
        transaction_count=v.optional_int(obj.get("transaction_count"), "transaction_count") or 0,
        sales_count=v.optional_int(obj.get("sales_count"), "sales_count") or 0,
        sales_amount=sales_amount,
        refund_count=v.optional_int(obj.get("refund_count"), "refund_count") or 0,
        refund_amount=refund_amount,
        net_amount=net_amount,
    )


def parse_profile(obj: dict[str, Any]) -> CustomerProfile:
    customer_id = v.text(obj.get("customer_id"), "customer_id")
    if not customer_id:
        raise v.FieldReadError("customer_id", "missing")
    card = obj.get("credit_card") or {}
    billing = obj.get("billing_address") or {}
    if not isinstance(card, dict):
        raise v.FieldReadError("credit_card", "expected an object")
    if not isinstance(billing, dict):
        raise v.FieldReadError("billing_address", "expected an object")
    masked = v.text(card.get("masked_number"), "credit_card.masked_number")
    return CustomerProfile(
        customer_id=customer_id,
        billing_name=v.text(billing.get("name"), "billing_address.name"),
        email=v.text(obj.get("email"), "email"),
        phone=v.text(obj.get("phone"), "phone"),
        card_brand=v.brand_from_mask(masked),
        card_last4=v.last4(masked),
        card_exp_month=v.exp_month(card.get("expiration_month"), "credit_card.expiration_month"),
        card_exp_year=v.exp_year(card.get("expiration_year"), "credit_card.expiration_year"),
    )


def _parse_all(rows: Any, what: str, id_key: str, parse: Any) -> ParsedItems[Any]:
    result: ParsedItems[Any] = ParsedItems()
    if rows is None:
        return result
    if not isinstance(rows, list):
        result.errors.append(ParseError("", what, f"expected a list, got {type(rows).__name__}"))
        return result
    for row in rows:
        if not isinstance(row, dict):
            result.errors.append(ParseError("", what, "expected an object"))
            continue
        try:
            result.items.append(parse(row))
        except v.FieldReadError as problem:
            raw = redact(row)
            assert isinstance(raw, dict)
            ident = str(redact(str(row.get(id_key, ""))))[:40]
            result.errors.append(ParseError(ident, problem.field, problem.message, raw))
    return result


def parse_batches(rows: Any) -> ParsedItems[SettlementBatch]:
    return _parse_all(rows, "batches", "number", parse_batch)


def parse_profiles(rows: Any) -> ParsedItems[CustomerProfile]:
    return _parse_all(rows, "customers", "customer_id", parse_profile)
