"""Exports read from bytes (rows kept as JSON text, card pre-check on the bytes, the plain-row
short way) give exactly what the general reader gives for ``json.loads`` of the same bytes."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.connectors.paytrace import parse_transactions_export
from app.connectors.paytrace.json_body import RawRows, decode_body
from app.connectors.paytrace.parse_transactions import ParsedExport
from app.connectors.paytrace.redaction import json_bytes_hold_no_card, redact, redact_text
from app.domain.cycle_collector import cycle_collector_paused
from app.domain.pan import contains_card_number
from app.domain.records import Transaction
from tests.unit.test_paytrace_parse import REFERENCE_ROW
from tests.unit.test_paytrace_parse_fuzz import FIELD_PATHS, json_values, rows_strategy

CARD = "4012000098765439"
# Values at the edges of what the short way takes: range ends, falsy values, wrong types.
EDGE_VALUES = [
    None, True, False, 0, 1, -1, 12, 13, 99, 100, 999, 1000, 9999, 10000, 2**63 - 1, 2**63,
    -(2**63) + 1, -(2**63), 1.0, 0.0, 2.5, "", " ", "12", "SALE", " void ", "x", {}, [],
    {"at": "1/2/2025 9:15:00 PM"}, {"masked_number": "x"}, "13/1/2025 1:00:00 PM",
    "1/2/2025 13:00:00 PM", "2025-01-02T03:04:05", "1/2/2025",
]  # fmt: skip
EDGE_PATHS = [*FIELD_PATHS, ("email",), ("check", "masked_account_number")]


def with_value(row: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    row = json.loads(json.dumps(row))
    target = row
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[path[-1]] = value
    return row


@st.composite
def edge_rows(draw: st.DrawFn) -> dict[str, Any]:
    row = REFERENCE_ROW
    for _ in range(draw(st.integers(min_value=2, max_value=4))):
        row = with_value(row, draw(st.sampled_from(EDGE_PATHS)), draw(st.sampled_from(EDGE_VALUES)))
    return row


def both_ways(content: bytes) -> tuple[ParsedExport, ParsedExport]:
    from_bytes = parse_transactions_export(decode_body(content, "transactions"))
    general = parse_transactions_export(json.loads(content))
    return from_bytes, general


def assert_same(content: bytes) -> ParsedExport:
    from_bytes, general = both_ways(content)
    # repr, not ==: a NaN in a raw row is never equal to itself.
    assert repr(from_bytes.records) == repr(general.records)
    assert repr(from_bytes.errors) == repr(general.errors)
    return from_bytes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows_strategy)
def test_hostile_rows_read_from_bytes_equal_the_general_reader(rows: list[Any]):
    assert_same(json.dumps({"success": True, "transactions": rows}).encode())


def test_every_edge_value_in_every_field_reads_the_same_from_bytes():
    rows = [with_value(REFERENCE_ROW, path, value) for path in EDGE_PATHS for value in EDGE_VALUES]
    result = assert_same(json.dumps({"transactions": rows}).encode())
    assert len(result.records) > 300 and len(result.errors) > 100  # both ways were taken


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(edge_rows(), min_size=1, max_size=4))
def test_edge_values_together_read_the_same_from_bytes(rows: list[Any]):
    assert_same(json.dumps({"transactions": rows}).encode())


@settings(max_examples=300, deadline=None)
@given(value=json_values, digits=st.text(alphabet="0123456789 .-eE", max_size=40))
def test_bytes_said_to_hold_no_card_redact_to_themselves(value: Any, digits: str):
    for candidate in (value, digits, {digits: value}, [float(len(digits)) * 1e14, digits]):
        content = json.dumps(candidate).encode()
        if json_bytes_hold_no_card(content):
            assert redact(json.loads(content)) == json.loads(content)


@pytest.mark.parametrize(
    "text",
    [
        f'"{CARD}"',
        '"4012 0000 9876 5439"',
        '"4012-0000-9876-5439"',
        '"4012.0000.9876.5439"',
        "4012000098765439",
        "4012000098765439.0",
        "4.2e15",  # 4200000000000000 is a Luhn-valid Visa number
        "42E14",
        '"\\u0034012000098765439"',
        '"\uff14\uff10\uff11\uff12 card"',  # other scripts' digits: not proved, looked at
        '{"' + CARD + '": 1}',
    ],
)
def test_text_that_could_hold_a_card_is_not_waved_through(text: str):
    assert not json_bytes_hold_no_card(text.encode())


def test_card_numbers_grouped_by_dots_are_redacted():
    # The domain redactor accepts dots between groups; the fast pre-check missed them.
    assert redact_text("card 4012.0000.9876.5439 x") == "card 401200******5439 x"


def test_a_card_in_one_row_is_redacted_and_the_others_go_the_short_way():
    clean = dict(REFERENCE_ROW, transaction_id=1)
    leaky = dict(REFERENCE_ROW, transaction_id=2, description=f"paid with {CARD}")
    result = assert_same(json.dumps({"transactions": [clean, leaky]}).encode())
    assert result.records[0].raw == clean
    assert result.records[1].transaction.description == "paid with 401200******5439"
    assert CARD not in json.dumps(result.records[1].raw)


@pytest.mark.parametrize(
    "content",
    [
        b'{"transactions": [{"transaction_id": NaN}], "success": true}',
        b'\xef\xbb\xbf{"transactions": []}',
        b'{"transactions": [{"description": "\\ud800"}]}',
        b'{"transactions": {"not": "a list"}}',
        b'{"transactions": [1, "x", null, []], "transactions": [{"amount": 1}]}',
        b'{"transactions": [{"transaction_id": 123456789012345678901234567890}]}',
        b'[{"transaction_id": 1}]',
    ],
)
def test_json_only_the_general_decoder_reads_is_read_the_same(content: bytes):
    body = decode_body(content, "transactions")
    if isinstance(body, dict) and isinstance(body.get("transactions"), RawRows):
        body["transactions"] = [json.loads(row) for row in body["transactions"]]
    assert repr(body) == repr(json.loads(content))
    if isinstance(json.loads(content), dict):
        assert_same(content)


def test_rows_are_kept_as_their_json_text():
    body = decode_body(b'{"success": true, "transactions": [{"a": 1}, 2]}', "transactions")
    assert body["success"] is True
    assert isinstance(body["transactions"], RawRows)
    assert list(body["transactions"]) == [b'{"a": 1}', b"2"]


def test_a_transaction_from_checked_fields_needs_every_field():
    record = parse_transactions_export({"transactions": [REFERENCE_ROW]}).records[0]
    fields = dict(vars(record.transaction))
    assert Transaction.from_checked_fields(dict(fields)) == record.transaction
    del fields["batch_number"]
    with pytest.raises(TypeError):
        Transaction.from_checked_fields(fields)


def test_the_cycle_collector_is_paused_only_while_rows_are_parsed():
    rows = json.dumps({"transactions": [REFERENCE_ROW]}).encode()
    was_enabled = gc.isenabled()  # the test run may have its own setting
    try:
        gc.enable()
        with cycle_collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled()
        parse_transactions_export(decode_body(rows, "transactions"))
        assert gc.isenabled()
        gc.disable()  # someone else's choice stays as it was
        parse_transactions_export(decode_body(rows, "transactions"))
        assert not gc.isenabled()
    finally:
        (gc.enable if was_enabled else gc.disable)()


@pytest.mark.parametrize("number", [6244544980424044.0, 401200009.8765439])
def test_a_float_whose_json_text_reads_as_a_card_is_redacted(number: float):
    # Found by the fuzz test: 6244544980424044.0 is no card as a number, but its text
    # "6244544980424044.0" holds the 17 digits of one.
    result = parse_transactions_export({"transactions": [number, dict(REFERENCE_ROW, x=number)]})
    shown = json.dumps([result.errors[0].raw, result.records[0].raw])
    assert not contains_card_number(shown)
    assert_same(json.dumps({"transactions": [number, dict(REFERENCE_ROW, x=number)]}).encode())
