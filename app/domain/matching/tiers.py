"""Auto-approve tiers: which kinds of proposal may post without a person looking.

A proposal's *kind* is its rule plus how the payer was identified (and, for partial
payments, whether a reference named the invoice). The calibration report
(``scripts/calibrate_matching.py``) measures each kind's precision on generated companies
and ships the figures as data; the *Recommended* tier takes exactly the kinds the issue
lists whose measured precision is 100%. Whatever the tier, the never-guess checks come
first: reviews, refusals, warnings, an unknown customer or a rival as good as the answer
always wait for a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from app.domain.matching.model import CustomerEvidence, MatchRule, Proposal
from app.domain.matching.policy import AutoApprovePolicy, auto_approval_refusal
from app.domain.matching.scoring import PART_REFERENCE


class AutoApproveTier(StrEnum):
    """Stored in settings files: values are stable."""

    OFF = "off"
    EXACT_ONLY = "exact_only"  # the original policy: hard keys and unique scores >= threshold
    RECOMMENDED = "recommended"  # every listed kind measured 100% precise
    WITH_ON_ACCOUNT = "with_on_account"  # Recommended + overpayments and payments on account

    @property
    def label(self) -> str:
        return TIER_LABELS[self]


TIER_LABELS: Mapping[AutoApproveTier, str] = {
    AutoApproveTier.OFF: "Off",
    AutoApproveTier.EXACT_ONLY: "Exact only",
    AutoApproveTier.RECOMMENDED: "Recommended",
    AutoApproveTier.WITH_ON_ACCOUNT: "Recommended + on account and overpayments",
}
# From the strictest to the widest: the first that approves a proposal is "its" tier.
TIER_ORDER = (
    AutoApproveTier.EXACT_ONLY,
    AutoApproveTier.RECOMMENDED,
    AutoApproveTier.WITH_ON_ACCOUNT,
)

_IDENTIFIED = (CustomerEvidence.PAYTRACE_LINK, CustomerEvidence.EMAIL)
_PAYER_KNOWN = (*_IDENTIFIED, CustomerEvidence.BILLING_NAME)
_ANY_PAYER = (*_PAYER_KNOWN, CustomerEvidence.INVOICE_OWNER)


_RULE_WORDS: Mapping[str, str] = {
    MatchRule.HARD_KEY.value: "the invoice number typed in a reference field",
    MatchRule.REFERENCE_TOKEN.value: "invoice numbers found in the reference or description",
    MatchRule.CUSTOMER_AMOUNT.value: "the customer's only open invoice of that amount",
    MatchRule.SUBSET_SUM.value: "the only set of the customer's invoices adding up to it",
    MatchRule.PARTIAL.value: "part payment of a named invoice",
    MatchRule.OVERPAYMENT.value: "an overpayment (the rest on account)",
    MatchRule.ON_ACCOUNT.value: "a payment on account",
}
_EVIDENCE_WORDS: Mapping[str, str] = {
    CustomerEvidence.PAYTRACE_LINK.value: "customer known by the PayTrace vault link",
    CustomerEvidence.EMAIL.value: "customer known by e-mail",
    CustomerEvidence.BILLING_NAME.value: "customer known by billing name",
    CustomerEvidence.INVOICE_OWNER.value: "payer known only through the invoice",
    CustomerEvidence.NONE.value: "payer unknown",
}


def kind_words(kind: str) -> str:
    """``customer_amount/email`` → plain words for the grid and the Settings page."""
    rule, _, rest = kind.partition("/")
    evidence = rest.partition("/")[0]
    rule_text = _RULE_WORDS.get(rule, rule.replace("_", " "))
    return f"{rule_text}, {_EVIDENCE_WORDS.get(evidence, evidence.replace('_', ' '))}"


def proposal_kind(proposal: Proposal) -> str:
    """The calibration class of a proposal, e.g. ``customer_amount/email``."""
    kind = f"{proposal.rule.value}/{proposal.customer_evidence.value}"
    if proposal.rule is MatchRule.PARTIAL and proposal.score_parts.get(PART_REFERENCE, 0) <= 0:
        kind += "/unnamed"  # the customer's only open invoice, not one the payer named
    return kind


def _kinds(rule: MatchRule, evidence: tuple[CustomerEvidence, ...]) -> set[str]:
    return {f"{rule.value}/{e.value}" for e in evidence}


# Recommended may take every kind that applies the whole payment to invoices (or part of
# one named invoice); it takes those measured 100% precise on enough cases.
RECOMMENDED_CANDIDATE_KINDS: frozenset[str] = frozenset(
    _kinds(MatchRule.HARD_KEY, _ANY_PAYER)
    | _kinds(MatchRule.REFERENCE_TOKEN, _ANY_PAYER)
    # A part payment from a payer nobody identified rests on the number alone, and the
    # amount cannot confirm it (the independent company: "invoice no. 22388" matched
    # another customer's PO-22388 while invoice 22388 was not yet in Sage Pro).
    | _kinds(MatchRule.PARTIAL, _PAYER_KNOWN)
    | _kinds(MatchRule.CUSTOMER_AMOUNT, _ANY_PAYER)
    | _kinds(MatchRule.SUBSET_SUM, _ANY_PAYER)
)
# A kind seen fewer times than this is not trusted however right it was.
MIN_MEASURED_PROPOSALS = 30
ON_ACCOUNT_CANDIDATE_KINDS: frozenset[str] = frozenset(
    _kinds(MatchRule.OVERPAYMENT, _ANY_PAYER) | _kinds(MatchRule.ON_ACCOUNT, _IDENTIFIED)
)


@dataclass(frozen=True)
class KindFigures:
    proposals: int
    right: int

    @property
    def precise(self) -> bool:
        return self.proposals >= MIN_MEASURED_PROPOSALS and self.right == self.proposals


@dataclass(frozen=True)
class TierFigures:
    """What a tier did on the calibration seeds."""

    approved: int
    right: int
    matchable: int  # sales whose right answer applies them to invoices in full
    matchable_approved: int

    @property
    def precision(self) -> float | None:
        return self.right / self.approved if self.approved else None

    @property
    def coverage(self) -> float | None:
        return self.matchable_approved / self.matchable if self.matchable else None


@dataclass(frozen=True)
class Calibration:
    """Measured figures per proposal kind and per tier (from the calibration report)."""

    seeds: tuple[int, ...]
    kinds: Mapping[str, KindFigures]
    tiers: Mapping[AutoApproveTier, TierFigures]
    # kind -> raw-score bucket -> every proposal seen (calibrated_confidence reads it).
    buckets: Mapping[str, Mapping[str, KindFigures]] = field(default_factory=dict)

    def tier_kinds(self, tier: AutoApproveTier) -> frozenset[str]:
        """The kinds a score-free tier approves: listed and measured 100% precise."""
        if tier is AutoApproveTier.RECOMMENDED:
            listed = RECOMMENDED_CANDIDATE_KINDS
        elif tier is AutoApproveTier.WITH_ON_ACCOUNT:
            listed = RECOMMENDED_CANDIDATE_KINDS | ON_ACCOUNT_CANDIDATE_KINDS
        else:
            return frozenset()
        return frozenset(k for k in listed if k in self.kinds and self.kinds[k].precise)

    def precision_text(self, tier: AutoApproveTier) -> str:
        figures = self.tiers.get(tier)
        if tier is AutoApproveTier.OFF:
            return "nothing posts by itself"
        if figures is None or figures.precision is None:
            return "not measured"
        coverage = figures.coverage or 0.0
        return (
            f"{figures.precision:.2%} right ({figures.right:,}/{figures.approved:,}); "
            f"{coverage:.1%} of matchable sales"
        )

    def to_json_dict(self) -> dict[str, object]:
        return {
            "seeds": list(self.seeds),
            "kinds": {k: vars(v) for k, v in sorted(self.kinds.items())},
            "tiers": {t.value: vars(f) for t, f in self.tiers.items()},
            "buckets": {
                k: {b: vars(f) for b, f in sorted(cells.items())}
                for k, cells in sorted(self.buckets.items())
            },
        }

    @classmethod
    def from_json_dict(cls, data: Mapping[str, object]) -> Calibration:
        seeds = data.get("seeds", [])
        kinds = data.get("kinds", {})
        tiers = data.get("tiers", {})
        buckets = data.get("buckets", {})  # absent from older files
        if (
            not isinstance(seeds, list)
            or not isinstance(kinds, dict)
            or not isinstance(tiers, dict)
            or not isinstance(buckets, dict)
        ):
            raise ValueError("calibration data is not in the expected shape")
        return cls(
            seeds=tuple(int(s) for s in seeds),
            kinds={str(k): KindFigures(**v) for k, v in kinds.items()},
            tiers={AutoApproveTier(t): TierFigures(**v) for t, v in tiers.items()},
            buckets={
                str(k): {str(b): KindFigures(**f) for b, f in cells.items()}
                for k, cells in buckets.items()
            },
        )


EMPTY_CALIBRATION = Calibration(seeds=(), kinds={}, tiers={})


def never_guess_refusal(proposal: Proposal) -> str | None:
    """Checks no tier can override."""
    if proposal.rule.needs_review:
        return f"{proposal.rule.value.replace('_', ' ')}: a person must decide"
    if proposal.customer_id is None:
        return "the customer is not known"
    if not proposal.applications and proposal.on_account <= 0:
        return "nothing to apply"
    if proposal.warnings:
        return "warnings: " + "; ".join(proposal.warnings)
    rivals = [c for c in proposal.candidates if c.confidence >= proposal.confidence]
    if rivals:
        return f"not unique: {len(rivals)} other answer(s) score as high"
    return None


def tier_refusal(
    proposal: Proposal,
    tier: AutoApproveTier,
    calibration: Calibration,
    *,
    exact_threshold: int = 90,
) -> str | None:
    """Why ``tier`` does not auto-approve ``proposal``, or None when it does."""
    if tier is AutoApproveTier.OFF:
        return "auto-approval is turned off"
    if tier is AutoApproveTier.EXACT_ONLY:
        policy = AutoApprovePolicy(enabled=True, min_confidence=exact_threshold)
        refusal = never_guess_refusal(proposal) or auto_approval_refusal(proposal, policy)
        if refusal is None:
            return None
        # The policy's terse reasons, in words a bookkeeper reads in the grid.
        if not proposal.rule.needs_review and not proposal.amount_fit.fits:
            fit = proposal.amount_fit.value.replace("_", " ")
            return f"it takes only payments that settle their invoices exactly (this is {fit})"
        if refusal.startswith("confidence "):
            return f"confidence {proposal.confidence}% is below the {exact_threshold}% it needs"
        return refusal
    refusal = never_guess_refusal(proposal)
    if refusal is not None:
        return refusal
    kind = proposal_kind(proposal)
    if kind not in calibration.tier_kinds(tier):
        figures = calibration.kinds.get(kind)
        words = kind_words(kind)
        if figures is None or figures.proposals < MIN_MEASURED_PROPOSALS:
            return f"too few measured cases of {words} to trust it"
        if not figures.precise:
            right, total = figures.right, figures.proposals
            return f"{words} was right in {right:,} of {total:,} measured cases"
        return f"{words} is not in the {tier.label} tier"
    return None


def approving_tier(
    proposal: Proposal, calibration: Calibration, *, exact_threshold: int = 90
) -> AutoApproveTier | None:
    """The strictest tier that would auto-approve ``proposal`` (None: only a person)."""
    for tier in TIER_ORDER:
        if tier_refusal(proposal, tier, calibration, exact_threshold=exact_threshold) is None:
            return tier
    return None


def waiting_explanation(
    proposal: Proposal,
    tier: AutoApproveTier,
    calibration: Calibration,
    *,
    exact_threshold: int = 90,
) -> str:
    """In plain words: why ``proposal`` waits under ``tier``, and which tier would approve
    it (shown in the grid's detail panel)."""
    refusal = tier_refusal(proposal, tier, calibration, exact_threshold=exact_threshold)
    if refusal is None:
        return (
            f"The {tier.label} tier approves this match; it waits because it came in while "
            "auto-approval was not running, or an approval check stopped it."
        )
    why = f"Not approved automatically ({tier.label}): {refusal}."
    approver = approving_tier(proposal, calibration, exact_threshold=exact_threshold)
    if approver is None:
        return f"{why} No tier approves it by itself: a person must decide."
    return (
        f"{why} The {approver.label} tier would approve it "
        f"(measured: {calibration.precision_text(approver)})."
    )
