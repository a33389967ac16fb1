"""Reject asks why: a rejection takes a payment out of review, so it needs a
person's words, not a stray key press; the reason goes into the audit trail."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class RejectDialog(QDialog):
    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        noun = "payment" if count == 1 else f"{count} payments"
        self.setWindowTitle("Reject proposed match")
        layout = QVBoxLayout(self)
        words = QLabel(
            f"Reject the proposed match for {'this ' if count == 1 else 'these '}{noun}? "
            "Nothing is posted to Sage Pro; it moves to Show: Rejected.\n"
            "Why are you rejecting it?"
        )
        words.setWordWrap(True)
        layout.addWidget(words)
        self.reason = QLineEdit()
        self.reason.setObjectName("rejectReason")
        self.reason.setPlaceholderText("e.g. wrong customer, paid twice, test charge")
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.reject_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.reject_button.setText("Reject")
        self.reject_button.setEnabled(False)  # no reason, no rejection
        self.reason.textChanged.connect(
            lambda text: self.reject_button.setEnabled(bool(text.strip()))
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())

    def reason_text(self) -> str:
        return self.reason.text().strip()
