"""Turning a decision into a Proposal: allocation, reasons in words, candidates, confidence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from app.domain.matching.context import PaymentFacts
from app.domain.matching.model import (
    AmountFit,
    Application,
    Candidate,
    CustomerEvidence,
    MatchRule,
    Proposal,
)
from app.domain.matching.scoring import confidence
from app.domain.money import display_money, from_cents
from app.domain.records import Transaction


def money_text(cents: int, base: str = "USD") -> str:
    """An amount in a reason: a payment or the balance of an invoice it may pay, both in the
    company's base currency (an invoice in another is never matched on its own)."""
    return display_money(cents, cents=True, base=base)


def invoices_text(invoice_ids: Sequence[str]) -> str:
    if len(invoice_ids) == 1:
        return f"invoice {invoice_ids[0]}"
    return "invoices " + ", ".join(invoice_ids)


def allocate(
    payment_cents: int, balances: Sequence[tuple[str, int]]
) -> tuple[list[tuple[str, int]], int]:
    """Apply the payment to ``balances`` in the order given (oldest first by convention),
    never beyond a balance. Returns the applications and what is left for the account."""
    left = payment_cents
    applied: list[tuple[str, int]] = []
    for invoice_id, balance in balances:
        if left <= 0:
            break
        part = min(left, balance)
        applied.append((invoice_id, part))
        left -= part
    return applied, left


def candidate(
    invoice_ids: Sequence[str],
    customer_id: str,
    open_cents: int,
    parts: Mapping[str, int],
    reason: str,
) -> Candidate:
    return Candidate(
        invoice_ids=tuple(invoice_ids),
        customer_id=customer_id,
        open_balance=from_cents(open_cents),
        confidence=confidence(parts),
        score_parts=dict(parts),
        reason=reason,
    )


def ranked(candidates: Iterable[Candidate], limit: int) -> tuple[Candidate, ...]:
    """Best first, then by invoice ids so equal scores keep a stable order; deduplicated."""
    unique: dict[tuple[str, ...], Candidate] = {}
    for item in candidates:
        known = unique.get(item.invoice_ids)
        if known is None or item.confidence > known.confidence:
            unique[item.invoice_ids] = item
    ordered = sorted(unique.values(), key=lambda c: (-c.confidence, c.invoice_ids))
    return tuple(ordered[:limit])


def applied_proposal(
    facts: PaymentFacts,
    rule: MatchRule,
    allocations: Sequence[tuple[str, int]],
    on_account_cents: int,
    customer_id: str,
    evidence: CustomerEvidence,
    fit: AmountFit,
    parts: Mapping[str, int],
    reasons: Sequence[str],
    candidates: Sequence[Candidate] = (),
    warnings: Sequence[str] = (),
) -> Proposal:
    """A proposal that posts money: to invoices, on account, or both."""
    applied = sum(cents for _, cents in allocations)
    if applied + on_account_cents != facts.cents:
        raise ValueError(
            f"allocation of payment {facts.payment.transaction_id} does not add up: "
            f"{applied} + {on_account_cents} != {facts.cents}"
        )
    return Proposal(
        transaction_id=facts.payment.transaction_id,
        payment_amount=from_cents(facts.cents),
        rule=rule,
        confidence=confidence(parts),
        score_parts=dict(parts),
        reason="; ".join(reasons),
        applications=tuple(Application(i, from_cents(c)) for i, c in allocations),
        on_account=from_cents(on_account_cents),
        customer_id=customer_id,
        customer_evidence=evidence,
        amount_fit=fit,
        candidates=tuple(candidates),
        warnings=(*facts.resolution.warnings, *warnings),
    )


def review_proposal(
    facts: PaymentFacts,
    rule: MatchRule,
    parts: Mapping[str, int],
    reasons: Sequence[str],
    candidates: Sequence[Candidate] = (),
    warnings: Sequence[str] = (),
    customer_id: str | None = None,
    evidence: CustomerEvidence = CustomerEvidence.NONE,
) -> Proposal:
    """A proposal that posts nothing until a person decides."""
    if not rule.needs_review:
        raise ValueError(f"{rule} is not a review rule")
    return Proposal(
        transaction_id=facts.payment.transaction_id,
        payment_amount=from_cents(facts.cents),
        rule=rule,
        confidence=confidence(parts),
        score_parts=dict(parts),
        reason="; ".join(reasons),
        customer_id=customer_id,
        customer_evidence=evidence,
        candidates=tuple(candidates),
        warnings=(*facts.resolution.warnings, *warnings),
    )


def refusal(payment: Transaction, rule: MatchRule, reason: str) -> Proposal:
    """A payment the engine will not match, with the reason why."""
    if not rule.is_refusal:
        raise ValueError(f"{rule} is not a refusal rule")
    return Proposal(
        transaction_id=payment.transaction_id,
        payment_amount=payment.amount,
        rule=rule,
        confidence=0,
        score_parts={},
        reason=reason,
    )


def amount_phrase(
    fit: AmountFit, payment_cents: int, balance_cents: int, invoices: int, base: str = "USD"
) -> str:
    """How the amount relates to the balance(s), in words (amounts in ``base``)."""
    balance = "balance" if invoices == 1 else "sum of their balances"
    if fit is AmountFit.EXACT:
        return f"amount equals {balance}"
    if fit is AmountFit.WITHIN_TOLERANCE:
        difference = money_text(abs(payment_cents - balance_cents), base)
        return (
            f"amount within tolerance of {balance} "
            f"({money_text(balance_cents, base)}, off by {difference})"
        )
    if fit is AmountFit.PARTIAL:
        paid, owed = money_text(payment_cents, base), money_text(balance_cents, base)
        return f"pays {paid} of the {owed} {balance}"
    if fit is AmountFit.OVER:
        rest = money_text(payment_cents - balance_cents, base)
        return f"pays the {money_text(balance_cents, base)} {balance}; {rest} left on account"
    return "amount not applied to an invoice"
