"""A reminder, full screen, over whatever screen is shown: "Médicaments du matin", then
"C'est fait" or "Plus tard" (or "D'accord" alone when no confirmation is wanted).

Made for poor eyesight and shaky hands:

- the title in very large type (64 px at least at 1280×800, in proportion below), the detail
  under it at body size, the kind as a drawn icon and a word, and the time it was due;
- two huge buttons side by side, each nearly half the width and at least 15 mm high;
- one tap is enough and one tap is all that counts: a tap within `guard_ms` (600 ms) of the
  previous one, or of the card appearing, is ignored. A double tap never answers twice, and a
  finger already on its way to the screen under it never answers a card that appears just then;
- the answer is acknowledged on the card itself ("C'est noté. Merci !", "Je vous le rappelle à
  8:20.") for a moment, then `finished`: the next card, or the screen as it was;
- nothing is ever cut: the title shrinks to fit (never under its floor), then the detail (never
  under the smallest text of the tablet), and a detail still too long scrolls with "Plus haut"
  and "Plus bas";
- every colour pair is 7:1 or more (`COLOUR_PAIRS`).

The card only shows a `kiosk.reminders_view.Card` and emits intents (`done`, `later`,
`acknowledged`, with the reminder's id and the occurrence's due instant); the feature
(`kiosk.features.reminders`) records and sends them. No I/O here.
"""

from __future__ import annotations

import math
from datetime import datetime

from PySide6.QtCore import QElapsedTimer, QEvent, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.reminders_view import Card
from widgets import sizing, theme
from widgets.big_button import BigButton
from widgets.message_bubble import BIDI_CONTROLS, ZERO_WIDTH_SPACE
from widgets.paged_scroll import PagedScroll, ScrollContent

GUARD_MS = 600  # a second tap (or a tap as the card appears) within this is ignored
THANKS_MS = 2000  # the acknowledgement stays this long
TITLE_AT_800 = 64  # the title's floor at 800 px high, in proportion below
TITLE_TIMES_BODY = 2.75  # the title's size when it fits: 88 px at 1280×800
KINDS = ("medication", "appointment", "drink", "other")

_LATER_STYLE = f"""
QPushButton {{
    background-color: {theme.SURFACE}; color: {theme.TEXT};
    border: 4px solid {theme.ACCENT}; border-radius: 14px; padding: 8px 16px;
}}
QPushButton:pressed {{
    background-color: {theme.DISABLED_BG}; border: 4px solid {theme.TEXT};
}}"""
_DONE_STYLE = f"""
QPushButton {{
    background-color: {theme.ACCENT}; color: {theme.ON_ACCENT};
    border: 4px solid {theme.ACCENT}; border-radius: 14px; padding: 8px 16px;
}}
QPushButton:pressed {{
    background-color: {theme.ACCENT_PRESSED}; border: 4px solid {theme.TEXT};
}}"""
# (text, background) of everything the card draws: each 7:1 or more (WCAG AAA).
COLOUR_PAIRS = (
    (theme.TEXT, theme.BACKGROUND),  # title, detail, acknowledgement
    (theme.ACCENT, theme.BACKGROUND),  # kind, time, icon
    (theme.TEXT_MUTED, theme.BACKGROUND),  # "2 autres rappels ensuite"
    (theme.ON_ACCENT, theme.ACCENT),  # "C'est fait", "D'accord"
    (theme.TEXT, theme.SURFACE),  # "Plus tard"
    (theme.TEXT, theme.DISABLED_BG),  # "Plus tard" pressed
)


def h_m(moment: datetime) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def title_floor_px(window_height: int) -> int:
    """The title's smallest size: 64 px at 800 px high (1280×800), in proportion below."""
    return math.ceil(TITLE_AT_800 * window_height / 800)


def breakable_to_fit(text: str, metrics: QFontMetrics, width: int) -> str:
    """`text` with invisible break opportunities inside any word wider than `width` (a long
    compound word, a code), so that it wraps instead of being cut. Display only."""
    text = "".join(ch for ch in text if ch not in BIDI_CONTROLS)
    words = text.split(" ")
    out = []
    for word in words:
        if metrics.horizontalAdvance(word) <= width:
            out.append(word)
            continue
        pieces: list[str] = []
        current = ""
        for ch in word:
            if current and metrics.horizontalAdvance(current + ch) > width:
                pieces.append(current)
                current = ""
            current += ch
        pieces.append(current)
        out.append(ZERO_WIDTH_SPACE.join(pieces))
    return " ".join(out)


class KindIcon(QWidget):
    """The reminder's kind, drawn (no font has them all): a capsule, a calendar page, a glass
    of water, or a clock."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = "other"
        self._side = 32
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_kind(self, kind: str) -> None:
        self.kind = kind if kind in KINDS else "other"
        self.update()

    def set_side(self, side: int) -> None:
        self._side = side
        self.setFixedSize(side, side)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(self._side, self._side)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = float(min(self.width(), self.height()))
        colour = QColor(theme.ACCENT)
        pen = QPen(colour, max(2.0, s / 14))
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        if self.kind == "medication":
            p.translate(s / 2, s / 2)
            p.rotate(-45)
            w, h = s * 0.86, s * 0.38
            body = QRectF(-w / 2, -h / 2, w, h)
            p.drawRoundedRect(body, h / 2, h / 2)
            p.setBrush(colour)
            p.setClipRect(QRectF(-w / 2, -h / 2, w / 2, h))
            p.drawRoundedRect(body, h / 2, h / 2)
        elif self.kind == "appointment":
            page = QRectF(s * 0.12, s * 0.2, s * 0.76, s * 0.68)
            p.drawRoundedRect(page, s * 0.06, s * 0.06)
            p.setBrush(colour)
            p.drawRect(QRectF(page.left(), page.top(), page.width(), s * 0.16))
            for x in (0.32, 0.68):
                p.drawLine(QPointF(s * x, s * 0.1), QPointF(s * x, s * 0.28))
            p.setBrush(Qt.BrushStyle.NoBrush)
            for row in (0.55, 0.74):
                for col in (0.3, 0.5, 0.7):
                    p.drawPoint(QPointF(s * col, s * row))
        elif self.kind == "drink":
            top, bottom = s * 0.12, s * 0.9
            p.drawLine(QPointF(s * 0.2, top), QPointF(s * 0.3, bottom))
            p.drawLine(QPointF(s * 0.8, top), QPointF(s * 0.7, bottom))
            p.drawLine(QPointF(s * 0.3, bottom), QPointF(s * 0.7, bottom))
            p.setBrush(colour)
            p.setPen(Qt.PenStyle.NoPen)
            water = [
                QPointF(s * 0.25, s * 0.45),
                QPointF(s * 0.75, s * 0.45),
                QPointF(s * 0.7, bottom),
                QPointF(s * 0.3, bottom),
            ]
            p.drawPolygon(water)
        else:
            p.drawEllipse(QRectF(s * 0.1, s * 0.1, s * 0.8, s * 0.8))
            centre = QPointF(s / 2, s / 2)
            p.drawLine(centre, QPointF(s / 2, s * 0.25))
            p.drawLine(centre, QPointF(s * 0.68, s * 0.6))
        p.end()


def _label(parent: QWidget, name: str, colour: str = theme.TEXT, *, wrap: bool = True) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.setWordWrap(wrap)
    label.setStyleSheet(f"color: {colour}; background: transparent;")
    return label


class ReminderCard(QWidget):
    done = Signal(int, object)  # reminder id, due instant (aware, UTC): "C'est fait"
    later = Signal(int, object)  # "Plus tard"
    acknowledged = Signal(int, object)  # "D'accord" (no confirmation wanted)
    finished = Signal()  # the acknowledgement has been shown: what comes next may come

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        guard_ms: int = GUARD_MS,
        thanks_ms: int = THANKS_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reminderCard")
        self._card: Card | None = None
        self._waiting = 0
        self._guard_ms = guard_ms
        self._since = QElapsedTimer()  # since the card appeared, or the last tap that counted
        self._answer = ""  # the acknowledgement under way: "done", "later" or ""
        self._fitted: tuple[object, ...] = ()
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(theme.BACKGROUND))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(theme.TEXT))
        self.setPalette(palette)

        self.pages = QStackedWidget(self)
        # 1. the question
        self._ask_page = QWidget(self.pages)
        self._content = ScrollContent()
        self.icon = KindIcon(self._content)
        self.kind_label = _label(self._content, "reminderKind", theme.ACCENT, wrap=True)
        self.waiting_label = _label(self._content, "reminderWaiting", theme.TEXT_MUTED)
        self.waiting_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.title_label = _label(self._content, "reminderTitle")
        self.detail_label = _label(self._content, "reminderDetail")
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.setSpacing(16)
        header.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.kind_label, 1)
        header.addWidget(self.waiting_label, 1)
        self._text = QVBoxLayout(self._content)
        self._text.setContentsMargins(0, 0, 0, 0)
        self._text.setSpacing(16)
        self._text.addLayout(header)
        self._text.addStretch(1)  # the title and detail a little above the middle
        self._text.addWidget(self.title_label)
        self._text.addWidget(self.detail_label)
        self._text.addStretch(2)
        self.text_scroll = PagedScroll(self._content, self._ask_page)
        self.text_scroll.area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area_palette = self.text_scroll.area.palette()
        area_palette.setColor(QPalette.ColorRole.Window, QColor(theme.BACKGROUND))
        self.text_scroll.area.setPalette(area_palette)

        self.later_button = BigButton(parent=self._ask_page, debounce_ms=guard_ms)
        self.later_button.setObjectName("reminderLater")
        self.later_button.setStyleSheet(_LATER_STYLE)
        self.done_button = BigButton(parent=self._ask_page, debounce_ms=guard_ms)
        self.done_button.setObjectName("reminderDone")
        self.done_button.setStyleSheet(_DONE_STYLE)
        self.ok_button = BigButton(parent=self._ask_page, debounce_ms=guard_ms)
        self.ok_button.setObjectName("reminderOk")
        self.ok_button.setStyleSheet(_DONE_STYLE)
        # The row's height is the buttons' (their own minimum is only 15 mm).
        self.button_row = QWidget(self._ask_page)
        for button in (self.later_button, self.done_button, self.ok_button):
            button.setParent(self.button_row)
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self._buttons = QHBoxLayout(self.button_row)
        self._buttons.setContentsMargins(0, 0, 0, 0)
        self._buttons.setSpacing(24)
        self._buttons.addStretch(0)
        self._buttons.addWidget(self.later_button, 1)
        self._buttons.addWidget(self.done_button, 1)
        self._buttons.addWidget(self.ok_button, 2)
        self._buttons.addStretch(0)
        self._ask = QVBoxLayout(self._ask_page)
        self._ask.setContentsMargins(0, 0, 0, 0)
        self._ask.setSpacing(16)
        self._ask.addWidget(self.text_scroll, 1)
        self._ask.addWidget(self.button_row)
        self.pages.addWidget(self._ask_page)

        # 2. the acknowledgement
        self._thanks_page = QWidget(self.pages)
        self.thanks_label = _label(self._thanks_page, "reminderThanks")
        self.thanks_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        thanks = QVBoxLayout(self._thanks_page)
        thanks.addWidget(self.thanks_label, 1)
        self.pages.addWidget(self._thanks_page)

        self._outer = QVBoxLayout(self)
        self._outer.addWidget(self.pages)

        self._after_thanks = QTimer(self)
        self._after_thanks.setSingleShot(True)
        self._after_thanks.setInterval(thanks_ms)
        self._after_thanks.timeout.connect(self._finish)

        self.done_button.clicked.connect(lambda: self._answered("done"))
        self.later_button.clicked.connect(lambda: self._answered("later"))
        self.ok_button.clicked.connect(lambda: self._answered("ok"))
        self._retranslate()

    # -- API ---------------------------------------------------------------------------------

    def show_card(self, card: Card, waiting: int = 0) -> None:
        """Show `card` (`waiting`: how many more are due after it). The same card shown again
        (each check re-sends it) changes nothing, and keeps its tap guard."""
        if self._answer:
            return  # the acknowledgement finishes first
        same = (
            self._card is not None
            and self._card.key == card.key
            and self._card.ask == card.ask
            and self.pages.currentWidget() is self._ask_page
        )
        self._card = card
        self._waiting = waiting
        if not same:
            self._since.start()
            self.text_scroll.scroll_to_top()
        self.pages.setCurrentWidget(self._ask_page)
        self._retranslate()

    def card(self) -> Card | None:
        return self._card

    def answering(self) -> bool:
        """The acknowledgement is shown: the card is not to be replaced until `finished`."""
        return bool(self._answer)

    def reset(self) -> None:
        """Forget the card (hidden: nothing due, or the tablet forgets everything)."""
        self._after_thanks.stop()
        self._answer = ""
        self._card = None
        self.pages.setCurrentWidget(self._ask_page)

    def title_text(self) -> str:
        return self.title_label.text().replace(ZERO_WIDTH_SPACE, "")

    def title_px(self) -> int:
        return self.title_label.font().pixelSize()

    # -- taps --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        self._since.start()  # appearing: a finger already on its way does not count
        super().showEvent(event)

    def _answered(self, what: str) -> None:
        card = self._card
        if card is None or self._answer:
            return
        if self._since.isValid() and self._since.elapsed() < self._guard_ms:
            return  # a double tap, or a tap meant for the screen under the card
        self._since.start()
        if what == "done" and card.confirm_wanted:
            self._answer = "done"
            self._thank(self.tr("C'est noté. Merci !"))
            self.done.emit(card.reminder_id, card.due_at)
        elif what == "later" and card.confirm_wanted:
            self._answer = "later"
            if card.again:
                text = self.tr("D'accord, je vous le rappelle à {time}.").format(
                    time=h_m(card.later_until.astimezone(card.local_due.tzinfo))
                )
            else:
                text = self.tr("D'accord.")
            self._thank(text)
            self.later.emit(card.reminder_id, card.due_at)
        elif what == "ok" and not card.confirm_wanted:
            self._card = None
            self.acknowledged.emit(card.reminder_id, card.due_at)
            self.finished.emit()

    def _thank(self, text: str) -> None:
        self.thanks_label.setText(text)
        self.pages.setCurrentWidget(self._thanks_page)
        self._after_thanks.start()

    def _finish(self) -> None:
        self._answer = ""
        self._card = None
        self.pages.setCurrentWidget(self._ask_page)
        self.finished.emit()

    # -- words -------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def kind_word(self, kind: str) -> str:
        words = {
            "medication": self.tr("Médicament"),
            "appointment": self.tr("Rendez-vous"),
            "drink": self.tr("Boire"),
            "other": self.tr("Rappel"),
        }
        return words.get(kind, words["other"])

    def _retranslate(self) -> None:
        self.done_button.setText(self.tr("✓ C'est fait"))
        self.later_button.setText(self.tr("Plus tard"))
        self.ok_button.setText(self.tr("D'accord"))
        card = self._card
        confirm = card is None or card.confirm_wanted
        self.done_button.setVisible(confirm)
        self.later_button.setVisible(confirm)
        self.ok_button.setVisible(not confirm)
        # "D'accord" alone: half the width, centred between two equal spaces.
        for index in (0, 4):
            self._buttons.setStretch(index, 0 if confirm else 1)
        if card is None:
            return
        self.icon.set_kind(card.kind)
        self.kind_label.setText(
            self.tr("{kind} · {time}").format(
                kind=self.kind_word(card.kind), time=h_m(card.local_due)
            )
        )
        if self._waiting == 1:
            self.waiting_label.setText(self.tr("1 autre rappel ensuite"))
        elif self._waiting > 1:
            self.waiting_label.setText(
                self.tr("{n} autres rappels ensuite").format(n=self._waiting)
            )
        else:
            self.waiting_label.setText("")
        self.waiting_label.setVisible(self._waiting > 0)
        self.detail_label.setVisible(bool(card.detail.strip()))
        self._fitted = ()
        self._fit()

    # -- sizes -------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Fonts and sizes for the window's height: the title as large as fits, never under
        its floor; then the detail down to the smallest text; beyond that, it scrolls."""
        width, height = self.width(), self.height()
        card = self._card
        state = (width, height, sizing.font_scale(), card, self._waiting, self.kind_label.text())
        if state == self._fitted or height <= 0:
            return
        self._fitted = state
        # Home's floor holds here too: at a small font scale the body size may fall under it.
        smallest = sizing.min_text_px(height)
        base = max(sizing.base_font_px(height), smallest)
        margin_y = max(12, round(height * 0.03))
        margin_x = max(16, round(width * 0.03))
        self._outer.setContentsMargins(margin_x, margin_y, margin_x, margin_y)
        gap = max(12, round(height * 0.025))
        self._ask.setSpacing(gap)
        self._text.setSpacing(gap)
        self._buttons.setSpacing(max(16, round(width * 0.03)))
        button_h = max(sizing.touch_px(self, height), round(height * 0.15))
        inner = width - 2 * margin_x
        self._size_buttons(base, button_h, inner, smallest)
        self.thanks_label.setFont(theme.font(round(base * 1.8), bold=True))
        self.thanks_label.setMinimumHeight(0)
        self.waiting_label.setFont(theme.font(max(smallest, round(base * 0.85))))
        self.kind_label.setFont(theme.font(base, bold=True))
        self.icon.set_side(round(base * 1.4))
        if card is None:
            return
        available = height - 2 * margin_y - button_h - gap
        floor = title_floor_px(height)
        largest = max(floor, round(base * TITLE_TIMES_BODY))
        title_sizes = [*range(largest, floor, -2), floor]
        detail_sizes = list(range(base, smallest - 1, -1)) or [base]
        scrolls = True
        for title_px in title_sizes:
            if self._fits(card, title_px, base, inner, available, base):
                self._apply_text(card, title_px, base, inner)
                scrolls = False
                break
        else:
            for detail_px in detail_sizes:
                if self._fits(card, floor, detail_px, inner, available, base):
                    self._apply_text(card, floor, detail_px, inner)
                    scrolls = False
                    break
        self.text_scroll.up_button.setVisible(scrolls)
        self.text_scroll.down_button.setVisible(scrolls)
        if scrolls:
            self.text_scroll.set_font_px(base)
            beside = self.text_scroll.up_button.sizeHint().width() + 16
            self._apply_text(card, floor, base, inner - beside)
            self.text_scroll.area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        else:
            self.text_scroll.area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def _size_buttons(self, base: int, button_h: int, inner: int, smallest: int) -> None:
        self.button_row.setFixedHeight(button_h)
        half = (inner - self._buttons.spacing()) // 2
        for button in (self.done_button, self.later_button, self.ok_button):
            px = base
            while px > smallest and not self._button_fits(button, px, half, button_h):
                px -= 1
            button.set_font_px(px)

    @staticmethod
    def _button_fits(button: BigButton, px: int, width: int, height: int) -> bool:
        metrics = QFontMetrics(theme.font(px, bold=True))
        # The style's border and padding: 4 px border and 16 px padding on each side.
        return metrics.horizontalAdvance(button.text()) <= width - 2 * (4 + 16) - 4 and (
            metrics.height() <= height - 2 * (4 + 8)
        )

    def _fits(
        self, card: Card, title_px: int, detail_px: int, width: int, available: int, base: int
    ) -> bool:
        header = max(
            round(base * 1.4),
            self._height(self.kind_label.text(), theme.font(base, bold=True), width // 2),
        )
        if self._waiting:
            header = max(
                header,
                self._height(self.waiting_label.text(), theme.font(round(base * 0.85)), width // 2),
            )
        needed = header + self._text.spacing()
        title_font = theme.font(title_px, bold=True)
        needed += self._height(
            breakable_to_fit(card.title, QFontMetrics(title_font), width), title_font, width
        )
        if card.detail.strip():
            detail_font = theme.font(detail_px)
            needed += self._text.spacing() + self._height(
                breakable_to_fit(card.detail, QFontMetrics(detail_font), width), detail_font, width
            )
        return needed <= available

    @staticmethod
    def _height(text: str, font: QFont, width: int) -> int:
        if not text:
            return 0
        rect = QFontMetrics(font).boundingRect(
            0, 0, max(1, width), 1_000_000, Qt.TextFlag.TextWordWrap, text
        )
        return rect.height() + 2

    def _apply_text(self, card: Card, title_px: int, detail_px: int, width: int) -> None:
        title_font = theme.font(title_px, bold=True)
        detail_font = theme.font(detail_px)
        self.title_label.setFont(title_font)
        self.detail_label.setFont(detail_font)
        self.title_label.setText(breakable_to_fit(card.title, QFontMetrics(title_font), width))
        self.detail_label.setText(
            breakable_to_fit(card.detail.strip(), QFontMetrics(detail_font), width)
        )
