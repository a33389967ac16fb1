"""``post_once``: put one record into Sage Pro exactly once, whatever the network does.

The key (``PT-<id>-PAY`` …) is the record's unique reference. Each attempt looks the key
up first and posts only when it is absent (a record found in any ``PostingState`` —
Staged, Entered, Posted or none said — exists), so a write whose answer was lost (timeout,
dropped connection, unreadable body) is found by the next attempt instead of posted twice.
A 409 ``duplicate_reference`` is success when the existing record is what we meant, and an
``IntentMismatchError`` naming both when it is not. Transient failures are retried with
capped full-jitter backoff (honouring Retry-After) up to ``policy.max_attempts``; the last
one is re-raised. Permanent errors are raised at once.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, overload

from app.connectors.retry import RetryPolicy
from app.connectors.sagepro import intent, payloads, wire
from app.connectors.sagepro.errors import (
    DuplicateReferenceError,
    IntentMismatchError,
    SageProTransientError,
)
from app.connectors.sagepro.gateway import SageProGateway
from app.connectors.sagepro.key_snapshot import PaymentSnapshot
from app.domain.sagepro_records import (
    CreditMemo,
    CreditMemoDraft,
    JournalEntry,
    JournalEntryDraft,
    Payment,
    PaymentDraft,
    PaymentReversal,
    PaymentReversalDraft,
    SalesOrder,
    SalesOrderDraft,
)

log = logging.getLogger(__name__)


class PostKind(StrEnum):
    PAYMENT = "payment"
    CREDIT_MEMO = "credit_memo"
    JOURNAL_ENTRY = "journal_entry"
    SALES_ORDER = "sales_order"
    PAYMENT_REVERSAL = "payment_reversal"


@dataclasses.dataclass(frozen=True)
class _Kind:
    noun: str
    draft_type: type
    key_field: str  # the draft attribute that holds the unique key
    from_fields: Callable[[Mapping[str, Any]], intent.Draft]
    from_json: Callable[[Mapping[str, Any]], intent.Posted]
    find: Callable[[SageProGateway, str], intent.Posted | None]
    post: Callable[[SageProGateway, Any], intent.Posted]
    record_id: Callable[[Any], str]


_KINDS: dict[PostKind, _Kind] = {
    PostKind.PAYMENT: _Kind(
        "payment",
        PaymentDraft,
        "reference",
        payloads.payment_draft,
        wire.parse_payment,
        lambda g, k: g.find_payment(k),
        lambda g, d: g.post_payment(d),
        lambda r: r.payment_id,
    ),
    PostKind.CREDIT_MEMO: _Kind(
        "credit memo",
        CreditMemoDraft,
        "reference",
        payloads.credit_memo_draft,
        wire.parse_credit_memo,
        lambda g, k: g.find_credit_memo(k),
        lambda g, d: g.post_credit_memo(d),
        lambda r: r.credit_memo_id,
    ),
    PostKind.JOURNAL_ENTRY: _Kind(
        "journal entry",
        JournalEntryDraft,
        "reference",
        payloads.journal_entry_draft,
        wire.parse_journal_entry,
        lambda g, k: g.find_journal_entry(k),
        lambda g, d: g.post_journal_entry(d),
        lambda r: r.journal_id,
    ),
    PostKind.PAYMENT_REVERSAL: _Kind(
        "payment reversal",
        PaymentReversalDraft,
        "reference",
        payloads.payment_reversal_draft,
        wire.parse_payment_reversal,
        lambda g, k: g.find_payment_reversal(k),
        lambda g, d: g.post_payment_reversal(d),
        lambda r: r.reversal_id,
    ),
    PostKind.SALES_ORDER: _Kind(
        "sales order",
        SalesOrderDraft,
        "order_number",
        payloads.sales_order_draft,
        wire.parse_sales_order,
        lambda g, k: g.find_sales_order(k),
        lambda g, d: g.create_sales_order(d),
        lambda r: r.order_number,
    ),
}


@overload
def post_once(
    gateway: SageProGateway,
    kind: PostKind | str,
    key: str,
    payload: PaymentDraft,
    *,
    policy: RetryPolicy | None = None,
    snapshot: PaymentSnapshot | None = None,
) -> Payment: ...
@overload
def post_once(
    gateway: SageProGateway,
    kind: PostKind | str,
    key: str,
    payload: CreditMemoDraft,
    *,
    policy: RetryPolicy | None = None,
    snapshot: PaymentSnapshot | None = None,
) -> CreditMemo: ...
@overload
def post_once(
    gateway: SageProGateway,
    kind: PostKind | str,
    key: str,
    payload: JournalEntryDraft,
    *,
    policy: RetryPolicy | None = None,
    snapshot: PaymentSnapshot | None = None,
) -> JournalEntry: ...
@overload
def post_once(
    gateway: SageProGateway,
    kind: PostKind | str,
    key: str,
    payload: PaymentReversalDraft,
    *,
    policy: RetryPolicy | None = None,
    snapshot: PaymentSnapshot | None = None,
) -> PaymentReversal: ...
@overload
def post_once(
    gateway: SageProGateway,
    kind: PostKind | str,
    key: str,
    payload: SalesOrderDraft,
    *,
    policy: RetryPolicy | None = None,
    snapshot: PaymentSnapshot | None = None,
) -> SalesOrder: ...
@overload
def post_once(
    gateway: SageProGateway,
    kind: PostKind | str,
    key: str,
    payload: Mapping[str, Any],
    *,
    policy: RetryPolicy | None = None,
    snapshot: PaymentSnapshot | None = None,
) -> intent.Posted: ...


def post_once(
    gateway: SageProGateway,
    kind: PostKind | str,
    key: str,
    payload: intent.Draft | Mapping[str, Any],
    *,
    policy: RetryPolicy | None = None,
    snapshot: PaymentSnapshot | None = None,
) -> intent.Posted:
    """The Sage Pro record for ``key`` — found, or posted now from ``payload``.

    ``payload`` is a draft of ``kind`` or its Sage Pro fields (PascalCase, money as text);
    its reference (OrderNumber for sales orders) may be empty and is then set to ``key``.
    Raises ``IntentMismatchError`` when ``key`` already holds a different record, any
    permanent ``SageProError`` as it comes, and the last transient one once
    ``policy.max_attempts`` tries have failed. A payment dated within ``snapshot`` (a
    listing taken before this posting pass) is looked up there on the first try only.
    """
    spec = _KINDS[PostKind(kind)]
    draft = _draft(spec, key, payload)
    rules = policy or RetryPolicy()
    failures = 0
    while True:
        try:
            if failures == 0 and snapshot is not None and _in_snapshot(snapshot, draft):
                existing: intent.Posted | None = snapshot.get(key)
            else:
                existing = spec.find(gateway, key)
            if existing is None:
                try:
                    return spec.post(gateway, draft)
                except DuplicateReferenceError as duplicate:
                    existing = _existing(spec, duplicate) or spec.find(gateway, key)
                    if existing is None:
                        raise
            return _confirmed(spec, key, draft, existing)
        except SageProTransientError as error:
            failures += 1
            if failures >= rules.max_attempts:
                raise
            waited = rules.wait(failures, error.retry_after_s)
            log.info(
                "posting %s %s: %s; trying again in %.1f s", spec.noun, key, error.code, waited
            )


def _in_snapshot(snapshot: PaymentSnapshot, draft: Any) -> bool:
    return isinstance(draft, PaymentDraft) and snapshot.covers(draft.payment_date)


def _draft(spec: _Kind, key: str, payload: intent.Draft | Mapping[str, Any]) -> Any:
    if not key.strip():
        raise ValueError("an exactly-once post needs a key")
    draft: Any = payload if isinstance(payload, spec.draft_type) else None
    if draft is None:
        if not isinstance(payload, Mapping):
            raise TypeError(f"a {spec.noun} needs a {spec.draft_type.__name__} or its fields")
        draft = spec.from_fields(payload)
    current = str(getattr(draft, spec.key_field) or "").strip()
    if current and current.upper() != key.strip().upper():
        raise ValueError(f"the {spec.noun}'s reference {current!r} is not its key {key!r}")
    return dataclasses.replace(draft, **{spec.key_field: key.strip()})


def _existing(spec: _Kind, duplicate: DuplicateReferenceError) -> intent.Posted | None:
    if duplicate.existing is None:
        return None
    try:
        return spec.from_json(duplicate.existing)
    except wire.WireFormatError:
        return None  # unreadable: look it up instead


def _confirmed(spec: _Kind, key: str, draft: Any, existing: intent.Posted) -> intent.Posted:
    differs = intent.differences(draft, existing)
    if not differs:
        return existing
    raise IntentMismatchError(
        f"Sage Pro already holds {spec.noun} {key} ({spec.record_id(existing)}) for "
        f"{intent.describe(existing)}, but this posting is for {intent.describe(draft)} "
        f"(different {', '.join(differs)})",
        existing=existing,
        intended=draft,
    )


def find_posted(gateway: SageProGateway, kind: PostKind | str, key: str) -> intent.Posted | None:
    """The record Sage Pro holds under ``key`` (in any PostingState), or None."""
    return _KINDS[PostKind(kind)].find(gateway, key)
