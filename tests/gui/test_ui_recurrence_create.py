"""Recurring billing (issue 11): "New schedule…" sets up a recurrence for a customer's stored
card in PayTrace (the stand-in, over a real socket) and the schedule shows on the page."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app import credentials
from app.store.models import RecurringSchedule
from app.ui.dialogs.recurrence_dialog import RecurrenceDialog
from app.ui.pages.schedules import SchedulesPage
from app.ui.widgets import notices
from tests.gui.ui_app import make_context
from tests.gui.ui_seed import TODAY

WAIT = 20_000


@pytest.fixture
def page(qtbot, tmp_path: Path, paytrace_server) -> Iterator[SchedulesPage]:  # type: ignore[no-untyped-def]
    server = paytrace_server(seed=1, today=TODAY)  # the same demo company as the seeded store
    ctx = make_context(tmp_path)
    settings = server.app.settings
    ctx.profile.paytrace.base_url = server.url
    ctx.profile.paytrace.username = settings.username
    ctx.profile.paytrace.integrator_id = settings.integrator_id
    credentials.set_secret(ctx.profile.name, "paytrace", settings.password)
    page = SchedulesPage(ctx)
    page.paytrace = server  # type: ignore[attr-defined]
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.data is not None, timeout=WAIT)
    notices.open_notices.clear()
    yield page
    notices.open_notices.clear()  # our notices die with the page; leave none behind


def _open_dialog(qtbot, page: SchedulesPage) -> RecurrenceDialog:  # type: ignore[no-untyped-def]
    page.new_dialog = None
    page.new_button.click()
    qtbot.waitUntil(lambda: page.new_dialog is not None, timeout=WAIT)
    dialog = page.new_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_new_schedule_is_set_up_in_paytrace_and_listed(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    store = page.ctx.store
    dialog = _open_dialog(qtbot, page)
    assert dialog.customer.count() > 0  # only customers with a stored card are offered
    assert dialog.spec() is None  # no amount yet: OK stays disabled
    customer_id = str(dialog.customer.itemData(0))
    dialog.amount_edit.setText("49.95")
    dialog.description.setText("Monthly service plan")
    dialog.count.setValue(3)
    spec = dialog.spec()
    assert spec is not None and spec.amount == Decimal("49.95") and spec.frequency == 3
    assert spec.start_date == TODAY
    with qtbot.waitSignal(page.schedules.modelReset, timeout=WAIT):
        dialog.accept()
    qtbot.waitUntil(lambda: len(page.schedules.rows) == 1, timeout=WAIT)
    assert not notices.open_notices, notices.open_notices[0].text()
    with store.read() as s:
        [row] = s.scalars(select(RecurringSchedule)).all()
    assert (row.sagepro_customer_id, row.amount_cents, row.total_count) == (customer_id, 4995, 3)
    assert row.status == "active" and row.recurrence_id
    assert len(page.paytrace.app.store.recurrences) == 1
    [info] = page.schedules.rows
    assert info.status == "active" and info.description == "Monthly service plan"


def test_wrong_password_is_reported_in_plain_words(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    credentials.set_secret(page.ctx.profile.name, "paytrace", "not-the-password")
    dialog = _open_dialog(qtbot, page)
    dialog.amount_edit.setText("10.00")
    dialog.accept()
    qtbot.waitUntil(lambda: bool(notices.open_notices), timeout=WAIT)
    words = notices.open_notices[-1].text()
    assert "went wrong" not in words and words
    assert page.paytrace.app.store.recurrences == {}
