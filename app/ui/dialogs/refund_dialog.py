"""Refund to card: confirm giving a card payment back (the amount, at most what is
left on the sale, and whether PayTrace will void it while pending or refund it), then queue
the PayTrace intent, which the next sync sends."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from app.domain.money import display_money
from app.sync.outbound.paytrace_intents import VOID
from app.sync.outbound.refund_outbound import (
    RefundIntent,
    RefundOffer,
    card_refund_offer,
    refund_for_credit_memo,
)
from app.ui.context import UiContext
from app.ui.ops import run_call
from app.ui.widgets.filters import AmountEdit
from app.ui.widgets.notices import notify


class RefundDialog(QDialog):
    def __init__(
        self, offer: RefundOffer, parent: QWidget | None = None, *, base_currency: str = "USD"
    ) -> None:
        super().__init__(parent)
        self.offer = offer
        self.base_currency = base_currency  # a card payment's: the profile's base currency
        self.setWindowTitle(f"Refund invoice {offer.invoice_id} to card")
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                f"PayTrace payment {offer.transaction_id}, card ending {offer.card_last4 or '?'}."
                f"\nUp to {display_money(offer.refundable, base=base_currency)} can be given back."
            )
        )
        self.amount_edit = AmountEdit("Amount")
        self.amount_edit.setText(f"{offer.refundable:.2f}")
        self.amount_edit.textChanged.connect(lambda _t: self._update())
        form.addRow("Amount", self.amount_edit)
        self.kind_label = QLabel()
        self.kind_label.setWordWrap(True)
        form.addRow(self.kind_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._update()

    def amount(self) -> Decimal | None:
        """The amount typed, or None when it is not above zero and within the offer."""
        value = self.amount_edit.value()
        if value is None or value <= 0 or value > self.offer.refundable:
            return None
        return value

    def is_void(self) -> bool:
        # The whole of a pending sale is voided; anything less (or settled) is a refund.
        return self.offer.action == "void" and self.amount() == self.offer.refundable

    def _update(self) -> None:
        value = self.amount()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(value is not None)
        if value is None:
            most = display_money(self.offer.refundable, base=self.base_currency)
            text = f"Enter an amount above zero, at most {most}."
        else:
            how = (
                "void the payment (it is still pending settlement)"
                if self.is_void()
                else "refund it to the card"
            )
            text = (
                f"PayTrace will {how}: {display_money(value, base=self.base_currency)}. The "
                "request is sent with the next sync; the credit memo reaches Sage Pro when "
                "PayTrace reports it."
            )
        self.kind_label.setText(text)

    def accept(self) -> None:
        if self.amount() is not None:
            super().accept()


class RefundToCard(QObject):
    """The flow behind "Refund to card…": look up the offer, confirm it in a ``RefundDialog``,
    queue the intent; every store call off the GUI thread, refusals shown in plain words."""

    def __init__(
        self, ctx: UiContext, parent: QWidget, on_queued: Callable[[], None] | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.widget = parent
        self.on_queued = on_queued
        self.dialog: RefundDialog | None = None

    def start(self, invoice_id: str) -> None:
        run_call(
            card_refund_offer,
            self.ctx.store,
            invoice_id,
            label="Looking up the card payment",
            on_done=lambda offer: self._offer(invoice_id, offer),
            on_error=self._error,
            owner=self,
        )

    def _offer(self, invoice_id: str, offer: RefundOffer | None) -> None:
        if offer is None:
            notify(
                self.widget,
                "Refund to card",
                f"No card payment posted to invoice {invoice_id} has anything left to give "
                "back through PayTrace; refund the customer another way.",
            )
            return
        if offer.under_way:
            notify(
                self.widget,
                "Refund to card",
                f"A refund of payment {offer.transaction_id} is already under way "
                f"({offer.under_way}); it is sent to PayTrace with the next sync.",
            )
            return
        dialog = RefundDialog(offer, self.widget, base_currency=self.ctx.profile.base_currency)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self.queue(invoice_id, dialog.amount()))
        dialog.open()  # not exec(): the event loop keeps running

    def queue(self, invoice_id: str, amount: Decimal | None) -> None:
        """Queue the refund; the service refuses a second one for the same payment."""
        if amount is None:
            return
        store, user, profile = self.ctx.store, self.ctx.user, self.ctx.profile
        run_call(
            refund_for_credit_memo,
            store,
            invoice_id,
            amount,
            user=user,
            profile=profile,
            label="Queueing the refund",
            on_done=self._queued,
            on_error=self._error,
            owner=self,
        )

    def _queued(self, intent: RefundIntent) -> None:
        what = "void" if intent.kind == VOID else "refund"
        self.ctx.signals.status_message.emit(
            f"The {what} of {display_money(intent.amount, base=self.ctx.profile.base_currency)} "
            "on PayTrace payment "
            f"{intent.original_transaction_id} is queued; it is sent with the next sync."
        )
        if self.on_queued is not None:
            self.on_queued()

    def _error(self, words: str) -> None:
        self.ctx.signals.status_message.emit(words)
        notify(self.widget, "Refund to card", words, warning=True)
