"""Hypothesis: any bytes give rows or typed errors — never a crash, never a card number kept."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.chargebacks import ChargebackReport, ChargebackRowError, parse_chargeback_report
from app.sandbox.demo_data import TEST_CARDS

CARDS = [number for _, number in TEST_CARDS]
HEADER = "Case Number,Transaction ID,Card Type,Last 4,Amount,Reason,Received Date,Fee"


def _spelled(number: str, style: int) -> str:
    if style == 1:
        return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    if style == 2:
        return "-".join(number[i : i + 4] for i in range(0, len(number), 4))
    if style == 3:
        return "1 " + number  # glued to another digit group
    return number


def _assert_clean(report: ChargebackReport) -> None:
    assert isinstance(report, ChargebackReport)
    for error in report.errors:
        assert isinstance(error, ChargebackRowError) and error.message
    # The test cards written with any separators must not survive anywhere in the result.
    squeezed = re.sub(r"[ \-./]", "", repr(report))
    for number in CARDS:
        assert number not in squeezed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_never_crash(data: bytes):
    _assert_clean(parse_chargeback_report(data))


cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["$1,234.56", "(12.00)", "3/10/2025", "2025-03-10", "", "Visa", "****5439"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(cell, min_size=0, max_size=10), max_size=8),
    card=st.sampled_from(CARDS),
    style=st.integers(0, 3),
    where=st.tuples(st.integers(0, 7), st.integers(0, 7)),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
)
def test_structured_reports_with_card_numbers_in_any_cell(rows, card, style, where, newline, bom):
    lines = [HEADER]
    for r in rows:
        lines.append(",".join('"' + c.replace('"', '""') + '"' for c in r))
    target_row, target_col = where
    cells = [f"CB{target_row}", "1", "Visa", "0000", "5.00", "r", "3/1/2025", ""]
    cells[target_col] = _spelled(card, style)
    lines.insert(min(target_row + 1, len(lines)), ",".join(cells))
    text = newline.join(lines)
    data = ("\ufeff" + text).encode("utf-8") if bom else text.encode("utf-8")
    report = parse_chargeback_report(data)
    _assert_clean(report)
