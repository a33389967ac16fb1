"""A new profile: its name and environment (Sandbox, Production or a name of the user's
own, e.g. Training). Refused in words when the name is taken or the environment unusable;
the settings gain the profile only when OK succeeds."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.config import PRODUCTION, SANDBOX, Profile, Settings, SettingsError


class NewProfileDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.created: Profile | None = None
        self.setWindowTitle("New profile")
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Training")
        self.environment = QComboBox()
        self.environment.setEditable(True)  # Sandbox, Production, or one's own word
        self.environment.addItems([SANDBOX, PRODUCTION])
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Environment", self.environment)
        hint = QLabel(
            "Each profile has its own database, settings and credentials. Set up its "
            "PayTrace and Sage Pro connections in Settings after switching to it."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.error = QLabel("")
        self.error.setObjectName("checkResult")
        self.error.setProperty("state", "bad")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.add_profile)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(460, 220)

    def add_profile(self) -> None:
        try:
            self.created = self.settings.add_profile(
                self.name.text(), self.environment.currentText()
            )
        except SettingsError as exc:
            self.error.setText(str(exc))
            return
        self.accept()
