"""Turning a failed HTTP exchange into the right typed error: the server's error object
(code, message, fields, ``existing``, Retry-After) or a transport failure (could not
connect → nothing happened; anything after sending → the outcome is unknown)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from requests.exceptions import InvalidSchema, InvalidURL, MissingSchema
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from app.connectors.sagepro.errors import (
    ERROR_BY_CODE,
    ERROR_BY_STATUS,
    DuplicateReferenceError,
    OutcomeUnknownError,
    SageProError,
    ServerInternalError,
    UnexpectedResponseError,
    UnreachableError,
)

_PLAIN_STATUS = {
    401: "Sage Pro refused the API key",
    404: "Sage Pro has no such record",
    409: "the reference is already used in Sage Pro",
    422: "Sage Pro refused the request",
    429: "Sage Pro asked us to slow down",
    500: "the Sage Pro API service failed",
    503: "the Sage Pro API service is unavailable",
}


def error_from_response(
    status: int, content: bytes, headers: Mapping[str, str], what: str
) -> SageProError:
    """The typed error for a non-2xx answer; the status decides when the body is unreadable."""
    error = _error_object(content)
    code = str(error.get("code") or "")
    cls = ERROR_BY_CODE.get(code) or ERROR_BY_STATUS.get(status)
    if cls is None:
        cls = ServerInternalError if status >= 500 else UnexpectedResponseError
    server_message = str(error.get("message") or _PLAIN_STATUS.get(status, f"HTTP {status}"))
    raw_fields = error.get("fields")
    fields = (
        {str(k): str(v) for k, v in raw_fields.items()} if isinstance(raw_fields, Mapping) else {}
    )
    common: dict[str, Any] = {
        "code": code or _code_for(cls),
        "status": status,
        "fields": fields,
        "retry_after_s": retry_after_seconds(headers.get("Retry-After")),
    }
    message = f"Sage Pro refused {what}: {server_message}"
    if cls.transient:
        message = f"Sage Pro could not handle {what} right now: {server_message}"
    if cls is DuplicateReferenceError:
        existing = error.get("existing")
        return DuplicateReferenceError(
            message, existing=dict(existing) if isinstance(existing, Mapping) else None, **common
        )
    return cls(message, **common)


def transport_error(exc: requests.RequestException, what: str, *, write: bool) -> SageProError:
    """A request that got no HTTP answer. Never includes headers (the API key is in one)."""
    if isinstance(exc, NOT_A_WEB_ADDRESS):
        return UnreachableError(
            "the Sage Pro address in Settings is not a web address; nothing was sent",
            code="unreachable",
        )
    if _never_connected(exc):
        return UnreachableError(
            f"could not reach the Sage Pro API service while {what} "
            f"({type(exc).__name__}); nothing was sent",
            code="unreachable",
        )
    reason = "no answer in time" if isinstance(exc, requests.Timeout) else "the connection dropped"
    tail = "; it may or may not have been recorded" if write else ""
    return OutcomeUnknownError(
        f"Sage Pro gave {reason} while {what}{tail}",
        code="timeout" if isinstance(exc, requests.Timeout) else "connection_lost",
    )


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# requests refuses these before connecting: the address itself is unusable.
NOT_A_WEB_ADDRESS = (InvalidURL, MissingSchema, InvalidSchema)


def _never_connected(exc: requests.RequestException) -> bool:
    if isinstance(exc, (requests.ConnectTimeout, *NOT_A_WEB_ADDRESS)):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _error_object(content: bytes) -> Mapping[str, Any]:
    try:
        data = json.loads(content)
    except ValueError:
        return {}
    error = data.get("error") if isinstance(data, Mapping) else None
    return error if isinstance(error, Mapping) else {}


def _code_for(cls: type[SageProError]) -> str:
    for code, candidate in ERROR_BY_CODE.items():
        if candidate is cls:
            return code
    return "unexpected"
