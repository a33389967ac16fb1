"""Reading endpoints: transaction exports, batches, vault profiles, approved recurrences."""

from __future__ import annotations

from typing import Any

from app.sandbox.http_base import SandboxResponse
from app.sandbox.paytrace import codes, envelopes, validate
from app.sandbox.paytrace.codes import RuleError
from app.sandbox.paytrace.rows import batch_object, customer_object, export_row
from app.sandbox.paytrace.settings import StandInSettings
from app.sandbox.paytrace.store import PayTraceStore


def _rows(txns: Any, body: dict[str, Any], settings: StandInSettings) -> list[Any]:
    include_bin = body.get("include_bin") in (True, "true", "True", 1, "1")
    return [
        export_row(t, include_bin=include_bin, username=settings.username, settings=settings)
        for t in txns
    ]


def _date_range(body: dict[str, Any]) -> tuple[Any, Any]:
    start = validate.request_date(body.get("start_date"), "start date")
    end = validate.request_date(body.get("end_date"), "end date")
    if end < start:
        raise RuleError(codes.INVALID_DATE_OR_FILTER, "The end date is before the start date.")
    return start, end


def by_date_range(
    store: PayTraceStore, body: dict[str, Any], settings: StandInSettings
) -> SandboxResponse:
    start, end = _date_range(body)
    txns = store.export(
        start,
        end,
        transaction_type=validate.text(body, "transaction_type").strip().upper(),
        customer_id=validate.text(body, "customer_id"),
        including_text=validate.text(body, "including_text"),
        declined_in_unfiltered=settings.declined_in_unfiltered,
    )
    return envelopes.ok(
        codes.ERRORS, codes.SUCCESS_MESSAGE, transactions=_rows(txns, body, settings)
    )


def by_id(store: PayTraceStore, body: dict[str, Any], settings: StandInSettings) -> SandboxResponse:
    txn = store.get(validate.transaction_id(body.get("transaction_id")))
    return envelopes.ok(
        codes.ERRORS, codes.SUCCESS_MESSAGE, transactions=_rows([txn], body, settings)
    )


def batches(store: PayTraceStore, body: dict[str, Any]) -> SandboxResponse:
    start, end = _date_range(body)
    found = [
        batch_object(b.number, b.settled, (store.transactions[i] for i in b.transaction_ids))
        for b in sorted(store.batches.values(), key=lambda b: b.number)
        if start <= b.settled.date() <= end
    ]
    return envelopes.ok(codes.ERRORS, codes.SUCCESS_MESSAGE, batches=found)


def batch_one(store: PayTraceStore, body: dict[str, Any]) -> SandboxResponse:
    if body.get("batch_number") in (None, ""):
        pending = [t for t in store.transactions.values() if t.pending_settlement]
        batch = batch_object(store.next_batch_number, None, pending)
    else:
        found = store.batch(validate.positive_int(body.get("batch_number"), codes.ID_NOT_FOUND))
        members = (store.transactions[i] for i in found.transaction_ids)
        batch = batch_object(found.number, found.settled, members)
    return envelopes.ok(codes.ERRORS, codes.SUCCESS_MESSAGE, batch=batch)


def batch_transactions(
    store: PayTraceStore, body: dict[str, Any], settings: StandInSettings
) -> SandboxResponse:
    found = store.batch(validate.positive_int(body.get("batch_number"), codes.ID_NOT_FOUND))
    txns = [store.transactions[i] for i in found.transaction_ids]
    return envelopes.ok(
        codes.ERRORS, codes.SUCCESS_MESSAGE, transactions=_rows(txns, body, settings)
    )


def customers(store: PayTraceStore, body: dict[str, Any]) -> SandboxResponse:
    customer_id = validate.text(body, "customer_id")
    if customer_id:
        profiles = [store.profile(customer_id)]
    else:
        profiles = sorted(store.profiles.values(), key=lambda p: p.customer_id)
    return envelopes.ok(
        codes.ERRORS, codes.SUCCESS_MESSAGE, customers=[customer_object(p) for p in profiles]
    )


def approved_recurrences(
    store: PayTraceStore, body: dict[str, Any], settings: StandInSettings
) -> SandboxResponse:
    customer_id = validate.text(body, "customer_id")
    wanted = body.get("recurrence_id")
    recurrence_id = (
        None if wanted in (None, "") else validate.positive_int(wanted, codes.ID_NOT_FOUND)
    )
    txns = [
        t
        for t in sorted(store.transactions.values(), key=lambda t: t.transaction_id)
        if t.recurrence_id is not None
        and t.export_type != "DECLINED"
        and (not customer_id or t.customer_id == customer_id)
        and (recurrence_id is None or t.recurrence_id == recurrence_id)
    ]
    return envelopes.ok(
        codes.ERRORS, codes.SUCCESS_MESSAGE, transactions=_rows(txns, body, settings)
    )
