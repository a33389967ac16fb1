"""Sage Pro fields the mapping may never change, each with the reason shown in the editor.

These carry what makes a posting correct whatever the mapping says: the deterministic key
that makes it happen exactly once, the amount of money, the customer whose invoice it
settles and the invoices it is applied to. Paysage fills them itself when it posts; the
editor shows them with a lock and the reason as a tooltip, validation refuses a version
that maps them differently from the shipped template, and the pipeline never takes their
value from the mapping.
"""

from __future__ import annotations

from functools import cache

from app.mapping.document import FieldMapping, MappingDocument
from app.mapping.template import load_default_template

_KEY = (
    "The exactly-once key: Paysage looks it up in Sage Pro before every post and retry, so "
    "changing it could post the same money twice."
)
_AMOUNT = "The amount is the money PayTrace moved; the mapping cannot change it."
_CUSTOMER = (
    "The customer of the invoice being paid or credited, as the matcher and your approval "
    "chose it; Sage Pro refuses an invoice of another customer."
)
_APPLIED = "The invoices the money is applied to come from the approved match, not the mapping."
_REVERSED = "Names the posted payment being taken back, by its own exactly-once key."

LOCKED_TARGETS: dict[str, str] = {
    "Payment.PaymentReference": _KEY,
    "Payment.Amount": _AMOUNT,
    "Payment.CustomerID": _CUSTOMER,
    "Payment.InvoiceID": _APPLIED,
    "Payment.Applications": _APPLIED,
    "CreditMemo.Reference": _KEY,
    "CreditMemo.Amount": _AMOUNT,
    "CreditMemo.CustomerID": _CUSTOMER,
    "CreditMemo.InvoiceID": _APPLIED,
    "PaymentReversal.Reference": _KEY,
    "PaymentReversal.PaymentReference": _REVERSED,
    "JournalEntry.Reference": _KEY,
    "JournalEntry.Lines": "Debits and credits are the amounts of the event; they must balance.",
    "SettlementEntry.Reference": _KEY,
    "SettlementEntry.Lines": "Debits and credits are the batch's money; they must balance.",
    "ChargebackEntry.Reference": _KEY,
    "ChargebackEntry.Lines": "Debits and credits are the disputed money; they must balance.",
    "SalesOrder.OrderNumber": "The order number is the order's key in Sage Pro.",
    "SalesOrder.CustomerID": _CUSTOMER,
    "SalesOrder.PaymentReference": _REVERSED.replace("being taken back", "that paid the order"),
    "Customer.CustomerID": "The customer number is the customer's key in Sage Pro.",
}


def locked_targets() -> dict[str, str]:
    """``Record.Field`` → why the mapping cannot change it (a copy; safe to keep)."""
    return dict(LOCKED_TARGETS)


def is_locked(target: str) -> bool:
    return target in LOCKED_TARGETS


@cache
def _shipped() -> MappingDocument:
    return load_default_template()


def fixed_mapping(target: str) -> FieldMapping | None:
    """How the shipped template fills a locked ``target`` (what a preview shows for it)."""
    return _shipped().mapping_for(target) if is_locked(target) else None


def mapped_away(document: MappingDocument) -> list[tuple[str, str]]:
    """(target, reason) for each locked target ``document`` maps differently from the
    shipped template (an absent mapping is the required-field check's business)."""
    return [
        (m.target, LOCKED_TARGETS[m.target])
        for m in document.mappings
        if is_locked(m.target) and m != fixed_mapping(m.target)
    ]


def drop_refusal(document: MappingDocument, target: str, source: str) -> str | None:
    """Why mapping ``source`` onto ``target`` is refused because the target is locked, or
    None. Putting back exactly the shipped way of filling it is allowed (that is how a
    locked field that lost its mapping is repaired); anything else maps it away."""
    if not is_locked(target):
        return None
    if document.with_source(target, source).mapping_for(target) == fixed_mapping(target):
        return None
    return f"{target} is locked: {LOCKED_TARGETS[target]}"
