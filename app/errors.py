"""The expected failures the CLI reports as one plain sentence (no traceback).

Each layer keeps its own exception classes; this module only gathers the ones whose message
is written for a person.
"""

from __future__ import annotations

from importlib import import_module


class PaysageError(Exception):
    """Base for app errors whose message is meant for the user."""


# (module, class name) pairs, imported lazily so the CLI does not load every layer.
_EXPECTED = (
    ("app.credentials", "CredentialsError"),
    ("app.config", "SettingsError"),
    ("app.store.location", "NetworkShareError"),
    ("app.store.instance_lock", "AlreadyRunningError"),
    ("app.sync.errors", "SyncFatalError"),
)


def expected_errors() -> tuple[type[BaseException], ...]:
    classes: list[type[BaseException]] = [PaysageError]
    for module, name in _EXPECTED:
        classes.append(getattr(import_module(module), name))
    return tuple(classes)
