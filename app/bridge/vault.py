"""The customer's PayTrace vault reference (PayTraceCustomerID, CardLast4, CardExpiry): Sage
Pro has no field for them and the bridge never alters Sage Pro's tables (bridge doc §3.3),
so ``PUT /api/customers/{id}`` keeps them in the bridge's own store. Every other customer
field belongs to Sage Pro: sent back unchanged it is ignored, changed it is refused."""

from __future__ import annotations

import re
from typing import Any

from app.bridge.company import Record
from app.sandbox.sagepro.fields import Body, refuse_card_data

VAULT_FIELDS = ("PayTraceCustomerID", "CardLast4", "CardExpiry")
_SAGE_PRO_FIELDS = (
    "CustomerID",
    "Name",
    "Email",
    "Phone",
    "Terms",
    "CreditHold",
    "Status",
    "Balance",
    "BillingAddress",
)
_EXPIRY = re.compile(r"^(0[1-9]|1[0-2])/\d\d$")

Vault = tuple[str, str, str]  # PayTraceCustomerID, CardLast4, CardExpiry


def vault_update(current: Record, data: Any) -> Vault:
    """The vault fields after ``data`` is applied to ``current``; raises ``validation_failed``
    (plain words, naming each field) for a card number or a change only Sage Pro can make."""
    refuse_card_data(data)
    body = Body(data)
    body.check()
    for field in _SAGE_PRO_FIELDS:
        if field in body.data and _folded(body.data[field]) != _folded(current.get(field)):
            body.fail(
                field,
                "is kept by Sage Pro: change it there (the bridge never writes "
                "Sage Pro's customer record)",
            )
    values = {field: str(current.get(field) or "") for field in VAULT_FIELDS}
    for field in VAULT_FIELDS:
        if field in body.data:
            values[field] = body.text(field, max_len=50)
    last4, expiry = values["CardLast4"], values["CardExpiry"]
    if last4 and not (len(last4) == 4 and last4.isdigit()):
        body.fail("CardLast4", "must be the last 4 digits only")
    if expiry and not _EXPIRY.match(expiry):
        body.fail("CardExpiry", "must be MM/YY")
    body.check()
    return values["PayTraceCustomerID"], last4, expiry


def with_vault(customer: Record, vault: Vault | None) -> Record:
    if vault is None:
        return customer
    return {**customer, **dict(zip(VAULT_FIELDS, vault, strict=True))}


def _folded(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().upper()
    if isinstance(value, dict):
        return {key: _folded(item) for key, item in value.items()}
    return value
