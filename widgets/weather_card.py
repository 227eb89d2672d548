"""One day of weather as a card: the day's name, a drawn pictogram, the words, the temperatures.

Knows nothing of the backend: it shows the strings it is given (plain text).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from widgets import theme
from widgets.weather_icons import WeatherIcon


def _label(name: str, colour: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter)
    label.setStyleSheet(f"color: {colour}; background: transparent;")
    return label


class WeatherCard(QFrame):
    def __init__(self, parent: QWidget | None = None, *, highlighted: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("weatherCard")
        border = theme.ACCENT if highlighted else theme.BORDER
        self.setStyleSheet(
            f"QFrame#weatherCard {{ background: {theme.SURFACE};"
            f" border: 3px solid {border}; border-radius: 16px; }}"
        )
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.day = _label("cardDay", theme.TEXT, self)
        self.icon = WeatherIcon(parent=self)
        self.icon.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.words = _label("cardWords", theme.TEXT, self)
        self.words.setWordWrap(True)
        self.temperatures = _label("cardTemperatures", theme.TEXT, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(2)
        layout.addWidget(self.day)
        layout.addWidget(self.icon, 1)
        layout.addWidget(self.words)
        layout.addWidget(self.temperatures)

    def set_day(self, day: str, pictogram: str, words: str, high: str, low: str) -> None:
        self.day.setText(day)
        self.icon.set_name(pictogram)
        self.words.setText(words)
        # "12° / 4°": the day's high first, as French forecasts say it.
        self.temperatures.setText(f"{high} / {low}")
        self.setAccessibleName(f"{day} : {words}, {high} au plus, {low} au moins")

    def set_font_px(self, px: int, *, min_px: int = 0) -> None:
        """The day and temperatures at `px`, the words a little smaller; none below `min_px`."""
        px = max(px, min_px)
        self.day.setFont(theme.font(px, bold=True))
        self.words.setFont(theme.font(max(min_px, round(px * 0.8))))
        self.temperatures.setFont(theme.font(px, bold=True))
        # The words take two lines at most; the pictogram gets the rest of the card.
        lines = self.words.fontMetrics().lineSpacing() * 2
        self.words.setMinimumHeight(lines)
        self.icon.setMinimumSize(round(px * 2.2), round(px * 2.2))
