"""The Mapping page: the mapping editor from ``app.ui.mapping`` when it is in the build,
otherwise a clear page saying what will be here."""

from __future__ import annotations

import logging
from importlib import import_module

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.context import UiContext

log = logging.getLogger(__name__)


class MappingPlaceholder(QWidget):
    page_key = "mapping"
    title = "Mapping"

    def __init__(self, words: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        heading = QLabel("Mapping editor")
        heading.setObjectName("pageHeading")
        body = QLabel(words)
        body.setWordWrap(True)
        body.setObjectName("hint")
        layout.addStretch(1)
        for label in (heading, body):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addStretch(2)


def create_mapping_page(ctx: UiContext) -> QWidget:
    """``app.ui.mapping.MappingPage(ctx)`` if present, else the placeholder."""
    try:
        module = import_module("app.ui.mapping")
        page_class = module.MappingPage
    except (ImportError, AttributeError):
        return MappingPlaceholder(
            "Here you will say how a PayTrace transaction becomes Sage Pro records: fields, "
            "transforms, status map and GL rules, with a live preview on real payments."
        )
    try:
        page: QWidget = page_class(ctx)
    except Exception as exc:  # the editor failing must not take the whole window down
        log.error("The mapping editor could not start", exc_info=True)
        return MappingPlaceholder(f"The mapping editor could not start: {exc}")
    return page
