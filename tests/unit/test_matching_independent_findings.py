"""Wrong auto-postings the independent company (tests/support/independent_company.py) found
in the engine, each reproduced with the fewest records: the engine must ask a person."""

from __future__ import annotations

from app.domain.matching import MatchRule, Proposal, match_payments
from app.domain.matching.tiers import AutoApproveTier, never_guess_refusal, tier_refusal
from app.sync.review.calibration_data import shipped_calibration
from tests.support.matching_scenarios import company, open_invoice, sale

ACME = company("C001", "Acme Bakery", email="ap@acme.example", link="PT-ACME")


def one(payment, invoices, customers) -> Proposal:  # type: ignore[no-untyped-def]
    [proposal] = match_payments([payment], invoices, list(customers))
    return proposal


def assert_person_decides(p: Proposal, *invoice_sets: tuple[str, ...]) -> None:
    assert p.rule is MatchRule.REVIEW_AMBIGUOUS, p.reason
    assert p.applications == () and p.on_account == 0
    assert never_guess_refusal(p) is not None
    assert set(invoice_sets) <= {c.invoice_ids for c in p.candidates}


def test_a_named_invoice_paid_with_exactly_another_invoices_balance_waits() -> None:
    # Names 20510 but pays exactly 20509's balance: a typo, or a part payment of 20510?
    invoices = [open_invoice("20509", "C001", "1485.13"), open_invoice("20510", "C001", "2310.00")]
    p = one(sale(1, "1485.13", customer_id="PT-ACME", invoice_id="INV20510"), invoices, [ACME])
    assert_person_decides(p, ("20510",), ("20509",))
    assert "20509" in p.reason


def test_a_named_partial_that_other_invoices_add_up_to_waits() -> None:
    invoices = [
        open_invoice("30001", "C001", "900.00"),
        open_invoice("30002", "C001", "100.00"),
        open_invoice("30003", "C001", "20.55"),
    ]
    p = one(sale(1, "120.55", customer_id="PT-ACME", invoice_id="30001"), invoices, [ACME])
    assert_person_decides(p, ("30001",), ("30002", "30003"))


def test_a_named_partial_still_applies_when_nothing_else_fits() -> None:
    invoices = [open_invoice("30001", "C001", "900.00"), open_invoice("30002", "C001", "100.00")]
    p = one(sale(1, "250.00", customer_id="PT-ACME", invoice_id="30001"), invoices, [ACME])
    assert p.rule is MatchRule.PARTIAL
    assert [(a.invoice_id, str(a.amount)) for a in p.applications] == [("30001", "250.00")]


CASTILLO = company("CAST01", "Castillo Veterinary Clinic")
CASTILLO_II = company("CAST02", "Castillo Veterinary Clinic II")
SMITH = company("SMIT01", "Smith Plumbing", email="office@smithfamily.net")
SMITH_HEATING = company("SMIT02", "Smith Plumbing & Heating", email="office@smithfamily.net")


def test_a_billing_name_a_sister_company_shares_waits_when_both_owe_the_amount() -> None:
    invoices = [open_invoice("1", "CAST01", "330.26"), open_invoice("2", "CAST02", "330.26")]
    p = one(sale(1, "330.26", billing_name="Castillo Veterinary Clinic"), invoices,
            [CASTILLO, CASTILLO_II])  # fmt: skip
    assert_person_decides(p, ("1",), ("2",))


def test_a_shorter_family_name_waits_when_the_longer_one_owes_the_amount_too() -> None:
    # "Smith Plumbing" is the whole of one name and part of the other; the shared family
    # e-mail does not tell them apart either.
    invoices = [open_invoice("1", "SMIT01", "812.40"), open_invoice("2", "SMIT02", "812.40")]
    p = one(sale(1, "812.40", billing_name="SMITH PLUMBING", email="office@smithfamily.net"),
            invoices, [SMITH, SMITH_HEATING])  # fmt: skip
    assert_person_decides(p, ("1",), ("2",))


def test_a_family_name_still_decides_when_only_one_company_owes_the_amount() -> None:
    invoices = [open_invoice("1", "SMIT01", "812.40"), open_invoice("2", "SMIT02", "99.00")]
    p = one(sale(1, "812.40", billing_name="Smith Plumbing"), invoices, [SMITH, SMITH_HEATING])
    assert p.rule is MatchRule.CUSTOMER_AMOUNT
    assert p.customer_id == "SMIT01"
    assert [a.invoice_id for a in p.applications] == ["1"]


def test_a_part_payment_from_an_unknown_payer_is_never_auto_approved() -> None:
    # "invoice no. 22388" was an invoice not yet keyed in Sage Pro; another customer's
    # invoice carries PO-22388. Only the number links the stranger to it, and the amount
    # does not confirm it: the engine may propose the part payment, no tier may post it.
    invoices = [open_invoice("24021", "FISC01", "3743.24", po_number="PO-22388")]
    fischer = company("FISC01", "Fischer Flooring", email="ap@fischer.example")
    payment = sale(1, "2545.00", billing_name="Chris Doyle", email="chris86@mail.example",
                   customer_reference_id="invoice no. 22388")  # fmt: skip
    p = one(payment, invoices, [fischer])
    for tier in AutoApproveTier:
        assert tier_refusal(p, tier, shipped_calibration()) is not None, tier


BOOKS = "books@northledger.example"  # an outside bookkeeper pays for several companies
CLIENTS = [company(f"C10{i}", name, email=BOOKS) for i, name in
           enumerate(("Haddad Roofing", "Novak Bakery", "Iyer Dental"))]  # fmt: skip


def test_a_shared_email_with_a_named_invoice_of_one_of_its_companies_posts() -> None:
    # Found waiting: the e-mail narrows the payer to three companies, the invoice number
    # and the amount name one of them; that is more than a stranger's hard key gives.
    invoices = [open_invoice("22801", "C101", "645.10"), open_invoice("22802", "C102", "645.10")]
    payment = sale(1, "645.10", billing_name="North Ledger Bookkeeping", email=BOOKS.upper(),
                   invoice_id="INV-22801")  # fmt: skip
    p = one(payment, invoices, CLIENTS)
    assert p.rule is MatchRule.HARD_KEY and p.customer_id == "C101"
    assert p.warnings == ()
    assert tier_refusal(p, AutoApproveTier.RECOMMENDED, shipped_calibration()) is None


def test_a_shared_email_naming_another_companys_invoice_keeps_its_warning() -> None:
    outsider = company("C200", "Lindqvist Pools")
    invoices = [open_invoice("22900", "C200", "310.00")]
    payment = sale(1, "310.00", billing_name="North Ledger Bookkeeping", email=BOOKS,
                   invoice_id="22900")  # fmt: skip
    p = one(payment, invoices, [*CLIENTS, outsider])
    assert any("several customers" in w for w in p.warnings)
    assert tier_refusal(p, AutoApproveTier.RECOMMENDED, shipped_calibration()) is not None
