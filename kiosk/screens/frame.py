"""The frame every screen but home and pairing sits in: a title and a big way home.

No dead ends: whatever screen the beneficiary (or a visiting professional) lands on, the same
large "Accueil" button sits in the same corner. Screens put their content in `body` and
re-size their own text in `apply_font_px`, which the frame calls whenever the window height
changes (text follows the window: `widgets.sizing.base_font_px`).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
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

    @property
    def font_px(self) -> int:
        """Body text size for the current window height."""
        return self._font_px or sizing.base_font_px(max(self.height(), 480))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        px = sizing.base_font_px(event.size().height())
        if px != self._font_px:
            self._font_px = px
            self.title.setFont(theme.font(round(px * 1.25), bold=True))
            self.home_button.set_font_px(px)
            self.apply_font_px(px)
        super().resizeEvent(event)

    def apply_font_px(self, px: int) -> None:
        """Screens override this to size their own text from the body size `px`."""
