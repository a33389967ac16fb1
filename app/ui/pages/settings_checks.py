"""What the Settings form itself refuses, in plain words, one sentence per field: each spin
box's minimum and maximum, amounts that must read as money, addresses that must be web
addresses, business hours that must start before they end. The page then applies the
settings rules that also guard settings.json (``app.settings_rules``) before it saves."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtWidgets import QSpinBox

from app.ui.widgets.filters import AmountEdit

if TYPE_CHECKING:
    from app.ui.pages.settings import SettingsPage


def web_address_problem(what: str, url: str) -> str:
    """ "" when ``url`` is a usable http(s) address, else why not."""
    parts = urlsplit(url.strip())
    if not url.strip():
        return f"{what} is empty."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{what} must be a web address such as https://api.paytrace.com, not {url!r}."
    return ""


def spin_problems(spins: Iterable[tuple[str, QSpinBox]]) -> list[str]:
    problems = []
    for what, spin in spins:
        spin.interpretText()  # a half-typed number counts as what the box will keep
        if not spin.minimum() <= spin.value() <= spin.maximum() or not spin.hasAcceptableInput():
            problems.append(
                f"{what} must be between {spin.minimum()} and {spin.maximum()}{spin.suffix()}."
            )
    return problems


def amount_problems(
    amounts: Iterable[tuple[str, AmountEdit, Decimal, Decimal | None]],
) -> list[str]:
    """Each (label, box, lowest, highest or None): typed text must be an amount in range."""
    problems = []
    for what, box, low, high in amounts:
        if not box.text().strip():
            continue  # empty keeps the saved value
        value = box.value()
        if value is None:
            problems.append(f"{what} is not an amount: {box.text()!r}.")
        elif value < low or (high is not None and value > high):
            allowed = f"between {low} and {high}" if high is not None else f"{low} or more"
            problems.append(f"{what} must be {allowed}, not {value}.")
    return problems


def hours_problem(start: int, end: int) -> str:
    if start >= end:
        return f"Business hours must start before they end (from {start}:00 to {end}:00)."
    return ""


def settings_page_problems(page: SettingsPage) -> list[str]:
    """Everything that stops the Settings page saving, one sentence per field."""
    spins = [
        ("Sync every", page.interval),
        ("Business hours start", page.start_hour),
        ("Business hours end", page.end_hour),
        ("Look back", page.lookback),
        ("Exact only: at or above", page.threshold),
        ("Invoice date window", page.date_window),
        ("Alert when not entered after", page.worklist_days),
    ]
    hundred, zero = Decimal(100), Decimal(0)
    amounts = [
        ("Amount tolerance", page.tolerance, zero, None),
        ("Card % of gross", page.card_pct, zero, hundred),
        (f"Card {page.sign} per transaction", page.card_fixed, zero, None),
        ("ACH % of gross", page.ach_pct, zero, hundred),
        (f"ACH {page.sign} per transaction", page.ach_fixed, zero, None),
        (f"Large payment from {page.sign}", page.large_amount, Decimal("0.01"), None),
    ]
    found = [
        web_address_problem("The PayTrace API address", page.paytrace.url.text()),
        web_address_problem("The Sage Pro API address", page.sagepro.url.text()),
        *spin_problems(spins),
        hours_problem(page.start_hour.value(), page.end_hour.value())
        if page.business_only.isChecked()
        else "",
        *amount_problems(amounts),
    ]
    return [words for words in found if words]
