"""The auto-approve policy: which proposals may post without a person looking.

Only a hard key, or a unique high-score match, whose amount fits, with nothing to warn
about. Review proposals, refusals, partial payments, overpayments and on-account payments
always wait in the grid. The policy is off unless the bookkeeper turns it on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.matching.model import MatchRule, Proposal

AUTO_RULES_BY_SCORE = frozenset(
    {MatchRule.REFERENCE_TOKEN, MatchRule.CUSTOMER_AMOUNT, MatchRule.SUBSET_SUM}
)


@dataclass(frozen=True)
class AutoApprovePolicy:
    enabled: bool = False
    # A hard key with a fitting amount needs only this much (it is 80 even when the
    # payer could not be identified, since the invoice itself names the customer).
    min_hard_key_confidence: int = 80
    # Every other rule needs this much, and no rival candidate may reach it.
    min_confidence: int = 90
    # Rules that may qualify by score; the default leaves out nothing but partial,
    # overpayment, on-account and review rules, which never qualify.
    score_rules: frozenset[MatchRule] = field(default=AUTO_RULES_BY_SCORE)

    def __post_init__(self) -> None:
        for threshold in (self.min_hard_key_confidence, self.min_confidence):
            if not 0 <= threshold <= 100:
                raise ValueError("confidence thresholds must be within 0..100")
        if not self.score_rules <= AUTO_RULES_BY_SCORE:
            extra = ", ".join(sorted(r.value for r in self.score_rules - AUTO_RULES_BY_SCORE))
            raise ValueError(f"rules that can never be auto-approved: {extra}")


def auto_approval_refusal(proposal: Proposal, policy: AutoApprovePolicy) -> str | None:
    """Why ``proposal`` may not be auto-approved, or None when it may."""
    if not policy.enabled:
        return "auto-approval is turned off"
    if proposal.rule.needs_review:
        return f"{proposal.rule.value}: a person must decide"
    if not proposal.amount_fit.fits:
        return f"amount does not fit ({proposal.amount_fit.value})"
    if not proposal.applications or proposal.customer_id is None:
        return "nothing to apply"
    if proposal.warnings:
        return "warnings: " + "; ".join(proposal.warnings)
    if proposal.rule is MatchRule.HARD_KEY:
        threshold = policy.min_hard_key_confidence
    elif proposal.rule in policy.score_rules:
        threshold = policy.min_confidence
    else:
        return f"{proposal.rule.value} is not approved by score"
    if proposal.confidence < threshold:
        return f"confidence {proposal.confidence} < {threshold}"
    # A rival as good as the threshold (or as the proposal itself) makes it a tie.
    bar = min(threshold, proposal.confidence)
    rivals = [c for c in proposal.candidates if c.confidence >= bar]
    if rivals:
        return f"not unique: {len(rivals)} other candidate(s) score {bar} or more"
    return None


def is_auto_approvable(proposal: Proposal, policy: AutoApprovePolicy) -> bool:
    return auto_approval_refusal(proposal, policy) is None
