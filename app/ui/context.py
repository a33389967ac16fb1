"""What every page is given: the store, the active profile and settings, who is working."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app import clock
from app.config import Profile, Settings, save_settings
from app.store import Store
from app.ui.services import current_user
from app.ui.signals import SETTINGS, AppSignals, app_signals


@dataclass
class UiContext:
    store: Store
    settings: Settings
    profile: Profile
    user: str = field(default_factory=current_user)
    demo: bool = False
    # Demo / test: keep settings in memory only (a throw-away profile is never written).
    persist_settings: bool = True
    # Screens that show "today" use this; tests and the demo pin it to their data's date.
    today_override: date | None = None

    def today(self) -> date:
        return clock.today(self.today_override)

    @property
    def signals(self) -> AppSignals:
        return app_signals()

    def save_settings(self) -> None:
        self.settings.profiles[self.profile.name] = self.profile
        if self.persist_settings:
            save_settings(self.settings)
        self.signals.settings_changed.emit()
        self.signals.data_changed.emit(SETTINGS)
