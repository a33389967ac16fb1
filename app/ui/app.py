"""``run_gui``: the desktop app's entry point, called by ``paysage gui`` and ``paysage demo``.

The demo passes its throw-away store, the stand-ins' URLs and an in-memory keyring; the
real app passes nothing but the profile name. Returns the process exit code.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import keyring.backend
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from app import credentials
from app.config import Settings, data_dir, load_settings
from app.domain.display_time import use_patterns
from app.store import Store, open_profile_store
from app.store.instance_lock import AlreadyRunningError, SingleInstanceLock
from app.ui.context import UiContext
from app.ui.crash import install_exception_hook
from app.ui.gc_guard import MainThreadGarbageCollector
from app.ui.icon import app_icon
from app.ui.single_instance import InstanceServer, ask_running_instance_to_show, server_name
from app.ui.sync_controller import CycleRunner
from app.ui.window_host import WindowHost, build_window

log = logging.getLogger(__name__)
STYLE_SHEET = Path(__file__).resolve().parents[2] / "resources" / "style.qss"


def load_style_sheet() -> str:
    try:
        return STYLE_SHEET.read_text(encoding="utf-8")
    except OSError:
        log.warning("Style sheet %s not found; using the platform look", STYLE_SHEET)
        return ""


def use_locale_styles() -> None:
    """Dates and times as the user's locale writes them (the C locale, as on a bare test
    machine, keeps the ISO style)."""
    locale = QLocale.system()
    if locale.language() != QLocale.Language.C:
        short = QLocale.FormatType.ShortFormat
        use_patterns(locale.dateFormat(short), locale.timeFormat(short))


def ensure_application(argv: Sequence[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("Paysage")
    app.setOrganizationName("Paysage")
    app.setWindowIcon(app_icon())
    # Set once: setting the style again re-polishes every widget alive, for nothing.
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")  # the same calm look on every Windows version
    sheet = load_style_sheet()
    if app.styleSheet() != sheet:
        app.setStyleSheet(sheet)
    use_locale_styles()
    if not hasattr(app, "_paysage_gc"):
        app._paysage_gc = MainThreadGarbageCollector(app)  # type: ignore[attr-defined]
    return app


def needs_first_run_wizard(ctx: UiContext) -> bool:
    p = ctx.profile
    return not (p.paytrace.username and credentials.has_secret(p.name, "paytrace"))


def run_gui(
    profile_name: str | None = None,
    *,
    store: Store | None = None,
    settings: Settings | None = None,
    cycle_runner: CycleRunner | None = None,
    paytrace_url: str | None = None,
    sagepro_url: str | None = None,
    keyring_backend: keyring.backend.KeyringBackend | None = None,
    demo: bool = False,
    today: date | None = None,
    show_wizard: bool | None = None,
    single_instance: bool = True,
    user: str | None = None,
    argv: Sequence[str] | None = None,
    minimized: bool = False,
) -> int:
    """Open the main window and run the event loop until Quit.

    ``minimized``: start in the tray only (the installer's start-with-Windows option).
    ``store``/``settings``: use these instead of the profile's (the demo's throw-away ones;
    a given ``settings`` is never written back). ``paytrace_url``/``sagepro_url``: point the
    profile at pre-started stand-ins, in memory only. ``keyring_backend``: e.g. a
    ``MemoryKeyring`` already holding the demo's secrets. ``cycle_runner``: replace
    ``app.sync.cycle`` (tests). ``show_wizard``: None = only when no connection is set up.
    """
    app = ensure_application(argv)
    install_exception_hook()
    if keyring_backend is not None:
        credentials.install_backend(keyring_backend)
    lock: SingleInstanceLock | None = None
    if single_instance:
        lock = SingleInstanceLock(data_dir() / "paysage.gui.lock")
        try:
            lock.acquire()
        except AlreadyRunningError as exc:
            if ask_running_instance_to_show(server_name()):
                return 0
            print(f"paysage: {exc}", file=sys.stderr)
            return 2
    try:
        chosen = settings if settings is not None else load_settings()
        profile = chosen.profile(profile_name)
        if paytrace_url:
            profile.paytrace = dataclasses.replace(profile.paytrace, base_url=paytrace_url)
        if sagepro_url:
            profile.sagepro = dataclasses.replace(profile.sagepro, base_url=sagepro_url)
        owned_store = store is None
        the_store = store or open_profile_store(profile)
        ctx = UiContext(
            store=the_store,
            settings=chosen,
            profile=profile,
            demo=demo,
            persist_settings=settings is None and not demo,
            today_override=today,
        )
        if user:
            ctx.user = user
        # The host replaces the window when the bookkeeper switches profile.
        host = WindowHost(ctx, cycle_runner, owns_store=owned_store)
        window, controller, tray = host.window, host.controller, host.tray
        server = InstanceServer(server_name(), host) if single_instance else None
        if server is not None:
            server.show_requested.connect(host.bring_forward)
        tray.show()
        if not minimized:  # started with Windows: only the tray icon, syncing on schedule
            window.show()
        if show_wizard or (show_wizard is None and not demo and needs_first_run_wizard(ctx)):
            from app.ui.dialogs.connections_wizard import ConnectionsWizard

            ConnectionsWizard(ctx, window).open()
        controller.start_schedule()
        app.setQuitOnLastWindowClosed(not window.keep_running_in_tray)
        code = app.exec()
        host.shutdown()
        return int(code)
    finally:
        if lock is not None:
            lock.release()


__all__ = ["build_window", "ensure_application", "load_style_sheet", "run_gui"]
