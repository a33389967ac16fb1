"""Everything the app knows about PayTrace's JSON API v1: client, parsing, typed errors."""

from app.connectors.paytrace.client import PRODUCTION_URL, SANDBOX_URL, PayTraceClient
from app.connectors.paytrace.errors import (
    PayTraceAuthError,
    PayTraceDeclinedError,
    PayTraceError,
    PayTraceNotFoundError,
    PayTraceOutcomeUnknownError,
    PayTraceRateLimitedError,
    PayTraceResponseError,
    PayTraceTransientError,
    PayTraceValidationError,
)
from app.connectors.paytrace.parse_profiles import ParsedItems, parse_batches, parse_profiles
from app.connectors.paytrace.parse_transactions import (
    ParsedExport,
    ParsedRecord,
    parse_transaction_rows,
    parse_transactions_export,
)
from app.connectors.paytrace.payloads import (
    BillingAddress,
    KeyedCard,
    PaymentDetails,
    PaymentResult,
    RecurrenceResult,
)
from app.connectors.paytrace.transport import Timeouts
from app.connectors.retry import RetryPolicy

__all__ = [
    "PRODUCTION_URL",
    "SANDBOX_URL",
    "BillingAddress",
    "KeyedCard",
    "ParsedExport",
    "ParsedItems",
    "ParsedRecord",
    "PayTraceAuthError",
    "PayTraceClient",
    "PayTraceDeclinedError",
    "PayTraceError",
    "PayTraceNotFoundError",
    "PayTraceOutcomeUnknownError",
    "PayTraceRateLimitedError",
    "PayTraceResponseError",
    "PayTraceTransientError",
    "PayTraceValidationError",
    "PaymentDetails",
    "PaymentResult",
    "RecurrenceResult",
    "RetryPolicy",
    "Timeouts",
    "parse_batches",
    "parse_profiles",
    "parse_transaction_rows",
    "parse_transactions_export",
]
