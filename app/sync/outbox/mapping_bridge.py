"""Every record Paysage posts takes its fields from the active mapping version (the default
template, with Settings' GL accounts filled in, is saved as version 1 the first time), and
every posting records which version made it.

The mapping decides wording, dates, method, status and GL accounts; what it may never
change (``app.mapping.locked``: keys, amounts, the customer of an applied invoice, the
applications) comes from the outbox key and the approved proposal, which always win.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.config import GLAccountSettings, Profile
from app.domain.money import format_money
from app.mapping import MappingContext, MappingDocument, MappingError, choose_gl_account
from app.mapping.apply import map_governed_fields
from app.mapping.gl_rules import with_settings_accounts
from app.mapping.versions import ensure_active_version
from app.store.models import PayTraceTransaction
from app.sync.chargebacks.entries import DEFAULT_FEE_ACCOUNT
from app.sync.review.approval import RecordMapper, ReviewError

# The payment fields the pipeline needs from the mapping (PaymentStatus and Memo may be
# left empty: Sage Pro then records Paid and no memo).
REQUIRED_PAYMENT_FIELDS = ("PaymentDate", "GLAccountID", "PaymentMethodCode")

_RECORD_WORDS = {
    "Payment": "payment",
    "CreditMemo": "credit memo",
    "JournalEntry": "journal entry",
    "PaymentReversal": "payment reversal",
    "SalesOrder": "sales order",
    "Customer": "customer",
    "SettlementEntry": "settlement journal entry",
    "ChargebackEntry": "chargeback journal entry",
}


def _texts(facts: Mapping[str, object]) -> dict[str, str]:
    return {name: "" if value is None else str(value) for name, value in facts.items()}


def _wire(value: Any) -> str:
    """A mapped value as Sage Pro JSON text (money with two decimals, ISO dates)."""
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class MappedRecords:
    document: MappingDocument
    version_id: int | None
    # Settings → GL accounts → Card clearing: the one account payments debit and the refund
    # and settlement journal entries credit, so clearing nets to zero once a batch settles.
    clearing_account: str = ""
    # Settings → GL accounts → Refunds: what a refund debits when no GL rule names another.
    refunds_account: str = ""
    # Settings → GL accounts → Chargeback fees: what a chargeback's fee line debits when no
    # GL rule names another.
    chargeback_fees_account: str = ""

    def payment_fields(
        self, tx: PayTraceTransaction, raw: dict[str, Any], customer_id: str
    ) -> dict[str, Any]:
        fields = self.record_fields("Payment", tx, raw, customer_id=customer_id)
        if not fields and self.document.record("Payment") is None:
            raise ReviewError(
                f"The active mapping makes no Payment for a {tx.transaction_type} transaction."
            )
        missing = [n for n in REQUIRED_PAYMENT_FIELDS if n not in fields]
        if missing:
            raise ReviewError(f"The mapping leaves {', '.join(missing)} empty for this payment.")
        return {"CustomerID": customer_id, **fields}

    def record_fields(
        self,
        record: str,
        tx: PayTraceTransaction,
        raw: Mapping[str, Any],
        facts: Mapping[str, object] | None = None,
        *,
        customer_id: str = "",
    ) -> dict[str, str]:
        """The fields the mapping governs for one ``record`` of ``tx`` (locked ones never),
        as Sage Pro text. ``facts`` are what Paysage knows beyond the PayTrace row (the
        matched invoice, the original sale, a reversal's reason, ...), readable by the
        mapping as ``posting.<name>``. A ``ReviewError`` says what the mapping cannot fill."""
        words = _RECORD_WORDS.get(record, record)
        if not raw:
            raise ReviewError(
                f"The PayTrace record of transaction {tx.transaction_id} is missing, so the "
                f"mapping cannot build its {words}; sync again."
            )
        links = (
            {tx.paytrace_customer_id: customer_id}
            if tx.paytrace_customer_id and customer_id
            else {}
        )
        return self._governed(record, {**raw, "posting": _texts(facts or {})}, links)

    def settlement_fields(self, batch_number: int) -> dict[str, str]:
        """The fields the mapping governs for a settlement batch's journal entry; its row is
        the batch (``transaction_type`` SETTLEMENT, ``batch_number``)."""
        row = {"transaction_type": "SETTLEMENT", "batch_number": batch_number}
        return self._governed("SettlementEntry", row, {})

    def row_fields(
        self, record: str, row: Mapping[str, Any], links: Mapping[str, str]
    ) -> dict[str, str]:
        """The fields the mapping governs for a ``record`` built from something other than
        one PayTrace transaction (a vault profile, a chargeback case); ``row`` is what the
        mapping reads, ``links`` the PayTrace → Sage Pro customer numbers it may look up."""
        return self._governed(record, row, links)

    def _governed(
        self, record: str, row: Mapping[str, Any], links: Mapping[str, str]
    ) -> dict[str, str]:
        context = MappingContext(customer_links=links)
        result = map_governed_fields(self.document, record, row, context)
        if isinstance(result, MappingError):
            problems = "; ".join(str(p) for p in result.problems)
            words = _RECORD_WORDS.get(record, record)
            raise ReviewError(f"The mapping cannot build this {words}: {problems}.")
        fields = {name: _wire(value) for name, value in result.items()}
        if "GLAccountID" in fields:
            mapped = fields["GLAccountID"]
            fields["GLAccountID"] = self._settings_or_rule(record, mapped, row, links)
        return fields

    def _settings_or_rule(
        self, record: str, mapped: str, row: Mapping[str, Any], links: Mapping[str, str]
    ) -> str:
        """Which account wins: where the GL rules fall back to their default, the Settings
        account of the record's role replaces it (card clearing for a payment, refunds for
        a refund); a GL rule that matched this row (an explicit choice in the mapping) keeps
        its own account. Sage Pro refuses an unknown or inactive account, so a rule's
        account is validated before anything posts."""
        choice = choose_gl_account(self.document.gl_rules, row, links)
        from_default = choice is not None and choice.rule == "default" and choice.account == mapped
        setting = {
            "Payment": self.clearing_account,
            "ChargebackEntry": self.chargeback_fees_account,
        }.get(record, self.refunds_account)
        return setting if setting and from_default else mapped


def active_record_mapper(session: Session, profile: Profile | None) -> RecordMapper:
    gl = profile.gl if profile is not None else GLAccountSettings()

    def with_settings(template: MappingDocument) -> MappingDocument:
        return with_settings_accounts(template, gl.card_clearing, gl.refunds)

    version_id, document = ensure_active_version(session, prepare=with_settings)
    fees = gl.chargeback_fees or DEFAULT_FEE_ACCOUNT
    if profile is None:
        return MappedRecords(document, version_id, chargeback_fees_account=fees)
    return MappedRecords(document, version_id, gl.card_clearing, gl.refunds, fees)
