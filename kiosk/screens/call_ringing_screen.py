"""A call coming in, full screen, over whatever screen is shown: « Paul Martin vous appelle »,
the caller's initials in a big circle, a huge green « Décrocher » and a red « Refuser ».

Made for poor eyesight and shaky hands:

- the two buttons at the two ends of the screen (never side by side), each nearly 40 % of
  the width and one and a half times 15 mm high;
- a tap within `GUARD_MS` of the screen appearing is ignored (a finger already on its way to
  the screen under it never answers, nor refuses, a call), and one tap is all that counts;
- the auto-answer countdown (`show_call(…, countdown=10)`): « L'appel s'ouvre tout seul dans
  10 secondes. », counted down by the feature (`set_countdown`), with a huge « Non merci »
  where « Refuser » was (« Décrocher » stays, to answer at once);
- a short sentence alone (`show_notice`): « Paul a raccroché. », « L'appel s'est
  interrompu. » — a tap anywhere dismisses it (`dismissed`), as does the feature after a
  moment.

The screen only shows and emits intents (`answer_requested`, `refuse_requested`, with the
call's id); the feature (kiosk.features.calls) rings, answers and refuses. No I/O here.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from widgets import sizing, theme
from widgets.big_button import BigButton
from widgets.initials_badge import InitialsBadge

GUARD_MS = 600
GREEN = "#0B5D1E"  # white on it 8.1:1
GREEN_PRESSED = "#063A12"
RED = "#9B1111"  # white on it 8.5:1
RED_PRESSED = "#5E0909"
# (text, background) of everything the screen draws: each 7:1 or more (WCAG AAA).
COLOUR_PAIRS = (
    (theme.TEXT, theme.BACKGROUND),
    (theme.ON_ACCENT, GREEN),
    (theme.ON_ACCENT, RED),
    (theme.ON_ACCENT, theme.ACCENT),
)


def _style(colour: str, pressed: str) -> str:
    return f"""
QPushButton {{
    background-color: {colour}; color: {theme.ON_ACCENT};
    border: 4px solid {colour}; border-radius: 18px; padding: 8px 16px;
}}
QPushButton:pressed {{
    background-color: {pressed}; border: 4px solid {theme.TEXT};
}}"""


def _label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet(f"color: {theme.TEXT}; background: transparent;")
    return label


class CallRingingScreen(QWidget):
    answer_requested = Signal(int)  # the call's id
    refuse_requested = Signal(int)
    dismissed = Signal()  # a notice tapped away

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callRingingScreen")
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(theme.BACKGROUND))
        self.setPalette(palette)
        self._call_id: int | None = None
        self._name = ""
        self._countdown: int | None = None
        self._notice = False
        self._shown = QElapsedTimer()
        self._answered = False

        self.badge = InitialsBadge(self)
        self.title = _label(self, "callTitle")
        self.detail = _label(self, "callDetail")
        self.answer_button = BigButton(parent=self, debounce_ms=GUARD_MS)
        self.answer_button.setObjectName("answerButton")
        self.answer_button.setStyleSheet(_style(GREEN, GREEN_PRESSED))
        self.answer_button.clicked.connect(self._on_answer)
        self.refuse_button = BigButton(parent=self, debounce_ms=GUARD_MS)
        self.refuse_button.setObjectName("refuseButton")
        self.refuse_button.setStyleSheet(_style(RED, RED_PRESSED))
        self.refuse_button.clicked.connect(self._on_refuse)
        for button in (self.answer_button, self.refuse_button):
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.refuse_button, 0)
        buttons.addStretch(1)  # as far apart as the screen allows
        buttons.addWidget(self.answer_button, 0)
        self._buttons = buttons
        root = QVBoxLayout(self)
        root.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        root.addStretch(1)
        root.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignHCenter)
        root.addWidget(self.title, 0)
        root.addWidget(self.detail, 0)
        root.addStretch(1)
        root.addLayout(buttons)
        self._root = root
        self._retranslate()

    # -- API (the feature) ---------------------------------------------------------------------
    def show_call(
        self, call_id: int, name: str, initials: str, countdown: int | None = None
    ) -> None:
        """Ring for `call_id`; with `countdown`, the auto-answer's seconds left."""
        if call_id != self._call_id or self._notice:
            self._shown.start()  # a new call: the guard starts again
            self._answered = False
        self._call_id, self._name, self._countdown = call_id, name, countdown
        self._notice = False
        self.badge.set_initials(initials)
        self._render()

    def set_countdown(self, seconds: int) -> None:
        if self._countdown is not None and not self._notice:
            self._countdown = max(0, seconds)
            self._render()

    def show_notice(self, sentence: str, initials: str = "") -> None:
        """A sentence alone (the caller hung up, the call broke off): no button."""
        self._notice = True
        self._call_id = None
        self._countdown = None
        self.title.setText(sentence)
        self.badge.set_initials(initials)
        self._render()

    def call_id(self) -> int | None:
        return self._call_id

    def counting_down(self) -> bool:
        return self._countdown is not None and not self._notice

    def texts(self) -> list[str]:
        """What is written, as shown."""
        texts = [w.text() for w in (self.title, self.detail) if not w.isHidden()]
        texts += [b.text() for b in (self.refuse_button, self.answer_button) if not b.isHidden()]
        return [t for t in texts if t]

    # -- words ---------------------------------------------------------------------------------
    def _render(self) -> None:
        notice = self._notice
        self.badge.setVisible(bool(self.badge.text()))
        if not notice:
            self.title.setText(self.tr("{name} vous appelle").format(name=self._name))
        counting = self._countdown is not None and not notice
        self.detail.setVisible(counting)
        if counting:
            n = self._countdown or 0
            # French is the source language: its plural (2 and more) is chosen here.
            if n < 2:
                text = self.tr("L'appel s'ouvre tout seul dans %n seconde.", "", n)
            else:
                text = self.tr("L'appel s'ouvre tout seul dans %n secondes.", "", n)
            self.detail.setText(text)
        self.refuse_button.setText(self.tr("Non merci") if counting else self.tr("Refuser"))
        self.answer_button.setVisible(not notice)
        self.refuse_button.setVisible(not notice)
        self._apply_sizes()

    def _retranslate(self) -> None:
        self.answer_button.setText(self.tr("Décrocher"))
        if self._notice:
            self._apply_sizes()
        else:
            self._render()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    # -- her taps ------------------------------------------------------------------------------
    def _guarded(self) -> bool:
        return self._shown.isValid() and self._shown.elapsed() < GUARD_MS

    def _on_answer(self) -> None:
        if self._call_id is None or self._answered or self._guarded():
            return
        self._answered = True
        self.answer_requested.emit(self._call_id)

    def _on_refuse(self) -> None:
        if self._call_id is None or self._answered or self._guarded():
            return
        self._answered = True
        self.refuse_requested.emit(self._call_id)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self._notice:
            self.dismissed.emit()
        super().mouseReleaseEvent(event)

    # -- sizes ---------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(1280, 800)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(320, 240)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._apply_sizes()

    def _apply_sizes(self) -> None:
        w, h = max(self.width(), 320), max(self.height(), 240)
        base = sizing.base_font_px(h)
        floor = sizing.min_text_px(h)
        touch = sizing.touch_px(self, h)
        margin = max(16, h // 20)
        self._root.setContentsMargins(margin, margin, margin, margin)
        spacing = max(6, base // 3)
        self._root.setSpacing(spacing)
        inside = w - 2 * margin

        # The buttons: one and a half times 15 mm high, each nearly 40 % of the width, their
        # word on one line (smaller before it would not fit, never under the floor).
        button_w = max(touch, int(inside * 0.4))
        button_px = max(floor, round(base * 1.5))
        for button in (self.answer_button, self.refuse_button):
            per_px = QFontMetrics(theme.font(100, bold=True)).horizontalAdvance(button.text())
            fit = int((button_w - 2 * 16 - 2 * 4 - 8) * 100 / max(per_px, 1))
            button_px = max(floor, min(button_px, fit))
        button_h = max(round(touch * 1.5), QFontMetrics(theme.font(button_px, bold=True)).height()
                       + 2 * 8 + 2 * 4 + 4)  # fmt: skip
        for button in (self.answer_button, self.refuse_button):
            button.set_font_px(button_px)
            button.setFixedSize(button_w, button_h)
        buttons_h = 0 if self._notice else button_h + spacing

        # The words: the title large, shrunk (never under the floor) until the words and a
        # circle of at least twice the floor fit above the buttons.
        room = h - 2 * margin - buttons_h
        title_px = max(floor, round(base * 1.6))
        detail_px = max(floor, round(base * 1.1))
        while True:
            self.title.setFont(theme.font(title_px, bold=True))
            self.detail.setFont(theme.font(detail_px, bold=True))
            words_h = self.title.heightForWidth(inside) + spacing
            if not self.detail.isHidden():
                words_h += self.detail.heightForWidth(inside) + spacing
            badge = min(round(h * 0.3), room - words_h - spacing)
            if badge >= 2 * floor or (title_px == floor and detail_px == floor):
                break
            title_px = max(floor, title_px - 2)
            detail_px = max(floor, detail_px - 1)
        self.badge.set_diameter(max(2 * floor, badge))
        if badge < 2 * floor:
            self.badge.hide()  # no room left (the largest text on the smallest screen)
        elif self.badge.text():
            self.badge.show()
