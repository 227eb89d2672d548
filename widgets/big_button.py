"""A large, high-contrast button for unsteady fingers."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt
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
    """At least 15 mm each way on the window it is shown in (`sizing.touch_px`: 90 px at
    1280×800, in proportion below, followed as the window is resized), bold text, and one
    action per tap.

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
        self._window: QObject | None = None  # whose resizes set the minimum
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
        side = sizing.window_touch_px(self)
        self.setMinimumSize(side, side)

    def _follow_window(self) -> None:
        """Watch the window's resizes: 90 px high at 1280×800 must not stay 90 px at 800×480
        (a minimum the layout could not honour would push the button off the screen)."""
        window = self.window()
        if window is self._window:
            return
        if self._window is not None:
            with contextlib.suppress(RuntimeError):  # that window may be gone already
                self._window.removeEventFilter(self)
        window.installEventFilter(self)
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        # Before the window's own resize handling: its layouts then honour the new minimum.
        # (getattr: a window being destroyed may still call a button whose Python side is
        # already torn down.)
        if event.type() == QEvent.Type.Resize and watched is getattr(self, "_window", None):
            self._apply_min_size()
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        self._follow_window()
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
