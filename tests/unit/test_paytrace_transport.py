"""Envelope classification, backoff policy and secret-free messages (no network)."""

from __future__ import annotations

import random

import pytest
import requests

from app.connectors.paytrace import (
    KeyedCard,
    PayTraceAuthError,
    PayTraceDeclinedError,
    PayTraceNotFoundError,
    PayTraceOutcomeUnknownError,
    PayTraceRateLimitedError,
    PayTraceTransientError,
    PayTraceValidationError,
    RetryPolicy,
)
from app.connectors.paytrace.client import PayTraceClient
from app.connectors.paytrace.transport import classify, classify_envelope


def response(status: int, body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body
    r.headers.update(headers or {})
    return r


def test_declines_with_either_status():
    body = (
        b'{"success": false, "response_code": 102, "status_message": "Not approved.",'
        b' "transaction_id": 9, "approval_message": "  EXPIRED CARD"}'
    )
    for status in (200, 400):
        with pytest.raises(PayTraceDeclinedError) as info:
            classify(response(status, body))
        assert (info.value.response_code, info.value.transaction_id) == (102, 9)


def test_errors_map_to_validation_or_not_found():
    with pytest.raises(PayTraceNotFoundError):
        classify_envelope({"success": False, "response_code": 1, "errors": {"811": ["x"]}})
    with pytest.raises(PayTraceValidationError) as info:
        classify_envelope({"success": False, "errors": {"35": ["a"], "43": "b"}}, 400)
    assert info.value.codes == {35, 43} and info.value.errors["43"] == ["b"]
    # Validation errors tolerated on 200 too.
    with pytest.raises(PayTraceValidationError):
        classify(
            response(200, b'{"success": false, "response_code": 1, "errors": {"817": ["no"]}}')
        )


def test_status_and_body_problems_are_transient():
    with pytest.raises(PayTraceRateLimitedError) as limited:
        classify(response(429, b"", {"Retry-After": "7"}))
    assert limited.value.retry_after_s == 7
    with pytest.raises(PayTraceTransientError) as unavailable:
        classify(response(503, b"{}", {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    assert unavailable.value.retry_after_s is None
    for body in (b'{"success": tr', b"[1, 2]", b"\xff\xfe"):
        with pytest.raises(PayTraceTransientError):
            classify(response(200, body))


def test_invalid_grant_is_auth_error():
    with pytest.raises(PayTraceAuthError):
        classify(response(400, b'{"error": "invalid_grant", "error_description": "bad"}'))


def test_success_passes_through():
    body = classify(response(200, b'{"success": true, "response_code": 101, "transaction_id": 5}'))
    assert body["transaction_id"] == 5


def test_full_jitter_backoff_is_bounded_and_honours_retry_after():
    policy = RetryPolicy(base_delay_s=1, max_delay_s=8, rng=random.Random(1))
    waits = [policy.delay(n + 1) for n in range(10)]
    assert all(0 <= w <= min(8, 2**n) for n, w in enumerate(waits))
    assert policy.delay(1, retry_after_s=5) >= 5
    assert policy.delay(1, retry_after_s=500) <= policy.max_retry_after_s
    assert not policy.may_wait(500) and policy.may_wait(None)


def test_no_secret_in_reprs_and_messages():
    card = KeyedCard("4012000098765439", 12, 2030, "999")
    assert "4012000098765439" not in repr(card) and "999" not in repr(card)
    client = PayTraceClient("http://127.0.0.1:9", "user", "s3cret-pass", "INTEG")
    assert "s3cret" not in repr(client) and "s3cret" not in repr(client.transport)
    assert "export" in str(PayTraceOutcomeUnknownError("sale", "PayTrace did not answer in time"))


def test_unreachable_host_read_is_transient_after_bounded_retries():
    sleeps: list[float] = []
    client = PayTraceClient(
        "http://127.0.0.1:9", "u", "p", "I", retry=RetryPolicy(max_attempts=3, sleep=sleeps.append)
    )
    with pytest.raises(PayTraceTransientError) as info:
        client.export_customers()
    assert len(sleeps) == 2 and "127.0.0.1" not in str(info.value)
