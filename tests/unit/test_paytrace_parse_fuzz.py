"""Hypothesis: random and mutated export payloads never crash the parser and never lose a
record — every row comes back as a typed record or a typed per-record error."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.connectors.paytrace import parse_transaction_rows, parse_transactions_export
from app.connectors.paytrace.parse_transactions import ParsedRecord
from app.domain.pan import contains_card_number
from app.domain.records import ParseError, Transaction
from tests.unit.test_paytrace_parse import REFERENCE_ROW

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "4012000098765439", "1/2/2025 9:15:00 PM", "12.5", "1e9999", "-3"]),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
FIELD_PATHS = [
    ("transaction_id",), ("amount",), ("transaction_type",), ("created",), ("created", "at"),
    ("settled",), ("tax_amount",), ("credit_card",), ("credit_card", "masked_number"),
    ("credit_card", "expiration_month"), ("credit_card", "expiration_year"), ("check",),
    ("billing_address",), ("billing_address", "name"), ("invoice_id",), ("description",),
    ("discretionary_data",), ("batch_number",), ("receipt_emailed_to",), ("customer_id",),
]  # fmt: skip


@st.composite
def mutated_rows(draw: st.DrawFn) -> Any:
    row: Any = copy.deepcopy(REFERENCE_ROW)
    row["transaction_id"] = draw(st.integers(min_value=1, max_value=10**9))
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        path = draw(st.sampled_from(FIELD_PATHS))
        target = row
        for key in path[:-1]:
            if not isinstance(target.get(key), dict):
                target[key] = {}
            target = target[key]
        if draw(st.booleans()):
            target.pop(path[-1], None)
        else:
            target[path[-1]] = draw(json_values)
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        row[draw(st.text(max_size=6))] = draw(json_values)
    return row


rows_strategy = st.lists(st.one_of(mutated_rows(), json_values), max_size=8)


def check_accounting(rows: list[Any]) -> None:
    result = parse_transaction_rows(rows)
    assert len(result.records) + len(result.errors) == len(rows)
    for record in result.records:
        assert isinstance(record, ParsedRecord)
        assert isinstance(record.transaction, Transaction)
        assert not contains_card_number(json.dumps(record.raw, default=str))
        txn = record.transaction
        for text in (txn.description, txn.invoice_id, txn.billing_name, txn.customer_id):
            assert not contains_card_number(text)
    for error in result.errors:
        assert isinstance(error, ParseError)
        assert error.field
        assert not contains_card_number(json.dumps(error.raw, default=str))
        assert not contains_card_number(error.message)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_strategy)
def test_every_row_is_a_record_or_an_error(rows):
    check_accounting(rows)


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_any_json_as_the_whole_export_never_crashes(body):
    if isinstance(body, dict):
        result = parse_transactions_export(body)
        rows = body.get("transactions")
        expected = len(rows) if isinstance(rows, list) else (0 if rows is None else 1)
        assert len(result) == expected
    else:
        parse_transaction_rows(body)


@settings(max_examples=100, deadline=None)
@given(st.lists(mutated_rows(), min_size=1, max_size=5))
def test_survives_a_json_round_trip(rows):
    check_accounting(json.loads(json.dumps(rows, default=str)))


card_texts = st.sampled_from(
    ["4012000098765439", "4012 0000 9876 5439", "x5499-7400-0000-0057y", "371449635392376"]
)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.one_of(
            st.none(),
            st.text(max_size=20),
            st.integers(min_value=0),
            card_texts,
            st.just(4012000098765439),
        ),
        lambda c: st.one_of(
            st.lists(c, max_size=3), st.dictionaries(st.one_of(st.text(max_size=5), card_texts), c)
        ),
        max_leaves=8,
    )
)
def test_fast_row_redaction_equals_the_domain_redactor(value):
    from app.connectors.paytrace.redaction import redact
    from app.domain.pan import redact_value

    assert redact(value) == redact_value(value)


@given(st.sampled_from([4012000098765439, -4012000098765439, 4012000098765439.0, -5.5e15]))
def test_numbers_spelling_card_numbers_are_masked(number):
    from app.connectors.paytrace.redaction import redact

    assert not contains_card_number(json.dumps(redact({"n": number})))
