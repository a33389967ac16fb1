"""Proposals go to SQLite as JSON and come back equal."""

from __future__ import annotations

import json

import pytest

from app.domain.matching import match_payments, proposal_from_json_dict, proposal_to_json_dict
from tests.support.matching_scenarios import generate_scenarios


def test_every_kind_of_proposal_round_trips_through_json() -> None:
    data = generate_scenarios(5, scenarios=400, background_customers=20)
    proposals = match_payments(data.payments, data.invoices, data.customers)
    assert len({p.rule for p in proposals}) >= 10  # the sample covers most rules
    for p in proposals:
        text = json.dumps(proposal_to_json_dict(p))
        assert proposal_from_json_dict(json.loads(text)) == p


def test_money_is_stored_as_text_not_as_json_numbers() -> None:
    data = generate_scenarios(5, scenarios=50, background_customers=0)
    p = next(
        p for p in match_payments(data.payments, data.invoices, data.customers) if p.applications
    )
    stored = proposal_to_json_dict(p)
    assert isinstance(stored["payment_amount"], str)
    assert all(isinstance(a["amount"], str) for a in stored["applications"])
    assert set(stored) >= {
        "rule",
        "confidence",
        "score_parts",
        "reason",
        "candidates",
        "warnings",
        "customer_id",
        "on_account",
    }


def test_an_unknown_schema_is_refused() -> None:
    data = generate_scenarios(5, scenarios=5, background_customers=0)
    stored = proposal_to_json_dict(match_payments(data.payments, data.invoices, data.customers)[0])
    with pytest.raises(ValueError, match="schema"):
        proposal_from_json_dict({**stored, "schema": 99})
