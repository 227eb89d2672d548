"""A PIN pad: big digits 0–9, "Effacer" and "Valider", dots instead of the digits typed.

Keys are `BigButton`s (at least 15 mm, debounced): a trembling double press of one key types
one digit. The debounce is shorter than BigButton's default so that a professional typing
"1 1" on purpose is not slowed down too much; the dots show every digit taken.
The pad knows nothing of PINs' meaning: it emits `submitted(pin)` and the screen decides.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from widgets import theme
from widgets.big_button import BigButton

KEY_DEBOUNCE_MS = 250
DOT = "●"
KEY_STYLE = "QPushButton { padding: 4px 4px; } QPushButton:pressed { padding: 7px 4px 1px 4px; }"
LAYOUT = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "erase", "0", "ok")


class PinPad(QWidget):
    submitted = Signal(str)  # the digits, when "Valider" is pressed with enough of them
    changed = Signal(int)  # how many digits are typed

    def __init__(
        self, parent: QWidget | None = None, *, min_length: int = 4, max_length: int = 8
    ) -> None:
        super().__init__(parent)
        self._min = min_length
        self._max = max_length
        self._digits = ""
        self._locked = False

        self.display = QLabel(self)
        self.display.setObjectName("pinDots")
        self.display.setTextFormat(Qt.TextFormat.PlainText)
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display.setStyleSheet(
            f"color: {theme.TEXT}; background: {theme.SURFACE}; "
            f"border: 2px solid {theme.BORDER}; border-radius: 10px;"
        )
        self.display.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.keys: dict[str, BigButton] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        for index, name in enumerate(LAYOUT):
            button = BigButton(name if name.isdigit() else "", self, debounce_ms=KEY_DEBOUNCE_MS)
            button.setObjectName(f"pinKey_{name}")
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
            # Narrow side padding: "Effacer" must fit a third of a small screen's pad.
            button.setStyleSheet(button.styleSheet() + KEY_STYLE)
            if name.isdigit():
                button.clicked.connect(lambda _=False, d=name: self._type(d))
            self.keys[name] = button
            grid.addWidget(button, index // 3, index % 3)
        self.keys["erase"].clicked.connect(self._erase)
        self.keys["ok"].clicked.connect(self._submit)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.display)
        layout.addLayout(grid, 1)
        self.retranslate()
        self._update()

    # -- API ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.keys["erase"].setText(self.tr("Effacer"))
        self.keys["ok"].setText(self.tr("Valider"))
        self._update()

    def set_font_px(self, px: int, *, min_px: int = 0) -> None:
        """Digits larger than `px`, the words a little smaller ("Effacer" must fit a third of
        a small screen's pad), none below `min_px`."""
        for name, button in self.keys.items():
            button.set_font_px(round(px * 1.3) if name.isdigit() else max(min_px, round(px * 0.9)))
        self.display.setFont(theme.font(round(px * 1.3), bold=True))

    def clear(self) -> None:
        self._digits = ""
        self._update()
        self.changed.emit(0)

    def set_locked(self, locked: bool) -> None:
        """No key answers while locked (too many wrong PINs, or a check under way)."""
        self._locked = locked
        if locked:
            self._digits = ""
        self._update()

    @property
    def locked(self) -> bool:
        return self._locked

    def digit_count(self) -> int:
        return len(self._digits)

    def dots_text(self) -> str:
        return self.display.text()

    # -- keys --------------------------------------------------------------------------------

    def _type(self, digit: str) -> None:
        if self._locked or len(self._digits) >= self._max:
            return
        self._digits += digit
        self._update()
        self.changed.emit(len(self._digits))

    def _erase(self) -> None:
        if self._locked or not self._digits:
            return
        self._digits = self._digits[:-1]
        self._update()
        self.changed.emit(len(self._digits))

    def _submit(self) -> None:
        if self._locked or len(self._digits) < self._min:
            return
        pin, self._digits = self._digits, ""
        self._update()
        self.submitted.emit(pin)

    def _update(self) -> None:
        self.display.setText(
            " ".join(DOT * len(self._digits)) if self._digits else self.tr("Votre code")
        )
        full = len(self._digits) >= self._max
        for name, button in self.keys.items():
            if name.isdigit():
                button.setEnabled(not self._locked and not full)
        self.keys["erase"].setEnabled(not self._locked and bool(self._digits))
        self.keys["ok"].setEnabled(not self._locked and len(self._digits) >= self._min)
