"""A message as a card: who wrote it and when, then the text, always as plain text.

Messages are written by people (family, professionals) and may contain anything, including
"<b>" or "<script>": every label here is `Qt.TextFormat.PlainText`, so Qt never interprets it.
A card can be tappable (the list of messages): one tap, debounced like `BigButton`.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QElapsedTimer, QEvent, Qt, Signal
from PySide6.QtGui import QMouseEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from widgets import sizing, theme

ZERO_WIDTH_SPACE = "\u200b"
# A run of more characters than this without a space gets invisible break opportunities, so
# that a pasted link or "aaaa…" wraps instead of pushing the card off the screen.
LONGEST_UNBROKEN = 24
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}  # zero-width joiner, variation selectors
# Explicit bidi embeddings, overrides and isolates (LRE…RLO, LRI…PDI): a right-to-left override
# makes "gpj.exe" read "exe.jpg" and a phone number read backwards. Hebrew or Arabic text needs
# none of them (the implicit algorithm orders it), so they are dropped from what is shown.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _joins_previous(ch: str) -> bool:
    """True when `ch` belongs with the character before it (accents, emoji modifiers…)."""
    return (
        ch in _JOINERS
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or "\U0001f3fb" <= ch <= "\U0001f3ff"  # skin tones
        or "\U000e0020" <= ch <= "\U000e007f"  # emoji tag sequences (flags of regions)
    )


def breakable(text: str, longest: int = LONGEST_UNBROKEN) -> str:
    """`text` with zero-width spaces inside over-long runs, for display only.

    Never between a character and what joins it (combining accents, emoji ZWJ sequences,
    skin tones), so nothing is drawn differently; explicit bidi controls are dropped (they can
    make the text read otherwise than it was written); everything else is left exactly as is.
    """
    out: list[str] = []
    run = 0
    previous = ""
    for ch in text:
        if ch in BIDI_CONTROLS:
            continue
        if ch.isspace():
            run = 0
        else:
            if run >= longest and not _joins_previous(ch) and previous not in _JOINERS:
                out.append(ZERO_WIDTH_SPACE)
                run = 0
            run += 1
        out.append(ch)
        previous = ch
    return "".join(out)


def preview(text: str, limit: int) -> str:
    """The start of `text` on one paragraph, cut at a word with "…" when longer than `limit`."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def plain_label(parent: QWidget, name: str, colour: str = theme.TEXT) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.setStyleSheet(f"color: {colour}; background: transparent;")
    return label


class MessageBubble(QFrame):
    """Sender, then time and an optional mark ("Nouveau", "Santé"), then the text.

    `text()` of the body label is the text as shown (possibly shortened, with invisible break
    opportunities); `body_text()` is what was given.
    """

    clicked = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        clickable: bool = False,
        preview_chars: int | None = None,
        debounce_ms: int = 400,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("messageBubble")
        self._clickable = clickable
        self._preview_chars = preview_chars
        self._debounce_ms = debounce_ms
        self._since_press = QElapsedTimer()
        self._pressed = False
        self._body = ""
        self._highlighted = False

        self.sender_label = plain_label(self, "bubbleSender")
        self.when_label = plain_label(self, "bubbleWhen", theme.TEXT_MUTED)
        self.mark_label = plain_label(self, "bubbleMark", theme.ON_ACCENT)
        self.mark_label.hide()
        self.body_label = plain_label(self, "bubbleBody")
        self.body_label.setWordWrap(True)
        # The width comes from the layout, never from the text.
        self.body_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.body_label.setMinimumWidth(1)
        for label in (self.sender_label, self.when_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            label.setWordWrap(True)

        # Who on its own line (names can be long), then when, with the mark after it.
        when_row = QHBoxLayout()
        when_row.setContentsMargins(0, 0, 0, 0)
        when_row.setSpacing(16)
        when_row.addWidget(self.when_label, 1)
        when_row.addWidget(self.mark_label, 0, Qt.AlignmentFlag.AlignVCenter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 14)
        layout.setSpacing(8)
        layout.addWidget(self.sender_label)
        layout.addLayout(when_row)
        layout.addWidget(self.body_label)
        # Never squeezed below the height its wrapped text needs (a scroll area holds it).
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        if clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._restyle()
        self.set_font_px(32)

    # -- content -------------------------------------------------------------------------------

    def set_message(self, sender: str, when: str, body: str, mark: str = "") -> None:
        self._body = body
        self.sender_label.setText(breakable(sender))
        self.when_label.setText(when)
        self.mark_label.setText(mark)
        self.mark_label.setVisible(bool(mark))
        shown = body if self._preview_chars is None else preview(body, self._preview_chars)
        self.body_label.setText(breakable(shown))

    @property
    def clickable(self) -> bool:
        return self._clickable

    def body_text(self) -> str:
        return self._body

    def set_highlighted(self, highlighted: bool) -> None:
        """A thicker accent outline: an unread message in the list."""
        self._highlighted = highlighted
        self._restyle()

    def set_font_px(self, px: int, body_px: int | None = None) -> None:
        """Every line at least `px` (the screen's body size, already at the floor of the
        text anyone reads): the sender bold, when in plain muted type, the mark on its chip."""
        self.sender_label.setFont(theme.font(px, bold=True))
        self.when_label.setFont(theme.font(px))
        self.mark_label.setFont(theme.font(px, bold=True))
        self.body_label.setFont(theme.font(max(px, body_px or px)))
        self._apply_min_height()

    def _apply_min_height(self) -> None:
        if self._clickable:
            self.setMinimumHeight(sizing.window_touch_px(self))

    def _restyle(self) -> None:
        width = 5 if self._highlighted else 2
        colour = theme.ACCENT if self._highlighted else theme.BORDER
        self.setStyleSheet(
            # By class, not object name: screens name their cards after the message.
            f"MessageBubble {{ background: {theme.SURFACE}; "
            f"border: {width}px solid {colour}; border-radius: 14px; }}"
        )
        self.mark_label.setStyleSheet(
            f"color: {theme.ON_ACCENT}; background: {theme.ACCENT}; "
            "border-radius: 6px; padding: 2px 10px;"
        )

    # -- touch ---------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        self._apply_min_height()
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.ScreenChangeInternal:
            self._apply_min_height()
        super().changeEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if not self._clickable or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        event.accept()
        if self._since_press.isValid() and self._since_press.elapsed() < self._debounce_ms:
            self._pressed = False  # a trembling second tap: ignored
            return
        self._since_press.start()
        self._pressed = True

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if not self._clickable or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        event.accept()
        inside = self.rect().contains(event.position().toPoint())
        if self._pressed and inside:
            self._pressed = False
            self.clicked.emit()
        self._pressed = False
