"""The client under the stand-in's injected faults: reads retry with backoff and honour
Retry-After; money-moving calls are never retried blindly; tokens expire and renew."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.connectors.paytrace import (
    KeyedCard,
    PaymentDetails,
    PayTraceOutcomeUnknownError,
    PayTraceRateLimitedError,
    PayTraceTransientError,
    Timeouts,
)
from app.sandbox.paytrace import StandInClock
from tests.support.paytrace_fixtures import paytrace_server  # noqa: F401

TODAY = date(2025, 3, 14)
VISA = KeyedCard("4012000098765439", 12, 2030)
EXPORT = "/v1/transactions/export/by_id"


@pytest.fixture
def pt(paytrace_server):  # noqa: F811
    return paytrace_server(clock=StandInClock(datetime(2025, 3, 14, 12, 0).timestamp()))


@pytest.fixture
def sale_id(pt):
    with pt.client() as c:
        return c.sale_keyed(VISA, Decimal("10.00"), PaymentDetails(invoice_id="F1")).transaction_id


@pytest.mark.parametrize("kind", ["500", "503", "reset", "malformed"])
def test_reads_retry_transient_faults(pt, sale_id, kind):
    pt.server.faults.script(kind, 2, path_contains=EXPORT)
    with pt.client() as c:
        (row,) = c.export_transaction(sale_id).records
    assert row.transaction.transaction_id == sale_id
    assert len(pt.sleeps) == 2
    # 500/503/reset are answered before the app sees the request; malformed after it.
    assert pt.app.request_counts[EXPORT] == (3 if kind == "malformed" else 1)


def test_retry_after_is_honoured_and_attempts_bounded(pt, sale_id):
    pt.server.faults.settings.retry_after_s = 3
    pt.server.faults.script("429", 10, path_contains=EXPORT)
    with pt.client(attempts=3) as c, pytest.raises(PayTraceRateLimitedError) as info:
        c.export_transaction(sale_id)
    assert info.value.retry_after_s == 3
    assert len(pt.sleeps) == 2 and all(wait >= 3 for wait in pt.sleeps)


def test_hung_read_times_out_then_retries(pt, sale_id):
    pt.server.faults.settings.hang_s = 2
    pt.server.faults.script("hang", 1, path_contains=EXPORT)
    with pt.client(timeouts=Timeouts(connect_s=1, read_s=0.3, money_read_s=0.3)) as c:
        assert c.export_transaction(sale_id).records
    assert len(pt.sleeps) == 1


@pytest.mark.parametrize("kind", ["apply_then_drop", "malformed", "500", "reset", "hang"])
def test_money_moving_is_never_retried_blindly(pt, kind):
    pt.server.faults.settings.hang_s = 2
    pt.server.faults.script(kind, 1, path_contains="sale/keyed")
    timeouts = Timeouts(connect_s=1, read_s=0.3, money_read_s=0.3)
    with pt.client(timeouts=timeouts) as c:
        c.authenticate()
        with pytest.raises(PayTraceOutcomeUnknownError) as info:
            c.sale_keyed(VISA, Decimal("33.00"), PaymentDetails(invoice_id="INV-9"))
    assert pt.sleeps == []
    assert pt.app.request_counts["/v1/transactions/sale/keyed"] == (
        1 if kind in ("apply_then_drop", "malformed") else 0
    )
    applied = pt.app.sales_for_invoice("INV-9")["sales"]
    assert applied == (1 if kind in ("apply_then_drop", "malformed") else 0)
    assert "4012000098765439" not in str(info.value)
    assert "export" in str(info.value)


def test_rate_limited_money_call_is_not_sent_again(pt):
    pt.server.faults.script("429", 1, path_contains="sale/keyed")
    with pt.client() as c, pytest.raises(PayTraceRateLimitedError):
        c.sale_keyed(VISA, Decimal("12.00"), PaymentDetails(invoice_id="RL"))
    assert pt.app.sales_for_invoice("RL")["sales"] == 0 and pt.sleeps == []


def test_connection_refused_on_money_call_is_transient_not_unknown(pt):
    with pt.client() as c:
        c.authenticate()
        pt.server.stop()
        c.transport.session.close()  # drop the kept-alive connection: the next one is refused
        with pytest.raises(PayTraceTransientError) as info:
            c.void(1)
    assert not isinstance(info.value, PayTraceOutcomeUnknownError)


def test_token_expiry_after_7200s_reauthenticates_once(pt, sale_id):
    with pt.client(clock=lambda: 0.0) as c:  # the client's own clock never says "expired"
        c.export_transaction(sale_id)
        issued = pt.app.tokens.issued
        pt.app.advance_clock(7199)
        c.export_transaction(sale_id)
        assert pt.app.tokens.issued == issued
        pt.admin("clock", {"advance_s": 2})
        c.export_transaction(sale_id)  # 401 invalid_token -> new token -> repeated
        assert pt.app.tokens.issued == issued + 1


def test_client_renews_token_before_its_own_expiry(pt, sale_id):
    now = [0.0]
    with pt.client(clock=lambda: now[0]) as c:
        c.export_transaction(sale_id)
        now[0] = 7200 - 30  # inside the safety margin
        c.export_transaction(sale_id)
    assert pt.app.tokens.issued == 3  # the sale's client, plus two here


def test_expired_token_fault_on_read_and_write(pt, sale_id):
    with pt.client() as c:
        c.authenticate()
        pt.server.faults.script("expired_token", 1)
        assert c.export_transaction(sale_id).records
        pt.server.faults.script("expired_token", 1)
        # A 401 proves nothing was processed, so the call goes through after re-auth, once.
        c.sale_keyed(VISA, Decimal("2.00"), PaymentDetails(invoice_id="TOK"))
    assert pt.app.sales_for_invoice("TOK")["sales"] == 1


def test_latency_fault_is_survived(pt, sale_id):
    pt.server.faults.settings.fault_latency_s = 0.05
    pt.server.faults.script("latency", 1)
    with pt.client() as c:
        assert c.export_transaction(sale_id).records
