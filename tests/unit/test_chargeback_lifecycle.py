"""A chargeback item's states and the outbox rows each step queues (no servers needed)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import Profile
from app.domain.display_time import show_date
from app.store import Store, open_store
from app.store.models import ExceptionItem, OutboxItem
from app.sync.chargebacks.cases import ChargebackError, confirm_chargeback, resolve_chargeback
from app.sync.chargebacks.report_import import import_chargebacks

NOW = datetime(2025, 3, 15, 12, 0)
REPORT = (
    "Case Number,Transaction ID,Amount,Chargeback Fee,Reason,Invoice\n"
    "A-1,991,100.00,25.00,Fraud,\n"
    "A-2,,40.00,,Not received,\n"
)


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path / "t.db")
    yield s
    s.dispose()


def _import(store: Store, profile: Profile) -> dict[str, int]:
    with store.write() as session:
        result = import_chargebacks(session, REPORT, profile=profile, now=NOW, source="r.csv")
    with store.read() as session:
        return {
            i.payload["case_key"]: i.id
            for i in session.execute(
                select(ExceptionItem).where(ExceptionItem.category == "chargeback")
            ).scalars()
        } | {"alerts": result.alerts}


def test_confirm_queues_a_balanced_entry_and_resolve_follows_the_rules(store: Store):
    profile = Profile()
    ids = _import(store, profile)
    assert ids["alerts"] == 2
    with pytest.raises(ChargebackError, match="Confirm the chargeback first"):
        resolve_chargeback(store, ids["A-1"], outcome="lost", user="u")
    with pytest.raises(ChargebackError, match="won or lost"):
        resolve_chargeback(store, ids["A-1"], outcome="maybe", user="u")

    keys = confirm_chargeback(store, ids["A-1"], user="u", profile=profile, today=date(2025, 3, 15))
    assert keys == ["PT-CB-A-1-JE"]  # the transaction is unknown here: no invoice to mark
    with store.read() as session:
        row = session.execute(select(OutboxItem).where(OutboxItem.key == keys[0])).scalar_one()
        lines = [(ln["GLAccountID"], ln["Debit"], ln["Credit"]) for ln in row.payload["Lines"]]
        item = session.get(ExceptionItem, ids["A-1"])
        assert item is not None and item.payload["state"] == "confirmed"
        open_alerts = (
            session.execute(
                select(ExceptionItem.payload).where(
                    ExceptionItem.category == "alert", ExceptionItem.status == "open"
                )
            )
            .scalars()
            .all()
        )
    assert lines == [("1200", "100.00", "0.00"), ("6160", "25.00", "0.00"),
                     ("1010", "0.00", "125.00")]  # fmt: skip
    assert [a["case_number"] for a in open_alerts] == ["A-2"]

    # Won before confirming: nothing was posted, nothing to reverse.
    assert resolve_chargeback(store, ids["A-2"], outcome="won", user="u") == []
    won = resolve_chargeback(store, ids["A-1"], outcome="won", user="u", today=date(2025, 4, 2))
    assert won == ["PT-CB-A-1-WON-JE"]
    with store.read() as session:
        reversal = session.execute(
            select(OutboxItem.payload).where(OutboxItem.key == won[0])
        ).scalar_one()
    assert reversal["EntryDate"] == "2025-04-02"
    assert [(ln["GLAccountID"], ln["Debit"], ln["Credit"]) for ln in reversal["Lines"]] == [
        ("1010", "100.00", "0.00"), ("1200", "0.00", "100.00")]  # fmt: skip


def test_the_same_report_twice_adds_nothing(store: Store):
    profile = Profile()
    profile.alerts.notify_chargebacks = False
    with store.write() as session:
        first = import_chargebacks(session, REPORT, profile=profile, now=NOW)
    with store.write() as session:
        second = import_chargebacks(session, REPORT.replace("\n", "\r\n"), profile=profile, now=NOW)
    assert (first.added, first.alerts, second.added, second.already_known) == (2, 0, 0, 2)


def test_a_chargeback_reads_in_money_and_the_one_date_style(store: Store):
    """Amounts with the company's currency sign and separators; the due date in the one
    local date style (not a hard-coded month/day/year)."""
    report = (
        "Case Number,Transaction ID,Amount,Chargeback Fee,Reason,Due Date\n"
        "B-1,,1234.50,25.00,Fraud,2025-04-01\n"
    )
    with store.write() as session:
        import_chargebacks(session, report, profile=Profile(), now=NOW, source="r.csv")
    with store.read() as session:
        items = {i.category: i for i in session.execute(select(ExceptionItem)).scalars().all()}
    item, alert = items["chargeback"], items["alert"]
    assert item.title.startswith("Chargeback B-1: $1,234.50")
    assert "took back $1,234.50" in item.detail and "the $25.00 fee" in item.detail
    assert f"answer by {show_date(date(2025, 4, 1))}." in item.detail
    assert (
        alert.title
        == f"Chargeback received: case B-1 ($1,234.50), answer by {show_date(date(2025, 4, 1))}"
    )
