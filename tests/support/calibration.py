"""The calibration report: how often each kind of proposal is right, on generated companies.

Used by ``scripts/calibrate_matching.py`` (which writes the figures the Settings page shows
to ``resources/matching_calibration.json``) and by the tests that check those figures are
what the report produces today.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.domain.matching import Proposal, match_payments
from app.domain.matching.calibrated_confidence import calibrated_percent, confidence_bucket
from app.domain.matching.tiers import (
    TIER_ORDER,
    AutoApproveTier,
    Calibration,
    KindFigures,
    TierFigures,
    never_guess_refusal,
    proposal_kind,
    tier_refusal,
)
from app.domain.records import TransactionType
from tests.support.matching_scenarios import MatchingScenarios, Truth, generate_scenarios

DEFAULT_SEEDS = tuple(range(1, 11))
SCENARIOS_PER_SEED = 1_000
BACKGROUND_CUSTOMERS = 100


def is_matchable(truth: Truth) -> bool:
    """A sale whose right answer applies all of it to invoices (no review, nothing on
    account): what every tier from Recommended up is expected to post by itself."""
    return truth.outcome == "apply" and not truth.must_not_auto and truth.on_account == 0


def is_right(truth: Truth, proposal: Proposal) -> bool:
    return truth.is_met_by(proposal) and not truth.must_not_auto


@dataclass
class CalibrationRun:
    """Proposals of every seed with their truths, and the tables built from them."""

    rows: list[tuple[int, Proposal, Truth]] = field(default_factory=list)

    def add(self, seed: int, data: MatchingScenarios, proposals: Iterable[Proposal]) -> None:
        sales = {
            p.transaction_id for p in data.payments if p.transaction_type is TransactionType.SALE
        }
        for proposal in proposals:
            if proposal.transaction_id in sales:
                self.rows.append((seed, proposal, data.truths[proposal.transaction_id]))

    def seeds(self) -> tuple[int, ...]:
        return tuple(sorted({seed for seed, _, _ in self.rows}))

    def kind_figures(self) -> dict[str, KindFigures]:
        """Precision of each kind among the proposals a tier could approve at all (those
        passing the never-guess checks); the bucket table shows every proposal."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for _, proposal, truth in self.rows:
            if never_guess_refusal(proposal) is not None:
                continue
            row = counts[proposal_kind(proposal)]
            row["proposals"] += 1
            row["right"] += is_right(truth, proposal)
        return {k: KindFigures(c["proposals"], c["right"]) for k, c in counts.items()}

    def bucket_table(self) -> dict[str, dict[str, Counter[str]]]:
        """kind -> confidence bucket ("90-99", "100") -> proposals / right."""
        table: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        for _, proposal, truth in self.rows:
            cell = table[proposal_kind(proposal)][confidence_bucket(proposal.confidence)]
            cell["proposals"] += 1
            cell["right"] += is_right(truth, proposal)
        return table

    def bucket_figures(self) -> dict[str, dict[str, KindFigures]]:
        """The bucket table as the figures calibrated confidence is computed from."""
        return {
            kind: {b: KindFigures(c["proposals"], c["right"]) for b, c in buckets.items()}
            for kind, buckets in self.bucket_table().items()
        }

    def tier_figures(
        self, calibration: Calibration, exact_threshold: int = 90
    ) -> dict[AutoApproveTier, TierFigures]:
        figures = {}
        matchable = sum(is_matchable(truth) for _, _, truth in self.rows)
        for tier in TIER_ORDER:
            approved = right = matchable_approved = 0
            for _, proposal, truth in self.rows:
                if tier_refusal(proposal, tier, calibration, exact_threshold=exact_threshold):
                    continue
                approved += 1
                right += is_right(truth, proposal)
                matchable_approved += is_matchable(truth)
            figures[tier] = TierFigures(approved, right, matchable, matchable_approved)
        return figures

    def wrong_approvals(self, tier: AutoApproveTier, calibration: Calibration) -> list[str]:
        return [
            f"seed {seed} {truth.scenario}: {p.transaction_id} {p.rule.value} {p.reason}"
            for seed, p, truth in self.rows
            if tier_refusal(p, tier, calibration) is None and not is_right(truth, p)
        ]

    def ambiguous_approvals(self, tier: AutoApproveTier, calibration: Calibration) -> int:
        return sum(
            truth.outcome == "review" and tier_refusal(p, tier, calibration) is None
            for _, p, truth in self.rows
        )


def run_calibration(
    seeds: Iterable[int] = DEFAULT_SEEDS,
    *,
    scenarios: int = SCENARIOS_PER_SEED,
    background_customers: int = BACKGROUND_CUSTOMERS,
) -> tuple[CalibrationRun, Calibration]:
    run = CalibrationRun()
    for seed in seeds:
        data = generate_scenarios(
            seed, scenarios=scenarios, background_customers=background_customers
        )
        run.add(seed, data, match_payments(data.payments, data.invoices, data.customers))
    kinds_only = Calibration(seeds=run.seeds(), kinds=run.kind_figures(), tiers={})
    calibration = Calibration(
        seeds=kinds_only.seeds,
        kinds=kinds_only.kinds,
        tiers=run.tier_figures(kinds_only),
        buckets=run.bucket_figures(),
    )
    return run, calibration


def report_lines(run: CalibrationRun, calibration: Calibration) -> list[str]:
    lines = [f"seeds {', '.join(map(str, calibration.seeds))}: {len(run.rows):,} sales"]
    # raw score bucket -> measured precision -> the calibrated confidence shown for it
    # (Wilson lower bound at 95% of the bucket's precision, given its sample size).
    lines.append(
        f"{'kind':<40}{'raw score':>10}{'proposals':>11}{'right':>8}{'precision':>11}"
        f"{'confidence':>12}"
    )
    for kind, buckets in sorted(calibration.buckets.items()):
        for bucket, cell in sorted(buckets.items()):
            share = cell.right / cell.proposals
            lines.append(
                f"{kind:<40}{bucket:>10}{cell.proposals:>11,}{cell.right:>8,}{share:>11.2%}"
                f"{calibrated_percent(cell):>11}%"
            )
    lines.append("")
    for tier in TIER_ORDER:
        lines.append(f"{tier.label:<45}{calibration.precision_text(tier)}")
        if tier is not AutoApproveTier.EXACT_ONLY:
            kinds = ", ".join(sorted(calibration.tier_kinds(tier)))
            lines.append(f"    kinds: {kinds}")
    return lines
