"""Recall on a seeded anomaly set and the false-flag rate on clean demo data (printed)."""

from __future__ import annotations

from collections import Counter

from app.domain.anomalies import Kind, Thresholds, find_anomalies
from tests.support.anomaly_scenarios import clean_inputs, demo_company, score, seeded_scenario

SEEDS = range(1, 6)


def test_recall_on_seeded_anomalies_and_false_flags_on_clean_demo_data():
    limits = Thresholds()
    found = total = clean_txns = 0
    per_kind: Counter[str] = Counter()
    missed_kinds: Counter[str] = Counter()
    clean_flags: Counter[str] = Counter()
    flagged_ids: set[tuple[int, int]] = set()
    for seed in SEEDS:
        scenario = seeded_scenario(seed)
        result = score(find_anomalies(scenario.inputs, limits), scenario.expected)
        found, total = found + result.found, total + result.total
        per_kind.update(e.kind.value for e in scenario.expected)
        missed_kinds.update(e.kind.value for e in result.missed)

        clean = clean_inputs(demo_company(seed))
        clean_txns += len(clean.txns)
        for finding in find_anomalies(clean, limits):
            clean_flags[finding.kind.value] += 1
            flagged_ids.add((seed, finding.transaction_id))

    recall = found / total
    false_flag_rate = len(flagged_ids) / clean_txns
    print(f"\nseeded anomalies: {total} over {len(per_kind)} kinds; recall {recall:.1%}"
          f" (missed: {dict(missed_kinds) or 'none'})")  # fmt: skip
    print(f"clean demo data: {clean_txns} transactions, {len(flagged_ids)} flagged "
          f"= false-flag rate {false_flag_rate:.2%}; by kind {dict(clean_flags)}")  # fmt: skip
    seeded_kinds = set(per_kind)
    assert seeded_kinds == {k.value for k in Kind}  # every kind is in the seeded set
    assert recall >= 0.95
    assert false_flag_rate <= 0.02


def test_a_clean_demo_company_flags_nothing_but_amounts():
    clean = clean_inputs(demo_company(1))
    kinds = {f.kind for f in find_anomalies(clean, Thresholds())}
    assert kinds <= {Kind.AMOUNT_OUTLIER, Kind.LARGE_AMOUNT}
