"""What the window remembers between runs that is not a setting: its size and the folder
exports went to last. Kept in an ini file in the data folder (never the registry), so a test
or the demo (which run on a throw-away data folder) never touch the user's."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QSize, QStandardPaths

from app.config import data_dir

EXPORT_FOLDER = "export/folder"
WINDOW_SIZE = "window/size"


def ui_state() -> QSettings:
    return QSettings(str(data_dir() / "ui-state.ini"), QSettings.Format.IniFormat)


def export_folder() -> Path:
    """The folder of the last export, else the user's Documents folder: never the data
    folder (the demo's is thrown away when it closes)."""
    stored = ui_state().value(EXPORT_FOLDER)
    if isinstance(stored, str) and stored and Path(stored).is_dir():
        return Path(stored)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def remember_export_folder(chosen: Path) -> None:
    state = ui_state()
    state.setValue(EXPORT_FOLDER, str(chosen.parent))
    state.sync()


def window_size() -> QSize | None:
    stored = ui_state().value(WINDOW_SIZE)
    return stored if isinstance(stored, QSize) and stored.isValid() else None


def remember_window_size(size: QSize) -> None:
    state = ui_state()
    state.setValue(WINDOW_SIZE, size)
    state.sync()
