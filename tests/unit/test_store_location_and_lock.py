"""Network-share refusal and the single-instance lock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.store.instance_lock import AlreadyRunningError, SingleInstanceLock
from app.store.location import NetworkShareError, ensure_local_data_folder, network_share_reason


@pytest.mark.parametrize(
    "path", [r"\\fileserver\finance\Paysage", "//fileserver/finance/Paysage", r"\\?\UNC\srv\s"]
)
def test_unc_paths_are_refused_on_windows(path: str):
    assert "UNC" in (network_share_reason(path, platform="win32", drive_type=lambda _: 3) or "")


def test_mapped_network_drive_is_refused_on_windows():
    reason = network_share_reason(r"Z:\Paysage", platform="win32", drive_type=lambda _: 4)
    assert reason == "drive Z: is a mapped network drive"


def test_local_windows_drive_is_accepted():
    assert (
        network_share_reason(r"C:\Users\amy\Paysage", platform="win32", drive_type=lambda _: 3)
        is None
    )


@pytest.mark.parametrize("fs", ["nfs4", "cifs", "fuse.sshfs"])
def test_network_filesystems_are_refused_on_posix(tmp_path: Path, fs: str):
    with pytest.raises(NetworkShareError, match="network share"):
        ensure_local_data_folder(tmp_path / "data", platform="linux", fs_type=lambda _: fs)


def test_local_posix_folder_is_accepted_and_created(tmp_path: Path):
    ensure_local_data_folder(tmp_path / "data")
    assert (tmp_path / "data").is_dir()


def test_second_lock_in_another_process_is_refused(tmp_path: Path):
    lock_path = tmp_path / "paysage.lock"
    with SingleInstanceLock(lock_path):
        code = (
            "import sys\n"
            "from pathlib import Path\n"
            "from app.store.instance_lock import SingleInstanceLock, AlreadyRunningError\n"
            "try:\n"
            f"    SingleInstanceLock(Path({str(lock_path)!r})).acquire()\n"
            "except AlreadyRunningError as e:\n"
            "    print(e); sys.exit(3)\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert result.returncode == 3, result.stderr
        assert "already running" in result.stdout
    # Released: a new holder gets it.
    SingleInstanceLock(lock_path).acquire().release()


def test_second_lock_in_same_process_is_refused(tmp_path: Path):
    first = SingleInstanceLock(tmp_path / "x.lock").acquire()
    with pytest.raises(AlreadyRunningError):
        SingleInstanceLock(tmp_path / "x.lock").acquire()
    first.release()
