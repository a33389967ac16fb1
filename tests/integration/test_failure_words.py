"""A failed sync says what to do and which setting fixes it, from the real clients' own
errors over real sockets: an address that is not a web address, a refused Sage Pro key, a
Sage Pro that is not there. No exception class names, no HTTP header instructions."""

from __future__ import annotations

import socket
from datetime import date

import pytest

from app.connectors.paytrace.client import PayTraceClient
from app.connectors.sagepro.client import SageProClient
from app.sandbox.http_base import SandboxServer
from app.sandbox.sagepro import build_app
from app.sync.failure_words import PAYTRACE, SAGEPRO, failure_advice, setting_named_in


def _advice_for(call) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(Exception) as info:
        call()
    advice = failure_advice(info.value)
    assert advice is not None, repr(info.value)
    return advice.words, advice.setting


def _plain(words: str) -> None:
    for developer in ("InvalidURL", "MissingSchema", "Authorization", "Bearer", "Error"):
        assert developer not in words, words


def test_a_paytrace_address_that_is_not_a_web_address() -> None:
    client = PayTraceClient("api.paytrace.com", "shop", "secret", "INTEGRATOR")
    words, setting = _advice_for(client.authenticate)
    assert setting == PAYTRACE and setting_named_in(words) == PAYTRACE
    assert "not a web address" in words and "Settings → PayTrace" in words
    _plain(words)


def test_a_refused_sagepro_key() -> None:
    with SandboxServer(build_app(seed=None, today=date(2025, 11, 20))) as server:
        client = SageProClient(server.url, "not-the-key")
        words, setting = _advice_for(client.list_gl_accounts)
    assert setting == SAGEPRO and "did not accept the API key" in words
    assert "Settings → Sage Pro" in words
    _plain(words)


def test_a_sagepro_that_is_not_there() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = SageProClient(f"http://127.0.0.1:{port}", "key")
    words, setting = _advice_for(client.list_gl_accounts)
    assert setting == SAGEPRO and "could not be reached" in words
    _plain(words)


def test_a_refused_sign_in_during_a_sync_names_the_setting() -> None:
    """The cycle raises SyncFatalError for it; the words come from PayTrace's own refusal."""
    from app.connectors.paytrace.errors import PayTraceAuthError
    from app.sync.errors import SyncFatalError

    def cycle() -> None:
        try:
            raise PayTraceAuthError("PayTrace did not accept the API user name or password")
        except PayTraceAuthError as exc:
            raise SyncFatalError(f"PayTrace refused the sign-in: {exc}") from None

    words, setting = _advice_for(cycle)
    assert setting == PAYTRACE and "Settings → PayTrace" in words
    _plain(words)
