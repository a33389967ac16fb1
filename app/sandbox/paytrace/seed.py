"""Seed the stand-in from the shared demo company: vault profiles for customers with a
PayTrace customer id, every demo transaction in its final export state, and the settled
ones in numbered batches, one per merchant-local day.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time

from app.sandbox.demo_records import TEST_CARDS, DemoCompany, DemoCustomer, DemoTransaction
from app.sandbox.paytrace import codes
from app.sandbox.paytrace.state import (
    Batch,
    StoredCard,
    StoredCheck,
    StoredTransaction,
    VaultProfile,
)
from app.sandbox.paytrace.store import PayTraceStore

SETTLE_TIME = time(20, 15, 0)  # nightly settlement, after business hours
FIRST_BATCH_NUMBER = 1001
_WALK_IN_NAMES = ("Jordan Avery", "Sam Whitfield", "Casey Morgan", "Riley Chen", "Pat Okafor")


def _billing(customer: DemoCustomer) -> dict[str, str]:
    return {
        "name": customer.name,
        "street_address": customer.street,
        "city": customer.city,
        "state": customer.state,
        "zip": customer.zip,
        "country": "US",
    }


def _profile_card(customer: DemoCustomer) -> StoredCard:
    return StoredCard(customer.card_number, customer.exp_month, customer.exp_year)


def _stored(row: DemoTransaction, rng: random.Random, today: date) -> StoredTransaction:
    customer = row.customer
    txn = StoredTransaction(
        transaction_id=row.transaction_id,
        kind={"VOID": "SALE", "SALE": "SALE"}.get(row.transaction_type, row.transaction_type),
        amount=row.amount,
        created=row.created_local,
        invoice_id=row.invoice_id,
        description=row.description,
        customer_reference_id=row.customer_reference_id,
        voided=row.transaction_type == "VOID",
        status_code=f"GB{rng.randint(100, 999)}",
    )
    if row.transaction_type not in ("DECLINED", "REFUND"):
        txn.approval_code = f"TAS{rng.randint(100, 999)}"
        txn.approval_message = "  NO  MATCH - Approved and completed"
        txn.avs_response = rng.choice(("Full Exact Match", "Zip Match Only", "No Match", ""))
        txn.csc_response = rng.choice(("Match", "Not Processed", ""))
    elif row.transaction_type == "DECLINED":
        txn.approval_message = rng.choice(("  EXPIRED CARD", "  DECLINED", "  INSUFFICIENT FUNDS"))
        txn.status_code = codes.DECLINE_STATUS_CODE
    if customer is None:
        txn.billing = {"name": rng.choice(_WALK_IN_NAMES), "country": "US"}
    else:
        txn.billing = _billing(customer)
        # Payers type their e-mail as they like; case differs from Sage Pro's now and then.
        txn.email = customer.email.upper() if rng.random() < 0.2 else customer.email
    if row.payment_method == "ACH":
        seed_digits = str(rng.randint(1000, 9999))
        txn.check = StoredCheck(seed_digits, "325070760", rng.choice(("Checking", "Savings")))
    elif customer is not None and customer.paytrace_customer_id:
        txn.card = _profile_card(customer)
        txn.customer_id = customer.paytrace_customer_id
    else:
        _, number = rng.choice(TEST_CARDS)
        txn.card = StoredCard(number, rng.randint(1, 12), today.year + rng.randint(1, 3))
    if rng.random() < 0.1:
        txn.discretionary_data = {"Terminal": rng.choice(("Front desk", "Web", "Phone"))}
    return txn


def seed_company(store: PayTraceStore, company: DemoCompany) -> None:
    rng = random.Random(company.seed * 7919 + 17)
    with store.lock:
        for customer in company.customers:
            if customer.paytrace_customer_id:
                store.create_profile(
                    VaultProfile(
                        customer_id=customer.paytrace_customer_id,
                        card=_profile_card(customer),
                        billing=_billing(customer),
                        email=customer.email,
                        phone=customer.phone,
                    )
                )
        by_day: dict[date, list[StoredTransaction]] = defaultdict(list)
        for row in company.transactions:
            txn = _stored(row, rng, company.today)
            original = store.transactions.get(row.refund_of) if row.refund_of else None
            if original is not None:  # a refund shows the original's card and customer
                txn.card, txn.check = original.card, original.check
                txn.customer_id, txn.email = original.customer_id, original.email
                original.refunded_amount += txn.amount
            store.add(txn)
            if row.settled:
                by_day[row.created_local.date()].append(txn)
        number = FIRST_BATCH_NUMBER
        for day in sorted(by_day):
            batch = Batch(number, datetime.combine(day, SETTLE_TIME))
            for txn in sorted(by_day[day], key=lambda t: t.transaction_id):
                txn.settled, txn.batch_number = batch.settled, number
                batch.transaction_ids.append(txn.transaction_id)
            store.batches[number] = batch
            number += 1
        store.next_batch_number = number
