"""One HTTP exchange with the Sage Pro API service: a pooled ``requests.Session``, explicit
connect/read timeouts, no automatic retries, JSON in and out, and every failure turned into
a typed error (see ``responses``). Headers — the API key among them — are never logged."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from app.connectors.sagepro.errors import OutcomeUnknownError
from app.connectors.sagepro.responses import error_from_response, transport_error

log = logging.getLogger("app.connectors.sagepro")
Params = Mapping[str, str | int]


class Transport:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeouts: tuple[float, float],
        pool_size: int = 4,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeouts = timeouts
        self._session = session or requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._headers = {
            "Authorization": f"Bearer {api_key}",
            "Accept": "application/json",
            "User-Agent": "Paysage",
        }

    def close(self) -> None:
        self._session.close()

    def call(
        self,
        method: str,
        path: str,
        what: str,
        params: Params | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        """The decoded JSON answer; ``what`` ("posting payment PT-1-PAY") words the errors."""
        headers = dict(self._headers)
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode("utf-8")
        started = time.monotonic()
        try:
            response = self._session.request(
                method,
                self.base_url + path,
                params=params,
                data=data,
                headers=headers,
                timeout=self._timeouts,
            )
        except requests.RequestException as exc:
            log.info("Sage Pro %s %s failed: %s", method, path, type(exc).__name__)
            raise transport_error(exc, what, write=method != "GET") from None
        elapsed_ms = (time.monotonic() - started) * 1000
        log.debug("Sage Pro %s %s -> %s in %.0f ms", method, path, response.status_code, elapsed_ms)
        if not 200 <= response.status_code < 300:
            status, content = response.status_code, response.content
            raise error_from_response(status, content, response.headers, what)
        try:
            return json.loads(response.content, parse_float=Decimal)
        except ValueError:
            raise unreadable(what, "the body is not JSON") from None


def unreadable(what: str, why: object) -> OutcomeUnknownError:
    """An answer that arrived but cannot be used: for a write, it may or may not have happened."""
    return OutcomeUnknownError(
        f"Sage Pro's answer while {what} could not be read ({why}); if this was a change, "
        "it may or may not have been made",
        code="malformed",
    )
