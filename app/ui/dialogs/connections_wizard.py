"""First run: choose the environment, connect PayTrace and Sage Pro (with Test buttons),
and turn the schedule on. Secrets go to the keyring when the wizard finishes."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.config import PAYTRACE_PRODUCTION_URL, PAYTRACE_SANDBOX_URL
from app.credentials import CredentialsError
from app.ui.context import UiContext
from app.ui.widgets.connection_forms import PayTraceForm, SageProForm
from app.ui.widgets.notices import notify


def _page(title: str, subtitle: str, *widgets: QWidget) -> QWizardPage:
    page = QWizardPage()
    page.setTitle(title)
    page.setSubTitle(subtitle)
    layout = QVBoxLayout(page)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return page


class ConnectionsWizard(QWizard):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Connect Paysage")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.resize(720, 540)
        self.sandbox = QRadioButton("Sandbox — practice with PayTrace's test system")
        self.production = QRadioButton("Production — real payments")
        is_sandbox = ctx.profile.environment != "Production"
        self.sandbox.setChecked(is_sandbox)
        self.production.setChecked(not is_sandbox)
        note = QLabel(
            "Passwords and API keys are kept in Windows Credential Manager, never in files."
        )
        note.setWordWrap(True)
        self.addPage(
            _page(
                "Welcome",
                f"Profile “{ctx.profile.name}”. Which PayTrace system should it use?",
                self.sandbox,
                self.production,
                note,
            )
        )
        self.paytrace = PayTraceForm()
        self.paytrace.load(ctx.profile)
        self.addPage(_page("PayTrace", "The API user PayTrace gave you.", self.paytrace))
        self.sagepro = SageProForm()
        self.sagepro.load(ctx.profile)
        self.addPage(_page("Sage Pro", "The Sage Pro API service and its key.", self.sagepro))
        self.schedule = QCheckBox("Sync automatically while Paysage is open")
        self.schedule.setChecked(ctx.profile.sync.enabled)
        self.interval = QSpinBox()
        self.interval.setRange(1, 1440)
        self.interval.setSuffix(" minutes")
        self.interval.setValue(ctx.profile.sync.interval_minutes)
        self.addPage(
            _page("Schedule", "How often to fetch from PayTrace.", self.schedule, self.interval)
        )
        self.currentIdChanged.connect(self._entered)

    def _entered(self, page_id: int) -> None:
        if page_id == 1 and not self.paytrace.url.text():
            url = PAYTRACE_SANDBOX_URL if self.sandbox.isChecked() else PAYTRACE_PRODUCTION_URL
            self.paytrace.url.setText(url)

    def accept(self) -> None:
        profile = self.ctx.profile
        try:
            self.paytrace.save_secret(profile.name)
            self.sagepro.save_secret(profile.name)
        except CredentialsError as exc:
            notify(self, "Keyring", str(exc), warning=True)
            return
        profile.environment = "Sandbox" if self.sandbox.isChecked() else "Production"
        self.paytrace.apply(profile)
        self.sagepro.apply(profile)
        profile.sync.enabled = self.schedule.isChecked()
        profile.sync.interval_minutes = self.interval.value()
        self.ctx.save_settings()
        self.ctx.signals.schedule_changed.emit()
        super().accept()
