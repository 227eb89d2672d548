"""The night screen: a dimmed clock on black, nothing else.

Dim but readable: grey digits that do not light the bedroom, at the contrast floor of every
screen (7:1 on black, no more). Any touch
wakes the tablet (the controller watches touches for the whole window); where the platform can
turn the panel off, the controller says so through `KioskController.screen_power_changed`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QLocale, QSize, Qt
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk import i18n
from widgets import sizing
from widgets.clock import ClockWidget

NIGHT_BACKGROUND = "#000000"
NIGHT_DIGITS = "#969696"  # 7.1:1 on black


class NightScreen(QWidget):
    def __init__(
        self,
        now_fn: Callable[[], datetime],
        parent: QWidget | None = None,
        *,
        locale: QLocale | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(NIGHT_BACKGROUND))
        self.setPalette(palette)
        self._own_locale = locale is not None  # else it follows the language (kiosk.i18n)
        self.clock = ClockWidget(
            now_fn, locale=locale if locale is not None else i18n.locale(), parent=self
        )
        self.clock.set_colour(NIGHT_DIGITS)
        self.clock.set_alignment(Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.clock)
        layout.addStretch(1)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange and not self._own_locale:
            self.clock.set_locale(i18n.locale())  # "Sunday 22 November" in English
        super().changeEvent(event)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(1280, 800)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        h = max(self.height(), 240)
        time_px = min(round(h * 0.3), int(self.width() / 3.2))
        date_px = max(sizing.base_font_px(h), sizing.min_text_px(h))
        self.clock.set_pixel_sizes(time_px, date_px)
