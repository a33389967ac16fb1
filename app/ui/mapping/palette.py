"""Colours and sizes of the mapping editor, in one place."""

from __future__ import annotations

from PySide6.QtGui import QColor

BACKGROUND = QColor("#f4f6f9")
PANEL = QColor("#ffffff")
BORDER = QColor("#d9dee5")
TEXT = QColor("#1f2933")
MUTED = QColor("#66727f")
ACCENT = QColor("#2f6fde")
ACCENT_SOFT = QColor("#e3edfc")
SELECTED_LINE = QColor("#e8590c")
SUGGESTION = QColor("#8a5a00")
SUGGESTION_SOFT = QColor("#fff3d6")
ERROR = QColor("#c92a2a")
ERROR_SOFT = QColor("#fde8e8")
WARNING = QColor("#a86200")
CALLER = QColor("#5c6b7a")
CALLER_SOFT = QColor("#eef1f4")
OK = QColor("#2b8a3e")

ROW_HEIGHT = 46

BADGE_COLOURS = {
    "mapped": (ACCENT, ACCENT_SOFT),
    "suggestion": (SUGGESTION, SUGGESTION_SOFT),
    "error": (ERROR, ERROR_SOFT),
    "caller": (CALLER, CALLER_SOFT),
}

STYLE_SHEET = f"""
QWidget#MappingEditor {{ background: {BACKGROUND.name()}; color: {TEXT.name()}; }}
QFrame#Panel {{ background: {PANEL.name()}; border: 1px solid {BORDER.name()};
    border-radius: 8px; }}
QLabel#PanelTitle {{ font-weight: 600; font-size: 11pt; color: {TEXT.name()}; }}
QLabel#PanelHint {{ color: {MUTED.name()}; }}
QLabel#DocTitle {{ font-size: 14pt; font-weight: 600; }}
QLabel#Status {{ color: {MUTED.name()}; }}
QListView, QTableView, QListWidget {{ border: none; background: {PANEL.name()};
    selection-background-color: {ACCENT_SOFT.name()}; selection-color: {TEXT.name()}; }}
QListView::item:selected, QListWidget::item:selected {{ background: {ACCENT_SOFT.name()};
    color: {TEXT.name()}; }}
QHeaderView::section {{ background: {BACKGROUND.name()}; border: none;
    border-bottom: 1px solid {BORDER.name()}; padding: 4px 8px; font-weight: 600; }}
QPushButton {{ padding: 5px 12px; border: 1px solid {BORDER.name()}; border-radius: 5px;
    background: {PANEL.name()}; }}
QPushButton:hover {{ border-color: {ACCENT.name()}; }}
QPushButton:disabled {{ color: #a0a8b2; }}
QPushButton#Primary {{ background: {ACCENT.name()}; color: white; border-color: {ACCENT.name()};
    font-weight: 600; }}
QLineEdit, QComboBox {{ padding: 4px 6px; border: 1px solid {BORDER.name()}; border-radius: 5px;
    background: {PANEL.name()}; }}
QTabBar::tab {{ padding: 5px 12px; margin-right: 2px; border: 1px solid {BORDER.name()};
    border-bottom: none; border-top-left-radius: 5px; border-top-right-radius: 5px;
    background: {BACKGROUND.name()}; color: {MUTED.name()}; }}
QTabBar::tab:selected {{ background: {PANEL.name()}; color: {TEXT.name()}; font-weight: 600; }}
QListWidget#Steps {{ border: 1px solid {BORDER.name()}; border-radius: 6px; padding: 2px; }}
QListWidget#Steps::item {{ padding: 5px 6px; border-bottom: 1px solid {BACKGROUND.name()}; }}
QSplitter::handle {{ background: transparent; }}
"""
