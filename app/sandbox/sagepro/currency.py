"""The stand-in company's currencies: its own is USD; an invoice may be in another.

A payment is in the currency of the invoices it pays (USD unless it says ``Currency``). A
foreign-currency payment also states ``BaseAmount`` (what the card paid, in USD) and
``ExchangeRate`` ("1 USD = rate <Currency>"), and its ``Amount`` must be exactly
BaseAmount × ExchangeRate rounded half up to the cent. A USD payment of a CAD invoice is
refused: paying it 1:1 is the defect this rule exists to catch.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from app.sandbox.sagepro.fields import CENT, Body, money_text

COMPANY_CURRENCY = "USD"


def invoice_currency(invoice: dict[str, Any]) -> str:
    return str(invoice.get("Currency") or COMPANY_CURRENCY).upper()


def payment_currency(body: Body, amount: Decimal) -> dict[str, str]:
    """The payment's currency fields to store; failures are added to ``body.errors``."""
    currency = (body.text("Currency", max_len=3) or COMPANY_CURRENCY).upper()
    if len(currency) != 3 or not currency.isalpha():
        body.fail("Currency", "must be a three-letter currency code")
        return {}
    if currency == COMPANY_CURRENCY:
        if body.has("ExchangeRate") or body.has("BaseAmount"):
            body.fail("ExchangeRate", f"only a payment in another currency than {currency} has one")
        return {"Currency": currency}
    base_amount = body.money("BaseAmount", required=True, positive=True)
    rate_text = body.text("ExchangeRate", required=True)
    try:
        rate = Decimal(rate_text)
    except InvalidOperation:
        body.fail("ExchangeRate", f"{rate_text!r} is not a number")
        return {}
    if not rate_text or not rate.is_finite() or rate <= 0:
        body.fail("ExchangeRate", "must be more than zero")
        return {}
    expected = (base_amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    if base_amount and expected != amount:
        body.fail(
            "Amount",
            f"{money_text(base_amount)} {COMPANY_CURRENCY} at {rate_text} is "
            f"{money_text(expected)} {currency}, not {money_text(amount)}",
        )
    return {
        "Currency": currency,
        "ExchangeRate": rate_text,
        "BaseAmount": money_text(base_amount),
    }


def refuse_other_currency(
    body: Body, targets: Iterable[tuple[str, dict[str, Any]]], currency: str
) -> None:
    """Each (field, invoice) paid must be in the payment's currency."""
    for field, invoice in targets:
        theirs = invoice_currency(invoice)
        if currency and theirs != currency:
            body.errors.setdefault(
                field,
                f"invoice {invoice['InvoiceID']} is in {theirs}; this payment is in {currency}",
            )
