"""Accuracy on generated messy scenarios with ground truth; prints the figures.

Run with ``-s`` to see the table. The hard requirements: everything the auto-approve policy
accepts is right, nothing ambiguous is ever auto-approvable, and overall precision (right
answers among proposals that post money) stays high.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from app.domain.matching import AutoApprovePolicy, is_auto_approvable, match_payments
from app.domain.records import TransactionType
from tests.support.matching_scenarios import generate_scenarios

POLICY = AutoApprovePolicy(enabled=True)


@pytest.mark.parametrize("seed", [7, 8])
def test_accuracy_on_generated_scenarios(seed: int) -> None:
    data = generate_scenarios(seed, scenarios=3_000)
    proposals = match_payments(data.payments, data.invoices, data.customers)

    per_scenario: dict[str, Counter[str]] = defaultdict(Counter)
    decided = decided_right = auto = auto_right = should_apply = 0
    wrong_auto: list[str] = []
    for p in proposals:
        truth = data.truths[p.transaction_id]
        right = truth.is_met_by(p)
        approvable = is_auto_approvable(p, POLICY)
        row = per_scenario[truth.scenario]
        row["n"] += 1
        row["right"] += right
        row["auto"] += approvable
        should_apply += truth.outcome == "apply"
        held = p.needs_review or (bool(p.warnings) and truth.outcome == "review")
        if not held:
            decided += 1
            decided_right += right
        if approvable:
            auto += 1
            auto_right += right
            if not right or truth.must_not_auto:
                wrong_auto.append(f"{truth.scenario}: {p.transaction_id} {p.rule} {p.reason}")

    sales = sum(p.transaction_type is TransactionType.SALE for p in data.payments)
    precision = decided_right / decided
    print(
        f"\nseed {seed}: {len(proposals)} payments ({sales} sales), {len(data.invoices)} invoices"
    )
    print(f"{'scenario':<20}{'n':>6}{'right':>7}{'auto':>6}")
    for name, row in sorted(per_scenario.items()):
        print(f"{name:<20}{row['n']:>6}{row['right']:>7}{row['auto']:>6}")
    print(
        f"precision (right among proposals that post): {precision:.2%} ({decided_right}/{decided})"
    )
    print(f"recall (right among payments that should post): {decided_right / should_apply:.2%}")
    print(f"auto-match rate (auto-approvable sales): {auto / sales:.2%} ({auto}/{sales})")
    print(f"auto precision: {auto_right / auto:.2%} ({auto_right}/{auto})")

    assert wrong_auto == [], wrong_auto[:5]
    assert auto_right == auto
    assert precision >= 0.99
    assert auto / sales >= 0.40  # the policy is useful, not just safe
    # Ambiguous scenarios are reviews, never anything else.
    for name in ("tie", "ambiguous_subset", "name_tie", "colliding_key", "unknown_customer"):
        assert per_scenario[name]["right"] == per_scenario[name]["n"], name
        assert per_scenario[name]["auto"] == 0, name


def test_no_invoice_is_applied_beyond_its_balance() -> None:
    data = generate_scenarios(9, scenarios=2_000)
    proposals = match_payments(data.payments, data.invoices, data.customers)
    balances = {i.invoice_id: i.balance for i in data.invoices}
    applied: Counter[str] = Counter()
    for p in proposals:
        assert p.applied_total + p.on_account in (Decimal("0.00"), p.payment_amount)
        for application in p.applications:
            assert application.amount > 0
            applied[application.invoice_id] += application.amount  # type: ignore[assignment]
    assert all(total <= balances[invoice_id] for invoice_id, total in applied.items())
