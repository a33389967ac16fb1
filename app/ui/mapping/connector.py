"""The lines between mapped pairs, painted between the source and target lists.

Each mapped target of the shown record gets a curve from its source row (left) to its row
(right). Rows scrolled out of view pin their end to the list's edge, dashed. Clicking near
a curve selects that mapping (``line_clicked``).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QListView, QSizePolicy, QWidget

from app.ui.mapping import palette
from app.ui.mapping.field_models import SourceFieldsModel, TargetFieldsModel
from app.ui.mapping.state import EditorState

HIT_DISTANCE = 7.0


@dataclass(frozen=True)
class Line:
    """One mapped pair. When one end's row is scrolled out of view the line is a short stub
    from the visible end, pointing up or down to where the other row is."""

    target: str
    source: str
    start: QPointF
    end: QPointF
    start_offset: int = 0  # -1 above the list's view, 1 below, 0 visible
    end_offset: int = 0

    @property
    def visible(self) -> bool:
        return self.start_offset == 0 and self.end_offset == 0

    def path(self) -> QPainterPath:
        if self.start_offset and not self.end_offset:
            return self._stub(self.end, -1, self.start_offset)
        if self.end_offset and not self.start_offset:
            return self._stub(self.start, 1, self.end_offset)
        path = QPainterPath(self.start)
        bend = (self.end.x() - self.start.x()) * 0.5
        path.cubicTo(
            QPointF(self.start.x() + bend, self.start.y()),
            QPointF(self.end.x() - bend, self.end.y()),
            self.end,
        )
        return path

    def _stub(self, anchor: QPointF, direction: int, offset: int) -> QPainterPath:
        """From ``anchor`` a third of the way across, then bending up or down."""
        reach = abs(self.end.x() - self.start.x()) * 0.38
        tip = QPointF(anchor.x() + direction * reach, anchor.y() + offset * 16)
        path = QPainterPath(anchor)
        path.cubicTo(
            QPointF(anchor.x() + direction * reach * 0.7, anchor.y()),
            QPointF(tip.x(), anchor.y() + offset * 4),
            tip,
        )
        return path


class ConnectorWidget(QWidget):
    line_clicked = Signal(str)  # "Record.Field"

    def __init__(
        self,
        state: EditorState,
        source_view: QListView,
        source_model: SourceFieldsModel,
        target_view: QListView,
        target_model: TargetFieldsModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._state = state
        self._source_view = source_view
        self._source_model = source_model
        self._target_view = target_view
        self._target_model = target_model
        self._selected: str | None = None
        self._hover: str | None = None
        self.setMinimumWidth(90)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setFixedWidth(120)
        self.setMouseTracking(True)
        self.setAccessibleName("Mapping lines")
        for view in (source_view, target_view):
            view.verticalScrollBar().valueChanged.connect(self.update)
            view.model().modelReset.connect(self.update)
        state.document_changed.connect(self.update)

    def set_selected(self, target: str | None) -> None:
        self._selected = target
        self.update()

    def _row_y(self, view: QListView, row: int) -> tuple[float, int]:
        """The row's middle in this widget's coordinates, and -1/1 when it is out of view."""
        viewport = view.viewport()
        rect = view.visualRect(view.model().index(row, 0))
        top = self.mapFromGlobal(viewport.mapToGlobal(viewport.rect().topLeft())).y()
        bottom = self.mapFromGlobal(viewport.mapToGlobal(viewport.rect().bottomLeft())).y()
        y = self.mapFromGlobal(viewport.mapToGlobal(rect.center())).y()
        if y < top:
            return float(top + 4), -1
        if y > bottom:
            return float(bottom - 4), 1
        return float(y), 0

    def lines(self) -> list[Line]:
        document = self._state.document
        found = []
        for row in range(self._target_model.rowCount()):
            key = self._target_model.key_at(row)
            mapping = document.mapping_for(key)
            if mapping is None or not mapping.source:
                continue
            source_row = self._source_model.row_of(mapping.source)
            if source_row < 0:
                continue
            if self._source_view.isRowHidden(source_row):
                continue
            y1, off1 = self._row_y(self._source_view, source_row)
            y2, off2 = self._row_y(self._target_view, row)
            if off1 and off2:
                continue  # neither end on screen: nothing to point at
            found.append(
                Line(key, mapping.source, QPointF(4, y1), QPointF(self.width() - 4, y2), off1, off2)
            )
        return found

    def line_at(self, point: QPointF) -> str | None:
        best, best_distance = None, HIT_DISTANCE
        for line in self.lines():
            path = line.path()
            for step in range(41):
                probe = path.pointAtPercent(step / 40)
                distance = ((probe.x() - point.x()) ** 2 + (probe.y() - point.y()) ** 2) ** 0.5
                if distance < best_distance:
                    best, best_distance = line.target, distance
        return best

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ordered = sorted(self.lines(), key=lambda ln: ln.target in (self._selected, self._hover))
        for line in ordered:
            selected = line.target == self._selected
            hovered = line.target == self._hover
            colour = QColor(palette.SELECTED_LINE if selected else palette.ACCENT)
            if not line.visible:
                colour.setAlpha(110)
            width = 3.2 if selected else 2.4 if hovered else 1.8
            pen = QPen(colour, width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            if not line.visible:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(line.path())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            radius = 4.0 if selected else 3.2
            if not line.start_offset:
                painter.drawEllipse(line.start, radius, radius)
            if not line.end_offset:
                painter.drawEllipse(line.end, radius, radius)
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hover = self.line_at(event.position())
        if hover != self._hover:
            self._hover = hover
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if hover else Qt.CursorShape.ArrowCursor
            )
            self.update()

    def leaveEvent(self, event: object) -> None:
        self._hover = None
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        target = self.line_at(event.position())
        if target is not None:
            self.set_selected(target)
            self.line_clicked.emit(target)
