"""Fuzzing Sage Pro's answers (Hypothesis): garbled records and list pages go to the wire
parsers, garbled bytes go over a real socket to the client. The outcome is a typed record
or a typed error — ``WireFormatError`` from the parsers, a ``SageProError`` from the client
(for writes: "may or may not have been made", so the poster looks the key up again) —
never a KeyError, TypeError or OverflowError out of the connector.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.connectors.sagepro import SageProClient, wire
from app.connectors.sagepro.errors import SageProError
from app.domain.sagepro_records import PaymentDraft
from app.sandbox.faults import FaultKind
from app.sandbox.http_base import SandboxRequest, SandboxResponse, SandboxServer

SAMPLES: dict[str, tuple[Callable[[Any], Any], dict[str, Any]]] = {
    "customer": (wire.parse_customer, {
        "CustomerID": "C0001", "Name": "Harbor Lane Bakery", "Email": "a@b.example",
        "Phone": "509-555-0100", "Status": "Active", "CreditHold": False, "Balance": "120.00",
        "PayTraceCustomerID": "HLB-1", "CardLast4": "5439", "CardExpiry": "12/27"}),
    "invoice": (wire.parse_invoice, {
        "InvoiceID": "104001", "CustomerID": "C0001", "OrderNumber": "SO-1", "PONumber": "",
        "InvoiceDate": "2025-03-01", "DueDate": "2025-03-31", "Amount": "120.00",
        "AmountPaid": "0.00", "Balance": "120.00", "Status": "Open", "PaymentStatus": "Unpaid",
        "Currency": "USD"}),
    "payment": (wire.parse_payment, {
        "PaymentID": "P1", "PaymentReference": "PT-1-PAY", "PaymentDate": "2025-03-02",
        "Amount": "120.00", "CustomerID": "C0001", "GLAccountID": "1050",
        "PaymentMethodCode": "CC", "InvoiceID": "104001",
        "Applications": [{"InvoiceID": "104001", "Amount": "120.00"}],
        "PaymentStatus": "Paid", "Memo": ""}),
    "credit_memo": (wire.parse_credit_memo, {
        "CreditMemoID": "CM1", "Reference": "PT-2-REFUND", "CustomerID": "C0001",
        "InvoiceID": "104001", "MemoDate": "2025-03-03", "Amount": "20.00",
        "GLAccountID": "4900", "Reason": "Refund"}),
    "journal_entry": (wire.parse_journal_entry, {
        "JournalID": "J1", "Reference": "PT-BATCH-1001-JE", "EntryDate": "2025-03-03",
        "Lines": [{"GLAccountID": "1010", "Debit": "97.00", "Credit": "0.00", "Memo": ""},
                  {"GLAccountID": "6150", "Debit": "3.00", "Credit": "0.00", "Memo": ""},
                  {"GLAccountID": "1050", "Debit": "0.00", "Credit": "100.00", "Memo": ""}],
        "Description": "Deposit", "Status": "Posted"}),
    "sales_order": (wire.parse_sales_order, {
        "OrderNumber": "SO-9", "CustomerID": "C0001", "OrderDate": "2025-03-01",
        "Lines": [{"ItemID": "SVC", "Quantity": "1", "UnitPrice": "50.00", "Description": ""}],
        "Total": "50.00", "Status": "Open", "PaymentStatus": "Unpaid", "PaymentReference": ""}),
    "gl_account": (wire.parse_gl_account, {
        "GLAccountID": "1050", "Description": "Card clearing", "Type": "Asset",
        "Active": True}),
    "period": (wire.parse_period, {
        "Year": 2025, "Period": 3, "Start": "2025-03-01", "End": "2025-03-31",
        "Locked": False}),
    "health": (wire.parse_health, {"status": "ok", "company": "01"}),
}  # fmt: skip

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    # Infinities are left to the strict xfail below (a known OverflowError).
    st.floats(allow_infinity=False),
    st.decimals(allow_nan=True, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["", "2025-02-30", "12.345", "NaN", "1e999999", "-0", "Infinity", "∞"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=10,
)
QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LONG = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def garbled(draw: st.DrawFn, sample: dict[str, Any]) -> dict[str, Any]:
    record = copy.deepcopy(sample)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        keys = sorted(record) or ["x"]
        key = draw(st.one_of(st.sampled_from(keys), st.text(max_size=8)))
        if draw(st.booleans()) and key in record:
            del record[key]
        else:
            record[key] = draw(json_values)
    for nested in ("Lines", "Applications"):
        if isinstance(record.get(nested), list) and record[nested] and draw(st.booleans()):
            line = record[nested][0]
            if isinstance(line, dict) and line:
                line[draw(st.sampled_from(sorted(line)))] = draw(json_values)
    return record


def parse_or_refuse(parse: Callable[[Any], Any], data: Any) -> None:
    try:
        parse(data)
    except wire.WireFormatError as problem:
        assert str(problem), "a wire error says what is wrong"


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_samples_parse(kind: str):
    parse, sample = SAMPLES[kind]
    assert parse(sample) is not None


records = st.sampled_from(list(SAMPLES)).flatmap(
    lambda kind: st.tuples(st.just(kind), garbled(SAMPLES[kind][1]))
)


def check_record(kind_and_record: tuple[str, dict[str, Any]]) -> None:
    kind, record = kind_and_record
    parse_or_refuse(SAMPLES[kind][0], record)


@QUICK
@given(records)
def test_garbled_records_are_parsed_or_refused_with_a_wire_error(kind_and_record):
    check_record(kind_and_record)


@pytest.mark.reliability
@LONG
@given(records)
def test_garbled_records_are_parsed_or_refused_with_a_wire_error_long(kind_and_record):
    check_record(kind_and_record)


finite = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=8),
    st.floats(allow_infinity=False), st.decimals(allow_infinity=False),
)  # fmt: skip
pages = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"items": st.one_of(json_values, st.lists(garbled(SAMPLES["customer"][1]), max_size=2)),
         "page": finite, "page_size": finite, "total": finite}
    ),
)  # fmt: skip


def check_page(body: Any) -> None:
    parse_or_refuse(lambda d: wire.parse_page(d, wire.parse_customer), body)


@QUICK
@given(pages)
def test_garbled_list_pages_are_parsed_or_refused_with_a_wire_error(body: Any):
    check_page(body)


@pytest.mark.reliability
@LONG
@given(pages)
def test_garbled_list_pages_are_parsed_or_refused_with_a_wire_error_long(body: Any):
    check_page(body)


@pytest.mark.parametrize(
    "parse, body",
    [
        (lambda d: wire.parse_page(d, wire.parse_customer),
         {"items": [], "page": float("inf"), "page_size": 1, "total": 1}),
        (wire.parse_period, {**SAMPLES["period"][1], "Year": Decimal("Infinity")}),
    ],
    ids=["page Infinity", "period Year Infinity"],
)  # fmt: skip
def test_infinite_page_numbers_are_refused_with_a_wire_error(parse, body):
    parse_or_refuse(parse, body)


# -- over a socket, through the client ----------------------------------------------------


class GarbledSagePro:
    """A Sage Pro that answers every request with whatever the test hands it."""

    def __init__(self) -> None:
        self.status = 200
        self.body: bytes = b"{}"

    def is_write(self, request: SandboxRequest) -> bool:
        return request.method != "GET"

    def fault_response(self, kind: FaultKind, retry_after_s: int) -> SandboxResponse:
        return SandboxResponse(500, {"error": {"code": "internal", "message": "fault"}})

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(self.status, self.body, {"Content-Type": "application/json"})


@pytest.fixture(scope="module")
def garbled_server() -> Iterator[tuple[GarbledSagePro, SageProClient]]:
    app = GarbledSagePro()
    with SandboxServer(app) as server:
        client = SageProClient(server.url, "fuzz-key", connect_timeout_s=2, read_timeout_s=5)
        yield app, client
        client.close()


def _bytes(value: Any) -> bytes:
    return json.dumps(value, default=str).encode("utf-8")


DRAFT = PaymentDraft("PT-1-PAY", date(2025, 3, 2), Decimal("120.00"), "C0001", "1050",
                     invoice_id="104001")  # fmt: skip
CALLS: dict[str, Callable[[SageProClient], Any]] = {
    "list customers": lambda c: c.list_customers(),
    "list invoices": lambda c: c.list_invoices(),
    "get invoice": lambda c: c.get_invoice("104001"),
    "find payment": lambda c: c.find_payment("PT-1-PAY"),
    "post payment": lambda c: c.post_payment(DRAFT),
    "find journal entry": lambda c: c.find_journal_entry("PT-BATCH-1-JE"),
}
answers = st.one_of(
    json_values.map(_bytes),
    st.binary(max_size=64),
    st.sampled_from([b"", b"{", b'{"items": [', b"null", b"\xff\xfe{}", b'{"items": {}}']),
)  # fmt: skip


def check_answer(garbled_server: Any, status: int, data: Any) -> None:
    app, client = garbled_server
    call = data.draw(st.sampled_from(list(CALLS)))
    kind = data.draw(st.sampled_from(list(SAMPLES)))
    body = data.draw(
        st.one_of(
            answers,
            garbled(SAMPLES[kind][1]).map(_bytes),
            garbled(SAMPLES[kind][1]).map(
                lambda r: _bytes({"items": [r], "page": 1, "page_size": 100, "total": 1})
            ),
        )
    )
    app.status, app.body = status, body
    try:
        CALLS[call](client)
    except SageProError as error:
        assert str(error), "a Sage Pro error says what happened"


statuses = st.sampled_from([200, 200, 200, 201, 400, 404, 409, 422, 500, 503])
_socket = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


@settings(max_examples=60, **_socket)  # type: ignore[arg-type]
@given(status=statuses, data=st.data())
def test_garbled_answers_over_a_socket_become_typed_errors(garbled_server, status, data):
    check_answer(garbled_server, status, data)


@pytest.mark.reliability
@settings(max_examples=1500, **_socket)  # type: ignore[arg-type]
@given(status=statuses, data=st.data())
def test_garbled_answers_over_a_socket_become_typed_errors_long(garbled_server, status, data):
    check_answer(garbled_server, status, data)
