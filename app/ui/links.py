"""Where a notification leads: a short path naming a page and what to show on it, so a
click on a tray balloon (or a status-bar link) opens the page the message is about.

    settings/paytrace/url       Settings, the PayTrace form's address field focused
    settings/sagepro/secret     Settings, the Sage Pro API key field focused
    exceptions/item/42          Exceptions, open items, item 42 selected
    exceptions/open             Exceptions, every open item, newest first
    reconciliation/open         Reconciliation, "Needs review", earlier searches cleared
    dashboard                   a page as it is
    ""                          just the window
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.sync.failure_words import setting_named_in

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

REVIEW = "reconciliation/open"
OPEN_EXCEPTIONS = "exceptions/open"


def exception_item(item_id: int) -> str:
    return f"exceptions/item/{item_id}"


def settings_field(system: str, field: str) -> str:
    return f"settings/{system}/{field}"


def failure_link(words: str) -> str:
    """A failed sync's words → the setting that fixes it: the address when the words are
    about the address, else the secret (password or API key); the dashboard (which shows
    the last sync's words) when no setting is named."""
    system = setting_named_in(words)
    if not system:
        return "dashboard"
    return settings_field(system, "url" if "address" in words else "secret")


def open_link(window: MainWindow, link: str) -> None:
    """Bring the window forward on the page ``link`` names (see the module's docstring);
    an unknown or empty link only brings the window forward."""
    window.bring_forward()
    page_key, _slash, rest = link.partition("/")
    if not page_key or page_key not in window.page_keys():
        return
    window.show_page(page_key)
    if window.stack.currentWidget() is not window.page(page_key):
        return  # the page left asked and the user chose to stay
    page = window.page(page_key)
    parts = rest.split("/") if rest else []
    if page_key == "settings" and len(parts) == 2:
        page.show_field(parts[0], parts[1])  # type: ignore[attr-defined]
    elif page_key == "exceptions" and parts[:1] == ["item"] and len(parts) == 2:
        page.show_item(int(parts[1]))  # type: ignore[attr-defined]
    elif page_key == "exceptions" and parts == ["open"]:
        page.show_item(None)  # type: ignore[attr-defined]
    elif page_key == "reconciliation" and len(parts) == 1:
        page.show_view(parts[0])  # type: ignore[attr-defined]
