"""What a resource handler receives: the parsed query, the JSON body and the path key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.sandbox.sagepro.listing import Query


@dataclass(frozen=True)
class Call:
    query: Query
    body: Any  # the decoded JSON body ({} when none)
    key: str = ""  # the id in the path, e.g. the InvoiceID of /api/invoices/{InvoiceID}

    def body_text(self, field: str) -> str:
        """A field of the body as stripped text ("" when absent or not text), for the
        duplicate-key check that runs before any other rule."""
        value = self.body.get(field) if isinstance(self.body, dict) else None
        return value.strip() if isinstance(value, str) else ""
