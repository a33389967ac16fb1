"""Who paid: PayTrace vault link, then e-mail, then fuzzy billing name (ties rejected).

Built once per run from the Sage Pro customers; every lookup is a dict hit except the fuzzy
name search, which runs in rapidfuzz's C code and is cached per distinct billing name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from app.domain.matching.model import CustomerEvidence, MatchSettings
from app.domain.matching.names import NameIndex, normalise_name
from app.domain.records import Customer, Transaction


@dataclass(frozen=True)
class CustomerResolution:
    customer_id: str | None
    evidence: CustomerEvidence
    explanation: str  # "customer C00012 by PayTrace link PT-C00012"
    warnings: tuple[str, ...] = ()  # evidence that disagrees, or ties that were rejected
    # Unidentified, but narrowed to these (a shared link or e-mail, a tied billing name):
    # an invoice reference naming one of them settles the doubt the warnings express.
    undecided: tuple[str, ...] = ()

    def settled_by(self, owner: str) -> CustomerResolution:
        """This resolution once a reference has named an invoice of ``owner``."""
        if self.customer_id is not None or owner not in self.undecided:
            return self
        return replace(self, warnings=(), explanation=f"{self.explanation}; {owner} among them")


class CustomerDirectory:
    """Indexes of one run's Sage Pro customers."""

    def __init__(self, customers: Sequence[Customer], settings: MatchSettings) -> None:
        self._settings = settings
        self._by_id: dict[str, Customer] = {}
        self._by_link: dict[str, list[str]] = defaultdict(list)
        self._by_email: dict[str, list[str]] = defaultdict(list)
        self._normalised_names: dict[str, str] = {}
        for customer in customers:
            if customer.customer_id in self._by_id:
                raise ValueError(f"customer {customer.customer_id} given twice")
            self._by_id[customer.customer_id] = customer
            if customer.paytrace_customer_id.strip():
                self._by_link[customer.paytrace_customer_id.strip().casefold()].append(
                    customer.customer_id
                )
            if customer.email.strip():
                self._by_email[customer.email.strip().casefold()].append(customer.customer_id)
            self._normalised_names[customer.customer_id] = normalise_name(customer.name)
        self._names = NameIndex(
            self._normalised_names.items(),
            settings.name_match_threshold,
            settings.name_tie_margin,
        )

    def __contains__(self, customer_id: str) -> bool:
        return customer_id in self._by_id

    def name_of(self, customer_id: str) -> str:
        customer = self._by_id.get(customer_id)
        return customer.name if customer else ""

    def resolve(self, payment: Transaction) -> CustomerResolution:
        link = payment.customer_id.strip()
        email = payment.email.strip()
        by_link = self._by_link.get(link.casefold(), []) if link else []
        by_email = self._by_email.get(email.casefold(), []) if email else []
        if len(by_link) == 1:
            chosen = by_link[0]
            conflict = (
                (f"e-mail {email} belongs to {', '.join(by_email)}, not {chosen}",)
                if by_email and chosen not in by_email
                else ()
            )
            return CustomerResolution(
                chosen,
                CustomerEvidence.PAYTRACE_LINK,
                f"customer {chosen} by PayTrace link {link}",
                conflict,
            )
        # A link or e-mail shared by several customers narrows the field; the e-mail or
        # the billing name may then settle it.
        shortlist = [c for c in by_link if c in by_email] or by_link or by_email
        if len(shortlist) == 1:
            return CustomerResolution(
                shortlist[0], CustomerEvidence.EMAIL, f"customer {shortlist[0]} by e-mail {email}"
            )
        warnings: list[str] = []
        if len(shortlist) > 1:
            shared = f"PayTrace customer {link}" if by_link else f"e-mail {email}"
            warnings.append(f"{shared} belongs to several customers: {', '.join(shortlist)}")
        chosen_by_name, score, tied = self._by_name(payment.billing_name, shortlist)
        if chosen_by_name is None:
            if tied:
                warnings.append(
                    f"billing name '{payment.billing_name}' fits several customers: "
                    + ", ".join(tied)
                )
            undecided = tuple(shortlist) if len(shortlist) > 1 else tied
            return CustomerResolution(
                None, CustomerEvidence.NONE, "payer not identified", tuple(warnings), undecided
            )
        return CustomerResolution(
            chosen_by_name,
            CustomerEvidence.BILLING_NAME,
            f"customer {chosen_by_name} by billing name '{payment.billing_name}' ({score}%)",
        )

    def evidence_for(self, payment: Transaction, customer_id: str) -> CustomerEvidence:
        """What, if anything, about the payer points at ``customer_id`` (an O(1) check)."""
        customer = self._by_id.get(customer_id)
        if customer is None:
            return CustomerEvidence.NONE
        link = payment.customer_id.strip().casefold()
        if link and link == customer.paytrace_customer_id.strip().casefold():
            return CustomerEvidence.PAYTRACE_LINK
        email = payment.email.strip().casefold()
        if email and email == customer.email.strip().casefold():
            return CustomerEvidence.EMAIL
        query = normalise_name(payment.billing_name)
        target = self._normalised_names.get(customer_id, "")
        if query and target and fuzz.ratio(query, target) >= self._settings.name_match_threshold:
            return CustomerEvidence.BILLING_NAME
        return CustomerEvidence.NONE

    def name_relatives(self, billing_name: str) -> set[str]:
        """Customers whose names a careful reader could take ``billing_name`` for."""
        return self._names.relatives(normalise_name(billing_name))

    def _by_name(
        self, billing_name: str, among: list[str]
    ) -> tuple[str | None, int, tuple[str, ...]]:
        """(customer, score, tied customers). ``among`` narrows the search when not empty."""
        return self._names.search(normalise_name(billing_name), among)
