"""The PayTrace and Sage Pro connection forms, shared by Settings and the first-run wizard.

Passwords and API keys are write-only: the field is empty, the placeholder says whether one
is stored, and a typed value goes straight to the keyring on save (never into settings).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app import credentials
from app.config import PAYTRACE_PRODUCTION_URL, PAYTRACE_SANDBOX_URL, Profile
from app.credentials import SecretSystem
from app.queries.connection_checks import CheckResult, check_paytrace, check_sagepro
from app.ui.ops import Op, run_call

PRESETS = (("Production", PAYTRACE_PRODUCTION_URL), ("Sandbox", PAYTRACE_SANDBOX_URL))


def _stored_hint(profile: str, system: SecretSystem) -> str:
    try:
        stored = credentials.has_secret(profile, system)
    except credentials.CredentialsError as exc:
        return str(exc)[:80]
    return "Stored in the keyring — type to replace" if stored else "Not stored yet"


class _Form(QGroupBox):
    tested = Signal(bool, str)
    system: SecretSystem

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.form = QFormLayout(self)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.result = QLabel("")
        self.result.setObjectName("checkResult")
        self.result.setWordWrap(True)
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test)
        self.last_op: Op | None = None
        self.last_result: CheckResult | None = None
        self.edited_since_test = False
        self.profile_name = ""
        self.secret.textEdited.connect(self._edited)

    def _edited(self, _text: str = "") -> None:
        self.edited_since_test = True

    def refused_words(self) -> str:
        """Why the last test failed, while nothing was changed since ("" otherwise)."""
        result = self.last_result
        if result is None or result.ok or self.edited_since_test:
            return ""
        return result.words

    def _add_test_row(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addWidget(self.result, 1)
        self.form.addRow("", row)

    def secret_for_test(self) -> str:
        if self.secret.text():
            return self.secret.text()
        try:
            return credentials.get_secret(self.profile_name, self.system)
        except credentials.CredentialsError:
            return ""

    def save_secret(self, profile_name: str) -> None:
        """Typed secret → keyring (raises CredentialsError in plain words)."""
        if self.secret.text():
            credentials.set_secret(profile_name, self.system, self.secret.text())
            self.secret.clear()
        self.secret.setPlaceholderText(_stored_hint(profile_name, self.system))

    def test(self) -> None:
        # Disabling the focused button would push the focus into the next field.
        self._had_focus = self.test_button.hasFocus()
        self.edited_since_test = False
        self.test_button.setEnabled(False)
        self.result.setText("Testing…")
        self.result.setProperty("state", "")
        self.last_op = run_call(
            self.check_call(),
            label="Testing connection",
            on_done=self._done,
            on_error=lambda words: self._done(CheckResult(False, words)),
            owner=self,
        )

    def check_call(self) -> Any:
        raise NotImplementedError

    def _done(self, result: CheckResult) -> None:
        self.last_result = result
        self.test_button.setEnabled(True)
        if getattr(self, "_had_focus", False):
            self.test_button.setFocus()
        self.result.setText(("✔ " if result.ok else "✖ ") + result.words)
        self.result.setProperty("state", "ok" if result.ok else "bad")
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)
        self.tested.emit(result.ok, result.words)


class PayTraceForm(_Form):
    system = SecretSystem.PAYTRACE

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("PayTrace", parent)
        self.preset = QComboBox()
        for words, url in PRESETS:
            self.preset.addItem(words, url)
        self.preset.addItem("Other address", "")
        self.url = QLineEdit()
        self.username = QLineEdit()
        self.integrator = QLineEdit()
        self.integrator.setMaxLength(12)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.form.addRow("Environment", self.preset)
        self.form.addRow("API address", self.url)
        self.form.addRow("API user name", self.username)
        self.form.addRow("API password", self.secret)
        self.form.addRow("Integrator id", self.integrator)
        self._add_test_row()
        for edit in (self.url, self.username, self.integrator):
            edit.textEdited.connect(self._edited)

    def _preset_chosen(self, _index: int) -> None:
        url = str(self.preset.currentData() or "")
        if url:
            self.url.setText(url)

    def load(self, profile: Profile) -> None:
        self.profile_name = profile.name
        self.url.setText(profile.paytrace.base_url)
        known = [self.preset.itemData(i) for i in range(self.preset.count())]
        index = known.index(profile.paytrace.base_url) if profile.paytrace.base_url in known else 2
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(index)
        self.preset.blockSignals(False)
        self.username.setText(profile.paytrace.username)
        self.integrator.setText(profile.paytrace.integrator_id)
        self.secret.setPlaceholderText(_stored_hint(profile.name, self.system))

    def apply(self, profile: Profile) -> None:
        profile.paytrace.base_url = self.url.text().strip()
        profile.paytrace.username = self.username.text().strip()
        profile.paytrace.integrator_id = self.integrator.text().strip()

    def check_call(self) -> Any:
        url, user = self.url.text().strip(), self.username.text().strip()
        secret, integrator = self.secret_for_test(), self.integrator.text().strip()
        return lambda: check_paytrace(url, user, secret, integrator)


class SageProForm(_Form):
    system = SecretSystem.SAGEPRO

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sage Pro", parent)
        self.url = QLineEdit()
        self.company = QLineEdit()
        self.company.setMaximumWidth(80)
        self.form.addRow("API address", self.url)
        self.form.addRow("Company", self.company)
        self.form.addRow("API key", self.secret)
        self._add_test_row()
        for edit in (self.url, self.company):
            edit.textEdited.connect(self._edited)

    def load(self, profile: Profile) -> None:
        self.profile_name = profile.name
        self.url.setText(profile.sagepro.base_url)
        self.company.setText(profile.sagepro.company)
        self.secret.setPlaceholderText(_stored_hint(profile.name, self.system))

    def apply(self, profile: Profile) -> None:
        profile.sagepro.base_url = self.url.text().strip()
        profile.sagepro.company = self.company.text().strip() or "01"

    def check_call(self) -> Any:
        url, secret = self.url.text().strip(), self.secret_for_test()
        return lambda: check_sagepro(url, secret)
