"""The pipeline's payment fields come from the active mapping version (the default template
is saved as version 1 the first time), and every posting records which version made it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.config import Profile
from app.domain.money import format_money
from app.mapping import (
    MappingContext,
    MappingDocument,
    MappingError,
    apply_mapping,
    choose_gl_account,
)
from app.mapping.versions import ensure_active_version
from app.store.models import PayTraceTransaction
from app.sync.approval import PaymentFieldMapper, ReviewError

# What the mapping decides; the key, customer and invoice applications come from the
# outbox key and the approved proposal, which always win.
MAPPED_FIELDS = ("PaymentDate", "Amount", "GLAccountID", "PaymentMethodCode", "Memo")


@dataclass(frozen=True)
class MappedPaymentFields:
    document: MappingDocument
    version_id: int | None
    # Settings → GL accounts → Card clearing: the one account payments debit and the refund
    # and settlement journal entries credit, so clearing nets to zero once a batch settles.
    clearing_account: str = ""

    def payment_fields(
        self, tx: PayTraceTransaction, raw: dict[str, Any], customer_id: str
    ) -> dict[str, Any]:
        if not raw:
            raise ReviewError(
                f"The PayTrace record of transaction {tx.transaction_id} is missing, so the "
                "mapping cannot be applied; sync again."
            )
        context = MappingContext(
            customer_links={tx.paytrace_customer_id: customer_id}
            if tx.paytrace_customer_id
            else {},
            overrides={"Payment.CustomerID": customer_id},
        )
        result = apply_mapping(self.document, raw, context)
        if isinstance(result, MappingError):
            problems = "; ".join(str(p) for p in result.problems)
            raise ReviewError(f"The mapping cannot build this payment: {problems}.")
        payload = result.payload("Payment")
        if payload is None:
            raise ReviewError(
                f"The active mapping makes no Payment for a {tx.transaction_type} transaction."
            )
        fields: dict[str, Any] = {"CustomerID": customer_id}
        for name in MAPPED_FIELDS:
            value = payload.get(name)
            if isinstance(value, Decimal):
                value = format_money(value)
            if value is not None:
                fields[name] = str(value)
        if "GLAccountID" in fields:
            fields["GLAccountID"] = self._clearing_or_rule(fields["GLAccountID"], raw, context)
        missing = [n for n in MAPPED_FIELDS[:4] if n not in fields]
        if missing:
            raise ReviewError(f"The mapping leaves {', '.join(missing)} empty for this payment.")
        return fields

    def _clearing_or_rule(self, mapped: str, raw: dict[str, Any], context: MappingContext) -> str:
        """Which account wins: the Settings clearing account replaces the GL rules' default;
        only a GL rule that matched this row (an explicit choice in the mapping) keeps its
        own account. Sage Pro refuses an unknown or inactive account, so a rule's account is
        validated before anything posts."""
        choice = choose_gl_account(self.document.gl_rules, raw, context.customer_links)
        from_default = choice is not None and choice.rule == "default" and choice.account == mapped
        return self.clearing_account if self.clearing_account and from_default else mapped


def active_payment_mapper(session: Session, profile: Profile) -> PaymentFieldMapper:
    version_id, document = ensure_active_version(session)
    return MappedPaymentFields(document, version_id, profile.gl.card_clearing)
