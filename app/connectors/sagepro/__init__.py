"""Sage Pro: the ``SageProGateway`` protocol, its REST client, typed errors and the
exactly-once posting helper. Qt-free."""

from app.connectors.retry import RetryPolicy
from app.connectors.sagepro.client import SageProClient
from app.connectors.sagepro.errors import (
    CardDataRefusedError,
    DuplicateReferenceError,
    IntentMismatchError,
    InvoiceNotOpenError,
    NotFoundError,
    OutcomeUnknownError,
    OverpaymentError,
    PeriodClosedError,
    RateLimitedError,
    SageProError,
    SageProPermanentError,
    SageProTransientError,
    ServerInternalError,
    UnauthorizedError,
    UnavailableError,
    UnexpectedResponseError,
    UnreachableError,
    ValidationFailedError,
)
from app.connectors.sagepro.exactly_once import PostKind, post_once
from app.connectors.sagepro.gateway import SageProGateway, iterate_pages
from app.connectors.sagepro.payloads import PayloadError

__all__ = [
    "CardDataRefusedError",
    "DuplicateReferenceError",
    "IntentMismatchError",
    "InvoiceNotOpenError",
    "NotFoundError",
    "OutcomeUnknownError",
    "OverpaymentError",
    "PayloadError",
    "PeriodClosedError",
    "PostKind",
    "RateLimitedError",
    "RetryPolicy",
    "SageProClient",
    "SageProError",
    "SageProGateway",
    "SageProPermanentError",
    "SageProTransientError",
    "ServerInternalError",
    "UnauthorizedError",
    "UnavailableError",
    "UnexpectedResponseError",
    "UnreachableError",
    "ValidationFailedError",
    "iterate_pages",
    "post_once",
]
