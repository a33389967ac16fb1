"""One date style and one time style, from the locale's patterns, in local time: a stored
UTC time reads as the computer's local time wherever a grid shows it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from app.domain import display_time
from app.domain.display_time import patterns, show_date, show_local, show_time, use_patterns
from app.queries.sql_query import format_value


@pytest.fixture
def chicago(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def us_style() -> Iterator[None]:
    before = patterns()
    use_patterns("M/d/yy", "h:mm:ss AP")  # what QLocale("en_US") gives for the short formats
    yield
    use_patterns(*before)


def test_stored_utc_is_shown_in_local_time(chicago: None) -> None:
    stored = datetime(2025, 11, 20, 14, 5)  # UTC, as the store keeps it
    assert show_local(stored) == "2025-11-20 08:05"
    assert format_value("datetime", stored) == "2025-11-20 08:05"  # audit log, exceptions


def test_the_locale_style_with_a_four_digit_year_and_no_seconds(us_style: None) -> None:
    assert patterns() == ("M/d/yyyy", "h:mm AP")
    assert show_date(date(2025, 3, 7)) == "3/7/2025"
    assert show_time(datetime(2025, 3, 7, 17, 4)) == "5:04 PM"
    assert format_value("date", date(2025, 3, 7)) == "3/7/2025"


def test_iso_is_the_style_until_a_locale_is_applied() -> None:
    assert display_time.ISO_DATE == "yyyy-MM-dd"
    assert show_date(date(2025, 3, 7)) == "2025-03-07"
