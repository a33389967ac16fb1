"""PayTrace's response envelopes as the stand-in sends them."""

from __future__ import annotations

from typing import Any

from app.sandbox.http_base import SandboxResponse
from app.sandbox.paytrace import codes


def ok(response_code: int, message: str, **fields: Any) -> SandboxResponse:
    body: dict[str, Any] = {
        "success": True,
        "response_code": response_code,
        "status_message": message,
        "external_transaction_id": "",
    }
    body.update(fields)
    return SandboxResponse(200, body)


def errors(problem: codes.RuleError) -> SandboxResponse:
    return SandboxResponse(
        400,
        {
            "success": False,
            "response_code": codes.ERRORS,
            "status_message": codes.ERRORS_MESSAGE,
            "external_transaction_id": "",
            "errors": problem.errors,
        },
    )


def declined(**fields: Any) -> SandboxResponse:
    body: dict[str, Any] = {
        "success": False,
        "response_code": codes.DECLINED,
        "status_message": "Your transaction was not approved.",
        "external_transaction_id": "",
    }
    body.update(fields)
    return SandboxResponse(200, body)  # (A) declines answer 200


def invalid_token(description: str) -> SandboxResponse:
    return SandboxResponse(401, {"error": "invalid_token", "error_description": description})


def oauth_error(error: str, description: str) -> SandboxResponse:
    return SandboxResponse(400, {"error": error, "error_description": description})
