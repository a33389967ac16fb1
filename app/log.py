"""Rotating logs in the data folder, with card numbers and known secrets redacted from every
record — message, arguments and traceback alike.
"""

from __future__ import annotations

import logging
import logging.handlers
import threading
from pathlib import Path

from app.config import logs_dir
from app.domain.pan import redact_card_numbers

LOG_FILE = "paysage.log"
SECRET_MASK = "[secret]"
_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Remember a secret so that no log line can ever contain it."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """``text`` with card numbers and registered secrets masked."""
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, SECRET_MASK)
    return redact_card_numbers(text)


class RedactionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """Also covers what the filter cannot see: formatted tracebacks and stack info."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"


def setup_logging(level: int = logging.INFO, directory: Path | None = None) -> Path:
    """Log to a rotating file (5 × 2 MB) in the data folder; returns the file path."""
    directory = directory or logs_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOG_FILE
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_paysage", False):
            root.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8", delay=True
    )
    handler._paysage = True  # type: ignore[attr-defined]
    handler.addFilter(RedactionFilter())
    handler.setFormatter(RedactingFormatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    return path
