"""Five faces, from very sad to very happy, drawn with QPainter (never an emoji font).

Each face is one big touch target. A chosen face grows and settles back (a short, gentle
animation) and the picker emits `chosen(score)` once: trembling fingers do not answer twice.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QVariantAnimation, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from widgets import sizing, theme

SCORES = (1, 2, 3, 4, 5)
# Warm to cool is avoided (colour-blind readers): the mouth carries the meaning, the colours
# only help. Each has a dark outline for contrast on the light background.
FACE_COLOURS = {1: "#E57373", 2: "#FFB74D", 3: "#FFF176", 4: "#AED581", 5: "#81C784"}
OUTLINE = theme.TEXT
ANIMATION_MS = 450


class MoodFace(QWidget):
    """One face. Score 1 frowns deeply, 3 is straight, 5 smiles broadly."""

    clicked = Signal(int)

    def __init__(self, score: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.score = score
        self._scale = 1.0
        self._selected = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        side = sizing.min_touch_px(self)
        self.setMinimumSize(side, side)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(160, 160)

    def set_scale(self, scale: float) -> None:
        self._scale = scale
        self.update()

    def set_selected(self, selected: bool) -> None:
        self._selected = selected
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.score)
        event.accept()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        side = min(self.width(), self.height()) * 0.84 * self._scale
        cx, cy = self.width() / 2, self.height() / 2
        r = side / 2
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._selected:
            painter.setPen(QPen(QColor(theme.ACCENT), max(4.0, r * 0.12)))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(cx, cy), r * 1.08, r * 1.08)
        painter.setPen(QPen(QColor(OUTLINE), max(2.0, r * 0.06)))
        painter.setBrush(QColor(FACE_COLOURS[self.score]))
        painter.drawEllipse(QPointF(cx, cy), r, r)
        # Eyes
        painter.setBrush(QColor(OUTLINE))
        for dx in (-0.35, 0.35):
            painter.drawEllipse(QPointF(cx + dx * r, cy - 0.25 * r), r * 0.09, r * 0.12)
        # Mouth: a curve whose bend follows the score (-1 frown … +1 smile).
        bend = (self.score - 3) / 2
        pen = QPen(QColor(OUTLINE), max(3.0, r * 0.09))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # A frown sits a little lower so it does not touch the eyes' line of sight.
        mouth_y = cy + (0.45 if bend < 0 else 0.3) * r
        mouth = QPainterPath(QPointF(cx - 0.45 * r, mouth_y))
        mouth.quadTo(QPointF(cx, mouth_y + bend * 0.5 * r), QPointF(cx + 0.45 * r, mouth_y))
        painter.drawPath(mouth)
        painter.end()

    def face_rect(self) -> QRectF:
        side = min(self.width(), self.height()) * 0.84
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)


class MoodPicker(QWidget):
    chosen = Signal(int)  # 1 (bad) … 5 (very good), once per `reset()`

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.faces = [MoodFace(score, self) for score in SCORES]
        self._choice: int | None = None
        self._animation = QVariantAnimation(self)
        self._animation.setDuration(ANIMATION_MS)
        self._animation.setKeyValueAt(0.0, 1.0)
        self._animation.setKeyValueAt(0.45, 1.18)
        self._animation.setKeyValueAt(1.0, 1.0)
        self._animation.valueChanged.connect(self._on_frame)
        for face in self.faces:
            face.clicked.connect(self._on_click)

    def reset(self) -> None:
        self._animation.stop()
        self._choice = None
        for face in self.faces:
            face.set_selected(False)
            face.set_scale(1.0)

    def choice(self) -> int | None:
        return self._choice

    def is_animating(self) -> bool:
        return self._animation.state() == QVariantAnimation.State.Running

    def _on_click(self, score: int) -> None:
        if self._choice is not None:
            return  # one answer per question
        self._choice = score
        for face in self.faces:
            face.set_selected(face.score == score)
        self._animation.start()
        self.chosen.emit(score)

    def _on_frame(self, value: object) -> None:
        if self._choice is not None:
            self.faces[self._choice - 1].set_scale(float(value))  # type: ignore[arg-type]

    def resizeEvent(self, event: object) -> None:  # noqa: N802 (Qt override)
        gap = max(8, self.width() // 60)
        side = min(self.height(), (self.width() - 4 * gap) // 5)
        x = (self.width() - 5 * side - 4 * gap) // 2
        y = (self.height() - side) // 2
        for face in self.faces:
            face.setGeometry(x, y, side, side)
            x += side + gap

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(900, 200)
