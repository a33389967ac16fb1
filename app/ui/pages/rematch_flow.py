"""Changing a proposed match from the reconciliation grid: Re-match / split…, a rival
candidate from the detail panel, the whole payment on account. The change runs off the GUI
thread; a refusal (Sage Pro's books changed meanwhile) reopens the dialog with everything
the user typed."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app.domain.money import display_money, from_cents
from app.queries.proposal_detail import CandidateView
from app.ui import services
from app.ui.changes import Changed
from app.ui.dialogs.applications_dialog import ApplicationsDialog
from app.ui.ops import run_mutation

if TYPE_CHECKING:
    from app.ui.pages.reconciliation import ReconciliationPage


class RematchFlow:
    def __init__(self, page: ReconciliationPage) -> None:
        self.page = page

    def rematch_current(self, initial: list[tuple[str, Decimal]] | None = None) -> None:
        row = self.page.current_row()
        if row is None:
            return
        if initial is None and self.page.detail.detail is not None:
            initial = list(self.page.detail.detail.applications)
        dialog = ApplicationsDialog(
            self.page.ctx.store,
            payment=from_cents(int(row["amount"])),
            customer_id=str(row["customer_id"] or ""),
            initial=initial,
            title=f"Re-match PayTrace {row['paytrace_id']}",
            base_currency=self.page.ctx.profile.base_currency,
            parent=self.page,
        )
        if dialog.exec() != ApplicationsDialog.DialogCode.Accepted:
            return
        apps = dialog.applications() or []
        self.rematch(
            int(row["_key"]),
            apps,
            dialog.on_account(),
            exchange_rate=dialog.exchange_rate(),
            # Refused after all (Sage Pro's books changed meanwhile): the dialog opens again
            # with everything the user typed, beside the reason.
            on_refused=lambda: self.rematch_current(initial=apps),
        )

    def rematch(
        self,
        pid: int,
        apps: list[tuple[str, Decimal]],
        on_account: Decimal,
        exchange_rate: str | None = None,
        on_refused: Callable[[], None] | None = None,
    ) -> None:
        store, user, profile = self.page.ctx.store, self.page.ctx.user, self.page.ctx.profile

        def work() -> Changed[int]:
            return services.rematch_proposal(
                store,
                pid,
                apps,
                user=user,
                on_account=on_account,
                exchange_rate=exchange_rate,
                profile=profile,
            )

        def refused(words: str) -> None:
            self.page.show_error(words)
            if on_refused is not None:
                on_refused()

        run_mutation(
            work,
            label="Re-matching",
            on_done=lambda _new: self.page.say("Match changed; review it."),
            on_error=refused,
            owner=self.page,
        )

    def use_candidate(self, candidate: CandidateView) -> None:
        row = self.page.current_row()
        if row is None:
            return
        ids = [i.strip() for i in candidate.invoices.split(",") if i.strip()]
        payment = from_cents(int(row["amount"]))
        if len(ids) == 1:
            self.rematch(int(row["_key"]), [(ids[0], payment)], Decimal(0))
        else:
            self.rematch_current(initial=[(i, Decimal(0)) for i in ids])

    def put_on_account(self) -> None:
        row = self.page.current_row()
        if row is None:
            return
        amount = from_cents(int(row["amount"]))
        answer = QMessageBox.question(
            self.page,
            "Put on account",
            f"Put the whole {display_money(amount, base=self.page.ctx.profile.base_currency)} on "
            f"{row['customer'] or 'the customer'}'s account?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.rematch(int(row["_key"]), [], amount)
