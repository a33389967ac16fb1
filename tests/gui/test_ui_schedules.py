"""The Recurring billing page: the schedules Paysage set up and the charges coming up."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from app.store import Store
from app.store.models import RecurringSchedule
from app.sync.outbound.recurring import upcoming_charges
from app.ui.pages.schedules import SchedulesPage
from tests.gui.ui_app import make_context, make_window
from tests.gui.ui_seed import TODAY, seed_store

NOW = datetime(2025, 11, 20, 14, 5)


def _schedule(key: str, status: str, cents: int, frequency: int, start: date) -> RecurringSchedule:
    return RecurringSchedule(
        key=key,
        sagepro_customer_id="C00021",
        paytrace_customer_id="PT-C00021",
        amount_cents=cents,
        frequency=frequency,
        start_date=start,
        total_count=12,
        description=f"Service plan {key}",
        status=status,
        recurrence_id=7000 + len(key) if status == "active" else None,
        created_by="maria",
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = seed_store(tmp_path / "ui.db")
    with store.write() as s:
        s.add(_schedule("RECUR-monthly", "active", 12_500, 3, date(2025, 10, 1)))  # monthly
        s.add(_schedule("RECUR-weekly", "active", 4_000, 5, date(2025, 11, 24)))  # weekly
        s.add(_schedule("RECUR-stopped", "deleted", 9_900, 3, date(2025, 9, 1)))
    return store


@pytest.fixture
def page(qtbot, tmp_path: Path, store: Store) -> SchedulesPage:  # type: ignore[no-untyped-def]
    page = SchedulesPage(make_context(tmp_path, store))
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.data is not None, timeout=10_000)
    return page


def test_lists_every_schedule_with_its_status_in_words(page) -> None:  # type: ignore[no-untyped-def]
    rows = page.schedules.rows
    assert {r.key for r in rows} == {"RECUR-monthly", "RECUR-weekly", "RECUR-stopped"}
    words = {page.schedules.index(n, 5).data() for n in range(len(rows))}
    assert words == {"Active", "Stopped"}
    amounts = {page.schedules.index(n, 1).data() for n in range(len(rows))}
    assert "$125.00" in amounts  # with its currency sign


def test_upcoming_charges_follow_the_chosen_window(qtbot, page, store) -> None:  # type: ignore[no-untyped-def]
    expected = upcoming_charges(store, 30, today=TODAY)
    assert [(c.charge_date, c.schedule_id) for c in page.upcoming.rows] == [
        (c.charge_date, c.schedule_id) for c in expected
    ]
    assert date(2025, 12, 1) in {c.charge_date for c in page.upcoming.rows}  # monthly
    assert "next 30 days" in page.upcoming_heading.text()
    page.days.setValue(3)  # the first weekly charge (the 24th) is 4 days out
    qtbot.waitUntil(lambda: "next 3 days" in page.upcoming_heading.text(), timeout=10_000)
    assert page.upcoming.rows == []


def test_only_an_active_schedule_can_be_stopped(page) -> None:  # type: ignore[no-untyped-def]
    by_key = {r.key: n for n, r in enumerate(page.schedules.rows)}
    page.schedule_grid.setCurrentIndex(page.schedules.index(by_key["RECUR-stopped"], 0))
    assert not page.stop_button.isEnabled()
    page.schedule_grid.setCurrentIndex(page.schedules.index(by_key["RECUR-monthly"], 0))
    assert page.stop_button.isEnabled()
    asked: list[str] = []
    page.confirm = lambda text: asked.append(text) or False  # type: ignore[method-assign]
    page.stop_button.click()
    assert "$125.00" in asked[0] and "C00021" in asked[0]


def test_screenshot_of_the_schedules_page(
    qtbot, tmp_path: Path, store, artifacts_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, make_context(tmp_path, store))
    window.show()
    window.show_page("schedules")
    page = window.page("schedules")
    qtbot.waitUntil(lambda: page.data is not None, timeout=10_000)
    qtbot.wait(50)
    path = artifacts_dir / "page-schedules.png"
    assert window.width() == 1280
    assert window.grab().save(str(path))
    assert path.stat().st_size > 10_000
