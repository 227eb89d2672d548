"""A large, high-contrast button for unsteady fingers."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, Qt
from PySide6.QtGui import QMouseEvent, QShowEvent
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

from widgets import sizing, theme

_STYLE = f"""
QPushButton {{
    background-color: {theme.ACCENT};
    color: {theme.ON_ACCENT};
    border: 3px solid {theme.ACCENT};
    border-radius: 14px;
    padding: 8px 24px;
}}
QPushButton:pressed {{
    background-color: {theme.ACCENT_PRESSED};
    border: 3px solid {theme.TEXT};
    padding-top: 11px;
    padding-bottom: 5px;
}}
QPushButton:disabled {{
    background-color: {theme.DISABLED_BG};
    color: {theme.DISABLED_TEXT};
    border: 3px solid {theme.DISABLED_BG};
}}
"""


class BigButton(QPushButton):
    """At least MIN_TOUCH_MM (15 mm) each way, bold text, and one action per tap.

    A second press within `debounce_ms` of the previous one is ignored: trembling hands often
    tap twice, and that must not answer a question twice.
    """

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        font_px: int = 32,
        debounce_ms: int = 400,
    ) -> None:
        super().__init__(text, parent)
        self._debounce_ms = debounce_ms
        self._since_press = QElapsedTimer()
        self.setAutoRepeat(False)
        self.setCheckable(False)
        # A touch kiosk has no keyboard: a focused button would only show a frame that means
        # nothing to the person in front of it.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setStyleSheet(_STYLE)
        self.set_font_px(font_px)
        self._apply_min_size()

    def set_font_px(self, pixel_size: int) -> None:
        self.setFont(theme.font(pixel_size, bold=True))

    def _apply_min_size(self) -> None:
        side = sizing.min_touch_px(self)
        self.setMinimumSize(side, side)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        self._apply_min_size()  # the screen, hence its dpi, is known for sure once shown
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.ScreenChangeInternal:
            self._apply_min_size()
        super().changeEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if (
            event.button() == Qt.MouseButton.LeftButton
            and self._since_press.isValid()
            and self._since_press.elapsed() < self._debounce_ms
        ):
            event.accept()  # swallowed: no pressed state, no click
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self._since_press.start()
        super().mousePressEvent(event)
