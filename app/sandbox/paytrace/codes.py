"""PayTrace's response and error codes as the stand-in uses them, with their messages.

Codes marked (A) are the stand-in's own choice where PayTrace's public material is silent
(see "Decisions for our stand-in" in the reference).
"""

from __future__ import annotations

# response_code values
ERRORS = 1
APPROVED = 101
DECLINED = 102
REFUNDED = 106
VOIDED = 109
CAPTURED = 112
CUSTOMER_CREATED = 160
CUSTOMER_DELETED = 162
# (A) a row's processor ``status_code`` after a decline or a void: the response code as text
DECLINE_STATUS_CODE = str(DECLINED)
VOID_STATUS_CODE = str(VOIDED)

# errors{} keys
CUSTOMER_NOT_FOUND = 30
INVALID_CARD_NUMBER = 35
INVALID_AMOUNT = 39  # (A)
INVALID_EXPIRATION_MONTH = 43
INVALID_EXPIRATION_YEAR = 44
INVALID_TRANSACTION_ID = 58
INVALID_DATE_OR_FILTER = 59  # (A) bad or missing export dates / filters
INVALID_REQUEST = 60  # (A) a required field missing or of the wrong kind
CUSTOMER_ID_NOT_UNIQUE = 171
ID_NOT_FOUND = 811  # transactions; (A) also batches and recurrences
ONLY_OPEN_AUTHORIZATIONS_CAPTURE = 816
ONLY_SETTLED_REFUND = 817
ONLY_PENDING_VOID = 818
INSUFFICIENT_PERMISSIONS = 981

MESSAGES: dict[int, str] = {
    CUSTOMER_NOT_FOUND: "Please provide a valid Customer ID.",
    INVALID_CARD_NUMBER: "Please provide a valid Credit Card Number.",
    INVALID_AMOUNT: "Please provide a valid Transaction Amount.",
    INVALID_EXPIRATION_MONTH: "Please provide a valid Expiration Month.",
    INVALID_EXPIRATION_YEAR: "Please provide a valid Expiration Year.",
    INVALID_TRANSACTION_ID: "Please provide a valid Transaction ID.",
    INVALID_DATE_OR_FILTER: "Please provide a valid date range and filter.",
    INVALID_REQUEST: "Please provide the required request fields.",
    CUSTOMER_ID_NOT_UNIQUE: "Please provide a unique customer ID.",
    ID_NOT_FOUND: "The Transaction ID that you provided could not be found.",
    ONLY_OPEN_AUTHORIZATIONS_CAPTURE: (
        "Only approved authorizations that have not been captured can be captured."
    ),
    ONLY_SETTLED_REFUND: (
        "Only settled transactions can be refunded. Please void this transaction instead."
    ),
    ONLY_PENDING_VOID: "Only transactions pending settlement can be voided.",
    INSUFFICIENT_PERMISSIONS: "Your account does not have permission for this request.",
}

ERRORS_MESSAGE = "One or more errors has occurred."
SUCCESS_MESSAGE = "Your request has been successfully completed."


class RuleError(Exception):
    """A request PayTrace refuses: one or more ``errors{}`` entries."""

    def __init__(self, code: int, message: str | None = None):
        self.errors: dict[str, list[str]] = {str(code): [message or MESSAGES.get(code, "")]}
        super().__init__(f"{code}: {self.errors[str(code)][0]}")

    def add(self, code: int, message: str | None = None) -> RuleError:
        self.errors.setdefault(str(code), []).append(message or MESSAGES.get(code, ""))
        return self
