"""A home-screen tile: a big labelled button with an unread badge ("3") in its corner."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from widgets import theme
from widgets.big_button import BigButton

BADGE_BG = "#B00020"  # dark red: white on it is above 7:1
BADGE_TEXT = "#FFFFFF"


class Tile(BigButton):
    """Words, never an icon alone. The badge is painted (no font-dependent pictogram) and is
    part of the button, so touching it opens the screen too."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._badge = 0
        # Narrower padding than a lone button: five tiles share one row at 800 px.
        self.setStyleSheet(self.styleSheet().replace("padding: 8px 24px;", "padding: 8px 10px;"))

    def set_badge(self, count: int) -> None:
        count = max(0, count)
        if count != self._badge:
            self._badge = count
            self.update()

    def badge(self) -> int:
        return self._badge

    def badge_text(self) -> str:
        if self._badge <= 0:
            return ""
        return "99+" if self._badge > 99 else str(self._badge)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        text = self.badge_text()
        if not text:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        px = max(14, self.font().pixelSize() * 3 // 4)
        font = theme.font(px, bold=True)
        painter.setFont(font)
        height = px * 1.5
        width = max(height, painter.fontMetrics().horizontalAdvance(text) + px)
        box = QRectF(self.width() - width - 4, 4, width, height)
        painter.setPen(QPen(QColor(BADGE_TEXT), 2))
        painter.setBrush(QColor(BADGE_BG))
        painter.drawRoundedRect(box, height / 2, height / 2)
        painter.setPen(QColor(BADGE_TEXT))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
