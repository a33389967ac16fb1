"""Payments queued straight into the outbox for a Sage Pro stand-in: the setting of the
poster's throughput tests and of the posting benchmark."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import requests

from app.sandbox.http_base import SandboxServer
from app.sandbox.sagepro import DEFAULT_API_KEY
from app.store import Store
from app.store.models import OutboxItem


def sagepro_get(server: SandboxServer, path: str, **params: object) -> dict:  # type: ignore[type-arg]
    answer = requests.get(
        server.url + path,
        params=params,  # type: ignore[arg-type]
        headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


def customer_ids(server: SandboxServer) -> list[str]:
    return [c["CustomerID"] for c in sagepro_get(server, "/api/customers", page_size=1000)["items"]]


def payment_references(server: SandboxServer) -> list[str]:
    """Every PaymentReference Sage Pro holds (all pages)."""
    references: list[str] = []
    page = 1
    while True:
        body = sagepro_get(server, "/api/payments", page=page, page_size=1000)
        references += [p["PaymentReference"] for p in body["items"]]
        if page * body["page_size"] >= body["total"]:
            return references
        page += 1


def queue_payments(
    store: Store, customers: list[str], count: int, *, today: date, now: datetime, first: int = 1
) -> list[str]:
    """``count`` on-account payments, due now, round-robin over ``customers``; each
    customer's payments share one ordering key (they must post in sequence order).
    Returns their keys in sequence order."""
    keys = []
    with store.write() as session:
        for n in range(count):
            customer = customers[n % len(customers)]
            key = f"PT-{9_000_000 + first + n}-PAY"
            keys.append(key)
            session.add(
                OutboxItem(
                    key=key,
                    kind="payment",
                    target="sagepro",
                    status="pending",
                    sequence=first + n,
                    ordering_key=f"C:{customer}",
                    attempts=0,
                    next_attempt_at=now - timedelta(minutes=1),
                    created_at=now,
                    payload={
                        "PaymentReference": key,
                        "PaymentDate": (today - timedelta(days=n % 20)).isoformat(),
                        "Amount": f"{10 + n % 90}.{n % 100:02d}",
                        "CustomerID": customer,
                        "GLAccountID": "1050",
                        "PaymentMethodCode": "CC",
                    },
                )
            )
    return keys
