"""Error answers and transport failures become the right typed errors, in plain words."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from app.connectors.sagepro import errors
from app.connectors.sagepro.responses import (
    error_from_response,
    retry_after_seconds,
    transport_error,
)


def body(code: str, **extra) -> bytes:
    return json.dumps({"error": {"code": code, "message": f"{code} happened"} | extra}).encode()


@pytest.mark.parametrize(
    "status,code,cls,transient",
    [
        (401, "unauthorized", errors.UnauthorizedError, False),
        (404, "not_found", errors.NotFoundError, False),
        (409, "duplicate_reference", errors.DuplicateReferenceError, False),
        (422, "validation_failed", errors.ValidationFailedError, False),
        (422, "card_data_refused", errors.CardDataRefusedError, False),
        (422, "period_closed", errors.PeriodClosedError, False),
        (422, "invoice_not_open", errors.InvoiceNotOpenError, False),
        (422, "overpayment", errors.OverpaymentError, False),
        (429, "rate_limited", errors.RateLimitedError, True),
        (500, "internal", errors.ServerInternalError, True),
        (503, "unavailable", errors.UnavailableError, True),
    ],
)
def test_every_contract_code_maps_to_its_error(status, code, cls, transient):
    error = error_from_response(status, body(code), {}, "posting payment PT-1-PAY")
    assert type(error) is cls and error.transient is transient
    assert error.code == code and error.status == status
    assert "PT-1-PAY" in str(error) and f"{code} happened" in str(error)


def test_fields_existing_and_retry_after_are_carried():
    dup = error_from_response(
        409,
        body(
            "duplicate_reference",
            fields={"PaymentReference": "already exists"},
            existing={"PaymentID": "PAY1"},
        ),
        {},
        "posting payment X",
    )
    assert isinstance(dup, errors.DuplicateReferenceError)
    assert dup.existing == {"PaymentID": "PAY1"} and dup.fields == {
        "PaymentReference": "already exists"
    }
    limited = error_from_response(429, body("rate_limited"), {"Retry-After": "7"}, "listing")
    assert limited.retry_after_s == 7.0


def test_unreadable_bodies_fall_back_to_the_status():
    assert type(error_from_response(503, b"<html>", {}, "x")) is errors.UnavailableError
    assert type(error_from_response(502, b"", {}, "x")) is errors.ServerInternalError
    assert type(error_from_response(409, b"{trunc", {}, "x")) is errors.DuplicateReferenceError
    odd = error_from_response(418, b"", {}, "x")
    assert type(odd) is errors.UnexpectedResponseError and not odd.transient


def test_card_numbers_in_server_messages_are_masked():
    raw = body(
        "validation_failed", message="bad 4012000098765439", fields={"Memo": "4012000098765439"}
    )
    error = error_from_response(422, raw, {}, "posting payment X")
    assert "4012000098765439" not in str(error) and "401200******5439" in str(error)


def test_retry_after_forms():
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("2.5") == 2.5
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after_seconds(later) <= 30


def test_transport_failures():
    refused = requests.ConnectionError(
        MaxRetryError(None, "/", NewConnectionError(None, "refused"))
    )
    assert type(transport_error(refused, "listing", write=False)) is errors.UnreachableError
    assert (
        type(transport_error(requests.ConnectTimeout(), "x", write=True)) is errors.UnreachableError
    )
    timeout = transport_error(requests.ReadTimeout(), "posting payment X", write=True)
    assert type(timeout) is errors.OutcomeUnknownError and timeout.code == "timeout"
    assert "may or may not" in str(timeout)
    dropped = transport_error(requests.ConnectionError("reset"), "x", write=False)
    assert type(dropped) is errors.OutcomeUnknownError and dropped.transient
