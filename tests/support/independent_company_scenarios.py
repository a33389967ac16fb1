"""What the independent company's payers do, one function per habit. Each adds its PayTrace
row(s) and the invoices they need, labelled with what a careful bookkeeper would conclude.
The weights in ``SCENARIOS`` are rough shares of a month of a trade business."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from tests.support.independent_company_builder import CENT, MONTH_DAYS, CompanyBuilder
from tests.support.independent_company_people import BOOKKEEPER_EMAIL, BOOKKEEPER_NAME
from tests.support.independent_company_records import (
    INVOICES,
    NEVER,
    ON_ACCOUNT,
    OVERPAYMENT,
    PERSON,
    Customer,
    Invoice,
    Row,
    Truth,
)
from tests.support.independent_company_refs import (
    multi_reference,
    noise_text,
    single_reference,
    typo_of,
)


def _pays(scenario: str, c: Customer, *invoices: Invoice) -> Truth:
    applications = tuple((i.invoice_id, i.amount) for i in invoices)
    return Truth(INVOICES, scenario, c.customer_id, applications)


def _named_sale(b: CompanyBuilder, scenario: str, how: str, *, sentence: bool = False) -> Row:
    c = b.customer("any" if how == "stranger" else how)
    inv = b.invoice(c)
    row = b.sale(_pays(scenario, c, inv), inv.amount, c, how)
    b.put_reference(row, single_reference(inv.invoice_id, b.rng, sentence=sentence))
    return row


def ref_clean(b: CompanyBuilder) -> None:
    how = b.anyone()
    c = b.customer("any" if how == "stranger" else how)
    inv = b.invoice(c)
    row = b.sale(_pays(f"ref/clean/{how}", c, inv), inv.amount, c, how)
    row.invoice_field = inv.invoice_id


def ref_formatted(b: CompanyBuilder) -> None:
    how = b.anyone()
    c = b.customer("any" if how == "stranger" else how)
    inv = b.invoice(c)
    row = b.sale(_pays(f"ref/formatted/{how}", c, inv), inv.amount, c, how)
    b.put_reference(row, single_reference(inv.invoice_id, b.rng))


def ref_sentence(b: CompanyBuilder) -> None:
    how = b.anyone()
    c = b.customer("any" if how == "stranger" else how)
    inv = b.invoice(c)
    row = b.sale(_pays("ref/in-a-sentence", c, inv), inv.amount, c, how)
    row.description = single_reference(inv.invoice_id, b.rng, sentence=True)


def po_or_order_number(b: CompanyBuilder) -> None:
    c = b.customer("any")
    inv = b.invoice(c)
    if b.rng.random() < 0.6:
        inv.po_number = inv.po_number or f"PO-{b.rng.randint(1000, 99999)}"
        row = b.sale(_pays("po-number", c, inv), inv.amount, c, b.anyone())
        row.customer_reference = inv.po_number
    else:
        inv.order_number = inv.order_number or str(b.rng.randint(700000, 799999))
        row = b.sale(_pays("order-number", c, inv), inv.amount, c, b.anyone())
        row.invoice_field = inv.order_number


def typo_unknown_number(b: CompanyBuilder) -> None:
    how = b.identified()
    c = b.customer(how)
    inv = b.invoice(c)
    typo = typo_of(inv.invoice_id, b.rng)
    if any(other.invoice_id == typo for other in b.invoices):
        typo = inv.invoice_id + "0"  # a stray extra digit names nothing
    row = b.sale(_pays("typo/unknown-number", c, inv), inv.amount, c, how)
    b.put_reference(row, single_reference(typo, b.rng))


def typo_other_customers_invoice(b: CompanyBuilder) -> None:
    how = b.identified()
    c = b.customer(how)
    inv = b.invoice(c)
    other = b.rng.choice([i for i in b.invoices if i.customer_id != c.customer_id])
    row = b.sale(_pays("typo/other-customers-invoice", c, inv), inv.amount, c, how)
    b.put_reference(row, single_reference(other.invoice_id, b.rng))


def partial_named(b: CompanyBuilder) -> None:
    how = b.identified()
    c = b.customer(how)
    inv = b.invoice(c)
    share = Decimal(b.rng.choice((20, 25, 30, 40, 50, 60, 75))) / 100
    paid = (inv.amount * share).quantize(CENT)
    inv.partial_paid = paid
    truth = Truth(INVOICES, "partial/named", c.customer_id, ((inv.invoice_id, paid),))
    row = b.sale(truth, paid, c, how)
    b.put_reference(row, single_reference(inv.invoice_id, b.rng))


def several_named(b: CompanyBuilder) -> None:
    how = b.anyone()
    c = b.customer("any" if how == "stranger" else how)
    invs = [b.invoice(c) for _ in range(b.rng.choice((2, 2, 3)))]
    total = sum((i.amount for i in invs), Decimal("0.00"))
    row = b.sale(_pays(f"several-named/{how}", c, *invs), total, c, how)
    b.put_reference(row, multi_reference([i.invoice_id for i in invs], b.rng))


def subset_no_reference(b: CompanyBuilder) -> None:
    how = b.identified()
    c = b.customer(how)
    invs = [b.invoice(c) for _ in range(b.rng.choice((2, 2, 3)))]
    total = sum((i.amount for i in invs), Decimal("0.00"))
    b.sale(_pays("subset/no-ref", c, *invs), total, c, how)


def customer_amount(b: CompanyBuilder) -> None:
    how = b.rng.choice(("vault", "vault", "vault", "email", "email", "name"))
    c = b.customer(how)
    inv = b.invoice(c)
    row = b.sale(_pays(f"customer+amount/{how}", c, inv), inv.amount, c, how)
    if b.rng.random() < 0.3:
        row.description = noise_text(b.rng)


def job_number_looks_like_invoice(b: CompanyBuilder) -> None:
    c = b.customer("vault")
    inv = b.invoice(c)
    other = b.rng.choice([i for i in b.invoices if i.customer_id != c.customer_id])
    row = b.sale(_pays("job-number-looks-like-invoice", c, inv), inv.amount, c, "vault")
    row.description = noise_text(b.rng, look_alike=other.invoice_id)


def late_invoice(b: CompanyBuilder) -> None:
    named = b.rng.random() < 0.75
    how = b.anyone() if named else b.identified()
    c = b.customer("any" if how == "stranger" else how)
    row = b.sale(Truth(PERSON, "placeholder"), Decimal("1.00"), c, how)
    row.created = row.created.replace(day=min(row.created.day, MONTH_DAYS - 4))
    inv = b.invoice(c, day=row.created.date(), days_before=-b.rng.randint(1, 4), late=True)
    row.amount = inv.amount
    row.truth = _pays("late-invoice/named" if named else "late-invoice/no-ref", c, inv)
    if named:
        b.put_reference(row, single_reference(inv.invoice_id, b.rng))


def captured_authorization(b: CompanyBuilder) -> None:
    row = _named_sale(b, "captured-authorization", b.identified())
    row.kind, row.captured = "AUTHORIZATION", True


def decline_then_retry(b: CompanyBuilder) -> None:
    row = _named_sale(b, "retry-after-decline", b.identified())
    c = b.by_id[row.truth.customer_id]
    earlier = row.created - timedelta(minutes=b.rng.randint(2, 90))
    declined = Row("DECLINED", row.amount, earlier, Truth(NEVER, "declined"),
                   invoice_field=row.invoice_field, description=row.description,
                   customer_reference=row.customer_reference)  # fmt: skip
    b.rows.append(b.payer(declined, c, "email" if c.email else "name"))
    if b.rng.random() < 0.3:
        b.rows.remove(row)  # the customer gave up: only the decline remains


def void_sale(b: CompanyBuilder) -> None:
    row = _named_sale(b, "voided", b.anyone() if b.rng.random() < 0.5 else "vault")
    row.voided, row.truth = True, Truth(NEVER, "voided")


def uncaptured_authorization(b: CompanyBuilder) -> None:
    row = _named_sale(b, "authorization-not-captured", "vault")
    row.kind, row.truth = "AUTHORIZATION", Truth(NEVER, "authorization-not-captured")


def refund_later(b: CompanyBuilder) -> None:
    sale = _named_sale(b, "ref/clean/refunded-later", b.identified())
    sale.created = sale.created.replace(day=min(sale.created.day, MONTH_DAYS - 8))
    part = (sale.amount * Decimal(b.rng.choice((10, 25, 50, 100))) / 100).quantize(CENT)
    refund = Row("REFUND", part, sale.created + timedelta(days=b.rng.randint(2, 7)),
                 Truth(NEVER, "refund"), card=sale.card, ach=sale.ach, vault_id=sale.vault_id,
                 email=sale.email, billing_name=sale.billing_name,
                 invoice_field=sale.invoice_field, refund_of=sale)  # fmt: skip
    b.rows.append(refund)


def same_amount_twins(b: CompanyBuilder) -> None:
    how = b.identified()
    c = b.customer(how)
    first = b.invoice(c)
    for _ in range(b.rng.choice((1, 2))):
        b.invoice(c, amount=first.amount)
    b.sale(Truth(PERSON, "same-amount-invoices", c.customer_id), first.amount, c, how)


def shared_email(b: CompanyBuilder) -> None:
    group = [c for c in b.people if c.shared_email]
    one, two = b.rng.sample(group, 2)
    inv = b.invoice(one)
    row = Row("SALE", inv.amount, b.moment(), _pays("shared-email/named", one, inv))
    # A card Sage Pro has not on file: the e-mail is all there is to go on.
    row.card, row.email, row.billing_name = b.fresh_card(), BOOKKEEPER_EMAIL, BOOKKEEPER_NAME
    if b.rng.random() < 0.5:  # nothing but the bookkeeper's e-mail and an amount two owe
        b.invoice(two, amount=inv.amount)
        row.truth = Truth(PERSON, "shared-email/amount-fits-two")
    else:
        b.put_reference(row, single_reference(inv.invoice_id, b.rng))
    b.rows.append(row)


def family_names(b: CompanyBuilder) -> None:
    families: dict[str, list[Customer]] = {}
    for c in b.people:
        if c.family:
            families.setdefault(c.family, []).append(c)
    one, two = b.rng.sample(b.rng.choice(list(families.values())), 2)
    inv = b.invoice(one)
    row = b.sale(_pays("family/named", one, inv), inv.amount, one, "name")
    if one.email and one.email == two.email:
        row.email = one.email  # the family e-mail is on both companies
    if b.rng.random() < 0.5:
        row.card = b.fresh_card()  # not the card on file: only the name and amount remain
        b.invoice(two, amount=inv.amount)
        row.truth = Truth(PERSON, "family/amount-fits-both")
    else:
        b.put_reference(row, single_reference(inv.invoice_id, b.rng))


def stranger_without_reference(b: CompanyBuilder) -> None:
    c = b.customer("any")
    amount = b.rng.choice(b.invoices).amount if b.rng.random() < 0.4 else b.amount()
    b.sale(Truth(PERSON, "stranger/no-ref"), amount, c, "stranger")


def typo_same_customer(b: CompanyBuilder) -> None:
    """Names invoice B but pays exactly invoice A of the same customer: a typo or a partial
    payment of B? Only the customer can say."""
    how = b.identified()
    c = b.customer(how)
    meant = b.invoice(c)
    named = b.invoice(c, amount=meant.amount + b.amount(20, 900))
    row = b.sale(Truth(PERSON, "names-one-pays-another", c.customer_id), meant.amount, c, how)
    b.put_reference(row, single_reference(named.invoice_id, b.rng))


def overpayment(b: CompanyBuilder) -> None:
    how = b.identified()
    c = b.customer(how)
    inv = b.invoice(c)
    extra = b.amount(5, 300)
    truth = Truth(OVERPAYMENT, "overpayment", c.customer_id, ((inv.invoice_id, inv.amount),))
    row = b.sale(truth, inv.amount + extra, c, how)
    b.put_reference(row, single_reference(inv.invoice_id, b.rng))


def on_account(b: CompanyBuilder) -> None:
    how = b.identified()
    c = b.customer(how)
    amount = Decimal(b.rng.choice((250, 500, 1000, 1500, 2500))).quantize(CENT)
    row = b.sale(Truth(ON_ACCOUNT, "deposit-on-account", c.customer_id), amount, c, how)
    row.description = b.rng.choice(("Deposit", "Retainer", "Prepayment for spring work", ""))


def already_paid_in_office(b: CompanyBuilder) -> None:
    how = b.identified()
    c = b.customer(how)
    inv = b.invoice(c)
    inv.paid_in_office = True
    row = b.sale(Truth(PERSON, "invoice-already-paid", c.customer_id), inv.amount, c, how)
    b.put_reference(row, single_reference(inv.invoice_id, b.rng))


Scenario = Callable[[CompanyBuilder], None]
SCENARIOS: tuple[tuple[Scenario, float], ...] = (
    (ref_clean, 15), (ref_formatted, 13), (ref_sentence, 4), (po_or_order_number, 5),
    (typo_unknown_number, 3), (typo_other_customers_invoice, 1.5), (partial_named, 6),
    (several_named, 5), (subset_no_reference, 3), (customer_amount, 14),
    (job_number_looks_like_invoice, 1.5), (late_invoice, 4), (captured_authorization, 2),
    (decline_then_retry, 4), (void_sale, 3), (uncaptured_authorization, 2), (refund_later, 2),
    (same_amount_twins, 3), (shared_email, 2.5), (family_names, 3),
    (stranger_without_reference, 2), (typo_same_customer, 1), (overpayment, 2),
    (on_account, 3), (already_paid_in_office, 1),
)  # fmt: skip
