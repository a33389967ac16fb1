"""One window per data folder: the file lock (``SingleInstanceLock``) decides who runs; a
local socket named after the data folder lets a second launch bring that window forward."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.config import data_dir

_MESSAGE = b"show\n"


def server_name(folder: Path | None = None) -> str:
    digest = hashlib.sha256(str((folder or data_dir()).resolve()).encode()).hexdigest()[:16]
    return f"paysage-{digest}"


def ask_running_instance_to_show(name: str, timeout_ms: int = 1500) -> bool:
    """Called by a second launch (before it has a window): True when the first answered."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(_MESSAGE)
    sent = socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return sent


class InstanceServer(QObject):
    show_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        # We hold the file lock, so a leftover socket from a crashed run is stale.
        QLocalServer.removeServer(name)
        self.listening = self.server.listen(name)
        self.server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).strip() == _MESSAGE.strip():
            self.show_requested.emit()

    def close(self) -> None:
        self.server.close()
