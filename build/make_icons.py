"""Draws the Paysage icon with QPainter and writes ``resources/app.ico`` and ``resources/app.png``.

The design is the one ``app/ui/icon.py`` paints at run time (a blue rounded square with a
white "P"), drawn here at every size Windows asks for, so Explorer, the taskbar, the Start
menu and the installer show the same mark as the window and tray. Re-run after changing the
design (the outputs are committed)::

    QT_QPA_PLATFORM=offscreen uv run python build/make_icons.py

The ICO is written by hand (no Pillow): 32-bit BGRA DIB entries for 16-64 px, which every
Windows tool reads, and one PNG-compressed 256 px entry, as Windows Vista and later expect.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path
from typing import cast

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

ROOT = Path(__file__).resolve().parent.parent
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 256)
PNG_SIZE = 256
BRAND_BLUE = "#2f5d8c"
_PNG_FROM = 256  # entries this large are stored PNG-compressed


def draw_icon(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(BRAND_BLUE))
    painter.drawRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
    font = QFont("Segoe UI")
    font.setPixelSize(max(int(size * 0.7), 8))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "P")
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # the stubs want bytes
        raise RuntimeError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def dib_bytes(image: QImage) -> bytes:
    """One ICO image as a DIB: header (double height: XOR + AND), BGRA rows bottom-up, mask."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)  # little-endian bytes: B G R A
    width, height = image.width(), image.height()
    mask_stride = ((width + 31) // 32) * 4
    header = struct.pack(
        "<IiiHHIIiiII", 40, width, height * 2, 1, 32, 0, width * height * 4, 0, 0, 0, 0
    )
    pixels = bytes(cast(memoryview, image.constBits()))
    stride = image.bytesPerLine()
    rows = []
    mask_rows = []
    for y in reversed(range(height)):
        row = pixels[y * stride : y * stride + width * 4]
        rows.append(row)
        mask = bytearray(mask_stride)
        for x in range(width):
            if row[x * 4 + 3] == 0:  # fully transparent → AND bit set
                mask[x // 8] |= 0x80 >> (x % 8)
        mask_rows.append(bytes(mask))
    return header + b"".join(rows) + b"".join(mask_rows)


def ico_bytes(images: list[QImage]) -> bytes:
    entries = []
    blobs = []
    offset = 6 + 16 * len(images)
    for image in sorted(images, key=QImage.width):
        size = image.width()
        blob = png_bytes(image) if size >= _PNG_FROM else dib_bytes(image)
        dimension = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries.append(
            struct.pack("<BBBBHHII", dimension, dimension, 0, 0, 1, 32, len(blob), offset)
        )
        blobs.append(blob)
        offset += len(blob)
    return struct.pack("<HHH", 0, 1, len(images)) + b"".join(entries) + b"".join(blobs)


def write_icons(resources: Path) -> list[Path]:
    resources.mkdir(parents=True, exist_ok=True)
    ico = resources / "app.ico"
    png = resources / "app.png"
    ico.write_bytes(ico_bytes([draw_icon(size) for size in ICO_SIZES]))
    png.write_bytes(png_bytes(draw_icon(PNG_SIZE)))
    return [ico, png]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=Path, default=ROOT / "resources")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for path in write_icons(args.resources):
        print(f"{path} ({path.stat().st_size} bytes)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
