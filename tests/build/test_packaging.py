"""Fast checks of the packaging pieces that need no PyInstaller run: the version plumbing,
the icon files, the installer script's contract with the app, the app mutex, the frozen entry
point and the bundle-size report. (The frozen build itself: tests/reliability/test_frozen_build.py.)
"""

from __future__ import annotations

import logging
import re
import struct
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from app import platform_mutex
from app.platform_mutex import GLOBAL_MUTEX_NAME, GLOBAL_MUTEX_SDDL, MUTEX_NAME, MUTEX_NAMES

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build"))
import bundle_size  # noqa: E402
import frozen_entry  # noqa: E402
import release_version  # noqa: E402

ISS = (ROOT / "build" / "paysage.iss").read_text(encoding="utf-8")
SPEC = (ROOT / "installer.spec").read_text(encoding="utf-8")


# -- version -------------------------------------------------------------------------------


def test_version_comes_from_pyproject_and_frozen_version_is_in_step() -> None:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        declared = tomllib.load(handle)["project"]["version"]
    assert release_version.project_version() == declared
    assert release_version.frozen_version() == declared, (
        "app/version.py lags pyproject.toml: run `python build/release_version.py --write`"
    )


@pytest.mark.parametrize(
    ("version", "numbers"),
    [
        ("0.1.0", (0, 1, 0, 0)),
        ("1.2", (1, 2, 0, 0)),
        ("2.3.4rc1", (2, 3, 4, 0)),
        ("1.2.3.4", (1, 2, 3, 4)),
        ("10.0.0.dev5", (10, 0, 0, 0)),
    ],
)
def test_numeric_version_for_windows(version: str, numbers: tuple[int, ...]) -> None:
    assert release_version.numeric_version(version) == numbers


@pytest.mark.parametrize("version", ["dev", "", "1.70000.0"])
def test_numeric_version_refuses_what_windows_cannot_hold(version: str) -> None:
    with pytest.raises(ValueError):
        release_version.numeric_version(version)


def test_write_frozen_version_updates_only_that_line(tmp_path: Path) -> None:
    module = tmp_path / "version.py"
    module.write_text('"""x"""\nFROZEN_VERSION = "0.0.1"  # kept in step\nOTHER = "0.0.1"\n')
    assert release_version.write_frozen_version("1.4.0", module) is True
    assert (
        module.read_text() == '"""x"""\nFROZEN_VERSION = "1.4.0"  # kept in step\nOTHER = "0.0.1"\n'
    )
    assert release_version.frozen_version(module) == "1.4.0"
    assert release_version.write_frozen_version("1.4.0", module) is False


def test_version_resource_template_renders_to_a_vsversioninfo() -> None:
    text = release_version.render_version_info(
        "1.2.0rc1",
        internal_name="paysage-cli",
        original_filename="paysage-cli.exe",
        description="Paysage command line",
    )
    # Evaluate it the way PyInstaller does, with recording stand-ins for its classes.
    names = [
        "VSVersionInfo",
        "FixedFileInfo",
        "StringFileInfo",
        "StringTable",
        "StringStruct",
        "VarFileInfo",
        "VarStruct",
    ]
    namespace = {name: (lambda n: lambda *a, **k: (n, a, k))(name) for name in names}
    kind, _, parts = eval(text, namespace)  # our own template, stand-in classes
    assert kind == "VSVersionInfo"
    fixed = parts["ffi"][2]
    assert fixed["filevers"] == fixed["prodvers"] == (1, 2, 0, 0)
    table = parts["kids"][0][1][0][0]
    strings = dict(entry[1] for entry in table[1][1])
    assert strings["FileVersion"] == "1.2.0.0" and strings["ProductVersion"] == "1.2.0rc1"
    assert strings["OriginalFilename"] == "paysage-cli.exe"
    assert "$" not in text


def test_iscc_defines() -> None:
    assert release_version.iscc_defines("1.2.0rc1") == [
        "/DAppVersion=1.2.0rc1",
        "/DAppVersionNumeric=1.2.0.0",
    ]


# -- icons ---------------------------------------------------------------------------------


def ico_entries(data: bytes) -> list[tuple[int, bytes]]:
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1), "not an ICO file"
    entries = []
    for index in range(count):
        width, height, _, _, planes, bits, size, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        assert width == height and planes == 1 and bits == 32
        entries.append((width or 256, data[offset : offset + size]))
    return entries


def test_app_ico_has_every_windows_size_and_valid_images(qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QImageReader

    path = ROOT / "resources" / "app.ico"
    entries = ico_entries(path.read_bytes())
    sizes = [size for size, _ in entries]
    assert {16, 20, 24, 32, 40, 48, 64, 256} <= set(sizes)
    for size, blob in entries:
        if size == 256:
            assert blob.startswith(b"\x89PNG\r\n\x1a\n")
        else:  # BITMAPINFOHEADER, double height for the AND mask, 32 bpp, uncompressed
            header = struct.unpack_from("<IiiHHI", blob)
            assert header == (40, size, size * 2, 1, 32, 0)
            mask_stride = ((size + 31) // 32) * 4
            assert len(blob) == 40 + size * size * 4 + mask_stride * size
    reader = QImageReader(str(path))
    read_sizes = []
    for index in range(reader.imageCount()):
        reader.jumpToImage(index)
        image = reader.read()
        assert not image.isNull(), reader.errorString()
        read_sizes.append(image.width())
        # Brand blue in the top middle, transparent corner (rounded square).
        assert image.pixelColor(image.width() // 2, 1).name() == "#2f5d8c"
        assert image.pixelColor(0, 0).alpha() == 0
    assert sorted(read_sizes) == sorted(sizes)


def test_app_png_is_a_256_px_window_icon(qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QImage

    image = QImage(str(ROOT / "resources" / "app.png"))
    assert (image.width(), image.height()) == (256, 256)
    assert image.hasAlphaChannel()


# -- the installer script and the spec agree with the app ------------------------------------


def iss_setting(name: str) -> str:
    match = re.search(rf"^{name}=(.*)$", ISS, re.MULTILINE)
    assert match, f"{name} missing from paysage.iss"
    return match.group(1).strip()


def test_installer_mutex_names_are_the_ones_the_app_holds() -> None:
    define = re.search(r'#define AppMutexNames "([^"]+)"', ISS)
    assert define and tuple(define.group(1).split(",")) == MUTEX_NAMES
    assert iss_setting("AppMutex") == "{#AppMutexNames}"


def test_installer_identity_and_layout() -> None:
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", iss_setting("AppId"))
    assert iss_setting("DefaultDirName") == r"{autopf}\{#AppName}"
    assert iss_setting("PrivilegesRequired") == "admin"
    # The executables the installer points at are the ones the spec builds.
    assert '#define AppExe "Paysage.exe"' in ISS and 'GUI_NAME = "Paysage" if ON_WINDOWS' in SPEC
    assert '#define CliExe "paysage-cli.exe"' in ISS and '"paysage-cli" if ON_WINDOWS' in SPEC
    assert r"..\pyi-dist\Paysage" in ISS and 'BUNDLE_NAME = "Paysage"' in SPEC
    assert '""{app}\\{#AppExe}"" gui --minimized' in ISS
    assert "Tasks: startup" in ISS and "Tasks: not startup" in ISS


def test_installer_keeps_the_data_folder_unless_asked() -> None:
    import platformdirs

    # The folder the uninstaller offers to delete is the app's data folder on Windows.
    assert "DataFolderConstant = '{localappdata}\\Paysage\\Paysage';" in ISS
    assert Path(platformdirs.user_data_dir("Paysage", "Paysage", roaming=False)).parts[-2:] == (
        ("Paysage", "Paysage") if sys.platform == "win32" else ("share", "Paysage")
    )
    assert "MB_YESNO or MB_DEFBUTTON2" in ISS  # "No" (keep) is the default answer
    assert "else if UninstallSilent then\n    Result := False" in ISS


# -- the app mutex -------------------------------------------------------------------------


class FakeMutexApi:
    def __init__(self, fail: set[str] | None = None, existing: set[str] | None = None) -> None:
        self.fail = fail or set()
        self.existing = existing or set()
        self.created: list[tuple[str, str | None]] = []
        self.closed: list[int] = []

    def create(self, name: str, sddl: str | None) -> tuple[int, int]:
        self.created.append((name, sddl))
        if name in self.fail:
            return 0, 5  # ERROR_ACCESS_DENIED
        return 100 + len(self.created), 183 if name in self.existing else 0

    def close(self, handle: int) -> None:
        self.closed.append(handle)


def test_app_mutex_holds_the_session_and_global_names() -> None:
    api = FakeMutexApi(existing={MUTEX_NAME})
    held = platform_mutex.hold_app_mutex(api)
    assert held.names == (MUTEX_NAME, GLOBAL_MUTEX_NAME) == MUTEX_NAMES
    # Only the global one gets the descriptor that lets other users' installers see it.
    assert api.created == [(MUTEX_NAME, None), (GLOBAL_MUTEX_NAME, GLOBAL_MUTEX_SDDL)]
    held.release()
    assert api.closed == [101, 102] and held.names == ()


def test_app_mutex_failure_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    api = FakeMutexApi(fail={GLOBAL_MUTEX_NAME})
    with caplog.at_level(logging.WARNING, logger="app.platform_mutex"):
        held = platform_mutex.hold_app_mutex(api)
    assert held.names == (MUTEX_NAME,)
    assert "Could not create mutex Global\\PaysageRunning (Windows error 5)" in caplog.text


@pytest.mark.skipif(sys.platform == "win32", reason="elsewhere than Windows only")
def test_app_mutex_is_a_no_op_elsewhere() -> None:
    held = platform_mutex.hold_app_mutex()
    assert held.names == ()
    held.release()


@pytest.mark.skipif(sys.platform != "win32", reason="needs the Win32 mutex API")
def test_app_mutex_is_visible_to_the_installer_on_windows() -> None:
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenMutexW.restype = ctypes.c_void_p
    synchronize = 0x00100000

    def visible(name: str) -> bool:  # what Inno Setup's AppMutex check does
        handle = kernel32.OpenMutexW(synchronize, False, name)
        if handle:
            kernel32.CloseHandle(ctypes.c_void_p(handle))
        return bool(handle)

    held = platform_mutex.hold_app_mutex()
    try:
        assert held.names == MUTEX_NAMES
        assert all(visible(name) for name in MUTEX_NAMES)
    finally:
        held.release()
    assert not any(visible(name) for name in MUTEX_NAMES)


# -- frozen entry point and bundle size ----------------------------------------------------


def test_windowed_executable_without_arguments_opens_the_gui() -> None:
    gui = "C:/Program Files/Paysage/Paysage.exe" if sys.platform == "win32" else "/opt/paysage-gui"
    cli = "C:/Program Files/Paysage/paysage-cli.exe" if sys.platform == "win32" else "/opt/paysage"
    assert frozen_entry.frozen_argv(gui, []) == ["gui"]
    assert frozen_entry.frozen_argv(gui, ["gui", "--minimized"]) == ["gui", "--minimized"]
    assert frozen_entry.frozen_argv(cli, []) == []
    assert frozen_entry.frozen_argv(cli, ["sync", "--once"]) == ["sync", "--once"]


def test_bundle_size_totals_and_groups(tmp_path: Path) -> None:
    root = tmp_path / "Paysage"
    (root / "_internal" / "PySide6" / "Qt" / "lib").mkdir(parents=True)
    (root / "Paysage.exe").write_bytes(b"x" * 1000)
    (root / "_internal" / "PySide6" / "Qt" / "lib" / "libQt6Core.so").write_bytes(b"x" * 5000)
    (root / "_internal" / "base_library.zip").write_bytes(b"x" * 300)
    size = bundle_size.measure(root, top=5)
    assert size.total_bytes == 6300 and size.file_count == 3
    assert dict(size.by_folder) == {"_internal/PySide6/Qt": 5000, ".": 1000, "_internal": 300}
    assert size.largest_files[0] == ("_internal/PySide6/Qt/lib/libQt6Core.so", 5000)
    assert "6300" not in bundle_size.format_report(size)  # reported in MB
    with pytest.raises(FileNotFoundError):
        bundle_size.measure(tmp_path / "missing")


def test_spec_refuses_a_work_folder_inside_build(tmp_path: Path) -> None:
    pytest.importorskip("PyInstaller", reason="PyInstaller is in the build group")
    workpath = ROOT / "build" / "pyi-refusal-check"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--workpath",
            str(workpath),
            "--distpath",
            str(tmp_path / "dist"),
            str(ROOT / "installer.spec"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "is inside build/, the installer folder" in " ".join(
        (result.stderr + result.stdout).split()
    )
    assert not workpath.exists(), "the refused work folder was left behind in build/"
