"""A person's initials in a filled circle: who calls, or whom to call, when there is no photo."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from widgets import theme


class InitialsBadge(QLabel):
    """ "PM" in white on the accent colour (8.4:1), as a circle `set_diameter` pixels wide."""

    def __init__(self, parent: QWidget | None = None, *, colour: str = theme.ACCENT) -> None:
        super().__init__(parent)
        self.setObjectName("initialsBadge")
        self._colour = colour
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.set_diameter(96)

    def set_initials(self, initials: str) -> None:
        self.setText(initials)

    def set_diameter(self, diameter: int) -> None:
        diameter = max(8, diameter)
        self.setFixedSize(diameter, diameter)
        self.setFont(theme.font(round(diameter * 0.4), bold=True))
        self.setStyleSheet(
            f"background-color: {self._colour}; color: {theme.ON_ACCENT};"
            f" border-radius: {diameter // 2}px;"
        )

    def diameter(self) -> int:
        return self.width()
