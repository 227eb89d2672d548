"""A home-screen tile: a big labelled button with an unread badge ("3") in its corner."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from widgets import theme
from widgets.big_button import BigButton

BADGE_BG = "#B00020"  # dark red: white on it is above 7:1
BADGE_TEXT = "#FFFFFF"


class Tile(BigButton):
    """Words, never an icon alone. The badge is painted (no font-dependent pictogram) and is
    part of the button, so touching it opens the screen too."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        self._badge = 0
        self._badge_px = 0  # 0: three quarters of the label's size
        self._height = 0
        super().__init__(text, parent)
        self._style = self.styleSheet()
        self._apply_padding()

    def set_height(self, px: int) -> None:
        """A height of its own (taller than the smallest touch target), kept across shows."""
        self._height = px
        self._apply_min_size()

    def _apply_min_size(self) -> None:
        super()._apply_min_size()
        if self._height >= self.minimumHeight():
            self.setFixedHeight(self._height)

    def set_badge_font_px(self, px: int) -> None:
        """The badge's number at `px` pixels (0: three quarters of the label's size)."""
        self._badge_px = px
        self._apply_padding()
        self.update()

    def badge_width(self) -> int:
        """Width of the badge in the top-right corner (0 without one); the label keeps clear
        of it, so that a large number never covers a large label."""
        text = self.badge_text()
        if not text:
            return 0
        return round(self._badge_rect_size(text)[0]) + 4

    def badge_font_px(self) -> int:
        """The size the badge's number is painted at."""
        return self._badge_px or max(14, self.font().pixelSize() * 3 // 4)

    def _badge_rect_size(self, text: str) -> tuple[float, float]:
        px = self.badge_font_px()
        height = px * 1.25
        width = QFontMetrics(theme.font(px, bold=True)).horizontalAdvance(text) + px * 0.5
        return max(height, width), height

    def _apply_padding(self) -> None:
        # Narrower padding than a lone button: five tiles share one row at 800 px.
        self.setStyleSheet(
            self._style.replace(
                "padding: 8px 24px;", f"padding: 6px {self.badge_width()}px 6px 0px;"
            )
        )

    def set_badge(self, count: int) -> None:
        count = max(0, count)
        if count != self._badge:
            self._badge = count
            self._apply_padding()
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
        px = self.badge_font_px()
        painter.setFont(theme.font(px, bold=True))
        width, height = self._badge_rect_size(text)
        box = QRectF(self.width() - width - 4, 4, width, height)
        painter.setPen(QPen(QColor(BADGE_TEXT), 2))
        painter.setBrush(QColor(BADGE_BG))
        painter.drawRoundedRect(box, height / 2, height / 2)
        painter.setPen(QColor(BADGE_TEXT))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
