"""The two field lists: a two-line row delegate with badges, a source list that starts
drags, a target list that accepts them and maps on Enter."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QDrag, QFont, QFontMetrics, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.ui.mapping import palette
from app.ui.mapping.field_models import (
    BADGE_KIND_ROLE,
    BADGE_ROLE,
    LOCKED_ROLE,
    REQUIRED_ROLE,
    SUBTITLE_ROLE,
    TITLE_ROLE,
)

Index = QModelIndex | QPersistentModelIndex


class FieldDelegate(QStyledItemDelegate):
    """Title (bold) over a muted subtitle, a pill badge on the right, a required dot."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(200, palette.ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect: QRect = option.rect
        state = option.state
        if state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, palette.ACCENT_SOFT)
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.BACKGROUND)
        painter.setPen(QPen(palette.BORDER, 1))
        painter.drawLine(rect.left() + 10, rect.bottom(), rect.right() - 10, rect.bottom())

        base = QFont(option.font)
        title_font = QFont(base)
        title_font.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(7.5, base.pointSizeF() - 1))

        badge = str(index.data(BADGE_ROLE) or "")
        kind = str(index.data(BADGE_KIND_ROLE) or "")
        badge_width = 0
        left = rect.left() + 22
        right = rect.right() - 12
        if badge:
            metrics = QFontMetrics(small)
            badge_width = min(metrics.horizontalAdvance(badge) + 16, rect.width() // 2)
            badge_rect = QRect(right - badge_width, rect.center().y() - 10, badge_width, 20)
            fg, bg = palette.BADGE_COLOURS.get(kind, (palette.MUTED, palette.CALLER_SOFT))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(bg)
            painter.drawRoundedRect(badge_rect, 10, 10)
            painter.setPen(fg)
            painter.setFont(small)
            text = metrics.elidedText(badge, Qt.TextElideMode.ElideMiddle, badge_width - 14)
            painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, text)
            right -= badge_width + 8

        if index.data(LOCKED_ROLE):
            _paint_padlock(painter, right - 11, rect.center().y() - 7)
            right -= 20

        if index.data(REQUIRED_ROLE):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.ERROR)
            painter.drawEllipse(rect.left() + 9, rect.top() + 13, 6, 6)

        text_width = max(10, right - left)
        painter.setPen(palette.TEXT)
        painter.setFont(title_font)
        title = QFontMetrics(title_font).elidedText(
            str(index.data(TITLE_ROLE) or ""), Qt.TextElideMode.ElideRight, text_width
        )
        painter.drawText(
            QRect(left, rect.top() + 5, text_width, 20), Qt.AlignmentFlag.AlignVCenter, title
        )
        painter.setPen(palette.MUTED)
        painter.setFont(small)
        subtitle = QFontMetrics(small).elidedText(
            str(index.data(SUBTITLE_ROLE) or ""), Qt.TextElideMode.ElideRight, text_width
        )
        painter.drawText(
            QRect(left, rect.top() + 24, text_width, 18), Qt.AlignmentFlag.AlignVCenter, subtitle
        )
        painter.restore()


def _paint_padlock(painter: QPainter, x: int, y: int) -> None:
    """A small padlock (11×14) at (x, y): the mark of a field the mapping may not change.
    Drawn, not a glyph, so it shows whatever fonts the machine has."""
    painter.setPen(QPen(palette.MUTED, 1.6))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRect(x + 2, y, 7, 9), 0, 180 * 16)  # the shackle
    painter.drawLine(x + 2, y + 4, x + 2, y + 6)
    painter.drawLine(x + 9, y + 4, x + 9, y + 6)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(palette.MUTED)
    painter.drawRoundedRect(QRect(x, y + 6, 11, 8), 2, 2)  # the body


def _setup(view: QListView) -> None:
    view.setUniformItemSizes(True)
    view.setMouseTracking(True)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)


class SourceListView(QListView):
    """Drags a source field out; ``drag_runner`` runs the QDrag (tests replace it, because
    a real drag loop needs a window system)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _setup(self)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setItemDelegate(FieldDelegate(parent=self))
        self.drag_runner: Callable[[QDrag], Qt.DropAction] = lambda drag: drag.exec(
            Qt.DropAction.CopyAction
        )

    def startDrag(self, supported_actions: Qt.DropAction) -> None:
        indexes = self.selectedIndexes()
        if not indexes:
            return
        drag = QDrag(self)
        drag.setMimeData(self.model().mimeData(indexes))
        self.drag_runner(drag)


class TargetListView(QListView):
    """Accepts source-field drops on a row; Enter maps the selected source (``map_requested``)
    and Delete unmaps (``unmap_requested``)."""

    map_requested = Signal()
    unmap_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _setup(self)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setDragDropOverwriteMode(True)  # drops land on a row, never between rows
        self.setItemDelegate(FieldDelegate(parent=self))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.map_requested.emit()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.unmap_requested.emit()
            return
        super().keyPressEvent(event)
