"""The words a bookkeeper reads instead of codes: every matcher rule has a phrase, audited
changes read as sentences, counted nouns never say "(s)", money has one look."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.matching.model import AmountFit, MatchRule
from app.domain.matching.proposals import amount_phrase
from app.domain.matching.rule_words import RULE_WORDS, rule_words
from app.domain.money import display_money, display_totals
from app.domain.words import counted, describe_change, field_words


@pytest.mark.parametrize("rule", list(MatchRule))
def test_every_matcher_rule_has_a_phrase(rule: MatchRule) -> None:
    assert rule.value in RULE_WORDS
    assert "_" not in rule_words(rule.value)


def test_an_unknown_rule_still_reads_as_words() -> None:
    assert rule_words("some_new_rule") == "Some new rule"


def test_audited_changes_read_as_sentences() -> None:
    assert describe_change('{"status": "posted"}') == "Status: posted"
    assert describe_change({"interval": 5, "auto_approve": True}) == (
        "Sync every (minutes): 5 · Auto approve: yes"
    )
    assert describe_change({"status": "changed_after_posting"}) == ("Status: changed after posting")
    assert describe_change("not json") == "not json"
    assert field_words("PaymentDate") == "Payment date"


def test_counted_nouns() -> None:
    assert counted(1, "payment") == "1 payment"
    assert counted(1200, "payment") == "1,200 payments"
    assert counted(2, "proposed match", "proposed matches") == "2 proposed matches"


def test_one_money_look() -> None:
    assert display_money(Decimal("300")) == "$300.00"
    assert display_money(Decimal("-5")) == "-$5.00"
    assert display_money(123456789, cents=True) == "$1,234,567.89"
    assert display_money(None) == ""


def test_money_carries_its_currency_sign() -> None:
    """The base currency's own short sign, another currency's unmistakable one, an unlisted
    currency its code; a blank currency is the base; negatives as "-CA$5.00"."""
    assert display_money(Decimal("1234.5"), currency="CAD") == "CA$1,234.50"
    assert display_money(Decimal("-5"), currency="CAD") == "-CA$5.00"
    assert display_money(Decimal("1234.5"), currency="EUR") == "€1,234.50"
    assert display_money(Decimal("10"), currency="usd") == "$10.00"
    assert display_money(Decimal("10"), currency="USD", base="CAD") == "US$10.00"
    assert display_money(Decimal("10"), currency="", base="CAD") == "$10.00"
    assert display_money(Decimal("10"), currency="CHF") == "CHF\u00a010.00"
    assert display_money(Decimal("1234.5"), currency=None) == "1,234.50"


def test_totals_in_two_currencies_are_never_added() -> None:
    amounts = [(Decimal("100"), ""), (Decimal("5"), "CAD"), (Decimal("20.5"), "USD")]
    assert display_totals(amounts) == "$120.50 + CA$5.00"
    assert display_totals([]) == "$0.00"


def test_a_reason_names_amounts_in_the_company_currency() -> None:
    assert amount_phrase(AmountFit.PARTIAL, 4000, 10000, 1) == "pays $40.00 of the $100.00 balance"
    assert amount_phrase(AmountFit.OVER, 12000, 10000, 1, "EUR") == (
        "pays the €100.00 balance; €20.00 left on account"
    )
