"""The card-number redactor: test cards in every form, and numbers that must stay."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.pan import (
    card_brand,
    contains_card_number,
    find_card_numbers,
    luhn_ok,
    redact_card_numbers,
    redact_value,
)

TEST_CARDS = {
    "4012000098765439": ("Visa", "401200******5439"),
    "5499740000000057": ("Mastercard", "549974******0057"),
    "6011000993026909": ("Discover", "601100******6909"),
    "371449635392376": ("Amex", "371449*****2376"),
}


def _spaced(number: str, sep: str) -> str:
    if len(number) == 15:  # Amex groups 4-6-5
        return sep.join([number[:4], number[4:10], number[10:]])
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


@pytest.mark.parametrize("number", TEST_CARDS)
@pytest.mark.parametrize("sep", ["", " ", "-"])
def test_test_cards_are_redacted_in_every_form(number: str, sep: str):
    brand, masked = TEST_CARDS[number]
    written = _spaced(number, sep) if sep else number
    text = f"Customer paid with {written}, thanks!"
    assert card_brand(number) == brand
    assert redact_card_numbers(text) == f"Customer paid with {masked}, thanks!"
    assert find_card_numbers(text) == [number]


def test_several_cards_inside_longer_text():
    text = "a 4012000098765439 b 5499-7400-0000-0057 c"
    assert redact_card_numbers(text) == "a 401200******5439 b 549974******0057 c"


@pytest.mark.parametrize(
    "text",
    [
        "INV-0104512",
        "Invoice 104512 and order SO20451",
        "PO 1234567890123",  # 13 digits, no brand prefix and not Luhn
        "ref 0000000000000000",  # Luhn-valid zeros, no brand
        "Order 4012000098765438",  # Visa prefix but fails Luhn
        "tracking 12345678901234567890",  # 20 digits: too long to be a card
        "phone 1-800-555-0100",
        "X4012000098765439",  # glued to a letter: part of a longer code
        "40120000987654391",  # 17 digits, not Luhn
    ],
)
def test_non_card_numbers_stay_untouched(text: str):
    assert redact_card_numbers(text) == text
    assert not contains_card_number(text)


def test_luhn():
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")


def test_redact_value_walks_json_and_big_integers():
    value = {"d": ["x 4012000098765439"], 4012000098765439: 1, "n": 4012000098765439, "ok": 104512}
    out = redact_value(value)
    assert out == {
        "d": ["x 401200******5439"],
        "401200******5439": 1,
        "n": "401200******5439",
        "ok": 104512,
    }


@given(st.text())
def test_redaction_is_idempotent_and_leaves_no_card(text: str):
    once = redact_card_numbers(text)
    assert redact_card_numbers(once) == once
    assert not contains_card_number(once)


@given(st.sampled_from(list(TEST_CARDS)), st.text(alphabet="abc ,.:;"), st.text(alphabet="xyz ,."))
def test_planted_cards_are_always_found(number: str, before: str, after: str):
    text = f"{before} {number} {after}"
    assert number not in redact_card_numbers(text)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1 4012000098765439", "1 401200******5439"),
        ("ref 77-4012-0000-9876-5439 ok", "ref 77-401200******5439 ok"),
        ("4012.0000.9876.5439", "401200******5439"),
        ("4012000098765439 5499740000000057", "401200******5439 549974******0057"),
    ],
)
def test_cards_beside_other_numbers_and_with_dots(text: str, expected: str):
    assert redact_card_numbers(text) == expected
    assert contains_card_number(text)


def test_long_unseparated_numbers_are_not_cut_into_cards():
    assert redact_card_numbers("94012000098765439") == "94012000098765439"
