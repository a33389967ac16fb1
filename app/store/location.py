"""Refuse data folders on network shares: SQLite's WAL needs shared memory on one machine."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path, PureWindowsPath

_REMOTE_FS = {"nfs", "nfs4", "cifs", "smb", "smbfs", "smb3", "fuse.sshfs", "sshfs", "9p", "afs"}
DRIVE_REMOTE = 4  # GetDriveTypeW


class NetworkShareError(RuntimeError):
    pass


def _windows_drive_type(root: str) -> int:
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def _posix_fs_type(path: Path) -> str:
    """The filesystem type of the mount holding ``path`` (longest mount-point prefix)."""
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return ""
    best, fstype = "", ""
    target = str(path.resolve())
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount = parts[1].replace("\\040", " ")
        prefix = mount.rstrip("/") + "/"
        if (target == mount or target.startswith(prefix)) and len(mount) > len(best):
            best, fstype = mount, parts[2]
    return fstype


def network_share_reason(
    path: str | Path,
    *,
    platform: str = sys.platform,
    drive_type: Callable[[str], int] | None = None,
    fs_type: Callable[[Path], str] | None = None,
) -> str | None:
    """Why ``path`` is on a network share, or None when it is local."""
    text = str(path)
    if platform == "win32":
        win = PureWindowsPath(text)
        if text.startswith(("\\\\", "//")) or win.drive.startswith("\\\\"):
            return f"{text} is a network (UNC) path"
        if win.drive:
            kind = (drive_type or _windows_drive_type)(win.drive + "\\")
            if kind == DRIVE_REMOTE:
                return f"drive {win.drive} is a mapped network drive"
        return None
    existing = Path(text)
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    fstype = (fs_type or _posix_fs_type)(existing)
    if fstype in _REMOTE_FS:
        return f"{text} is on a {fstype} network filesystem"
    return None


def ensure_local_data_folder(path: str | Path, **probe: object) -> None:
    reason = network_share_reason(path, **probe)  # type: ignore[arg-type]
    if reason:
        raise NetworkShareError(
            f"The data folder must be on this computer's own disk, but {reason}. SQLite's "
            "write-ahead log cannot work safely over a network share. Choose a local folder "
            "(set PAYSAGE_HOME), or use team mode with a PostgreSQL server."
        )
    os.makedirs(path, exist_ok=True)
