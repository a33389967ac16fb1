"""The Settings page's test-connection checks, Qt-free, over real sockets to the stand-ins:
plain words back, and never the password or key that was tried."""

from __future__ import annotations

from app.queries.connection_checks import check_paytrace, check_sagepro
from app.sandbox.http_base import SandboxServer
from app.sandbox.paytrace.settings import StandInSettings
from app.sandbox.sagepro import DEFAULT_API_KEY
from tests.support.paytrace_fixtures import StartPayTrace


def test_paytrace_check_signs_in_and_refuses_a_wrong_password(
    paytrace_server: StartPayTrace,
) -> None:
    settings = StandInSettings(password="s3cret-Pass-77")
    url = paytrace_server(settings=settings).url
    ok = check_paytrace(url, settings.username, settings.password, "ABC123")
    assert ok.ok and settings.username in ok.words
    bad = check_paytrace(url, settings.username, "wrong-password-123", "ABC123")
    assert not bad.ok and "refused" in bad.words and "wrong-password-123" not in bad.words


def test_sagepro_check_reads_the_chart_of_accounts(sagepro_empty_server: SandboxServer) -> None:
    ok = check_sagepro(sagepro_empty_server.url, DEFAULT_API_KEY)
    assert ok.ok and ok.gl_accounts and "GL accounts" in ok.words
    bad = check_sagepro(sagepro_empty_server.url, "not-the-key")
    assert not bad.ok and "refused this API key" in bad.words
    gone = check_sagepro("http://127.0.0.1:9", DEFAULT_API_KEY)
    assert not gone.ok and "could not be reached" in gone.words
