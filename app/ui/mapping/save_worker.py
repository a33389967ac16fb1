"""Running the caller's ``save(document, comment)`` on a worker thread (DB work never runs
on the GUI thread); the outcome comes back as a Qt signal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QRunnable, Signal

from app.domain.pan import redact_card_numbers
from app.mapping import MappingDocument


class SavedVersion(Protocol):
    """What a save answers: the number of the version it made (``VersionInfo``)."""

    @property
    def version(self) -> int: ...


SaveCallback = Callable[[MappingDocument, str], SavedVersion]


class SaveSignals(QObject):
    done = Signal(object)
    failed = Signal(str)


class SaveWorker(QRunnable):
    def __init__(self, save: SaveCallback, document: MappingDocument, comment: str) -> None:
        super().__init__()
        self.signals = SaveSignals()
        self._save = save
        self._document = document
        self._comment = comment

    def run(self) -> None:
        try:
            result = self._save(self._document, self._comment)
        except Exception as exc:  # noqa: BLE001 - any failure of the caller's save is shown
            self.signals.failed.emit(redact_card_numbers(str(exc)) or type(exc).__name__)
            return
        self.signals.done.emit(result)
