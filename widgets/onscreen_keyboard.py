"""A large on-screen AZERTY keyboard, for the one time someone types a Wi-Fi name or password
on the tablet.

Every key is a `BigButton` (15 mm each way: 90 px at 1280×800, in proportion at 800×480) with
a short debounce: a trembling double press types one letter, but "ll" typed on purpose still
types two. Shift is one-shot (the next letter only), as on a phone; "?123" shows digits and
signs, "=\\<" the other signs (every printable ASCII one is on one of the two), "ABC" the
letters again. "Afficher" / "Masquer" shows or hides what is typed (a
password is hidden at first). Nothing needs a double tap or a long press.

The widget keeps the text and shows it in its own field; `submitted` gives it on "Valider".
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from widgets import theme
from widgets.big_button import BigButton

KEY_DEBOUNCE_MS = 120
SHIFT, BACKSPACE, SYMBOLS, MORE, LETTERS, SPACE, SHOW, OK = (
    "shift", "backspace", "symbols", "more", "letters", "space", "show", "ok",
)  # fmt: skip
WORDS = (SHIFT, BACKSPACE, SYMBOLS, MORE, LETTERS, SPACE, SHOW, OK)
DOT = "•"
LETTERS_PAGE, SYMBOLS_PAGE, MORE_PAGE = 0, 1, 2

# Each row is twenty columns wide: a letter takes two, wider keys more. Between the two
# symbol pages, every printable ASCII sign is there (a WPA passphrase is made of nothing
# else, so no accented letter on them).
LETTER_ROWS: list[list[tuple[str, int]]] = [
    [(c, 2) for c in "azertyuiop"],
    [(c, 2) for c in "qsdfghjklm"],
    [(SHIFT, 3), *[(c, 2) for c in "wxcvbn"], ("'", 2), (BACKSPACE, 3)],
    [(SYMBOLS, 4), (SPACE, 7), (SHOW, 5), (OK, 4)],
]
SYMBOL_ROWS: list[list[tuple[str, int]]] = [
    [(c, 2) for c in "1234567890"],
    [(c, 2) for c in "@#$_&-+()/"],
    [(MORE, 3), *[(c, 2) for c in "*\"':;!?"], (BACKSPACE, 3)],
    [(LETTERS, 4), (SPACE, 7), (SHOW, 5), (OK, 4)],
]
MORE_ROWS: list[list[tuple[str, int]]] = [
    [(c, 2) for c in "1234567890"],
    [(c, 2) for c in ".,%=<>[]{}"],
    [(SYMBOLS, 5), *[(c, 2) for c in "\\|~^`"], (BACKSPACE, 5)],
    [(LETTERS, 4), (SPACE, 7), (SHOW, 5), (OK, 4)],
]


class OnScreenKeyboard(QWidget):
    text_changed = Signal(str)
    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, secret: bool = False) -> None:
        super().__init__(parent)
        self._text = ""
        self._secret = secret
        self._revealed = not secret
        self._shift = False
        self._page = LETTERS_PAGE
        self._max_length = 64  # a WPA key may be 64 hexadecimal digits

        self.field = QLabel(self)
        self.field.setObjectName("keyboardField")
        self.field.setTextFormat(Qt.TextFormat.PlainText)
        self.field.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.field.setStyleSheet(
            f"color: {theme.TEXT}; background: {theme.SURFACE}; padding: 2px 12px;"
            f"border: 3px solid {theme.ACCENT}; border-radius: 10px;"
        )
        self.field.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        # Three pages (letters, digits and signs, more signs), each four rows; a key's width
        # follows its span.
        self._stack = QStackedWidget(self)
        self.keys: dict[str, BigButton] = {}
        self._pages: dict[int, list[tuple[str, BigButton]]] = {}
        self._page_widgets: dict[int, QWidget] = {}
        for symbols, rows in (
            (LETTERS_PAGE, LETTER_ROWS),
            (SYMBOLS_PAGE, SYMBOL_ROWS),
            (MORE_PAGE, MORE_ROWS),
        ):
            self._pages[symbols] = []
            page = QWidget(self._stack)
            column = QVBoxLayout(page)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(8)
            for keys in rows:
                row = QHBoxLayout()
                row.setSpacing(6)
                for name, span in keys:
                    button = self._key(name, symbols)
                    button.setParent(page)
                    row.addWidget(button, span)
                    self._pages[symbols].append((name, button))
                column.addLayout(row, 1)
            self._stack.addWidget(page)
            self._page_widgets[symbols] = page

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        # The field's row: a screen may put a button of its own beside it ("Retour").
        self.field_row = QHBoxLayout()
        self.field_row.setSpacing(8)
        self.field_row.addWidget(self.field, 1)
        layout.addLayout(self.field_row)
        layout.addWidget(self._stack, 1)
        self.retranslate()
        self._show_page()

    def _key(self, name: str, symbols: int) -> BigButton:
        button = BigButton("", self, debounce_ms=KEY_DEBOUNCE_MS)
        button.setObjectName(f"key{'Symbols' if symbols else 'Letters'}")
        button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        # Ten keys to a row on a small screen: next to no side padding.
        button.setStyleSheet(button.styleSheet().replace("padding: 8px 24px;", "padding: 2px;"))
        button.clicked.connect(lambda _=False, k=name: self.press(k))
        if name not in WORDS:
            button.setText(name.replace("&", "&&"))  # "&" alone would be a shortcut mark
        self.keys.setdefault(name, button)
        return button

    # -- API ---------------------------------------------------------------------------------

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self._text = text[: self._max_length]
        self._refresh()
        self.text_changed.emit(self._text)

    def set_secret(self, secret: bool) -> None:
        """A password (hidden until "Afficher") or a name (shown)."""
        self._secret = secret
        self._revealed = not secret
        self._refresh()

    def is_revealed(self) -> bool:
        return self._revealed

    def shown_text(self) -> str:
        return self.field.text()

    def set_font_px(self, px: int) -> None:
        for keys in self._pages.values():
            for name, button in keys:
                words = name in WORDS and name != BACKSPACE
                button.set_font_px(px if words else round(px * 1.15))
        self.field.setFont(theme.font(round(px * 1.1), bold=True))

    def type_text(self, text: str) -> None:
        """Press the keys for `text`, as a finger would (tests, demos)."""
        for char in text:
            self.press(" " if char == " " else char)

    def press(self, key: str) -> None:
        if key == BACKSPACE:
            self.set_text(self._text[:-1])
        elif key == SHIFT:
            self._shift = not self._shift
            self._show_page()
        elif key in (SYMBOLS, MORE, LETTERS):
            self._page = {SYMBOLS: SYMBOLS_PAGE, MORE: MORE_PAGE}.get(key, LETTERS_PAGE)
            self._show_page()
        elif key == SHOW:
            self._revealed = not self._revealed
            self._refresh()
        elif key == OK:
            self.submitted.emit(self._text)
        else:
            char = " " if key == SPACE else key
            if self._shift and self._page == LETTERS_PAGE:
                char = char.upper()
                self._shift = False  # one letter only, as on a phone
                self._show_page()
            self.set_text(self._text + char)

    def retranslate(self) -> None:
        self._word(SHIFT, self.tr("Maj"))
        self._word(BACKSPACE, "⌫")
        self._word(SYMBOLS, "?123")
        self._word(MORE, "=\\<")
        self._word(LETTERS, "ABC")
        self._word(SPACE, self.tr("Espace"))
        self._word(OK, self.tr("Valider"))
        self._refresh()

    # -- inside ------------------------------------------------------------------------------

    def _word(self, name: str, text: str) -> None:
        for keys in self._pages.values():
            for key, button in keys:
                if key == name:
                    button.setText(text)

    def _show_page(self) -> None:
        self._stack.setCurrentWidget(self._page_widgets[self._page])
        for name, button in self._pages[LETTERS_PAGE]:
            if len(name) == 1 and name.isalpha():
                button.setText(name.upper() if self._shift else name)
            if name == SHIFT:
                button.setText(self.tr("MAJ") if self._shift else self.tr("Maj"))

    def _refresh(self) -> None:
        shown = self._text if self._revealed else DOT * len(self._text)
        self.field.setText(shown or " ")
        self._word(SHOW, self.tr("Masquer") if self._revealed else self.tr("Afficher"))
