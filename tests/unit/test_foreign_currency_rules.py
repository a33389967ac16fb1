"""Foreign-currency rules without the network (issue 16): the rate a person types, the
exact conversion, the matcher's hold, the profile's base currency, and every plausible
shape of Sage Pro's unverified invoice ``Currency``."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import pytest

from app.config import SettingsError, load_settings, settings_path
from app.connectors.sagepro.wire import parse_invoice
from app.domain.exchange import ExchangeRateError, convert, is_foreign, parse_rate
from app.domain.matching import (
    AutoApprovePolicy,
    MatchRule,
    MatchSettings,
    is_auto_approvable,
    match_payments,
)
from tests.support.matching_scenarios import company, open_invoice, sale

ACME = company("C001", "Acme Bakery", email="ap@acme.example", link="PT-ACME")


@pytest.mark.parametrize(
    "typed,message",
    [
        ("", "Enter the exchange rate: how many CAD one USD buys"),
        (None, "Enter the exchange rate"),
        ("1,3650", "is not a number"),
        ("0", "more than zero"),
        ("-1.2", "more than zero"),
        ("NaN", "more than zero"),
        ("1.1234567", "at most 6 decimals"),
    ],
)
def test_an_unusable_rate_is_refused_in_plain_words(typed: str | None, message: str):
    with pytest.raises(ExchangeRateError, match=message):
        parse_rate(typed, base="USD", foreign="CAD")


def test_conversion_is_an_exact_product_rounded_once_half_up():
    assert parse_rate(" 1.3645 ", base="USD", foreign="CAD") == Decimal("1.3645")
    # 341.125 exactly: half up gives .13 (float arithmetic gives 341.12499… → .12).
    assert convert(Decimal("250.00"), Decimal("1.3645")) == Decimal("341.13")
    assert convert(Decimal("0.01"), Decimal("0.4")) == Decimal("0.00")
    assert convert(Decimal("100.00"), Decimal("0.733333")) == Decimal("73.33")


@pytest.mark.parametrize(
    "currency,foreign",
    [("CAD", True), ("cad ", True), ("USD", False), ("usd", False), ("", False), (None, False)],
)
def test_blank_or_base_currency_is_not_foreign(currency: str | None, foreign: bool):
    assert is_foreign(currency, "USD") is foreign


@pytest.mark.parametrize(
    "shape,expected",
    [
        ({"Currency": "CAD"}, "CAD"),
        ({"Currency": " cad "}, "CAD"),
        ({"Currency": "USD"}, "USD"),
        ({"Currency": ""}, ""),
        ({"Currency": None}, ""),
        ({}, ""),
    ],
)
def test_every_plausible_invoice_currency_shape_is_read(shape: dict, expected: str):  # type: ignore[type-arg]
    data = {
        "InvoiceID": "1001",
        "CustomerID": "C001",
        "Amount": "10.00",
        "Balance": "10.00",
        "AmountPaid": "0.00",
        "InvoiceDate": "2025-03-01",
        "Status": "Open",
    } | shape
    assert parse_invoice(data).currency == expected


def _invoice(invoice_id: str, amount: str, currency: str):  # type: ignore[no-untyped-def]
    return dataclasses.replace(open_invoice(invoice_id, "C001", amount), currency=currency)


def test_a_foreign_invoice_named_by_its_number_waits_and_says_why():
    payment = sale(1, "240.00", invoice_id="7001", customer_id="PT-ACME")
    [held] = match_payments([payment], [_invoice("7001", "240.00", "CAD")], [ACME])
    assert held.rule is MatchRule.REVIEW_FOREIGN_CURRENCY and held.needs_review
    assert "7001 is in CAD" in held.reason and "never matched automatically" in held.reason
    assert not is_auto_approvable(held, AutoApprovePolicy(enabled=True, min_confidence=0))


def test_a_foreign_invoice_found_by_amount_alone_waits_too():
    payment = sale(1, "240.00", customer_id="PT-ACME")
    [held] = match_payments([payment], [_invoice("7001", "240.00", "EUR")], [ACME])
    assert held.rule is MatchRule.REVIEW_FOREIGN_CURRENCY


@pytest.mark.parametrize("currency", ["", "USD", "usd"])
def test_base_currency_invoices_match_as_before(currency: str):
    payment = sale(1, "240.00", invoice_id="7001", customer_id="PT-ACME")
    [matched] = match_payments([payment], [_invoice("7001", "240.00", currency)], [ACME])
    assert matched.rule is MatchRule.HARD_KEY


def test_a_cad_company_treats_usd_invoices_as_foreign():
    payment = sale(1, "240.00", invoice_id="7001", customer_id="PT-ACME")
    settings = MatchSettings(base_currency="CAD")
    [held] = match_payments([payment], [_invoice("7001", "240.00", "USD")], [ACME], settings)
    assert held.rule is MatchRule.REVIEW_FOREIGN_CURRENCY
    [own] = match_payments([payment], [_invoice("7001", "240.00", "CAD")], [ACME], settings)
    assert own.rule is MatchRule.HARD_KEY


def test_every_profile_has_a_base_currency_usd_by_default():
    settings = load_settings()
    assert {p.base_currency for p in settings.profiles.values()} == {"USD"}
    settings_path().write_text(json.dumps({"profiles": {"Sandbox": {"base_currency": "cad"}}}))
    assert load_settings().profiles["Sandbox"].base_currency == "CAD"


@pytest.mark.parametrize("code", ["", "US", "DOLLARS", "U$D"])
def test_a_bad_base_currency_is_named(code: str):
    settings_path().write_text(json.dumps({"profiles": {"Sandbox": {"base_currency": code}}}))
    with pytest.raises(SettingsError, match="base_currency must be a three-letter currency"):
        load_settings()
