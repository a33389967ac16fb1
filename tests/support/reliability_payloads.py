"""Hypothesis strategies for hostile PayTrace export rows: wrong types, missing and extra
fields, huge and unicode strings, zero/negative/huge amounts, bad dates, planted card
numbers — each row built from a valid export row so most of it still makes sense.

``SAFE`` strategies stay inside what the app is known to handle; ``KNOWN_CRASHES`` are the
inputs that still crash ingest (reported as bugs; their tests are strict xfails).
"""

from __future__ import annotations

import copy
import itertools
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from hypothesis import strategies as st

from app.sandbox.demo_data import TEST_CARDS

# A valid stand-in export row (the reference example of PayTrace's docs, made current).
TEMPLATE_ROW: dict[str, Any] = {
    "transaction_id": 1,
    "credit_card": {"masked_number": "************5439", "expiration_month": 12,
                    "expiration_year": 27},
    "transaction_type": "SALE",
    "description": "Invoice payment",
    "amount": 110,
    "invoice_id": "inv1234",
    "billing_address": {"name": "Kevin", "street_address": "8320 E. West St.",
                        "city": "Spokane", "state": "WA", "zip": "85284", "country": "US"},
    "shipping_address": {"name": "", "zip": "85284", "country": "US"},
    "receipt_emailed_to": "",
    "tax_amount": "8.10",
    "customer_reference_id": "PO123456",
    "approval_code": "VTLMC1",
    "approval_message": "EXACT MATCH - Approved and completed",
    "avs_response": "Full Exact Match",
    "csc_response": "Match",
    "status_code": "GB571",
    "status_message": "GB571",
    "created": {"through": "API", "at": "3/14/2025 4:06:30 PM", "by": "demo",
                "from_ip": "127.0.0.1"},
    "customer_id": "",
}  # fmt: skip

CARD_NUMBERS = [number for _, number in TEST_CARDS]
# Integers SQLite can hold with room to spare (ids, batch numbers, cents).
SAFE_INT = 2**62
SAFE_DOLLARS = 10**12

_ids = itertools.count(700_000_001)


def next_id() -> int:
    return next(_ids)


no_surrogates = st.characters(blacklist_categories=["Cs"])
no_digits = st.characters(blacklist_categories=["Cs", "Nd"])
unicode_text = st.text(alphabet=no_surrogates, max_size=40)
huge_text = st.builds(lambda ch, n: ch * n, st.sampled_from(["x", "é", "漢", "🧾", " "]),
                      st.integers(min_value=5_000, max_value=60_000))  # fmt: skip
# A test card inside free text, set off as a person would type it. No digits around it: the
# redactor's rule is that a card number does not touch other digits (see KNOWN_LEAKS).
card_text = st.builds(
    lambda number, sep, before, after: (
        before + " " + sep.join(number[i : i + 4] for i in range(0, len(number), 4)) + " " + after
    ),
    st.sampled_from(CARD_NUMBERS),
    st.sampled_from(["", " ", "-"]),
    st.text(alphabet=no_digits, max_size=20),
    st.text(alphabet=no_digits, max_size=20),
)
bad_dates = st.sampled_from([
    "13/45/2025 25:61:00 PM", "2/30/2025 1:00:00 PM", "", "yesterday", "0/0/0", "3/14/2025",
    "2025-03-14T10:00:00", "12/31/9999 11:59:59 PM", "3/14/25 4:06 PM", "  3/14/2025  ",
])  # fmt: skip
safe_ints = st.integers(min_value=-SAFE_INT, max_value=SAFE_INT)
amounts: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from([0, -1, -0.01, 0.001, 12.345, "12.5", "-3", "NaN", "Infinity", "1e9999",
                     "1,000.00", "$12.00", " 7.10 ", True, None, [], {}]),
    st.integers(min_value=-SAFE_DOLLARS, max_value=SAFE_DOLLARS),
    st.decimals(min_value=-SAFE_DOLLARS, max_value=SAFE_DOLLARS, places=2).map(str),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)  # fmt: skip
scalars = st.one_of(st.none(), st.booleans(), safe_ints, st.floats(), unicode_text)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(unicode_text, inner, max_size=3)
    ),
    max_leaves=6,
)
hostile = st.one_of(values, huge_text, card_text, bad_dates, amounts)

# field path → what to put there (besides any hostile value)
FIELDS: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("transaction_id",): st.one_of(safe_ints, st.sampled_from(["12x", "", "1.5", -1, 0])),
    ("amount",): amounts,
    ("tax_amount",): amounts,
    ("transaction_type",): st.sampled_from(
        ["SALE", "sale", "REFUND", "VOID", "DECLINED", "AUTHORIZATION", "FROB", "", "  SALE  "]
    ),
    ("created", "at"): bad_dates,
    ("created",): st.one_of(bad_dates, values),
    ("settled",): bad_dates,
    ("credit_card",): values,
    ("credit_card", "masked_number"): st.one_of(card_text, unicode_text),
    ("credit_card", "expiration_month"): st.one_of(safe_ints, unicode_text),
    ("credit_card", "expiration_year"): st.one_of(safe_ints, unicode_text),
    ("check",): values,
    ("billing_address",): values,
    ("billing_address", "name"): st.one_of(huge_text, card_text, unicode_text),
    ("invoice_id",): st.one_of(huge_text, card_text, unicode_text),
    ("description",): st.one_of(huge_text, card_text, unicode_text),
    ("customer_reference_id",): st.one_of(huge_text, card_text, unicode_text),
    ("discretionary_data",): st.one_of(
        values, st.dictionaries(unicode_text, st.one_of(card_text, values), max_size=3)
    ),
    ("batch_number",): st.one_of(safe_ints, unicode_text),
    ("receipt_emailed_to",): st.one_of(unicode_text, card_text),
    ("customer_id",): st.one_of(unicode_text, card_text, safe_ints),
}


@st.composite
def hostile_rows(draw: st.DrawFn) -> Any:
    """One export row: mostly valid, with zero to four fields broken, removed or added."""
    if draw(st.integers(min_value=0, max_value=11)) == 0:
        return draw(values)  # not even an object
    row: dict[str, Any] = copy.deepcopy(TEMPLATE_ROW)
    row["transaction_id"] = next_id()
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        path = draw(st.sampled_from(sorted(FIELDS)))
        target = row
        for key in path[:-1]:
            if not isinstance(target.get(key), dict):
                target[key] = {}
            target = target[key]
        action = draw(st.sampled_from(["drop", "field", "field", "hostile"]))
        if action == "drop":
            target.pop(path[-1], None)
        elif action == "field":
            target[path[-1]] = draw(FIELDS[path])
        else:
            target[path[-1]] = draw(hostile)
    if draw(st.booleans()):
        row[draw(unicode_text)] = draw(hostile)  # an extra field PayTrace might add one day
    return _without_known_crashes(row)


_NUMERIC_FIELDS = ("transaction_id", "amount", "tax_amount", "batch_number")


def _too_big(value: Any) -> bool:
    """A number (or text spelling one) that still crashes ingest: see KNOWN_CRASHES."""
    if isinstance(value, bool):
        return False
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("$", ""))
    except (InvalidOperation, ValueError):
        return False
    return number.is_finite() and abs(number) >= SAFE_DOLLARS


def _without_known_crashes(row: dict[str, Any]) -> dict[str, Any]:
    """The property tests keep to what ingest survives today; the known crashers have
    their own strict-xfail tests, which turn red when the bugs are fixed."""
    for name in _NUMERIC_FIELDS:
        if name in row and _too_big(row[name]):
            row[name] = 1 if name != "transaction_id" else next_id()
    for path in (("credit_card", "expiration_year"), ("credit_card", "expiration_month")):
        section = row.get(path[0])
        if isinstance(section, dict) and _too_big(section.get(path[1])):
            section[path[1]] = 12
    return row


# Inputs that still crash ingest with an exception nobody catches (see the report).
KNOWN_CRASHES: dict[str, dict[str, Any]] = {
    "transaction id beyond 64 bits": {"transaction_id": 10**20},
    "amount whose cents exceed 64 bits": {"amount": 10**17},
    "tax amount whose cents exceed 64 bits": {"tax_amount": "99999999999999999999"},
    "batch number beyond 64 bits": {"batch_number": 10**22},
    "lone UTF-16 surrogate in a text field": {"description": "pay \ud800 now"},
}


def planted_card_numbers(text: str) -> list[str]:
    """The test cards found in ``text`` by their digits (single spaces or dashes between
    them allowed), independently of the app's own detector. Like the app's rule, digits
    run straight on into other digits do not count: that is a longer number."""
    return [number for number in CARD_NUMBERS if _PLANTED[number].search(text)]


_PLANTED = {
    number: re.compile(r"(?<!\d)" + "[ -]?".join(number) + r"(?!\d)") for number in CARD_NUMBERS
}


# Card numbers typed beside other numbers: leaked until the redactor learned them (1139a9b).
BESIDE_OTHER_NUMBERS: dict[str, dict[str, Any]] = {
    "card number then CVV": {"description": "paid with 4012 0000 9876 5439 123 thanks"},
    "card number then expiry month": {"invoice_id": "card 5499740000000057-12"},
}
# Card numbers the app still lets through into what it stores and logs (see the report).
KNOWN_LEAKS: dict[str, dict[str, Any]] = {
    "card number cut out of a longer digit run by a shortened message": {
        "amount": "x" * 20 + "4012000098765439" + "123456"
    },
}
# A parse error quotes the bad value shortened to 40 characters ('…...'); the shortening can
# cut a card number out of a longer run of digits (KNOWN_LEAKS). Property tests look past
# such excerpts; the strict xfail keeps the bug in sight.
SHORTENED_EXCERPT = re.compile(r"'[^']*\.\.\.")


def row_with(patch: dict[str, Any]) -> dict[str, Any]:
    row = copy.deepcopy(TEMPLATE_ROW)
    row["transaction_id"] = next_id()
    row.update(patch)
    return row
