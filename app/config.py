"""Paths, environment profiles and typed settings, declared once.

Settings live in ``settings.json`` in the data folder: readable, hand-editable, and never
holding a secret (secrets go through ``app.credentials``). Each profile ("Sandbox",
"Production", ...) carries the same typed sections with defaults. Headless runs may override
connection values from ``PAYSAGE_*`` environment variables; those are applied in memory and
never written back.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import platformdirs

from app.domain.exchange import currency_code, is_valid_code
from app.domain.matching.tiers import AutoApproveTier
from app.settings_codec import SettingsError, from_json, to_json  # the file's JSON, typed
from app.settings_rules import SettingsProblem, validate_profile

APP_NAME = "Paysage"
SETTINGS_FILE = "settings.json"
PAYTRACE_PRODUCTION_URL = "https://api.paytrace.com"
PAYTRACE_SANDBOX_URL = "https://api.sandbox.paytrace.com"


SANDBOX = "Sandbox"
PRODUCTION = "Production"
ENVIRONMENT_MAX_LENGTH = 20  # it is shown as a badge


def environment_label(value: str, where: str = "environment") -> str:
    """A profile's environment label, tidied: Sandbox and Production in their usual
    spelling, any other short name the user chose (e.g. "Training") as written."""
    label = " ".join(value.split())
    if not label:
        raise SettingsError(f"{where} must name an environment, e.g. {SANDBOX} or {PRODUCTION}.")
    if len(label) > ENVIRONMENT_MAX_LENGTH:
        raise SettingsError(
            f"{where} is too long for a badge ({len(label)} characters, at most "
            f"{ENVIRONMENT_MAX_LENGTH}): {label!r}."
        )
    for known in (SANDBOX, PRODUCTION):
        if label.casefold() == known.casefold():
            return known
    return label


def environment_kind(environment: str) -> str:
    """ "production", "sandbox" or "other": how the environment badge is coloured."""
    if environment == PRODUCTION:
        return "production"
    return "sandbox" if environment == SANDBOX else "other"


def data_dir() -> Path:
    """The data folder: ``PAYSAGE_HOME`` when set, else the platform's per-user data dir."""
    override = os.environ.get("PAYSAGE_HOME")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_NAME, roaming=False))


def logs_dir() -> Path:
    return data_dir() / "logs"


def database_path(profile: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in profile)
    return data_dir() / f"paysage-{safe.lower()}.db"


@dataclass
class PayTraceSettings:
    base_url: str = PAYTRACE_SANDBOX_URL
    username: str = ""
    integrator_id: str = ""
    # PayTrace reports merchant-local wall-clock times; "" = this computer's zone.
    merchant_timezone: str = ""


@dataclass
class SageProSettings:
    base_url: str = "http://localhost:8080"
    company: str = "01"
    api_key_name: str = "Paysage"  # the label of the key in the Sage Pro API service
    # Reached through the Paysage bridge (a real Sage Pro): receipts are staged for the
    # bookkeeper to enter, so the Sage Pro worklist page is shown even while it is empty.
    through_bridge: bool = False
    # A receipt still not entered in Sage Pro this many days after staging raises an alert.
    worklist_alert_days: int = 3


@dataclass
class SyncSettings:
    enabled: bool = True
    interval_minutes: int = 5
    lookback_days: int = 3
    business_hours_only: bool = False
    business_start_hour: int = 7
    business_end_hour: int = 19


@dataclass
class MatchPolicySettings:
    auto_approve: bool = False
    # Which proposals auto-approval posts (app/domain/matching/tiers.py); the
    # threshold applies to the "exact only" tier.
    auto_approve_tier: AutoApproveTier = AutoApproveTier.RECOMMENDED
    auto_approve_threshold: int = 95  # confidence 0–100
    amount_tolerance: Decimal = Decimal("0.00")
    date_window_days: int = 60


@dataclass
class GLAccountSettings:
    card_clearing: str = "1050"
    bank: str = "1010"
    merchant_fees: str = "6150"
    refunds: str = "4900"
    on_account: str = "2300"
    receivables: str = "1200"
    chargeback_fees: str = "6160"


@dataclass
class FeeSchedule:
    """Merchant fees taken out of each settlement: a rate on gross plus a fixed fee."""

    card_percent: Decimal = Decimal("2.90")
    card_per_transaction: Decimal = Decimal("0.30")
    ach_percent: Decimal = Decimal("0.75")
    ach_per_transaction: Decimal = Decimal("0.25")


@dataclass
class AlertSettings:
    notify_failed_sync: bool = True
    notify_dead_letters: bool = True
    notify_anomalies: bool = True
    large_payment_amount: Decimal = Decimal("10000.00")
    notify_chargebacks: bool = True  # an alert item when an imported chargeback is new
    # Anomaly checks (app/domain/anomalies): kind code -> on/off; kinds not listed are on.
    anomaly_checks: dict[str, bool] = field(default_factory=dict)
    anomaly_lookback_days: int = 90  # the last N days of transactions on record are scanned
    duplicate_window_minutes: int = 10  # same card last 4 + amount within this → duplicate
    outlier_threshold: Decimal = Decimal("3.5")  # robust z-score (median/MAD) per customer
    outlier_min_history: int = 8  # a customer needs this many charges before outliers count
    quiet_hours_start: int = 22  # merchant-local hour; charges from here ...
    quiet_hours_end: int = 6  # ... until this hour are "unusual hour"
    spike_factor: Decimal = Decimal("3")  # an hour/day this many times its usual count ...
    spike_hour_min_count: int = 10  # ... and at least this many transactions in the hour
    spike_day_min_count: int = 40  # ... or in the day
    cutoff_max_days: int = 3  # settled more than N days after the Sage Pro posting date


@dataclass
class Profile:
    name: str = "Sandbox"
    environment: str = SANDBOX  # Sandbox, Production, or a short name the user chose
    # ISO code of the company's own currency: invoices in any other are matched only by
    # hand, with an exchange rate.
    base_currency: str = "USD"
    paytrace: PayTraceSettings = field(default_factory=PayTraceSettings)
    sagepro: SageProSettings = field(default_factory=SageProSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    policy: MatchPolicySettings = field(default_factory=MatchPolicySettings)
    gl: GLAccountSettings = field(default_factory=GLAccountSettings)
    fees: FeeSchedule = field(default_factory=FeeSchedule)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    database_url: str = ""  # "" = the local SQLite file in the data folder


@dataclass
class Settings:
    active_profile: str = "Sandbox"
    profiles: dict[str, Profile] = field(
        default_factory=lambda: {
            "Sandbox": Profile(),
            "Production": Profile(
                name="Production",
                environment="Production",
                paytrace=PayTraceSettings(base_url=PAYTRACE_PRODUCTION_URL),
            ),
        }
    )

    def profile(self, name: str | None = None) -> Profile:
        wanted = name or os.environ.get("PAYSAGE_PROFILE") or self.active_profile
        try:
            return self.profiles[wanted]
        except KeyError:
            known = ", ".join(sorted(self.profiles)) or "none"
            raise SettingsError(f"There is no profile named {wanted!r} (known: {known}).") from None

    def add_profile(self, name: str, environment: str) -> Profile:
        """A new profile with default settings (its own store, its own credentials);
        Production ones point at PayTrace's live API, every other at the sandbox."""
        clean = " ".join(name.split())
        if not clean:
            raise SettingsError("A profile needs a name.")
        for known in self.profiles:
            if database_path(known) == database_path(clean):  # also catches case changes
                raise SettingsError(
                    f"The name {clean!r} is too close to the profile {known!r} "
                    "(they would share one database file); choose another."
                )
        label = environment_label(environment)
        url = PAYTRACE_PRODUCTION_URL if label == PRODUCTION else PAYTRACE_SANDBOX_URL
        profile = Profile(name=clean, environment=label, paytrace=PayTraceSettings(base_url=url))
        self.profiles[clean] = profile
        return profile

    def production_profile(self) -> Profile:
        """The profile a mapping is promoted to: the one whose environment is Production."""
        found = [p for p in self.profiles.values() if p.environment == PRODUCTION]
        if not found:
            raise SettingsError(
                "No profile is marked as the Production environment; set a profile's "
                'environment to "Production" in the settings first.'
            )
        return found[0]


def settings_path() -> Path:
    return data_dir() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> Settings:
    """The settings file, or defaults when there is none. Bad content → ``SettingsError``."""
    path = path or settings_path()
    if not path.exists():
        return Settings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SettingsError(f"The settings file {path} cannot be read: {exc}.") from None
    settings = from_json(Settings, data, "settings")
    for name, profile in settings.profiles.items():
        if not name.strip():
            raise SettingsError("settings.profiles has a profile with no name.")
        profile.name = name
        code = currency_code(profile.base_currency)
        if not is_valid_code(code):
            raise SettingsError(
                f"settings.profiles.{name}.base_currency must be a three-letter currency "
                f'code such as "USD", not {profile.base_currency!r}.'
            )
        profile.base_currency = code
        profile.environment = environment_label(
            profile.environment, f"settings.profiles.{name}.environment"
        )
    refuse_problems(validate_settings(settings, source="the file"), f"The settings file {path}")
    return settings


def validate_settings(settings: Settings, *, source: str = "the form") -> list[SettingsProblem]:
    """Every out-of-range or malformed value of every profile, one problem per field (empty:
    fine to save). The Settings page calls this before saving; ``load_settings`` refuses a
    file for which it is not empty."""
    return [
        problem
        for name, profile in settings.profiles.items()
        for problem in validate_profile(profile, name=name, source=source)
    ]


def refuse_problems(problems: list[SettingsProblem], what: str) -> None:
    if not problems:
        return
    profiles = {p.profile for p in problems}
    lines = [
        (f"Profile {p.profile}: " if len(profiles) > 1 or p.profile else "") + p.message
        for p in problems
    ]
    count = "a value" if len(lines) == 1 else f"{len(lines)} values"
    raise SettingsError(f"{what} has {count} to correct:\n" + "\n".join(lines))


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically (temp file + replace) so a crash never leaves half a file."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(to_json(settings), indent=2) + "\n", encoding="utf-8", newline="\n")
    os.replace(tmp, path)
    return path


def with_env_overrides(profile: Profile) -> Profile:
    """A copy of ``profile`` with the ``PAYSAGE_*`` connection overrides applied."""
    env = os.environ
    paytrace = dataclasses.replace(
        profile.paytrace,
        base_url=env.get("PAYSAGE_PAYTRACE_URL") or profile.paytrace.base_url,
        username=env.get("PAYSAGE_PAYTRACE_USERNAME") or profile.paytrace.username,
        integrator_id=env.get("PAYSAGE_PAYTRACE_INTEGRATOR_ID") or profile.paytrace.integrator_id,
    )
    sagepro = dataclasses.replace(
        profile.sagepro, base_url=env.get("PAYSAGE_SAGEPRO_URL") or profile.sagepro.base_url
    )
    overridden = dataclasses.replace(profile, paytrace=paytrace, sagepro=sagepro)
    for variable, path in _URL_OVERRIDES:
        if env.get(variable):
            refuse_problems(
                validate_profile(overridden, name=profile.name, source=variable, paths=(path,)),
                "The environment",
            )
    return overridden


_URL_OVERRIDES = (
    ("PAYSAGE_PAYTRACE_URL", "paytrace.base_url"),
    ("PAYSAGE_SAGEPRO_URL", "sagepro.base_url"),
)
