"""Declines and voids in every row shape the reference leaves unverified, over real sockets.

The stand-in renders a declined row as ``DECLINED`` or as the asked-for ``SALE`` /
``AUTHORIZATION`` with decline signals, lists it in the unfiltered export or not, and renders
a voided sale as ``VOID`` or as ``SALE`` with status 109. The client must type each by
provenance: what the ``DECLINED`` and ``VOID`` filters return.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.connectors.paytrace import KeyedCard, PaymentDetails, PayTraceDeclinedError
from app.connectors.paytrace.provenance import FROM_DECLINED_EXPORT, FROM_VOID_EXPORT
from app.domain.records import TransactionType
from app.sandbox.paytrace import StandInClock, StandInSettings
from app.sandbox.paytrace.cli import add_arguments, build
from tests.support.paytrace_fixtures import paytrace_server  # noqa: F401

VISA = KeyedCard("4012000098765439", 12, 2030, "999")
NOON = datetime(2025, 3, 14, 12, 0).timestamp()
TODAY = date(2025, 3, 14)
DECLINE_SHAPES = [
    pytest.param("DECLINED", False, id="DECLINED-filtered-only"),
    pytest.param("DECLINED", True, id="DECLINED-also-unfiltered"),
    pytest.param("SALE", False, id="SALE-filtered-only"),
    pytest.param("SALE", True, id="SALE-also-unfiltered"),
]


def _start(paytrace_server, **switches):  # noqa: F811
    return paytrace_server(settings=StandInSettings(**switches), clock=StandInClock(NOON))


def _by_id(export):  # type: ignore[no-untyped-def]
    return {r.transaction.transaction_id: r for r in export.records}


@pytest.mark.parametrize(("shape", "unfiltered"), DECLINE_SHAPES)
def test_a_decline_is_declined_in_every_shape(paytrace_server, shape, unfiltered):  # noqa: F811
    pt = _start(paytrace_server, declined_row_type=shape, declined_in_unfiltered=unfiltered)
    with pt.client() as client:
        approved = client.sale_keyed(VISA, Decimal("125.50"), PaymentDetails(invoice_id="104512"))
        with pytest.raises(PayTraceDeclinedError) as declined_sale:
            client.sale_keyed(VISA, Decimal("1.12"), PaymentDetails(invoice_id="104512"))
        with pytest.raises(PayTraceDeclinedError) as declined_auth:
            client.authorize_keyed(VISA, Decimal("0.29"), PaymentDetails(invoice_id="104513"))
        sale_id = int(declined_sale.value.transaction_id or 0)
        auth_id = int(declined_auth.value.transaction_id or 0)

        # The stand-in really renders the shape asked for …
        plain = _by_id(client.export_transactions_by_type(TODAY, TODAY))
        assert (sale_id in plain) is unfiltered and (auth_id in plain) is unfiltered
        filtered = _by_id(client.export_transactions_by_type(TODAY, TODAY, "DECLINED"))
        assert set(filtered) == {sale_id, auth_id}  # the filter always returns the ids
        raw_types = {
            filtered[sale_id].raw["transaction_type"],
            filtered[auth_id].raw["transaction_type"],
        }
        assert raw_types == ({"DECLINED"} if shape == "DECLINED" else {"SALE", "AUTHORIZATION"})
        if shape == "SALE":
            row = filtered[sale_id].raw
            assert row["approval_code"] == "" and row["status_code"] == "102"
            assert "DECLINED" in row["approval_message"]

        # … and the client decides by provenance, whichever export showed the row first.
        exported = _by_id(client.export_transactions(TODAY, TODAY))
    assert set(exported) == {approved.transaction_id, sale_id, auth_id}
    assert exported[approved.transaction_id].transaction.transaction_type is TransactionType.SALE
    for declined in (sale_id, auth_id):
        record = exported[declined]
        assert record.transaction.transaction_type is TransactionType.DECLINED
        assert record.provenance == ("" if shape == "DECLINED" else FROM_DECLINED_EXPORT)


@pytest.mark.parametrize("shape", ["VOID", "SALE"])
def test_a_void_is_voided_in_either_shape(paytrace_server, shape):  # noqa: F811
    pt = _start(paytrace_server, voided_row_type=shape)
    with pt.client() as client:
        kept = client.sale_keyed(VISA, Decimal("40.00"), PaymentDetails(invoice_id="104600"))
        voided = client.sale_keyed(VISA, Decimal("60.00"), PaymentDetails(invoice_id="104601"))
        client.void(voided.transaction_id)

        plain = _by_id(client.export_transactions_by_type(TODAY, TODAY))
        assert plain[voided.transaction_id].raw["transaction_type"] == shape
        if shape == "SALE":
            assert plain[voided.transaction_id].raw["status_code"] == "109"
        filtered = client.export_transactions_by_type(TODAY, TODAY, "VOID")
        assert set(_by_id(filtered)) == {voided.transaction_id}

        exported = _by_id(client.export_transactions(TODAY, TODAY))
        (by_id,) = client.export_transaction_decided(voided.transaction_id).records
        (kept_by_id,) = client.export_transaction_decided(kept.transaction_id).records
    assert exported[kept.transaction_id].transaction.transaction_type is TransactionType.SALE
    record = exported[voided.transaction_id]
    assert record.transaction.transaction_type is TransactionType.VOID
    assert record.provenance == ("" if shape == "VOID" else FROM_VOID_EXPORT)
    assert by_id.transaction.transaction_type is TransactionType.VOID
    assert kept_by_id.transaction.transaction_type is TransactionType.SALE


def test_an_unfiltered_row_with_every_decline_signal_is_declined(paytrace_server):  # noqa: F811
    """Even without the filter's answer; the filter's answer is kept as the better reason,
    and a decided type is part of what a stored version is compared by."""
    pt = _start(paytrace_server, declined_row_type="SALE", declined_in_unfiltered=True)
    with pt.client() as client:
        with pytest.raises(PayTraceDeclinedError):
            client.sale_keyed(VISA, Decimal("1.12"), PaymentDetails(invoice_id="104512"))
        (alone,) = client.export_transactions(TODAY, TODAY, include_declined=False).records
        (decided,) = client.export_transactions(TODAY, TODAY).records
    assert alone.raw == decided.raw
    # Every decline signal is on the row, so even without the filter it reads declined.
    assert alone.transaction.transaction_type is TransactionType.DECLINED
    assert decided.provenance == FROM_DECLINED_EXPORT != alone.provenance
    assert decided.hashed_content() != alone.hashed_content() != alone.raw


def test_the_cli_switches_reach_the_stand_in():
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        ["--declined-rows", "SALE", "--declines-in-unfiltered", "--voided-rows", "SALE"]
    )
    settings = build(args).settings
    assert (settings.declined_row_type, settings.declined_in_unfiltered) == ("SALE", True)
    assert settings.voided_row_type == "SALE"
    assert build(parser.parse_args([])).settings.declined_row_type == "DECLINED"
    with pytest.raises(SystemExit):
        parser.parse_args(["--declined-rows", "APPROVED"])
