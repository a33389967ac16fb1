"""The named mutex that tells the Windows installer "Paysage is running".

Inno Setup's ``AppMutex`` (build/paysage.iss) refuses to install or uninstall while a mutex of
that name exists. Setup looks in its own session (``PaysageRunning``) and in the global
namespace (``Global\\PaysageRunning``), so an app running in another user's session is seen
too. The global one gets a security descriptor that lets everyone open it for SYNCHRONIZE
only: with the default descriptor an installer started by another user could not open it,
and would wrongly conclude that nothing is running.

Qt-free on purpose: the GUI calls ``hold_app_mutex()`` at start-up (so can the headless
``paysage sync``). Elsewhere than Windows it does nothing. The handles stay open until
``release()`` or process exit; Windows closes them when the process ends, crash or not.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger(__name__)

MUTEX_NAME = "PaysageRunning"
GLOBAL_MUTEX_NAME = "Global\\" + MUTEX_NAME
MUTEX_NAMES = (MUTEX_NAME, GLOBAL_MUTEX_NAME)
# SYSTEM, Administrators and the owner: full access; Everyone: SYNCHRONIZE (0x00100000), which
# is all OpenMutex needs to see that the mutex exists.
GLOBAL_MUTEX_SDDL = "D:(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;OW)(A;;0x00100000;;;WD)"
ERROR_ALREADY_EXISTS = 183


class MutexApi(Protocol):
    """The two Win32 calls this module needs (a fake stands in for them in tests)."""

    def create(self, name: str, sddl: str | None) -> tuple[int, int]:
        """``(handle, last_error)``; handle 0 means failure."""
        ...

    def close(self, handle: int) -> None: ...


@dataclass
class AppMutex:
    """The mutexes this process holds, by name (empty when not on Windows)."""

    handles: dict[str, int] = field(default_factory=dict)
    api: MutexApi | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.handles)

    def release(self) -> None:
        if self.api is not None:
            for handle in self.handles.values():
                self.api.close(handle)
        self.handles.clear()


def hold_app_mutex(api: MutexApi | None = None) -> AppMutex:
    """Create (or open, when another instance already has) both named mutexes.

    Never raises: a mutex that cannot be created only weakens the installer's check, so it is
    logged and the app carries on.
    """
    if api is None:
        if sys.platform != "win32":
            return AppMutex()
        api = _kernel32_api()
    held = AppMutex(api=api)
    for name in MUTEX_NAMES:
        handle, error = api.create(name, GLOBAL_MUTEX_SDDL if name == GLOBAL_MUTEX_NAME else None)
        if handle:
            held.handles[name] = handle
            if error == ERROR_ALREADY_EXISTS:
                log.debug("Mutex %s already existed (another Paysage is running)", name)
        else:
            log.warning("Could not create mutex %s (Windows error %d)", name, error)
    return held


def _kernel32_api() -> MutexApi:
    if sys.platform == "win32":  # mypy (checking for Linux) skips this branch, as it should
        return _Kernel32MutexApi()
    raise OSError("The Win32 mutex API exists only on Windows")


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    SYNCHRONIZE = 0x00100000
    SDDL_REVISION_1 = 1

    class _SecurityAttributes(ctypes.Structure):
        _fields_ = [
            ("nLength", wintypes.DWORD),
            ("lpSecurityDescriptor", wintypes.LPVOID),
            ("bInheritHandle", wintypes.BOOL),
        ]

    class _Kernel32MutexApi:
        def __init__(self) -> None:
            self.kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
            self.advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
            self.kernel32.CreateMutexExW.argtypes = [
                ctypes.POINTER(_SecurityAttributes),
                wintypes.LPCWSTR,
                wintypes.DWORD,
                wintypes.DWORD,
            ]
            self.kernel32.CreateMutexExW.restype = wintypes.HANDLE
            self.kernel32.CloseHandle.argtypes = [wintypes.HANDLE]
            self.kernel32.CloseHandle.restype = wintypes.BOOL
            self.kernel32.LocalFree.argtypes = [wintypes.HLOCAL]
            self.kernel32.LocalFree.restype = wintypes.HLOCAL
            convert = self.advapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW
            convert.argtypes = [
                wintypes.LPCWSTR,
                wintypes.DWORD,
                ctypes.POINTER(wintypes.LPVOID),
                ctypes.POINTER(wintypes.ULONG),
            ]
            convert.restype = wintypes.BOOL

        def create(self, name: str, sddl: str | None) -> tuple[int, int]:
            descriptor = wintypes.LPVOID()
            attributes = None
            if sddl is not None:
                convert = self.advapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW
                if not convert(sddl, SDDL_REVISION_1, ctypes.byref(descriptor), None):
                    return 0, ctypes.get_last_error()
                attributes = _SecurityAttributes(
                    ctypes.sizeof(_SecurityAttributes), descriptor, False
                )
            try:
                # SYNCHRONIZE is all we need to hold it, and all another user's instance
                # is granted on the global one.
                handle = self.kernel32.CreateMutexExW(
                    ctypes.byref(attributes) if attributes is not None else None,
                    name,
                    0,
                    SYNCHRONIZE,
                )
                return int(handle or 0), ctypes.get_last_error()
            finally:
                if descriptor:
                    self.kernel32.LocalFree(descriptor)

        def close(self, handle: int) -> None:
            self.kernel32.CloseHandle(handle)
