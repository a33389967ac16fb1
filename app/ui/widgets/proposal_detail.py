"""The panel beside the reconciliation grid: why this match, the score parts, and the
alternative candidates (each can be chosen with one click)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.display_time import show_local
from app.domain.matching.rule_words import rule_words, score_part_words
from app.domain.money import display_money
from app.queries.proposal_detail import CandidateView, ProposalDetail


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionHeading")
    label.setWordWrap(True)  # the panel is narrow: a heading wraps rather than widening it
    return label


def _words(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def decided_line(detail: ProposalDetail) -> str:
    """Like "Approved by amy at 2025-11-18 14:05" (local time); rejected ones say so."""
    verb = {"rejected": "Rejected", "superseded": "Superseded"}.get(detail.status, "Approved")
    when = f" at {show_local(detail.decided_at)}" if detail.decided_at is not None else ""
    return f"{verb} by {detail.decided_by}{when}"


class ProposalDetailPanel(QScrollArea):
    use_candidate = Signal(object)  # CandidateView

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPanel")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(280)
        self.detail: ProposalDetail | None = None
        self.show_message("Select a payment to see why it was matched.")

    def show_message(self, text: str) -> None:
        self.detail = None
        body = QWidget()
        layout = QVBoxLayout(body)
        hint = _words(text)
        hint.setObjectName("hint")
        layout.addWidget(hint)
        layout.addStretch(1)
        self.setWidget(body)

    def show_detail(self, detail: ProposalDetail) -> None:
        self.detail = detail
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setSpacing(6)
        base = detail.base_currency  # the payment's, its applications' and on account's
        title = QLabel(f"{display_money(detail.amount, base=base)} — {detail.customer}")
        title.setObjectName("detailTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(_words(f"PayTrace {detail.transaction_id} · {detail.payment_line}"))
        if detail.typed_reference:
            layout.addWidget(_words(f"Reference typed by payer: “{detail.typed_reference}”"))
        if detail.description:
            layout.addWidget(_words(f"Description: {detail.description}"))
        layout.addWidget(_heading(f"Match · Confidence {detail.confidence}%"))
        layout.addWidget(_words(rule_words(detail.rule)))
        layout.addWidget(_words(detail.reason))
        if detail.waiting_note:
            note = _words(detail.waiting_note)
            note.setObjectName("waitingNote")
            layout.addWidget(note)
        if detail.decided_by:
            layout.addWidget(_words(decided_line(detail)))
        self._score_parts(layout, detail)
        layout.addWidget(_heading("Applies to"))
        for invoice, amount in detail.applications:
            layout.addWidget(_words(f"Invoice {invoice}: {display_money(amount, base=base)}"))
        if detail.on_account:
            layout.addWidget(_words(f"On account: {display_money(detail.on_account, base=base)}"))
        if not detail.applications and not detail.on_account:
            layout.addWidget(_words("Nothing yet — choose an invoice or put it on account."))
        layout.addWidget(_heading("Other candidates"))
        if not detail.candidates:
            layout.addWidget(_words("None: no other open invoice came close."))
        for candidate in detail.candidates:
            layout.addWidget(self._candidate_card(candidate, base))
        if detail.postings:
            layout.addWidget(_heading("Postings to Sage Pro"))
            for key, status, error in detail.postings:
                layout.addWidget(_words(f"{key}: {status}" + (f" — {error}" if error else "")))
        layout.addStretch(1)
        self.setWidget(body)

    def _score_parts(self, layout: QVBoxLayout, detail: ProposalDetail) -> None:
        """Each part's points, then their total: the raw score the engine kept (a total
        over 100 is capped at 100)."""
        layout.addWidget(_heading(f"Score parts (raw score {detail.raw_score})"))
        if not detail.score_parts:
            layout.addWidget(_words("No score parts were recorded for this match."))
            return
        for name, points in detail.score_parts:
            layout.addWidget(self._score_row(score_part_words(name), points))
        total = sum(points for _name, points in detail.score_parts)
        words = f"Total {total}" + (" (counted as 100)" if total > 100 else "")
        layout.addWidget(_words(words))

    def _score_row(self, name: str, points: int) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(name)
        label.setMinimumWidth(label.sizeHint().width())
        bar = QProgressBar()
        bar.setRange(0, 100)
        bar.setValue(max(0, min(100, points)))
        bar.setTextVisible(False)
        bar.setFixedHeight(8)
        bar.setObjectName("scoreBar")
        value = QLabel(f"{points:+d}" if points < 0 else str(points))
        value.setFixedWidth(30)
        value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(label)
        layout.addWidget(bar, 1)
        layout.addWidget(value)
        return row

    def _candidate_card(self, candidate: CandidateView, base: str) -> QWidget:
        card = QFrame()
        card.setObjectName("candidateCard")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(8, 6, 8, 6)
        amount = (
            f"{display_money(candidate.amount, currency=candidate.currency, base=base)}"
            if candidate.amount is not None
            else "amount unknown"
        )
        # A rival's raw engine score (not calibrated), comparable with the score parts.
        score = f"raw score {candidate.score}" if candidate.score is not None else "no score"
        layout.addWidget(_words(f"Invoice {candidate.invoices or '?'} · {amount} · {score}"))
        if candidate.reason:
            layout.addWidget(_words(candidate.reason))
        button = QPushButton("Use this invoice")
        button.setEnabled(bool(candidate.invoices))
        button.clicked.connect(lambda: self.use_candidate.emit(candidate))
        layout.addWidget(button, alignment=Qt.AlignmentFlag.AlignLeft)
        return card
