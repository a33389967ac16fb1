"""Promote a mapping version to Production: the diff against Production's active version,
and an explicit confirmation before anything is written there."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.mapping.version_actions import PromotionPlan
from app.ui.mapping.diff_view import DiffView


class PromoteDialog(QDialog):
    def __init__(self, plan: PromotionPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle(f"Promote mapping version {plan.version} to {plan.target_profile}")
        self.resize(820, 520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Version {plan.version} of {plan.source_profile} compared with {plan.against}. "
            f"Promoting saves it in {plan.target_profile} as a new active version: the next "
            f"{plan.target_profile} sync posts real payments with it. Both profiles' audit "
            "trails record the promotion."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.diff = DiffView(self)
        self.diff.show_changes(
            plan.changes, f"{plan.target_profile} already maps exactly like this version."
        )
        layout.addWidget(self.diff, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.promote_button = buttons.addButton(
            f"Promote to {plan.target_profile}", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.promote_button.setObjectName("primaryButton")
        self.promote_button.setEnabled(bool(plan.changes))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)
