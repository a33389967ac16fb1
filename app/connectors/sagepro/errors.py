"""What can go wrong talking to the Sage Pro API service, as types the poster can act on.

Every error says whether it is ``transient`` (try again later: rate limits, outages,
timeouts, dropped connections, unreadable answers) or permanent (the request itself is
refused and would be refused again). Each carries the server's ``code``, ``message`` and
field errors; a duplicate carries the ``existing`` record; 429/503 carry ``retry_after_s``.
Messages are plain words for a bookkeeper and never contain the API key or a card number.
"""

from __future__ import annotations

from typing import Any, ClassVar

from app.domain.pan import redact_card_numbers


class SageProError(Exception):
    """Base class: a Sage Pro API call that did not do what was asked."""

    transient: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        status: int | None = None,
        fields: dict[str, str] | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        self.message = redact_card_numbers(message)
        self.code = code
        self.status = status
        self.fields = {k: redact_card_numbers(v) for k, v in (fields or {}).items()}
        self.retry_after_s = retry_after_s
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = self.message
        extra = [f"{name}: {why}" for name, why in self.fields.items() if why not in text]
        if extra:
            text += " (" + "; ".join(extra) + ")"
        return text


class SageProTransientError(SageProError):
    """May succeed if tried again later."""

    transient: ClassVar[bool] = True


class SageProPermanentError(SageProError):
    """Refused for a reason that will not go away by trying again."""

    transient: ClassVar[bool] = False


# --- transient -----------------------------------------------------------------------


class RateLimitedError(SageProTransientError):
    """429: slow down; wait at least ``retry_after_s``."""


class UnavailableError(SageProTransientError):
    """503: the service is down for now; wait at least ``retry_after_s``."""


class ServerInternalError(SageProTransientError):
    """500 (or another 5xx): the service failed on its side."""


class UnreachableError(SageProTransientError):
    """The service could not be reached at all; nothing was sent, so nothing happened."""


class OutcomeUnknownError(SageProTransientError):
    """The request went out but no usable answer came back (timeout, dropped connection,
    unreadable body). A write may or may not have happened: look the reference up before
    trying again."""


# --- permanent -----------------------------------------------------------------------


class UnauthorizedError(SageProPermanentError):
    """401: the API key is missing or wrong."""


class NotFoundError(SageProPermanentError):
    """404: the record (or endpoint) does not exist."""


class DuplicateReferenceError(SageProPermanentError):
    """409: the unique key is already used; ``existing`` is the record holding it (raw JSON),
    or None when the answer did not carry it."""

    def __init__(self, message: str, *, existing: dict[str, Any] | None = None, **kw: Any):
        self.existing = existing
        super().__init__(message, **kw)


class ValidationFailedError(SageProPermanentError):
    """422 ``validation_failed``: ``fields`` says which fields and why."""


class CardDataRefusedError(ValidationFailedError):
    """422 ``card_data_refused``: a field held a full card number."""


class PeriodClosedError(ValidationFailedError):
    """422 ``period_closed``: the date falls in a locked fiscal period."""


class InvoiceNotOpenError(ValidationFailedError):
    """422 ``invoice_not_open``: the invoice is paid or void (maybe by a person in Sage Pro)."""


class OverpaymentError(ValidationFailedError):
    """422 ``overpayment``: more than the invoice's balance."""


class UnexpectedResponseError(SageProPermanentError):
    """An answer the contract does not describe (an unknown code or status)."""


class IntentMismatchError(SageProPermanentError):
    """The reference is already used in Sage Pro by a record that is *not* what this posting
    intends; both are named so a person can decide which is right."""

    def __init__(self, message: str, *, existing: object, intended: object) -> None:
        self.existing = existing
        self.intended = intended
        super().__init__(message, code="intent_mismatch", status=409)


# The contract's error codes → exception class.
ERROR_BY_CODE: dict[str, type[SageProError]] = {
    "unauthorized": UnauthorizedError,
    "not_found": NotFoundError,
    "duplicate_reference": DuplicateReferenceError,
    "validation_failed": ValidationFailedError,
    "card_data_refused": CardDataRefusedError,
    "period_closed": PeriodClosedError,
    "invoice_not_open": InvoiceNotOpenError,
    "overpayment": OverpaymentError,
    "rate_limited": RateLimitedError,
    "unavailable": UnavailableError,
    "internal": ServerInternalError,
}

# When the body is unreadable, the HTTP status still says what kind of answer it was.
ERROR_BY_STATUS: dict[int, type[SageProError]] = {
    401: UnauthorizedError,
    404: NotFoundError,
    409: DuplicateReferenceError,
    422: ValidationFailedError,
    429: RateLimitedError,
    500: ServerInternalError,
    503: UnavailableError,
}
