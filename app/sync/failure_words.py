"""A failed sync in words that say what to do, and which setting fixes it. The tray, the
status bar and the dashboard all show these words; the UI turns ``setting`` into a link."""

from __future__ import annotations

from dataclasses import dataclass

from app.connectors.paytrace.errors import (
    PayTraceAuthError,
    PayTraceError,
    PayTraceTransientError,
)
from app.connectors.sagepro.errors import SageProError, UnauthorizedError, UnreachableError
from app.credentials import CredentialsError
from app.sync.errors import SyncFatalError

PAYTRACE = "paytrace"
SAGEPRO = "sagepro"
SETTING_WORDS = {PAYTRACE: "Settings → PayTrace", SAGEPRO: "Settings → Sage Pro"}


@dataclass(frozen=True)
class FailureAdvice:
    words: str
    setting: str = ""  # PAYTRACE / SAGEPRO: the settings the user should open; "" none


def _paytrace(exc: PayTraceError) -> FailureAdvice:
    where = SETTING_WORDS[PAYTRACE]
    if isinstance(exc, PayTraceAuthError):
        words = f"PayTrace did not accept the API user name or password. Check them in {where}."
    elif "not a web address" in str(exc):
        words = (
            "The PayTrace address is not a web address (it looks like "
            f"https://api.paytrace.com). Correct it in {where}."
        )
    elif isinstance(exc, PayTraceTransientError):
        words = (
            f"PayTrace could not be reached ({exc}). Check the address in {where} and the "
            "internet connection; the next sync tries again."
        )
    else:
        return FailureAdvice(f"PayTrace refused the request: {exc}.")
    return FailureAdvice(words, PAYTRACE)


def _sagepro(exc: SageProError) -> FailureAdvice:
    where = SETTING_WORDS[SAGEPRO]
    if isinstance(exc, UnauthorizedError):
        words = f"Sage Pro did not accept the API key. Enter the right key in {where}."
    elif "not a web address" in str(exc):
        words = (
            "The Sage Pro address is not a web address (it looks like http://server:8080). "
            f"Correct it in {where}; nothing was sent."
        )
    elif isinstance(exc, UnreachableError):
        words = (
            f"Sage Pro could not be reached. Check the address in {where} and that the Sage "
            "Pro API service is running; nothing was sent, the next sync tries again."
        )
    else:
        return FailureAdvice(f"Sage Pro refused the request: {exc}.")
    return FailureAdvice(words, SAGEPRO)


def failure_advice(exc: BaseException) -> FailureAdvice | None:
    """The words for a failure these systems explain; None for anything else. A sync's
    own fatal error is explained by the connector error it was raised for, if any."""
    underlying = exc.__cause__ or exc.__context__
    if isinstance(exc, SyncFatalError) and underlying is not None:
        return failure_advice(underlying)
    if isinstance(exc, PayTraceError):
        return _paytrace(exc)
    if isinstance(exc, SageProError):
        return _sagepro(exc)
    if isinstance(exc, CredentialsError):
        setting = SAGEPRO if "sagepro" in str(exc) else PAYTRACE
        secret = "Sage Pro API key" if setting == SAGEPRO else "PayTrace password"
        if "No usable keyring" in str(exc) or "keyring could not" in str(exc):
            return FailureAdvice(str(exc))
        return FailureAdvice(
            f"No {secret} is stored for this profile. Enter it in {SETTING_WORDS[setting]}.",
            setting,
        )
    return None


def setting_named_in(words: str) -> str:
    """Which settings a stored failure sentence points at ("" when none)."""
    return next((key for key, named in SETTING_WORDS.items() if named in words), "")
