"""The one M/D/YYYY reader (app/domain/us_dates.py): every shape its callers accept, and
that each caller reads dates through it (the PayTrace connector, the stand-in's request
dates, the chargeback report's cells, the mapping's "paytrace" date format)."""

from __future__ import annotations

import ast
from datetime import date, datetime
from pathlib import Path

import pytest

from app.connectors.paytrace.parse_values import FieldReadError, timestamp
from app.domain.chargeback_cells import CellError, read_date
from app.domain.us_dates import After, read_month_day_year
from app.mapping.transforms.dates import parse_datetime_text
from app.mapping.transforms.registry import TransformError
from app.sandbox.paytrace.codes import RuleError
from app.sandbox.paytrace.validate import request_date

APP = Path(__file__).resolve().parents[2] / "app"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/7/2025", datetime(2025, 3, 7)),
        ("03/07/2025", datetime(2025, 3, 7)),
        ("12/31/2024", datetime(2024, 12, 31)),
        ("  3/7/2025\t", datetime(2025, 3, 7)),
        ("2/29/2024", datetime(2024, 2, 29)),
    ],
)
def test_a_plain_date_with_or_without_leading_zeros(text: str, expected: datetime) -> None:
    assert read_month_day_year(text) == expected


@pytest.mark.parametrize(
    "text", ["3/7/25", "3-7-2025", "3/7/2025 4:06 PM", "2025-03-07", "3/7", "", "3/7/20255"]
)
def test_a_plain_date_refuses_every_other_shape(text: str) -> None:
    assert read_month_day_year(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4/10/2015 4:06:30 PM", datetime(2015, 4, 10, 16, 6, 30)),
        ("04/10/2015 04:06:30 pm", datetime(2015, 4, 10, 16, 6, 30)),
        ("4/10/2015 4:06 Pm", datetime(2015, 4, 10, 16, 6)),
        ("12/31/2024 12:00:01 AM", datetime(2024, 12, 31, 0, 0, 1)),
        ("12/31/2024 12:00:01 PM", datetime(2024, 12, 31, 12, 0, 1)),
        ("4/10/2015 16:06:30", datetime(2015, 4, 10, 16, 6, 30)),
        ("4/10/2015T16:06", datetime(2015, 4, 10, 16, 6)),
        ("4/10/2015  4:06:30PM ", datetime(2015, 4, 10, 16, 6, 30)),
        ("4/10/2015", datetime(2015, 4, 10)),
    ],
)
def test_a_time_part_in_12_or_24_hour_form(text: str, expected: datetime) -> None:
    assert read_month_day_year(text, after=After.TIME) == expected


def test_a_time_part_is_read_only_where_asked_for() -> None:
    assert read_month_day_year("4/10/2015 4:06 PM", after=After.TIME) is not None
    assert read_month_day_year("4/10/2015 4:06 PM CST", after=After.TIME) is None
    assert read_month_day_year("4/10/2015 4:06 PM CST", after=After.ANYTHING) == datetime(
        2015, 4, 10
    )
    assert read_month_day_year("4/10/2015 soon", after=After.ANYTHING) == datetime(2015, 4, 10)
    assert read_month_day_year("4/10/2015x", after=After.ANYTHING) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/10/25", datetime(2025, 3, 10)),
        ("3-10-2025", datetime(2025, 3, 10)),
        ("3.10.25", datetime(2025, 3, 10)),
        ("03/10/2025", datetime(2025, 3, 10)),
    ],
)
def test_two_digit_years_and_other_separators_where_asked_for(
    text: str, expected: datetime
) -> None:
    assert read_month_day_year(text, short_year=True, any_separator=True) == expected
    assert read_month_day_year("3/10/202", short_year=True) is None


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ("2/30/2025", After.NOTHING),
        ("13/1/2025", After.NOTHING),
        ("0/1/2025", After.NOTHING),
        ("1/1/2025 13:00 PM", After.TIME),
        ("1/1/2025 0:00 AM", After.TIME),
        ("1/1/2025 24:00", After.TIME),
        ("1/1/2025 10:60", After.TIME),
    ],
)
def test_the_right_shape_naming_no_real_moment_is_an_error(text: str, after: After) -> None:
    with pytest.raises(ValueError):
        read_month_day_year(text, after=after)


def test_the_connector_reads_paytrace_times_through_it() -> None:
    assert timestamp("4/10/2015 4:06:30 PM", "created") == datetime(2015, 4, 10, 16, 6, 30)
    assert timestamp("2015-04-10T16:06:30", "created") == datetime(2015, 4, 10, 16, 6, 30)
    with pytest.raises(FieldReadError):
        timestamp("2/30/2025 1:00 PM", "created")
    with pytest.raises(FieldReadError):
        timestamp("4/10/15 4:06 PM", "created")


def test_the_stand_in_reads_request_dates_through_it() -> None:
    assert request_date("3/7/2025", "start_date") == date(2025, 3, 7)
    assert request_date(" 03/07/2025 ", "start_date") == date(2025, 3, 7)
    for bad in ("3/7/25", "2/30/2025", "3/7/2025 1:00 PM", 20250307):
        with pytest.raises(RuleError):
            request_date(bad, "start_date")


def test_the_chargeback_report_reads_cells_through_it() -> None:
    assert read_date("3/10/25", "received_date") == date(2025, 3, 10)
    assert read_date("3-10-2025 14:02 CST", "received_date") == date(2025, 3, 10)
    assert read_date("2025-03-10", "received_date") == date(2025, 3, 10)
    for bad in ("2/30/2025", "3/10", "1/1/1901"):
        with pytest.raises(CellError):
            read_date(bad, "received_date")


def test_the_mapping_reads_its_paytrace_format_through_it() -> None:
    assert parse_datetime_text("4/10/2015  4:06:30  pm") == datetime(2015, 4, 10, 16, 6, 30)
    assert parse_datetime_text("4/10/2015") == datetime(2015, 4, 10)
    assert parse_datetime_text("29.02.2024", "%d.%m.%Y") == datetime(2024, 2, 29)
    with pytest.raises(TransformError):
        parse_datetime_text("13/45/2015 4:06:30 PM")


def month_day_year_readers(source: str) -> list[int]:
    """Lines of a regex reading M/D/Y, or a strptime call given a month/day pattern."""
    shapes = (r"(\d{1,2})/(\d{1,2})/", r"(\d{1,2})[/\-.](\d{1,2})")
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if any(shape in node.value for shape in shapes):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "strptime":
            patterns = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if any(isinstance(p, str) and "%m/%d" in p for p in patterns):
                lines.append(node.lineno)
    return lines


def test_no_other_month_day_year_reader_is_left_in_app() -> None:
    found = [
        f"{path.relative_to(APP.parent)}:{line}"
        for path in sorted(APP.rglob("*.py"))
        if path.name != "us_dates.py"
        for line in month_day_year_readers(path.read_text(encoding="utf-8"))
    ]
    assert not found, f"read M/D/YYYY with app.domain.us_dates instead: {found}"


def test_the_reader_check_sees_a_regex_and_a_strptime() -> None:
    regex = 're.compile(r"(\\d{1,2})/(\\d{1,2})/(\\d{4})")\n'
    call = 'datetime.strptime(text, "%m/%d/%Y")\n'
    writer = 'f"{day:%m/%d/%Y %I:%M %p}"\n'
    assert sorted(month_day_year_readers(regex + call + writer)) == [1, 2]
