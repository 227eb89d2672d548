"""The frame every screen but home and pairing sits in: a title and a big way home.

No dead ends: whatever screen the beneficiary (or a visiting professional) lands on, the same
large "Accueil" button sits in the same corner. Screens put their content in `body` and
re-size their own text in `apply_font_px`, which the frame calls whenever the window height
changes (text follows the window: `widgets.sizing.base_font_px`).

The floors of home hold on every framed screen: the body size it hands over is never below
`text_floor` (`widgets.sizing.min_text_px`: 32 px at 1280×800, whatever the font scale), and
a screen never draws a line smaller than that (`text_px`); every `BigButton` in it is at
least 15 mm each way on the window (`widgets.sizing.touch_px`: 90 px at 1280×800).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from widgets import sizing, theme
from widgets.big_button import BigButton


def home_text() -> str:
    # Not self.tr(): PySide6 looks a string up under the runtime class name ("AlbumPage",
    # "WeatherScreen"…), where the catalogue has no "Accueil". One context for every frame.
    return QCoreApplication.translate("ScreenFrame", "Accueil")


class ScreenFrame(QWidget):
    """A screen with a title bar (title on the left, "Accueil" on the right) and a body."""

    home_requested = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._font_px = 0
        self._floor_px = 0
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(theme.BACKGROUND))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(theme.TEXT))
        self.setPalette(palette)

        self.title = QLabel(title, self)
        self.title.setObjectName("screenTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setStyleSheet(f"color: {theme.TEXT}; background: transparent;")
        self.home_button = BigButton(home_text(), self)
        self.home_button.setObjectName("homeButton")
        self.home_button.clicked.connect(self.home_requested)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.home_button, 0)

        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        outer = QVBoxLayout(self)
        # Fonts and buttons follow the window's size, so the screen must not demand a size of
        # its own: the minimums it had at 1280×800 would keep it from shrinking to 800×480.
        outer.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        outer.setContentsMargins(24, 16, 24, 16)
        outer.setSpacing(16)
        outer.addLayout(bar)
        outer.addLayout(self.body, 1)

    def set_title(self, title: str) -> None:
        self.title.setText(title)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            self.home_button.setText(home_text())  # screens re-title themselves
        super().changeEvent(event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(320, 240)

    @property
    def font_px(self) -> int:
        """Body text size for the current window height (never below `text_floor`)."""
        if self._font_px:
            return self._font_px
        height = max(self.height(), 480)
        return max(sizing.base_font_px(height), sizing.min_text_px(height))

    @property
    def text_floor(self) -> int:
        """The smallest text this screen may draw at its height (home's floor)."""
        return self._floor_px or sizing.min_text_px(max(self.height(), 480))

    def text_px(self, px: int, factor: float = 1.0) -> int:
        """`px` times `factor`, never below `text_floor`: a secondary line's size."""
        return max(self.text_floor, round(px * factor))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        height = event.size().height()
        floor = sizing.min_text_px(height)
        px = max(sizing.base_font_px(height), floor)
        if (px, floor) != (self._font_px, self._floor_px):
            self._font_px, self._floor_px = px, floor
            self.title.setFont(theme.font(round(px * 1.25), bold=True))
            self.home_button.set_font_px(px)
            self.apply_font_px(px)
        super().resizeEvent(event)

    def apply_font_px(self, px: int) -> None:
        """Screens override this to size their own text from the body size `px`."""
