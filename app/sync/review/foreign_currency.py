"""Payments of invoices in another currency than the profile's base currency.

Such invoices are never matched automatically (app/domain/matching/currency.py). A person may
match one by hand with an explicit rate; the rate is kept on the proposal and in the audit
trail, and the posted Sage Pro payment is in the invoice's currency: Amount = the card's
base-currency amount × rate, exact in Decimal, rounded once half up to the cent, with
BaseAmount and ExchangeRate beside it. Without a rate nothing in a foreign currency posts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from app.domain.exchange import (
    ExchangeRateError,
    convert,
    currency_code,
    is_foreign,
    parse_rate,
)
from app.domain.money import format_money, from_cents, to_cents
from app.store.models import Proposal, SageProInvoice
from app.sync.outbox.effects import OutboxSpec

# Keys of Proposal.details for a manual foreign-currency match.
CURRENCY = "currency"
EXCHANGE_RATE = "exchange_rate"


class ForeignCurrencyError(Exception):
    """Why a foreign-currency match cannot be made or posted, in plain words."""


def _never_one_to_one(invoice: SageProInvoice, base: str) -> str:
    return (
        f"Invoice {invoice.invoice_id} is in {currency_code(invoice.currency)} and the payment "
        f"in {base}: it is never paid 1:1"
    )


def manual_match_details(
    invoices: Sequence[SageProInvoice],
    payment: Decimal,
    on_account: Decimal,
    rate_text: str | None,
    base: str,
) -> dict[str, str]:
    """What a manual match must record when it names a foreign invoice ({} when none does);
    refuses a missing or unusable rate, a split, a remainder on account or too much."""
    foreign = [i for i in invoices if is_foreign(i.currency, base)]
    if not foreign:
        if rate_text and rate_text.strip():
            raise ForeignCurrencyError(
                f"The invoices are in {base}, the payment's own currency: leave the exchange "
                "rate empty."
            )
        return {}
    invoice = foreign[0]
    code = currency_code(invoice.currency)
    if len(invoices) != 1 or on_account > 0:
        raise ForeignCurrencyError(
            f"Invoice {invoice.invoice_id} is in {code}: a payment in another currency may "
            "pay only that one invoice, in full of the payment, with nothing on account."
        )
    try:
        rate = parse_rate(rate_text, base=base, foreign=code)
    except ExchangeRateError as exc:
        raise ForeignCurrencyError(f"{_never_one_to_one(invoice, base)}. {exc}") from None
    converted = convert(payment, rate)
    if to_cents(converted) > invoice.balance_cents:
        raise ForeignCurrencyError(
            f"At 1 {base} = {rate} {code}, the payment of {format_money(payment)} {base} is "
            f"{format_money(converted)} {code}, more than the "
            f"{format_money(from_cents(invoice.balance_cents))} {code} open on invoice "
            f"{invoice.invoice_id}."
        )
    return {CURRENCY: code, EXCHANGE_RATE: str(rate)}


def in_invoice_currency(
    session: Session, proposal: Proposal, spec: OutboxSpec, base: str
) -> OutboxSpec:
    """``spec`` unchanged when every invoice is in ``base``; otherwise the payment converted
    with the rate the person entered. No rate, or a rate for another currency: refused."""
    invoices = [session.get(SageProInvoice, a.invoice_id) for a in proposal.applications]
    foreign = [i for i in invoices if i is not None and is_foreign(i.currency, base)]
    if not foreign:
        return spec
    invoice = foreign[0]
    code = currency_code(invoice.currency)
    details = proposal.details or {}
    if len(invoices) != 1 or details.get(CURRENCY) != code or not details.get(EXCHANGE_RATE):
        raise ForeignCurrencyError(
            f"{_never_one_to_one(invoice, base)}. Match it by hand (Re-match / split…) and "
            "enter the exchange rate."
        )
    rate = Decimal(str(details[EXCHANGE_RATE]))
    base_amount = Decimal(spec.payload["Amount"])
    amount = convert(base_amount, rate)
    if to_cents(amount) > invoice.balance_cents:
        raise ForeignCurrencyError(
            f"{format_money(amount)} {code} is more than the "
            f"{format_money(from_cents(invoice.balance_cents))} {code} open on invoice "
            f"{invoice.invoice_id}."
        )
    note = f" ({base} {format_money(base_amount)} at 1 {base} = {rate} {code})"
    payload = {k: v for k, v in spec.payload.items() if k != "Applications"}
    payload |= {
        "Amount": format_money(amount),
        "InvoiceID": invoice.invoice_id,
        "Currency": code,
        "ExchangeRate": str(rate),
        "BaseAmount": format_money(base_amount),
        "Memo": (str(payload.get("Memo") or "")[: 200 - len(note)] + note).strip(),
    }
    return dataclasses.replace(spec, payload=payload)
