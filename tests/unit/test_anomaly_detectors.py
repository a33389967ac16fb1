"""Each anomaly detector on small hand-made facts: what it flags, what it leaves alone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from app.domain.anomalies import (
    AnomalyInputs,
    HistoryStep,
    Kind,
    Thresholds,
    TxnFacts,
    VoidRefusal,
    find_anomalies,
)
from app.domain.anomalies.cutoff import find_cutoff_mismatches
from app.domain.anomalies.duplicates import find_duplicate_charges
from app.domain.anomalies.outliers import find_amount_outliers, robust_scores
from app.domain.anomalies.refunds import find_refund_problems
from app.domain.anomalies.timing import find_unusual_hours, find_volume_spikes, in_quiet_hours
from app.domain.anomalies.voids import find_voids_after_settlement

NOON = datetime(2025, 3, 10, 12, 0)


def tx(tid: int, kind: str = "SALE", cents: int = 10_000, at: datetime = NOON, **kw) -> TxnFacts:
    kw.setdefault("card_last4", "5439")
    return TxnFacts(tid, kind, cents, at, **kw)


def test_duplicate_charge_needs_same_card_amount_and_a_short_gap():
    rows = [
        tx(1),
        tx(2, at=NOON + timedelta(minutes=4)),  # duplicate of 1
        tx(3, at=NOON + timedelta(minutes=30)),  # too late after 2
        tx(4, card_last4="0057", at=NOON + timedelta(minutes=1)),  # other card
        tx(5, cents=10_001, at=NOON + timedelta(minutes=2)),  # other amount
        tx(6, "DECLINED", at=NOON + timedelta(minutes=3)),  # no money moved
    ]
    (finding,) = find_duplicate_charges(rows, window_minutes=10)
    assert (finding.kind, finding.transaction_id, finding.related_ids) == (
        Kind.DUPLICATE_CHARGE, 2, (1,))  # fmt: skip
    assert "4 minute(s) apart" in finding.detail and "****5439" in finding.detail


def test_refunds_larger_than_the_sale_or_to_another_card():
    sale = tx(10, cents=5_000, invoice_key="104512", paytrace_customer_id="PT-C1")
    later = NOON + timedelta(days=1)
    partial = tx(11, "REFUND", 3_000, later, invoice_key="104512", paytrace_customer_id="PT-C1")
    second = tx(12, "REFUND", 2_500, later + timedelta(hours=1), invoice_key="104512",
                paytrace_customer_id="PT-C1")  # fmt: skip
    other = tx(13, "REFUND", 100, later, invoice_key="104600", card_last4="1111")
    sale2 = tx(14, cents=900, invoice_key="104600")
    unrelated = tx(15, "REFUND", 99_999, later, invoice_key="999999")  # no sale: not judged
    found = {(f.kind, f.transaction_id) for f in find_refund_problems(
        [sale, partial, second, other, sale2, unrelated])}  # fmt: skip
    assert found == {(Kind.REFUND_EXCEEDS_ORIGINAL, 12), (Kind.REFUND_TO_OTHER_CARD, 13)}


def test_void_after_settlement_from_history_current_row_and_818_refusals():
    settled = NOON.replace(hour=20)
    seen_then_voided = tx(20, "VOID")
    history = {20: [HistoryStep(settled, "SALE", False, True),
                    HistoryStep(settled + timedelta(days=1), "VOID", True, False)]}  # fmt: skip
    still_settled = tx(21, "VOID", settled_local=settled, batch_number=1001)
    voided_before_settling = tx(22, "VOID")
    history[22] = [HistoryStep(NOON, "SALE", False, False), HistoryStep(NOON, "VOID", False, False)]
    refusal = VoidRefusal(23, settled + timedelta(days=2), "A refund was queued.")
    found = find_voids_after_settlement(
        [seen_then_voided, still_settled, voided_before_settling, tx(23)], history, [refusal]
    )
    assert [(f.kind, f.transaction_id) for f in found] == [
        (Kind.VOID_AFTER_SETTLEMENT, 20),
        (Kind.VOID_AFTER_SETTLEMENT, 21),
        (Kind.VOID_REFUSED_SETTLED, 23),
    ]
    assert "error 818" in found[2].detail and "refund" in found[2].detail


def test_robust_scores_use_median_mad_and_fall_back_when_mad_is_zero():
    scores = robust_scores([100, 110, 120, 130, 140, 2000])
    assert scores is not None and scores[-1] > Decimal("3.5") and abs(scores[2]) < 1
    subscription = robust_scores([5000] * 7 + [5100])
    assert subscription is not None and subscription[-1] > Decimal("3.5")
    assert robust_scores([700, 700, 700]) is None


def test_amount_outliers_flag_only_the_high_side_with_enough_history():
    usual = [tx(30 + i, cents=10_000 + 300 * i, customer_key="vault:C1") for i in range(8)]
    big = tx(40, cents=95_000, customer_key="vault:C1")
    tiny = tx(41, cents=50, customer_key="vault:C1")
    few = [tx(50 + i, cents=c, customer_key="vault:C2") for i, c in enumerate((10, 20, 90_000))]
    found = find_amount_outliers([*usual, big, tiny, *few], Decimal("3.5"), 8)
    assert [f.transaction_id for f in found] == [40]
    assert "usually about" in found[0].title


def test_quiet_hours_wrap_midnight_and_spikes_need_factor_and_minimum():
    assert in_quiet_hours(NOON.replace(hour=23), 22, 6)
    assert in_quiet_hours(NOON.replace(hour=2), 22, 6)
    assert not in_quiet_hours(NOON.replace(hour=6), 22, 6)
    night = [tx(60, at=NOON.replace(hour=3)), tx(61, "DECLINED", at=NOON.replace(hour=3))]
    assert [f.transaction_id for f in find_unusual_hours(night, 22, 6)] == [60]

    normal = [tx(100 + d * 10 + h, at=datetime(2025, 3, 1 + d, 9 + h)) for d in range(9)
              for h in range(2)]  # fmt: skip
    burst = [tx(500 + i, "DECLINED", 100 + i, datetime(2025, 3, 12, 14, i)) for i in range(12)]
    found = find_volume_spikes([*normal, *burst], Decimal("3"), 10, 40)
    (spike,) = found
    assert spike.kind == Kind.VOLUME_SPIKE_HOUR and spike.transaction_id == 509
    assert set(spike.related_ids) == {t.transaction_id for t in burst}
    assert "12 declined" in spike.detail
    assert find_volume_spikes([*normal, *burst[:9]], Decimal("3"), 10, 40) == []


def test_cutoff_mismatches_between_posting_and_batch_dates():
    day = date(2025, 2, 27)
    at = datetime(2025, 2, 27, 17, 30)
    rows = [
        tx(70, at=at, batch_number=1),  # posted the day after it settled (UTC date)
        tx(71, at=datetime(2025, 2, 28, 21, 40), batch_number=2),  # month-end cut-off
        tx(72, at=at - timedelta(days=17), batch_number=3),  # settled a week late
        tx(73, at=at, batch_number=4),  # fine
        tx(74, at=at),  # not settled: nothing to compare
    ]
    batches = {1: day, 2: date(2025, 3, 1), 3: date(2025, 2, 17), 4: day}
    posting = {70: day + timedelta(days=1)}
    found = find_cutoff_mismatches(rows, posting, batches, max_days=3)
    assert [(f.kind, f.transaction_id) for f in found] == [
        (Kind.CUTOFF_AFTER_BATCH, 70),
        (Kind.CUTOFF_PERIOD, 71),
        (Kind.CUTOFF_LATE_SETTLEMENT, 72),
    ]
    assert "time-zone" in found[0].detail


def test_disabled_kinds_are_skipped_and_fingerprints_are_unique():
    rows = [tx(1), tx(2, at=NOON + timedelta(minutes=1)), tx(3, at=NOON.replace(hour=2))]
    inputs = AnomalyInputs(rows)
    both = find_anomalies(inputs, Thresholds())
    assert {f.kind for f in both} == {Kind.DUPLICATE_CHARGE, Kind.UNUSUAL_HOUR}
    assert len({f.fingerprint for f in both}) == len(both)
    only = find_anomalies(inputs, Thresholds(disabled=frozenset({"unusual_hour"})))
    assert {f.kind for f in only} == {Kind.DUPLICATE_CHARGE}
