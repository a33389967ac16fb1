"""A grid with nothing in it says why and what to do, in its own middle, instead of
showing an empty white box."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel


class EmptyState(QObject):
    """Shows ``words`` over ``view`` while its model has no rows and ``ready()`` says the
    model has been loaded (an empty grid that is still loading says nothing)."""

    def __init__(
        self, view: QAbstractItemView, words: str, ready: Callable[[], bool] = lambda: True
    ) -> None:
        super().__init__(view)
        self.view = view
        self.ready = ready
        self.label = QLabel(words, view.viewport())
        self.label.setObjectName("emptyState")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            signal.connect(self.update)
        view.viewport().installEventFilter(self)
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        area = self.view.viewport().rect().adjusted(24, 24, -24, -24)
        self.label.setGeometry(area)

    def update(self, *_args: object) -> None:
        self._place()
        self.label.setVisible(self.ready() and self.view.model().rowCount() == 0)
