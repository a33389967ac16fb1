"""Reference normalisation and extraction: the join key of the hard-key match."""

from __future__ import annotations

import pytest

from app.domain.matching.references import (
    ReferenceSource,
    ReferenceStrength,
    extract_references,
    normalise_reference,
)


@pytest.mark.parametrize(
    "typed",
    [
        "104512",
        "INV-0104512",
        "#104512",
        " 104512 ",
        "inv 104512",
        "Invoice#104512",
        "0104512",
        "INV104512",
        "inv. no. 104512",
        "INVOICE: 00104512",
    ],
)
def test_every_spelling_of_an_invoice_number_normalises_to_the_same_key(typed: str) -> None:
    assert normalise_reference(typed) == "104512"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("PO-88812", "88812"),
        ("P.O. 88812", "88812"),
        ("po#88812", "88812"),
        ("SO20451", "20451"),
        ("so-20451", "20451"),
        ("POLY7", "POLY7"),
        ("abc-12 x", "ABC12X"),
    ],
)
def test_prefixes_go_only_when_digits_follow(typed: str, key: str) -> None:
    assert normalise_reference(typed) == key


def test_nothing_but_zeros_or_blanks_is_no_key() -> None:
    assert normalise_reference("000") == ""
    assert normalise_reference("   ") == ""
    assert extract_references("0000", "", "") == ()


def test_a_whole_reference_field_is_a_hard_key() -> None:
    hits = extract_references("INV-0104512", "", "")
    assert [(h.key, h.strength, h.source) for h in hits] == [
        ("104512", ReferenceStrength.WHOLE_FIELD, ReferenceSource.INVOICE_ID)
    ]
    assert hits[0].text == "INV-0104512"


@pytest.mark.parametrize(
    "typed",
    [
        "104512,104513",
        "104512/104513",
        "104512 & 104513",
        "104512 and 104513",
        "INV-104512; INV-104513",
    ],
)
def test_lists_give_one_token_per_invoice_and_no_hard_key(typed: str) -> None:
    hits = extract_references(typed, "", "")
    keys = {h.key for h in hits}
    assert {"104512", "104513"} <= keys
    assert all(h.strength is ReferenceStrength.FIELD_TOKEN for h in hits)


def test_description_gives_tokens_never_a_hard_key() -> None:
    hits = extract_references("", "", "104512")
    assert [(h.key, h.strength) for h in hits] == [("104512", ReferenceStrength.TEXT_TOKEN)]
    sentence = extract_references("", "", "Payment for invoice 104512, thanks")
    assert "104512" in {h.key for h in sentence}


def test_digit_tokens_need_four_digits() -> None:
    keys = {h.key for h in extract_references("", "", "qty 123 of 4567 at 89")}
    assert "4567" in keys
    assert "123" not in keys and "89" not in keys


def test_the_strongest_occurrence_of_a_key_is_kept_and_listed_first() -> None:
    hits = extract_references("104512", "PO 88812", "about 104512 and 77777")
    by_key = {h.key: h for h in hits}
    assert by_key["104512"].strength is ReferenceStrength.WHOLE_FIELD
    assert by_key["104512"].source is ReferenceSource.INVOICE_ID
    assert by_key["88812"].source is ReferenceSource.CUSTOMER_REFERENCE
    assert by_key["77777"].strength is ReferenceStrength.TEXT_TOKEN
    assert [h.strength for h in hits] == sorted((h.strength for h in hits), reverse=True)


def test_minimum_length_is_honoured() -> None:
    assert extract_references("12", "", "", min_length=3) == ()
    assert [h.key for h in extract_references("123", "", "", min_length=3)] == ["123"]
