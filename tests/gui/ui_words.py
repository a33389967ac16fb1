"""What a person reads on a window, and whether it is whole and in plain words.

``read_window`` walks the visible widgets of a top-level window and collects every text a
user sees (labels, buttons, group titles, tabs, combo boxes, text boxes, headers, the first
rows of every grid, tooltips) plus every place where text is cut off without a tooltip that
holds it whole. ``developer_terms`` finds the words only a programmer would use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QTabBar,
    QTextEdit,
    QWidget,
)

FIRST_ROWS = 6  # the rows of each grid whose cells are read
HEADER_PADDING = 2 * 6 + 2  # style.qss: QHeaderView::section padding 6px each side, border
SORT_ARROW = 16  # the sort indicator's room beside the header text

# Rule codes, field names and other words that are the program's, not the bookkeeper's.
DEVELOPER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("snake_case name", re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")),
    ("statistics jargon", re.compile(r"z-score|robust z", re.IGNORECASE)),
    ("record id", re.compile(r"\b(?:Proposal|Outbox item|Exception) \d+\b")),
    ("(s) plural", re.compile(r"\w\(s\)")),
    ("raw JSON", re.compile(r"[{}]|\"\w+\":")),
)


@dataclass
class Reading:
    texts: list[tuple[str, str]] = field(default_factory=list)  # (where, text)
    clipped: list[str] = field(default_factory=list)

    def add(self, where: str, text: str) -> None:
        if text and text.strip():
            self.texts.append((where, text))


# The mapping editor's field lists name PayTrace's and Sage Pro's own fields: mapping them
# is the point of that page, so there (and only there) a field's API name is the right word.
API_FIELD_LISTS = ("SourceListView", "TargetListView")


def developer_terms(reading: Reading) -> list[str]:
    found = []
    for where, text in reading.texts:
        for name, pattern in DEVELOPER_PATTERNS:
            if name == "snake_case name" and any(w in where for w in API_FIELD_LISTS):
                continue
            match = pattern.search(text)
            if match:
                found.append(f"{where}: {name} {match.group(0)!r} in {text[:120]!r}")
    return found


def _name(widget: QWidget) -> str:
    chain = []
    node: QWidget | None = widget
    while node is not None and len(chain) < 3:
        chain.append(node.objectName() or type(node).__name__)
        node = node.parentWidget()
    return "/".join(reversed(chain))


def _whole_in_tooltip(widget: QWidget, text: str) -> bool:
    """The tooltip holds the whole of what is shown (an elided text: its start)."""
    shown = text.strip().rstrip("…").strip()
    return shown != "" and shown in widget.toolTip()


def _label(label: QLabel, reading: Reading) -> None:
    text = label.text()
    if not text or (label.pixmap() is not None and not label.pixmap().isNull()):
        return
    shown = (
        re.sub(r"<[^>]+>", "", text)
        if label.textFormat() != Qt.TextFormat.PlainText and "<" in text
        else text
    )
    reading.add(f"label {_name(label)}", shown)
    if _whole_in_tooltip(label, shown):
        return
    if label.wordWrap():
        if label.heightForWidth(label.width()) > label.height() + 1:
            reading.clipped.append(f"label {_name(label)} {shown[:60]!r} is cut at the bottom")
    elif label.width() + 1 < label.sizeHint().width():
        reading.clipped.append(
            f"label {_name(label)} {shown[:60]!r}: {label.width()} < {label.sizeHint().width()}"
        )


def _button(button: QAbstractButton, reading: Reading) -> None:
    text = button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    reading.add(f"button {_name(button)}", text)
    if not text or _whole_in_tooltip(button, text):
        return
    needed = button.fontMetrics().horizontalAdvance(text)
    room = button.width()
    if isinstance(button, QCheckBox | QRadioButton):
        # The style knows where the text goes, right of the box or the circle.
        option = QStyleOptionButton()
        option.initFrom(button)
        element = (
            QStyle.SubElement.SE_CheckBoxContents
            if isinstance(button, QCheckBox)
            else QStyle.SubElement.SE_RadioButtonContents
        )
        room = button.style().subElementRect(element, option, button).width()
    elif button.objectName() != "linkButton":  # style.qss: a link button has no padding
        needed += 8
    if room < needed:
        reading.clipped.append(f"button {_name(button)} {text!r}: {room} < {needed}")


def _header(header: QHeaderView, reading: Reading, where: str) -> None:
    model = header.model()
    if model is None or not header.isVisible():
        return
    font = QFont(header.font())
    font.setWeight(QFont.Weight.DemiBold)
    metrics = QFontMetrics(font)
    for section in range(header.count()):
        if header.isSectionHidden(section):
            continue
        text = str(model.headerData(section, header.orientation()) or "")
        tip = str(
            model.headerData(section, header.orientation(), Qt.ItemDataRole.ToolTipRole) or ""
        )
        reading.add(f"{where} header", text)
        reading.add(f"{where} header tooltip", tip)
        if header.orientation() != Qt.Orientation.Horizontal or not text:
            continue
        needed = metrics.horizontalAdvance(text) + HEADER_PADDING
        if header.isSortIndicatorShown() and header.sortIndicatorSection() == section:
            needed += SORT_ARROW
        size = header.sectionSize(section)
        if size < needed and text not in tip:
            reading.clipped.append(f"{where} header {text!r}: {size} < {needed}")


def _cells(view: QAbstractItemView, reading: Reading, where: str) -> None:
    model: QAbstractItemModel | None = view.model()
    if model is None:
        return
    hidden = getattr(view, "isColumnHidden", lambda _c: False)
    header = getattr(view, "horizontalHeader", getattr(view, "header", None))
    columns = header().count() if header is not None else 1
    for row in range(min(FIRST_ROWS, model.rowCount())):
        for column in range(columns):
            if hidden(column):
                continue
            index = model.index(row, column)
            reading.add(f"{where} cell", str(model.data(index) or ""))
            reading.add(
                f"{where} cell tooltip", str(model.data(index, Qt.ItemDataRole.ToolTipRole) or "")
            )


def read_window(window: QWidget) -> Reading:
    reading = Reading()
    for widget in [window, *window.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        reading.add(f"tooltip {_name(widget)}", widget.toolTip())
        if isinstance(widget, QLabel):
            _label(widget, reading)
        elif isinstance(widget, QPushButton | QCheckBox | QRadioButton):
            _button(widget, reading)
        elif isinstance(widget, QGroupBox):
            reading.add(f"group {_name(widget)}", widget.title())
        elif isinstance(widget, QTabBar):
            for tab in range(widget.count()):
                reading.add(f"tab {_name(widget)}", widget.tabText(tab))
        elif isinstance(widget, QComboBox):
            reading.add(f"combo {_name(widget)}", widget.currentText())
        elif isinstance(widget, QAbstractSpinBox):
            reading.add(f"spin box {_name(widget)}", widget.text())
        elif isinstance(widget, QTextEdit | QPlainTextEdit):
            reading.add(f"text box {_name(widget)}", widget.toPlainText())
        elif isinstance(widget, QAbstractItemView):
            where = f"grid {_name(widget)}"
            for header in widget.findChildren(QHeaderView):
                _header(header, reading, where)
            _cells(widget, reading, where)
    return reading
