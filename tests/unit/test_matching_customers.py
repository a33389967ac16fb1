"""Who paid: link, e-mail, fuzzy name with tie rejection."""

from __future__ import annotations

from app.domain.matching import CustomerEvidence, MatchSettings
from app.domain.matching.customers import CustomerDirectory
from app.domain.matching.names import NameIndex, normalise_name
from tests.support.matching_scenarios import company, generate_at_scale, sale

CUSTOMERS = [
    company("C001", "Acme Bakery Inc", email="ap@acme.example", link="PT-ACME"),
    company("C002", "Blue Fin Marine LLC", email="pay@bluefin.example", link="PT-BLUE"),
    company("C003", "Northwind Traders", email="shared@group.example"),
    company("C004", "Southwind Traders", email="shared@group.example"),
    company("C005", "Harbor Lane Bakery"),
    company("C006", "Harbor Lane Bakery"),
]


def directory() -> CustomerDirectory:
    return CustomerDirectory(CUSTOMERS, MatchSettings())


def test_paytrace_link_is_the_strongest_evidence() -> None:
    r = directory().resolve(sale(1, "1.00", customer_id="PT-BLUE", billing_name="Acme Bakery"))
    assert (r.customer_id, r.evidence) == ("C002", CustomerEvidence.PAYTRACE_LINK)
    assert r.warnings == ()


def test_email_is_compared_without_regard_to_case() -> None:
    r = directory().resolve(sale(1, "1.00", email="  AP@Acme.Example "))
    assert (r.customer_id, r.evidence) == ("C001", CustomerEvidence.EMAIL)


def test_a_shared_email_is_settled_by_the_billing_name() -> None:
    r = directory().resolve(
        sale(1, "1.00", email="shared@group.example", billing_name="SOUTHWIND TRADERS")
    )
    assert (r.customer_id, r.evidence) == ("C004", CustomerEvidence.BILLING_NAME)


def test_a_shared_email_without_a_name_is_unknown_with_a_warning() -> None:
    r = directory().resolve(sale(1, "1.00", email="shared@group.example"))
    assert r.customer_id is None
    assert "belongs to several customers: C003, C004" in r.warnings[0]


def test_fuzzy_name_accepts_case_punctuation_and_legal_suffixes() -> None:
    for typed in ("ACME BAKERY", "Acme Bakery, Inc.", "acme bakery llc", "Bakery Acme"):
        r = directory().resolve(sale(1, "1.00", billing_name=typed))
        assert (r.customer_id, r.evidence) == ("C001", CustomerEvidence.BILLING_NAME), typed


def test_fuzzy_name_rejects_a_stranger() -> None:
    r = directory().resolve(sale(1, "1.00", billing_name="Jordan Miles"))
    assert r.customer_id is None and r.warnings == ()


def test_fuzzy_name_rejects_ties() -> None:
    r = directory().resolve(sale(1, "1.00", billing_name="Harbor Lane Bakery"))
    assert r.customer_id is None
    assert "fits several customers: C005, C006" in r.warnings[0]


def test_link_and_email_that_disagree_keep_the_link_and_warn() -> None:
    r = directory().resolve(sale(1, "1.00", customer_id="PT-ACME", email="pay@bluefin.example"))
    assert r.customer_id == "C001"
    assert r.warnings == ("e-mail pay@bluefin.example belongs to C002, not C001",)


def test_evidence_for_a_given_customer() -> None:
    d = directory()
    assert (
        d.evidence_for(sale(1, "1", customer_id="pt-acme"), "C001")
        is CustomerEvidence.PAYTRACE_LINK
    )
    assert d.evidence_for(sale(1, "1", email="AP@ACME.EXAMPLE"), "C001") is CustomerEvidence.EMAIL
    assert (
        d.evidence_for(sale(1, "1", billing_name="Acme Bakery"), "C001")
        is CustomerEvidence.BILLING_NAME
    )
    assert d.evidence_for(sale(1, "1", billing_name="Acme Bakery"), "C002") is CustomerEvidence.NONE
    assert d.evidence_for(sale(1, "1"), "C999") is CustomerEvidence.NONE


def test_normalised_names_sort_words_and_drop_legal_suffixes() -> None:
    assert normalise_name("The Acme & Sons Co.") == normalise_name("acme and sons")


def test_name_blocking_still_finds_a_typo_in_one_word() -> None:
    index = NameIndex(
        [
            ("C1", normalise_name("Harbor Lane Bakery")),
            ("C2", normalise_name("Copper Ridge Dental")),
        ],
        88,
        4,
    )
    assert index.search(normalise_name("Harbour Lane Bakery"))[0] == "C1"
    assert index.search(normalise_name("Copper Ridge Dentl"))[0] == "C2"
    assert index.search(normalise_name("Maple Print Shop")) == (None, 0, ())


def test_relatives_holding_every_word_are_found_through_word_pairs() -> None:
    # Generated names share a small vocabulary (a word alone meets thousands of customers);
    # long names are not filed by pair and are checked word by word.
    data = generate_at_scale(2_000, 4_000, seed=8)
    names = {c.customer_id: normalise_name(c.name) for c in data.customers}
    long_name = "alpha beta gamma delta epsilon zeta eta theta iota bakery"
    names |= {"LONG1": long_name, "LONG2": "acme bakery", "DUP1": "bakery bakery acme",
              "LONG3": long_name.replace("alpha", "acme")}  # fmt: skip
    index = NameIndex(names.items(), threshold=88, tie_margin=4)
    queries = [normalise_name(p.billing_name) for p in data.payments[:400] if p.billing_name]
    queries += ["acme bakery", "bakery theta", "bakery", "bakery bakery", "nosuchword acme"]
    for query in queries:
        words = set(query.split())
        plain = {c for c, name in names.items() if words <= set(name.split())}
        assert index._holding_every_word(query.split()) == plain, query
    assert index._holding_every_word(["bakery", "theta"]) == {"LONG1", "LONG3"}
    assert index._holding_every_word(["acme", "bakery"]) >= {"LONG2", "DUP1", "LONG3"}
