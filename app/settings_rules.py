"""What a valid profile looks like, declared once: one rule per setting with its words, its
range or its shape. ``load_settings`` refuses a file that breaks any (one line per field) and
the Settings page calls :func:`validate_profile` before it saves.

Rules read values by dotted path, so this module needs nothing from app.config and the same
rules serve the file, the ``PAYSAGE_*`` overrides and the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

Number = int | Decimal


@dataclass(frozen=True)
class Rule:
    path: str  # e.g. "sync.interval_minutes"
    label: str  # the words the Settings page uses for it
    minimum: Number | None = None
    maximum: Number | None = None
    above: Number | None = None  # strictly more than this
    url: bool = False


@dataclass(frozen=True)
class SettingsProblem:
    """One field that is out of range or malformed, in words a bookkeeper can act on."""

    profile: str
    path: str  # dotted path inside the profile, e.g. "sync.interval_minutes"
    label: str
    value: Any
    need: str  # e.g. "must be at least 1"
    source: str  # where the value came from: "the file", "PAYSAGE_SAGEPRO_URL", "the form"

    @property
    def message(self) -> str:
        shown = f'"{self.value}"' if isinstance(self.value, str) else f"{self.value}"
        return f"{self.label} {self.need}; {self.source} has {shown}."


def _hour(path: str, label: str) -> Rule:
    return Rule(path, label, minimum=0, maximum=23)


RULES: tuple[Rule, ...] = (
    Rule("paytrace.base_url", "PayTrace address", url=True),
    Rule("sagepro.base_url", "Sage Pro address", url=True),
    Rule("sagepro.worklist_alert_days", "Worklist alert after (days)", minimum=1, maximum=365),
    Rule("sync.interval_minutes", "Sync interval (minutes)", minimum=1, maximum=1440),
    Rule("sync.lookback_days", "Look back (days)", minimum=0, maximum=365),
    _hour("sync.business_start_hour", "Business hours start"),
    _hour("sync.business_end_hour", "Business hours end"),
    Rule("policy.auto_approve_threshold", "Auto-approve threshold", minimum=0, maximum=100),
    Rule("policy.amount_tolerance", "Amount tolerance", minimum=Decimal(0), maximum=Decimal(1000)),
    Rule("policy.date_window_days", "Invoice date window (days)", minimum=0, maximum=3650),
    Rule("fees.card_percent", "Card fee (%)", minimum=Decimal(0), maximum=Decimal(100)),
    Rule("fees.card_per_transaction", "Card fee per transaction", minimum=Decimal(0)),
    Rule("fees.ach_percent", "ACH fee (%)", minimum=Decimal(0), maximum=Decimal(100)),
    Rule("fees.ach_per_transaction", "ACH fee per transaction", minimum=Decimal(0)),
    Rule("alerts.large_payment_amount", "Large payment amount", minimum=Decimal(0)),
    Rule("alerts.anomaly_lookback_days", "Anomaly look-back (days)", minimum=1, maximum=3650),
    Rule("alerts.duplicate_window_minutes", "Duplicate window (minutes)", minimum=1),
    Rule("alerts.outlier_threshold", "Outlier threshold", above=Decimal(0)),
    Rule("alerts.outlier_min_history", "Outlier minimum history", minimum=1),
    _hour("alerts.quiet_hours_start", "Quiet hours start"),
    _hour("alerts.quiet_hours_end", "Quiet hours end"),
    Rule("alerts.spike_factor", "Spike factor", minimum=Decimal(1)),
    Rule("alerts.spike_hour_min_count", "Spike minimum per hour", minimum=1),
    Rule("alerts.spike_day_min_count", "Spike minimum per day", minimum=1),
    Rule("alerts.cutoff_max_days", "Settlement cut-off (days)", minimum=0, maximum=365),
)
RULE_BY_PATH = {rule.path: rule for rule in RULES}


def _read(profile: object, path: str) -> Any:
    value = profile
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _need(rule: Rule, value: Any) -> str | None:
    """What the value lacks, or None when it is fine."""
    if rule.url:
        parts = urlsplit(value) if isinstance(value, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            return "must be a web address starting with http:// or https://"
        return None
    if rule.above is not None and not value > rule.above:
        return f"must be more than {rule.above}"
    if rule.minimum is not None and rule.maximum is not None:
        if not rule.minimum <= value <= rule.maximum:
            return f"must be from {rule.minimum} to {rule.maximum}"
        return None
    if rule.minimum is not None and value < rule.minimum:
        return f"must be at least {rule.minimum}"
    if rule.maximum is not None and value > rule.maximum:
        return f"must be at most {rule.maximum}"
    return None


def validate_profile(
    profile: object,
    *,
    name: str = "",
    source: str = "the form",
    paths: tuple[str, ...] | None = None,
) -> list[SettingsProblem]:
    """Every problem of one profile (a ``app.config.Profile``), one per field, in the order
    of :data:`RULES`; empty when it may be saved. ``paths`` limits the check to some fields."""
    problems = []
    for rule in RULES:
        if paths is not None and rule.path not in paths:
            continue
        value = _read(profile, rule.path)
        need = _need(rule, value)
        if need:
            problems.append(SettingsProblem(name, rule.path, rule.label, value, need, source))
    return problems
