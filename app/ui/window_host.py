"""The main window's keeper: builds it over a context and, when the bookkeeper switches
profile, replaces it with a fresh window over that profile's own store.

Switching restarts the window rather than swapping the store under it: pages, their models,
the sync controller and scheduler, the team watch and operations in flight all hold the
store they started with, and a half-swapped window could post into the wrong books. A new
window over a new context has none of that; the old one is shut down (sync cancelled,
schedule stopped, signed off the team list) and its store released.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import QObject, Signal

from app.config import Profile, save_settings
from app.store import Store, open_profile_store
from app.ui.context import UiContext
from app.ui.main_window import MainWindow
from app.ui.ops import run_call
from app.ui.sync_controller import CycleRunner, SyncController
from app.ui.tray import Tray

log = logging.getLogger(__name__)


def build_window(
    ctx: UiContext, runner: CycleRunner | None = None
) -> tuple[MainWindow, SyncController, Tray]:
    """The window, its sync controller and tray, wired but not shown (tests use this)."""
    controller = SyncController(ctx, runner)
    window = MainWindow(ctx, controller)
    controller.setParent(window)
    tray = Tray(window)
    return window, controller, tray


class WindowHost(QObject):
    switched = Signal(object)  # the new MainWindow, shown

    def __init__(
        self, ctx: UiContext, runner: CycleRunner | None = None, *, owns_store: bool
    ) -> None:
        super().__init__()
        self.runner = runner
        self.ctx = ctx
        self._owns_store = owns_store
        self.window, self.controller, self.tray = self._build(ctx)

    def _build(self, ctx: UiContext) -> tuple[MainWindow, SyncController, Tray]:
        window, controller, tray = build_window(ctx, self.runner)
        window.profile_switch_requested.connect(self.switch_to)
        return window, controller, tray

    def bring_forward(self) -> None:
        self.window.bring_forward()

    def switch_to(self, name: str) -> None:
        """Open ``name``'s store off the GUI thread, then replace the window."""
        if name == self.ctx.profile.name:
            return
        if self.controller.running:
            self.window.refuse_switch("A sync is running; switch profile when it has finished.")
            return
        profile = self.ctx.settings.profile(name)
        self.window.status.say(f"Opening profile {name}…")
        run_call(
            open_profile_store,
            profile,
            label=f"Opening profile {name}",
            on_done=lambda store: self._replace(profile, store),
            on_error=lambda words: self.window.refuse_switch(
                f"Profile {name} could not be opened: {words}"
            ),
            owner=self,
        )

    def _replace(self, profile: Profile, store: Store) -> None:
        old_window, old_controller, old_tray = self.window, self.controller, self.tray
        old_store, owned = self.ctx.store, self._owns_store
        ctx = dataclasses.replace(self.ctx, profile=profile, store=store)
        ctx.settings.active_profile = ctx.profile.name
        if ctx.persist_settings:
            save_settings(ctx.settings)  # the next start opens this profile
        self.ctx, self._owns_store = ctx, True
        self.window, self.controller, self.tray = self._build(ctx)
        # The new window shows before the old one closes: the app never has no window.
        self.window.setGeometry(old_window.geometry())
        if old_tray.icon.isVisible():
            self.tray.show()
        self.window.show()
        self.controller.start_schedule()
        old_controller.shutdown()
        old_window.team_watch.stop()
        old_tray.icon.hide()
        old_window.quitting = True
        old_window.close()
        old_window.deleteLater()
        if owned:
            old_store.dispose()
        log.info("Switched to profile %s (%s)", ctx.profile.name, ctx.profile.environment)
        self.switched.emit(self.window)

    def shutdown(self) -> None:
        self.controller.shutdown()
        if self._owns_store:
            self.ctx.store.dispose()
