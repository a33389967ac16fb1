"""Settings of the active profile: connections, schedule, matching policy, GL accounts
from Sage Pro's chart, fee schedule, alerts. Secrets go to the keyring, nothing else does."""

from __future__ import annotations

import copy
import dataclasses
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.credentials import CredentialsError
from app.domain.matching.tiers import TIER_ORDER, AutoApproveTier
from app.domain.money import currency_sign
from app.queries.connection_checks import (
    CheckResult,
    GLAccount,
    load_gl_cache,
    save_gl_cache,
)
from app.settings_rules import validate_profile
from app.sync.review.calibration_data import shipped_calibration
from app.ui.context import UiContext
from app.ui.pages.settings_apply import write_form_into
from app.ui.pages.settings_checks import settings_page_problems
from app.ui.widgets.connection_forms import PayTraceForm, SageProForm
from app.ui.widgets.filters import AmountEdit
from app.ui.widgets.form_watch import watch_edits
from app.ui.widgets.notices import notify

GL_FIELDS = (
    ("card_clearing", "Card clearing"),
    ("bank", "Bank deposit"),
    ("merchant_fees", "Merchant fees"),
    ("refunds", "Refunds"),
    ("on_account", "Payments on account"),
    ("receivables", "Receivables"),
)


def _spin(low: int, high: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    return spin


def _amount(value: Decimal) -> AmountEdit:
    edit = AmountEdit("")
    edit.setText(str(value))
    return edit


class SettingsPage(QWidget):
    """The form scrolls; the Save button stays in view below it."""

    page_key = "settings"
    title = "Settings"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dirty = False
        # Amounts here are PayTrace's, in the profile's base currency ("$", "€", "CHF").
        self.sign = currency_sign("", ctx.profile.base_currency).strip()
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        grid = QGridLayout(body)
        grid.setHorizontalSpacing(16)
        self.paytrace = PayTraceForm()
        self.sagepro = SageProForm()
        self.sagepro.last_op = None
        self.sagepro.tested.connect(self._sagepro_tested)
        grid.addWidget(self.paytrace, 0, 0)
        grid.addWidget(self.sagepro, 0, 1)
        grid.addWidget(self._schedule_box(), 1, 0)
        grid.addWidget(self._policy_box(), 1, 1)
        grid.addWidget(self._gl_box(), 2, 0)
        grid.addWidget(self._fees_box(), 2, 1)
        grid.addWidget(self._alerts_box(), 3, 0)
        grid.addWidget(self._worklist_box(), 3, 1)
        grid.setRowStretch(4, 1)
        self.form_scroll.setWidget(body)
        footer = QHBoxLayout()
        self.save_button = QPushButton("Save settings")
        self.save_button.setObjectName("primaryButton")
        self.save_button.clicked.connect(self.save)
        self.saved_label = QLabel("")
        self.saved_label.setObjectName("savedNote")
        self.saved_label.setWordWrap(True)
        footer.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        footer.addWidget(self.saved_label, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.form_scroll, 1)
        outer.addLayout(footer)
        self.load()
        watch_edits(body, self._edited)

    def show_field(self, system: str, field: str) -> None:
        """Scroll to a connection field ("paytrace"/"sagepro", "url"/"secret"/"username")
        and put the cursor in it, its text selected for retyping (a notification's link)."""
        form = {"paytrace": self.paytrace, "sagepro": self.sagepro}.get(system)
        widget = getattr(form, field, None) if form is not None else None
        if not isinstance(widget, QLineEdit):
            return
        self.form_scroll.ensureWidgetVisible(widget)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        widget.selectAll()

    def _edited(self) -> None:
        """Any change: "Saved." no longer holds, and leaving will ask."""
        if not self._loading:
            self.dirty = True
            self.saved_label.setText("")

    def _schedule_box(self) -> QGroupBox:
        box = QGroupBox("Schedule")
        form = QFormLayout(box)
        self.sync_enabled = QCheckBox("Sync automatically")
        self.interval = _spin(1, 1440, " min")
        self.business_only = QCheckBox("Only during business hours")
        hours = QHBoxLayout()
        self.start_hour, self.end_hour = _spin(0, 23, ":00"), _spin(1, 24, ":00")
        hours.addWidget(self.start_hour)
        hours.addWidget(QLabel("to"))
        hours.addWidget(self.end_hour)
        hours.addStretch(1)
        self.lookback = _spin(1, 60, " days")
        form.addRow(self.sync_enabled)
        form.addRow("Every", self.interval)
        form.addRow(self.business_only)
        form.addRow("Business hours", hours)
        form.addRow("Look back", self.lookback)
        return box

    def _policy_box(self) -> QGroupBox:
        box = QGroupBox("Matching")
        form = QFormLayout(box)
        self.auto_approve = QCheckBox("Approve sure matches automatically")
        # Tiers with the precision measured on the calibration seeds beside each.
        calibration = shipped_calibration()
        self.tier = QComboBox()
        for tier in TIER_ORDER:
            self.tier.addItem(tier.label, tier.value)
            self.tier.setItemData(
                self.tier.count() - 1, calibration.precision_text(tier), Qt.ItemDataRole.ToolTipRole
            )
        self.tier_precision = QLabel()
        self.tier_precision.setObjectName("hint")
        self.tier_precision.setWordWrap(True)
        self.tier.currentIndexChanged.connect(self._show_tier_precision)
        self.threshold = _spin(50, 100, " %")
        self.tolerance = AmountEdit("0.00")
        self.date_window = _spin(1, 365, " days")
        form.addRow(self.auto_approve)
        form.addRow("Tier", self.tier)
        form.addRow("Measured", self.tier_precision)
        form.addRow("Exact only: at or above", self.threshold)
        form.addRow(f"Amount tolerance {self.sign}", self.tolerance)
        form.addRow("Invoice date window", self.date_window)
        note = QLabel(
            "Ties, unknown payers and amounts that fit several invoices always wait for you "
            "in Reconciliation, whatever the tier."
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        form.addRow(note)
        return box

    def _show_tier_precision(self) -> None:
        tier = AutoApproveTier(self.tier.currentData())
        self.tier_precision.setText(shipped_calibration().precision_text(tier))

    def _gl_box(self) -> QGroupBox:
        box = QGroupBox("GL accounts (from Sage Pro's chart)")
        form = QFormLayout(box)
        self.gl: dict[str, QComboBox] = {}
        for key, words in GL_FIELDS:
            combo = QComboBox()
            combo.setEditable(True)
            combo.setMinimumWidth(240)
            self.gl[key] = combo
            form.addRow(words, combo)
        self.gl_hint = QLabel("")
        self.gl_hint.setObjectName("hint")
        self.gl_hint.setWordWrap(True)
        form.addRow(self.gl_hint)
        return box

    def _fees_box(self) -> QGroupBox:
        box = QGroupBox("Fee schedule")
        form = QFormLayout(box)
        fees = self.ctx.profile.fees
        self.card_pct, self.card_fixed = (
            _amount(fees.card_percent),
            _amount(fees.card_per_transaction),
        )
        self.ach_pct, self.ach_fixed = _amount(fees.ach_percent), _amount(fees.ach_per_transaction)
        form.addRow("Card % of gross", self.card_pct)
        form.addRow(f"Card {self.sign} per transaction", self.card_fixed)
        form.addRow("ACH % of gross", self.ach_pct)
        form.addRow(f"ACH {self.sign} per transaction", self.ach_fixed)
        return box

    def _alerts_box(self) -> QGroupBox:
        box = QGroupBox("Alerts")
        form = QFormLayout(box)
        self.notify_failed = QCheckBox("Notify when a sync fails")
        self.notify_dead = QCheckBox("Notify about new dead letters")
        self.notify_anomaly = QCheckBox("Notify about unusual payments")
        self.large_amount = AmountEdit("10000.00")
        for box_ in (self.notify_failed, self.notify_dead, self.notify_anomaly):
            form.addRow(box_)
        form.addRow(f"Large payment from {self.sign}", self.large_amount)
        return box

    def _worklist_box(self) -> QGroupBox:
        box = QGroupBox("Sage Pro worklist")
        form = QFormLayout(box)
        self.through_bridge = QCheckBox("Sage Pro is reached through the Paysage bridge")
        self.worklist_days = _spin(1, 90, " days")
        form.addRow(self.through_bridge)
        form.addRow("Alert when not entered after", self.worklist_days)
        note = QLabel(
            "Through the bridge, receipts wait on the Sage Pro worklist until someone enters "
            "them in Sage Pro with the reference shown."
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        form.addRow(note)
        return box

    # -- load / save -----------------------------------------------------------------------

    def load(self) -> None:
        self._loading = True
        try:
            self._load()
        finally:
            self._loading = False
        self.dirty = False

    def _load(self) -> None:
        p = self.ctx.profile
        self.paytrace.load(p)
        self.sagepro.load(p)
        self.sync_enabled.setChecked(p.sync.enabled)
        self.interval.setValue(p.sync.interval_minutes)
        self.business_only.setChecked(p.sync.business_hours_only)
        self.start_hour.setValue(p.sync.business_start_hour)
        self.end_hour.setValue(p.sync.business_end_hour)
        self.lookback.setValue(p.sync.lookback_days)
        self.auto_approve.setChecked(p.policy.auto_approve)
        self.tier.setCurrentIndex(max(0, self.tier.findData(p.policy.auto_approve_tier.value)))
        self._show_tier_precision()
        self.threshold.setValue(p.policy.auto_approve_threshold)
        self.tolerance.setText(str(p.policy.amount_tolerance))
        self.date_window.setValue(p.policy.date_window_days)
        self.notify_failed.setChecked(p.alerts.notify_failed_sync)
        self.notify_dead.setChecked(p.alerts.notify_dead_letters)
        self.notify_anomaly.setChecked(p.alerts.notify_anomalies)
        self.large_amount.setText(str(p.alerts.large_payment_amount))
        self.through_bridge.setChecked(p.sagepro.through_bridge)
        self.worklist_days.setValue(p.sagepro.worklist_alert_days)
        self.fill_gl(load_gl_cache(p.name))

    def fill_gl(self, accounts: list[GLAccount]) -> None:
        chosen = self.ctx.profile.gl
        for key, combo in self.gl.items():
            current = getattr(chosen, key)
            combo.clear()
            for account in accounts:
                combo.addItem(f"{account.account_id} — {account.description}", account.account_id)
            index = combo.findData(current)
            if index >= 0:
                combo.setCurrentIndex(index)
            else:
                combo.setEditText(current)
        self.gl_hint.setText(
            f"{len(accounts)} accounts from Sage Pro."
            if accounts
            else "Test the Sage Pro connection to fill these lists from the chart of accounts."
        )

    def _sagepro_tested(self, ok: bool, _words: str) -> None:
        result: CheckResult | None = self.sagepro.last_result
        if ok and result is not None and result.gl_accounts:
            save_gl_cache(self.ctx.profile.name, result.gl_accounts)
            self.fill_gl(result.gl_accounts)

    def gl_value(self, combo: QComboBox) -> str:
        data = combo.currentData()
        text = combo.currentText()
        return (
            str(data)
            if data and combo.itemText(combo.currentIndex()) == text
            else text.split(" — ")[0].strip()
        )

    def problems(self) -> list[str]:
        """Everything that stops a save, one sentence per field."""
        return settings_page_problems(self)

    def _refused_confirmed(self) -> bool:
        """A connection whose test just failed is saved only when the user says so."""
        for form in (self.paytrace, self.sagepro):
            words = form.refused_words()
            if words:
                answer = QMessageBox.question(
                    self,
                    "Save settings",
                    f"The {form.title()} connection test failed: {words}\n\nSave anyway?",
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return False
        return True

    def save(self) -> bool:
        """Save what the form says; False (with the reasons shown) when it cannot."""
        found = self.problems()
        if found:
            self.saved_label.setText("Not saved: " + " ".join(found))
            notify(self, "Settings not saved", "\n".join(found), warning=True)
            return False
        if not self._refused_confirmed():
            self.saved_label.setText("Not saved.")
            return False
        # The form's values on a copy first: the settings rules (the same ones that refuse a
        # hand-edited settings.json) must pass before anything, secrets included, is saved.
        p = copy.deepcopy(self.ctx.profile)
        write_form_into(self, p)
        refused = validate_profile(p, name=p.name, source="the form")
        if refused:
            words = [problem.message for problem in refused]
            self.saved_label.setText("Not saved: " + " ".join(words))
            notify(self, "Settings not saved", "\n".join(words), warning=True)
            return False
        try:
            self.paytrace.save_secret(p.name)
            self.sagepro.save_secret(p.name)
        except CredentialsError as exc:
            notify(self, "Keyring", str(exc), warning=True)
            return False
        for field in dataclasses.fields(p):
            setattr(self.ctx.profile, field.name, getattr(p, field.name))
        self.ctx.save_settings()
        self.ctx.signals.schedule_changed.emit()
        self.dirty = False
        self.saved_label.setText("Saved.")
        return True

    def confirm_leave(self) -> bool:
        """Called before the window shows another page: unsaved changes are saved, thrown
        away or kept (staying here), as the user chooses."""
        if not self.dirty:
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self,
            "Unsaved settings",
            "Settings have changes that are not saved. Save them before leaving?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        if answer == buttons.Save:
            return self.save()
        if answer == buttons.Discard:
            self.load()
            return True
        return False
