from __future__ import annotations

import logging
from pathlib import Path

from app import credentials
from app.log import setup_logging


def test_cards_and_secrets_are_redacted_everywhere(tmp_path: Path):
    path = setup_logging(directory=tmp_path)
    credentials.set_secret("Sandbox", "sagepro", "api-key-XYZ-123")
    log = logging.getLogger("paysage.test")
    log.info("paid with %s using %s", "4012 0000 9876 5439", "api-key-XYZ-123")
    try:
        raise ValueError("card 5499740000000057 key api-key-XYZ-123")
    except ValueError:
        log.exception("failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "paid with 401200******5439 using [secret]" in text
    assert "549974******0057" in text and "Traceback" in text
    for leaked in ("9876 5439", "5499740000000057", "api-key-XYZ-123"):
        assert leaked not in text
