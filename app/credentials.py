"""The only door to secrets: the OS keyring, keyed by profile and system.

No plaintext fallback exists. When no usable keyring backend is present the caller gets
one ``NoKeyringBackendError`` that says what is wrong and what to do. Secrets never appear
in exception texts.
"""

from __future__ import annotations

import os
from enum import StrEnum

import keyring
import keyring.backend
import keyring.errors
from jaraco.classes import properties

from app.log import register_secret

SERVICE = "Paysage"
# Windows Credential Manager stores at most a 2,560-byte blob; keyring writes UTF-16.
WINDOWS_BLOB_LIMIT_BYTES = 2560


class SecretSystem(StrEnum):
    PAYTRACE = "paytrace"
    SAGEPRO = "sagepro"
    POSTGRESQL = "postgresql"


# The environment variable a headless (scheduled) run may take a secret from.
ENV_SECRET = {
    SecretSystem.PAYTRACE: "PAYSAGE_PAYTRACE_PASSWORD",
    SecretSystem.SAGEPRO: "PAYSAGE_SAGEPRO_API_KEY",
}


class CredentialsError(Exception):
    """A plain-words problem with stored credentials."""


class NoKeyringBackendError(CredentialsError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "No usable keyring backend was found, so Paysage cannot store or read "
            f"passwords ({detail}). On Windows the Credential Manager is used automatically; "
            "on Linux install and unlock a Secret Service keyring (e.g. GNOME Keyring), or "
            "for scheduled runs set the PAYSAGE_* secret environment variables."
        )


class SecretTooLongError(CredentialsError):
    pass


class MissingSecretError(CredentialsError):
    pass


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in this process only: tests and `paysage demo`.

    keyring auto-discovers every ``KeyringBackend`` subclass; raising from ``priority`` marks
    this one not viable, so it is used only when installed explicitly and never becomes a
    silent fallback for the real keyring.
    """

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - a class property
        raise RuntimeError("MemoryKeyring is installed explicitly, never discovered")

    def __init__(self) -> None:
        super().__init__()
        self._secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self._secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such secret")

    def values(self) -> list[str]:
        return list(self._secrets.values())


_installed: keyring.backend.KeyringBackend | None = None


def install_backend(
    backend: keyring.backend.KeyringBackend | None,
) -> keyring.backend.KeyringBackend | None:
    """Use ``backend`` instead of the OS keyring (None = back to the OS); returns the previous."""
    global _installed
    previous, _installed = _installed, backend
    return previous


def _usable_backend() -> keyring.backend.KeyringBackend:
    if _installed is not None:
        return _installed
    backend = keyring.get_keyring()
    name = type(backend).__module__ + "." + type(backend).__name__
    if name.startswith("keyring.backends.fail") or name.startswith("keyring.backends.null"):
        raise NoKeyringBackendError("the keyring library found no backend on this computer")
    if name.startswith("keyrings.alt") and "plaintext" in name.lower():
        raise NoKeyringBackendError("only a plaintext file keyring is installed")
    chained = getattr(backend, "backends", None)
    if chained is not None and not chained:
        raise NoKeyringBackendError("the keyring library found no backend on this computer")
    return backend


def backend_name() -> str:
    """The backend in use, for `paysage doctor`; raises ``NoKeyringBackendError``."""
    backend = _usable_backend()
    return type(backend).__name__


def _account(profile: str, system: SecretSystem | str) -> str:
    return f"{profile}/{SecretSystem(system).value}"


def set_secret(profile: str, system: SecretSystem | str, secret: str) -> None:
    if not secret:
        raise CredentialsError("An empty secret cannot be stored.")
    if len(secret.encode("utf-16-le")) > WINDOWS_BLOB_LIMIT_BYTES:
        raise SecretTooLongError(
            f"This secret is {len(secret)} characters long; the Windows Credential Manager "
            f"holds at most {WINDOWS_BLOB_LIMIT_BYTES // 2}. Check that the right value was "
            "pasted."
        )
    backend = _usable_backend()
    register_secret(secret)
    try:
        backend.set_password(SERVICE, _account(profile, system), secret)
    except keyring.errors.KeyringError as exc:
        raise CredentialsError(
            f"The keyring refused to store the {SecretSystem(system).value} secret for "
            f"profile {profile!r}: {type(exc).__name__}."
        ) from None


def get_secret(profile: str, system: SecretSystem | str, *, headless: bool = False) -> str:
    """The stored secret. A headless run may take it from its PAYSAGE_* variable instead."""
    system = SecretSystem(system)
    env_name = ENV_SECRET.get(system)
    if headless and env_name and os.environ.get(env_name):
        from_env = os.environ[env_name]
        register_secret(from_env)
        return from_env
    backend = _usable_backend()
    try:
        secret = backend.get_password(SERVICE, _account(profile, system))
    except keyring.errors.KeyringError as exc:
        raise CredentialsError(
            f"The keyring could not be read ({type(exc).__name__}); is it locked?"
        ) from None
    if not secret:
        hint = f" or set {env_name}" if env_name and headless else ""
        raise MissingSecretError(
            f"No {system.value} secret is stored for profile {profile!r}. Run "
            f"`paysage credentials set --profile {profile} {system.value}`{hint}."
        )
    register_secret(secret)
    return secret


def has_secret(profile: str, system: SecretSystem | str) -> bool:
    try:
        get_secret(profile, system)
    except MissingSecretError:
        return False
    return True


def delete_secret(profile: str, system: SecretSystem | str) -> bool:
    """Remove the secret; False when there was none."""
    backend = _usable_backend()
    try:
        backend.delete_password(SERVICE, _account(profile, system))
    except keyring.errors.PasswordDeleteError:
        return False
    return True
