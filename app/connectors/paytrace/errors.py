"""What can go wrong talking to PayTrace, as types the sync engine can act on.

Every message is plain words for a bookkeeper and never carries a password, token or card
number. Permanent answers (auth, declined, validation, not found) are never retried;
transient ones are retried for reads; a money-moving call whose outcome cannot be known
raises ``PayTraceOutcomeUnknownError`` so the caller searches the export before trying again.
"""

from __future__ import annotations


class PayTraceError(Exception):
    """Base class: something about a PayTrace call, in plain words."""


class PayTraceAuthError(PayTraceError):
    """PayTrace refused the API user name/password (or a fresh token was refused)."""


class PayTraceDeclinedError(PayTraceError):
    """The card or account was declined (response_code 102, 103, 107, ...)."""

    def __init__(self, response_code: int, message: str, transaction_id: int | None = None):
        self.response_code = response_code
        self.status_message = message
        self.transaction_id = transaction_id
        ref = f" (transaction {transaction_id})" if transaction_id else ""
        super().__init__(f"PayTrace declined the payment{ref}: {message or 'no reason given'}")


class PayTraceValidationError(PayTraceError):
    """PayTrace refused the request: ``errors`` maps each numeric code to its messages."""

    def __init__(self, errors: dict[str, list[str]], status_message: str = ""):
        self.errors = errors
        self.status_message = status_message
        details = "; ".join(
            f"{code}: {' '.join(messages) or 'no message'}" for code, messages in errors.items()
        )
        super().__init__(f"PayTrace refused the request ({details or status_message})")

    @property
    def codes(self) -> set[int]:
        return {int(code) for code in self.errors if code.lstrip("-").isdigit()}


class PayTraceNotFoundError(PayTraceValidationError):
    """The transaction, customer or check named in the request does not exist (811, 30, 80)."""


class PayTraceTransientError(PayTraceError):
    """A failure that may go away: timeout, dropped connection, 5xx, unreadable body.

    ``retry_after_s`` is the server's Retry-After when it sent one (503 does).
    """

    def __init__(self, message: str, retry_after_s: float | None = None):
        self.retry_after_s = retry_after_s
        super().__init__(message)


class PayTraceRateLimitedError(PayTraceTransientError):
    """PayTrace asked us to slow down (429); honour ``retry_after_s`` before asking again."""


class PayTraceOutcomeUnknownError(PayTraceError):
    """A money-moving call was sent but no readable answer came back: it may have happened.

    Never retry blindly: search the transactions export (invoice, customer, amount, time)
    first. Deliberately not a ``PayTraceTransientError`` so generic retry loops skip it.
    """

    def __init__(self, action: str, reason: str):
        self.action = action
        self.reason = reason
        super().__init__(
            f"PayTrace did not confirm the {action} ({reason}); it may or may not have gone "
            "through — check the PayTrace transaction export before trying again"
        )


class PayTraceResponseError(PayTraceError):
    """PayTrace answered with a body we cannot use for this call (missing fields)."""
