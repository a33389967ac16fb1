"""HTTP to PayTrace: pooled session, OAuth password grant, envelope → typed errors, retries.

Reads are retried on transient failures (full-jitter backoff, Retry-After honoured) and
repeated once after re-authenticating when the token was refused. Money-moving calls are
never repeated after they may have reached PayTrace: a timeout, dropped connection, 5xx or
unreadable answer becomes ``PayTraceOutcomeUnknownError``. The only repeat for them is after a
401 ``invalid_token``, which proves the call was refused before anything was processed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from app.connectors.paytrace.errors import (
    PayTraceAuthError,
    PayTraceDeclinedError,
    PayTraceNotFoundError,
    PayTraceOutcomeUnknownError,
    PayTraceRateLimitedError,
    PayTraceResponseError,
    PayTraceTransientError,
    PayTraceValidationError,
)
from app.connectors.paytrace.json_body import decode_body
from app.connectors.retry import RetryPolicy

log = logging.getLogger(__name__)

NOT_FOUND_CODES = frozenset({"811", "30", "80"})
DECLINE_CODES = frozenset({102, 103, 107, 110, 113, 125})
TOKEN_MARGIN_S = 60.0  # renew a little before PayTrace's expiry, not at the edge


@dataclass(frozen=True)
class Timeouts:
    """Seconds. Money-moving calls wait long: the real sandbox takes seconds per sale."""

    connect_s: float = 5.0
    read_s: float = 45.0
    money_read_s: float = 90.0


class _TokenRejectedError(Exception):
    """Internal: PayTrace answered invalid_token; the caller re-authenticates once."""


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP-date form: fall back to our own backoff


# requests refuses these before connecting: the address itself is unusable.
NOT_A_WEB_ADDRESS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request provably never reached PayTrace (no connection was made)."""
    if isinstance(exc, (requests.ConnectTimeout, *NOT_A_WEB_ADDRESS)):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


def _describe(exc: requests.RequestException) -> str:
    # Plain words only: requests' own text can carry URLs and library internals.
    if isinstance(exc, NOT_A_WEB_ADDRESS):
        return "the PayTrace address in Settings is not a web address"
    if isinstance(exc, requests.Timeout):
        return "PayTrace did not answer in time"
    if isinstance(exc, requests.ConnectionError):
        return "the connection to PayTrace failed or was dropped"
    return f"the request to PayTrace failed ({type(exc).__name__})"


def classify(response: requests.Response, rows_key: str | None = None) -> dict[str, Any]:
    """The JSON body of a usable answer, or the typed error it stands for; the array under
    ``rows_key`` stays one JSON text per row (``json_body.RawRows``) for the parser."""
    status = response.status_code
    if status == 429:
        raise PayTraceRateLimitedError("PayTrace is rate limiting requests", _retry_after(response))
    if status >= 500:
        raise PayTraceTransientError(
            f"PayTrace had a server problem (HTTP {status})", _retry_after(response)
        )
    try:
        body = decode_body(response.content, rows_key)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayTraceTransientError(f"PayTrace sent an unreadable answer (HTTP {status})") from exc
    if not isinstance(body, dict):
        raise PayTraceTransientError(f"PayTrace sent an unexpected answer (HTTP {status})")
    oauth_error = body.get("error")
    if status == 401 or oauth_error == "invalid_token":
        raise _TokenRejectedError()
    if isinstance(oauth_error, str):
        if oauth_error in ("invalid_grant", "invalid_client", "unauthorized_client"):
            raise PayTraceAuthError(
                "PayTrace did not accept the API user name or password; check them in Settings"
            )
        raise PayTraceValidationError({oauth_error: [str(body.get("error_description", ""))]})
    return classify_envelope(body, status)


def classify_envelope(body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    """Raise for a PayTrace envelope that reports failure; return it otherwise."""
    message = str(body.get("status_message") or "")
    raw_errors = body.get("errors")
    if isinstance(raw_errors, dict) and raw_errors:
        errors = {
            str(code): [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
            for code, msgs in raw_errors.items()
        }
        if any(code in NOT_FOUND_CODES for code in errors):
            raise PayTraceNotFoundError(errors, message)
        raise PayTraceValidationError(errors, message)
    success = body.get("success")
    code = body.get("response_code")
    response_code = code if isinstance(code, int) and not isinstance(code, bool) else -1
    if success is False or (success is None and status >= 400):
        if response_code in DECLINE_CODES or "transaction_id" in body:
            txn = body.get("transaction_id")
            raise PayTraceDeclinedError(
                response_code,
                str(body.get("approval_message") or message),
                txn if isinstance(txn, int) else None,
            )
        raise PayTraceValidationError({str(response_code): [message]}, message)
    if status >= 400:
        raise PayTraceValidationError({str(response_code): [message]}, message)
    return body


class PayTraceTransport:
    """One pooled session to one PayTrace host for one API user."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        integrator_id: str,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        session: requests.Session | None = None,
        pool_size: int = 4,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self._password = password
        self.integrator_id = integrator_id
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy.paytrace_reads()
        self._clock = clock
        self._token: str | None = None
        self._token_expires_at = 0.0
        self.session = session or requests.Session()
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def __repr__(self) -> str:
        return f"PayTraceTransport({self.base_url!r}, user={self.username!r})"

    def close(self) -> None:
        self.session.close()

    # -- auth ----------------------------------------------------------------------------

    def authenticate(self) -> None:
        """Fetch a fresh token now (also the 'test connection' check)."""
        self._token = None
        self._ensure_token()

    def forget_token(self) -> None:
        self._token = None

    def _ensure_token(self) -> str:
        if self._token is not None and self._clock() < self._token_expires_at:
            return self._token
        try:
            response = self.session.post(
                self.base_url + "/oauth/token",
                data={
                    "grant_type": "password",
                    "username": self.username,
                    "password": self._password,
                },
                timeout=(self.timeouts.connect_s, self.timeouts.read_s),
            )
        except requests.RequestException as exc:
            raise PayTraceTransientError(_describe(exc)) from None
        try:
            body = classify(response)
        except _TokenRejectedError:
            raise PayTraceAuthError(
                "PayTrace did not accept the API user name or password; check them in Settings"
            ) from None
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise PayTraceResponseError("PayTrace's sign-in answer had no access token")
        if str(body.get("token_type", "bearer")).lower() != "bearer":
            raise PayTraceResponseError("PayTrace offered a token type this app cannot use")
        expires_in = body.get("expires_in", 7200)
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 7200.0
        self._token = token
        self._token_expires_at = self._clock() + max(0.0, lifetime - TOKEN_MARGIN_S)
        return token

    # -- calls ---------------------------------------------------------------------------

    def ping(self) -> bool:
        """True when ``/v1/ping`` answers 200 (no token needed)."""
        try:
            response = self.session.post(
                self.base_url + "/v1/ping",
                json={},
                timeout=(self.timeouts.connect_s, self.timeouts.read_s),
            )
        except requests.RequestException:
            return False
        return response.status_code == 200

    def _send(self, path: str, body: dict[str, Any], read_timeout: float) -> requests.Response:
        token = self._ensure_token()
        payload = {**body, "integrator_id": self.integrator_id}
        started = time.perf_counter()
        response = self.session.post(
            self.base_url + path,
            json=payload,
            headers={"Authorization": f"Bearer {token}"},
            timeout=(self.timeouts.connect_s, read_timeout),
        )
        log.debug(
            "PayTrace %s -> %s in %.0f ms",
            path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    def read(
        self, path: str, body: dict[str, Any], *, rows_key: str | None = None
    ) -> dict[str, Any]:
        """A reading call: retried on transient failures, re-authenticated once."""
        retries = 0
        reauthenticated = False
        while True:
            try:
                try:
                    response = self._send(path, body, self.timeouts.read_s)
                except requests.RequestException as exc:
                    raise PayTraceTransientError(_describe(exc)) from None
                return classify(response, rows_key)
            except _TokenRejectedError:
                if reauthenticated:
                    raise PayTraceAuthError(
                        "PayTrace refused a freshly issued sign-in token"
                    ) from None
                reauthenticated = True
                self._token = None
            except PayTraceTransientError as exc:
                last_try = retries + 1 >= self.retry.max_attempts
                if last_try or not self.retry.may_wait(exc.retry_after_s):
                    raise
                self.retry.sleep(self.retry.delay(retries + 1, exc.retry_after_s))
                retries += 1

    def write(self, path: str, body: dict[str, Any], action: str) -> dict[str, Any]:
        """A money-moving call: sent once; unknown outcomes are reported, not retried."""
        reauthenticated = False
        while True:
            self._ensure_token()  # failing here is safe: nothing was sent
            try:
                response = self._send(path, body, self.timeouts.money_read_s)
            except requests.RequestException as exc:
                if _never_sent(exc):
                    raise PayTraceTransientError(_describe(exc)) from None
                raise PayTraceOutcomeUnknownError(action, _describe(exc)) from None
            try:
                return classify(response)
            except _TokenRejectedError:
                if reauthenticated:
                    raise PayTraceAuthError(
                        "PayTrace refused a freshly issued sign-in token"
                    ) from None
                reauthenticated = True
                self._token = None
            except PayTraceRateLimitedError:
                raise  # 429 means PayTrace did not take the request
            except PayTraceTransientError as exc:
                raise PayTraceOutcomeUnknownError(action, str(exc)) from None
