"""Validated settings: a file with out-of-range values is refused at load with one plain line
per value, the Settings page's ``validate_settings`` lists the same problems per field, and a
malformed ``PAYSAGE_*`` address is refused before any sync starts."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app.config import (
    Settings,
    SettingsError,
    load_settings,
    settings_path,
    validate_settings,
    with_env_overrides,
)
from app.settings_rules import RULES


def test_a_file_with_several_bad_values_gets_one_line_each(paysage_home):
    bad = {
        "sync": {"interval_minutes": -5, "business_start_hour": 24},
        "policy": {"auto_approve_threshold": 140},
        "alerts": {"outlier_threshold": "-5", "quiet_hours_end": -1},
        "sagepro": {"base_url": "localhost:8080"},
    }
    settings_path().write_text(json.dumps({"profiles": {"Sandbox": bad}}))
    with pytest.raises(SettingsError) as caught:
        load_settings()
    lines = str(caught.value).splitlines()
    assert lines[0].endswith("has 6 values to correct:")
    assert all(line.startswith("Profile Sandbox: ") for line in lines[1:])
    assert [line.removeprefix("Profile Sandbox: ") for line in lines[1:]] == [
        "Sage Pro address must be a web address starting with http:// or https://; "
        'the file has "localhost:8080".',
        "Sync interval (minutes) must be from 1 to 1440; the file has -5.",
        "Business hours start must be from 0 to 23; the file has 24.",
        "Auto-approve threshold must be from 0 to 100; the file has 140.",
        "Outlier threshold must be more than 0; the file has -5.",
        "Quiet hours end must be from 0 to 23; the file has -1.",
    ]


def test_the_defaults_break_no_rule():
    assert validate_settings(Settings()) == []


def test_the_settings_page_gets_problems_per_field():
    settings = Settings()
    settings.profiles["Production"].sync.interval_minutes = 0
    settings.profiles["Production"].fees.card_percent = Decimal("120")
    problems = validate_settings(settings)
    assert [(p.profile, p.path) for p in problems] == [
        ("Production", "sync.interval_minutes"),
        ("Production", "fees.card_percent"),
    ]
    assert problems[0].message == "Sync interval (minutes) must be from 1 to 1440; the form has 0."
    assert problems[1].label == "Card fee (%)" and problems[1].value == Decimal("120")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.path)
def test_every_rule_refuses_a_value_outside_it(rule):
    settings = Settings()
    section, name = rule.path.split(".")
    target = getattr(settings.profiles["Sandbox"], section)
    current = getattr(target, name)
    if rule.url:
        wrong: object = "ftp://example.com"
    elif rule.maximum is not None:
        wrong = type(current)(rule.maximum) + 1
    else:
        floor = rule.above if rule.above is not None else rule.minimum
        wrong = type(current)(floor) - 1
    setattr(target, name, wrong)
    assert [p.path for p in validate_settings(settings)] == [rule.path]


def test_a_bad_address_in_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("PAYSAGE_SAGEPRO_URL", "sagepro.local")
    with pytest.raises(SettingsError, match=r'PAYSAGE_SAGEPRO_URL has "sagepro.local"\.'):
        with_env_overrides(Settings().profile())


def test_a_secret_in_the_file_is_still_refused(paysage_home):
    settings_path().write_text(json.dumps({"profiles": {"Sandbox": {"sagepro": {"api_key": "k"}}}}))
    with pytest.raises(SettingsError, match="looks like a secret"):
        load_settings()
