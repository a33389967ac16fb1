"""Sage Pro's error answers: ``{"error": {"code", "message", "fields", "existing"?}}``.

Handlers raise ``ApiError``; the router turns it into the response. One code, one status,
as the contract fixes them.
"""

from __future__ import annotations

from typing import Any

from app.sandbox.http_base import SandboxResponse

STATUS_BY_CODE: dict[str, int] = {
    "unauthorized": 401,
    "not_found": 404,
    "duplicate_reference": 409,
    "validation_failed": 422,
    "card_data_refused": 422,
    "period_closed": 422,
    "invoice_not_open": 422,
    "overpayment": 422,
    "rate_limited": 429,
    "internal": 500,
    "unavailable": 503,
}


class ApiError(Exception):
    """An error answer in Sage Pro's shape."""

    def __init__(
        self,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
        *,
        existing: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.existing = existing
        self.headers = headers or {}

    @property
    def status(self) -> int:
        return STATUS_BY_CODE[self.code]

    def response(self) -> SandboxResponse:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = dict(self.fields)
        if self.existing is not None:
            error["existing"] = self.existing
        return SandboxResponse(self.status, {"error": error}, dict(self.headers))


def invalid(field: str, why: str) -> ApiError:
    """A ``validation_failed`` naming one field."""
    return ApiError("validation_failed", f"{field}: {why}", {field: why})


def not_found(what: str, key: str) -> ApiError:
    return ApiError("not_found", f"{what} {key} does not exist")
