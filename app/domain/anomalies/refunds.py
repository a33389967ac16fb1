"""Refunds that give back more than the sale, or go to another card.

PayTrace refund rows name no original sale; they carry its invoice reference, customer and
card, so a refund is linked to the latest earlier sale with the same normalised invoice
reference (and the same vault customer when both have one), preferring one on the same card.
A refund naming no invoice, or none that a sale carries, is not judged here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from app.domain.anomalies.model import CHARGES, Finding, Kind, TxnFacts, money


def _same_payer(sale: TxnFacts, refund: TxnFacts) -> bool:
    if sale.paytrace_customer_id and refund.paytrace_customer_id:
        return sale.paytrace_customer_id == refund.paytrace_customer_id
    return True


def find_refund_problems(txns: Iterable[TxnFacts]) -> list[Finding]:
    sales: dict[str, list[TxnFacts]] = defaultdict(list)
    refunds: list[TxnFacts] = []
    for t in txns:
        if t.transaction_type in CHARGES and t.invoice_key:
            sales[t.invoice_key].append(t)
        elif t.transaction_type == "REFUND" and t.invoice_key:
            refunds.append(t)
    for group in sales.values():
        group.sort(key=lambda t: (t.created_local, t.transaction_id))
    refunds.sort(key=lambda t: (t.created_local, t.transaction_id))
    refunded: dict[int, int] = defaultdict(int)
    findings = []
    for refund in refunds:
        earlier = [
            s
            for s in sales.get(refund.invoice_key, ())
            if s.created_local <= refund.created_local and _same_payer(s, refund)
        ]
        if not earlier:
            continue
        same_card = [s for s in earlier if s.card_last4 == refund.card_last4]
        sale = (same_card or earlier)[-1]
        refunded[sale.transaction_id] += refund.amount_cents
        total = refunded[sale.transaction_id]
        if total > sale.amount_cents:
            findings.append(
                Finding(
                    Kind.REFUND_EXCEEDS_ORIGINAL,
                    refund.transaction_id,
                    str(refund.transaction_id),
                    f"Refund larger than its sale: {money(total)} back on "
                    f"{money(sale.amount_cents)}",
                    f"Refund {refund.transaction_id} ({money(refund.amount_cents)}) brings the "
                    f"refunds on sale {sale.transaction_id} (invoice reference "
                    f"{refund.invoice_key}) to {money(total)}, more than the "
                    f"{money(sale.amount_cents)} it charged. More money went back than came "
                    "in: check who issued it and why.",
                    {"refunded_cents": total, "sale_cents": sale.amount_cents},
                    (sale.transaction_id,),
                )
            )
        if not same_card and refund.card_last4 and sale.card_last4:
            findings.append(
                Finding(
                    Kind.REFUND_TO_OTHER_CARD,
                    refund.transaction_id,
                    str(refund.transaction_id),
                    f"Refund to another card: {refund.card} (the sale charged {sale.card})",
                    f"Refund {refund.transaction_id} ({money(refund.amount_cents)}) for invoice "
                    f"reference {refund.invoice_key} went to card {refund.card}, but sale "
                    f"{sale.transaction_id} charged card {sale.card}. Refunding to a different "
                    "card is a common way money leaves a business; make sure the customer "
                    "asked for it.",
                    {"refund_card": refund.card_last4, "sale_card": sale.card_last4},
                    (sale.transaction_id,),
                )
            )
    return findings
