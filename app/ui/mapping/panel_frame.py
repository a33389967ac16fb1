"""The white rounded panel with a title (and a hint) that the editor's areas sit in."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout


def titled_panel(title: str, hint: str = "") -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("Panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(1, 10, 1, 1)
    layout.setSpacing(6)
    header = QVBoxLayout()
    header.setContentsMargins(12, 0, 12, 0)
    header.setSpacing(2)
    if title:
        label = QLabel(title)
        label.setObjectName("PanelTitle")
        header.addWidget(label)
    if hint:
        hint_label = QLabel(hint)
        hint_label.setObjectName("PanelHint")
        hint_label.setWordWrap(True)
        header.addWidget(hint_label)
    layout.addLayout(header)
    return frame, layout
