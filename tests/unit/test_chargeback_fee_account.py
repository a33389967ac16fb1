"""The chargeback fee account comes from the profile's GL settings (a typed field)."""

from __future__ import annotations

from app.config import Profile
from app.sync.chargebacks.entries import DEFAULT_FEE_ACCOUNT, fee_account


def test_the_fee_account_is_the_setting_or_the_default_when_empty() -> None:
    profile = Profile()
    assert fee_account(profile) == profile.gl.chargeback_fees == "6160"
    profile.gl.chargeback_fees = "6175"
    assert fee_account(profile) == "6175"
    profile.gl.chargeback_fees = ""
    assert fee_account(profile) == DEFAULT_FEE_ACCOUNT
