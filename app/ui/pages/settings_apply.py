"""The Settings form's values written into a profile: the page does it on a copy, and saves
the copy only when the settings rules pass (``SettingsPage.save``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from app.config import GLAccountSettings, Profile
from app.domain.matching.tiers import AutoApproveTier

if TYPE_CHECKING:
    from app.ui.pages.settings import SettingsPage


def or_current(value: Decimal | None, current: Decimal) -> Decimal:
    """A typed amount, or the current one when the box is empty (0.00 is a real value)."""
    return current if value is None else value


def write_form_into(page: SettingsPage, p: Profile) -> None:
    """Everything the form says, into ``p``."""
    page.paytrace.apply(p)
    page.sagepro.apply(p)
    p.sync.enabled = page.sync_enabled.isChecked()
    p.sync.interval_minutes = page.interval.value()
    p.sync.business_hours_only = page.business_only.isChecked()
    p.sync.business_start_hour = page.start_hour.value()
    p.sync.business_end_hour = page.end_hour.value()
    p.sync.lookback_days = page.lookback.value()
    p.policy.auto_approve = page.auto_approve.isChecked()
    p.policy.auto_approve_tier = AutoApproveTier(page.tier.currentData())
    p.policy.auto_approve_threshold = page.threshold.value()
    p.policy.amount_tolerance = or_current(page.tolerance.value(), Decimal("0.00"))
    p.policy.date_window_days = page.date_window.value()
    p.gl = GLAccountSettings(**{k: page.gl_value(c) for k, c in page.gl.items()})
    fees = p.fees
    fees.card_percent = or_current(page.card_pct.value(), fees.card_percent)
    fees.card_per_transaction = or_current(page.card_fixed.value(), fees.card_per_transaction)
    fees.ach_percent = or_current(page.ach_pct.value(), fees.ach_percent)
    fees.ach_per_transaction = or_current(page.ach_fixed.value(), fees.ach_per_transaction)
    p.alerts.notify_failed_sync = page.notify_failed.isChecked()
    p.alerts.notify_dead_letters = page.notify_dead.isChecked()
    p.alerts.notify_anomalies = page.notify_anomaly.isChecked()
    p.alerts.large_payment_amount = or_current(
        page.large_amount.value(), p.alerts.large_payment_amount
    )
    p.sagepro.through_bridge = page.through_bridge.isChecked()
    p.sagepro.worklist_alert_days = page.worklist_days.value()
