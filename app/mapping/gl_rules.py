"""GL account rules: the first rule whose condition holds names the account; else the default.

Conditions read the source row (with derived fields): transaction type, payment method
(CC/ACH), card brand, amount range (inclusive, Decimal) and customer (PayTrace customer_id
or the Sage Pro CustomerID it links to). Comparisons ignore letter case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from app.mapping.document import GLCondition, GLRules, MappingDocument
from app.mapping.source_row import get_path, with_derived_fields


@dataclass(frozen=True)
class GLChoice:
    account: str
    rule: str  # the rule's name, or "default"


def _folded(values: tuple[str, ...]) -> set[str]:
    return {v.strip().casefold() for v in values}


def _amount(row: Mapping[str, Any]) -> Decimal | None:
    value = row.get("amount")
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        return None


def condition_holds(
    when: GLCondition, row: Mapping[str, Any], customer_links: Mapping[str, str]
) -> bool:
    def text(path: str) -> str:
        return str(get_path(row, path) or "").strip().casefold()

    if when.transaction_types and text("transaction_type") not in _folded(when.transaction_types):
        return False
    if when.methods and text("payment_method") not in _folded(when.methods):
        return False
    if when.card_brands and text("card_brand") not in _folded(when.card_brands):
        return False
    if when.amount_min is not None or when.amount_max is not None:
        amount = _amount(row)
        if amount is None:
            return False
        if when.amount_min is not None and amount < when.amount_min:
            return False
        if when.amount_max is not None and amount > when.amount_max:
            return False
    if when.customer_ids:
        paytrace_id = str(row.get("customer_id") or "").strip()
        linked = customer_links.get(paytrace_id, "") if paytrace_id else ""
        if not ({paytrace_id.casefold(), linked.casefold()} - {""}) & _folded(when.customer_ids):
            return False
    return True


def choose_gl_account(
    rules: GLRules, row: Mapping[str, Any], customer_links: Mapping[str, str] | None = None
) -> GLChoice | None:
    """The account for ``row``: first matching rule wins; None only when nothing matched and
    there is no default (validation refuses such a document)."""
    links = customer_links or {}
    facts = with_derived_fields(row)
    for rule in rules.rules:
        if condition_holds(rule.when, facts, links):
            return GLChoice(rule.account, rule.name or "unnamed rule")
    if rules.default:
        return GLChoice(rules.default, "default")
    return None


def _refunds_only(when: GLCondition) -> bool:
    return when == GLCondition(transaction_types=when.transaction_types) and _folded(
        when.transaction_types
    ) == {"refund"}


def with_settings_accounts(
    document: MappingDocument, default_account: str, refunds_account: str
) -> MappingDocument:
    """``document`` with Settings' GL accounts as its defaults: the GL rules' default becomes
    the card-clearing account and a rule that matches refunds only takes the refunds
    account, so the first saved version and Settings say the same thing."""
    rules = tuple(
        replace(rule, account=refunds_account or rule.account) if _refunds_only(rule.when) else rule
        for rule in document.gl_rules.rules
    )
    default = default_account or document.gl_rules.default
    return replace(document, gl_rules=GLRules(rules=rules, default=default))
