"""The screen of a tablet that does not belong to anyone yet: a code to type, or to scan.

It only shows what the pairing client tells it (RFC 8628 user code, verification URIs, expiry)
or a status message; it never talks to the network itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Slot
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHideEvent,
    QPalette,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.gui_thread import check_gui_thread
from widgets import sizing, theme
from widgets.qr_code import QrCodeWidget

ZERO_WIDTH_SPACE = "\u200b"
_TICK_MARGIN_MS = 20  # wake just after the displayed second changes, never just before


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PairingScreen(QWidget):
    """ "Bienvenue sur Foyer", the user code in very large type, its QR code and a countdown."""

    def __init__(
        self,
        now_fn: Callable[[], datetime] = _utc_now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._now_fn = now_fn
        self._code = ""
        self._uri = ""
        self._uri_complete = ""
        self._expires_at: datetime | None = None
        self._message = ""

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.tick)

        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(theme.BACKGROUND))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(theme.TEXT))
        self.setPalette(palette)

        self._title = self._label("title", theme.TEXT)
        self._title.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self._code_box = QFrame(self)
        self._code_box.setObjectName("codeBox")
        self._code_box.setStyleSheet(
            f"#codeBox {{ background-color: {theme.SURFACE}; border: 3px solid {theme.ACCENT};"
            " border-radius: 16px; }"
        )
        self._code_label = self._label("code", theme.TEXT, parent=self._code_box)
        self._code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._code_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        box_layout = QVBoxLayout(self._code_box)
        box_layout.addWidget(self._code_label)
        self._code_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        self._instruction = self._label("instruction", theme.TEXT, wrap=True)
        self._uri_label = self._label("uri", theme.TEXT)
        self._scan_hint = self._label("scanHint", theme.TEXT, wrap=True)
        self._countdown = self._label("countdown", theme.TEXT_MUTED, wrap=True)
        self._message_label = self._label("message", theme.TEXT, wrap=True)
        self._message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._qr = QrCodeWidget(parent=self)

        left = QVBoxLayout()
        left.setSpacing(0)
        left.addStretch(1)
        left.addWidget(self._code_box)
        left.addSpacing(24)
        left.addWidget(self._instruction)
        left.addWidget(self._uri_label)
        left.addWidget(self._scan_hint)
        left.addSpacing(24)
        left.addWidget(self._countdown)
        left.addStretch(1)
        self._left = left

        # Everything that goes with a code, hidden as one while a message is shown instead.
        self._code_page = QWidget(self)
        self._body = QHBoxLayout(self._code_page)
        self._body.setContentsMargins(0, 0, 0, 0)
        self._body.addLayout(left, 1)
        self._body.addWidget(self._qr, 0, Qt.AlignmentFlag.AlignVCenter)

        self._root = QVBoxLayout(self)
        # Fonts follow the screen's size, so the screen must not demand a size of its own.
        self._root.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        self._root.addWidget(self._title)
        self._root.addWidget(self._code_page, 1)
        self._root.addWidget(self._message_label, 1)

        self._retranslate()
        self.show_message(self.tr("Connexion au service Foyer…"))
        self._apply_sizes()

    # -- API ---------------------------------------------------------------------------------

    def show_code(
        self,
        user_code: str,
        verification_uri: str,
        verification_uri_complete: str,
        expires_at: datetime,
    ) -> None:
        """Show a fresh code; the countdown runs to `expires_at` (aware) while visible."""
        check_gui_thread("PairingScreen.show_code")
        if expires_at.tzinfo is None:
            raise ValueError("expires_at must be an aware datetime")
        self._code = user_code
        self._uri = verification_uri
        self._uri_complete = verification_uri_complete or verification_uri
        self._expires_at = expires_at
        self._message = ""
        self._code_label.setText(user_code)
        self._qr.set_text(self._uri_complete)
        self._retranslate()
        self._set_mode(code=True)
        self._apply_sizes()
        self.tick()

    def show_message(self, text: str) -> None:
        """Show a status ("Connexion au service Foyer…") instead of a code."""
        check_gui_thread("PairingScreen.show_message")
        self._timer.stop()
        self._code = ""
        self._expires_at = None
        self._message = text
        self._message_label.setText(text)
        self._code_label.setText("")
        self._qr.set_text("")
        self._set_mode(code=False)

    def code_text(self) -> str:
        """The user code on screen, or "" when a message is shown instead."""
        return self._code_label.text() if self._code_page.isVisibleTo(self) else ""

    def message_text(self) -> str:
        """The status message on screen, or "" when a code is shown."""
        return self._message_label.text() if self._message_label.isVisibleTo(self) else ""

    def countdown_text(self) -> str:
        return self._countdown.text() if self._code_page.isVisibleTo(self) else ""

    def instruction_text(self) -> str:
        """The instructions on screen, joined with spaces ("" when a message is shown)."""
        if not self._code_page.isVisibleTo(self):
            return ""
        uri = self._uri_label.text().replace(ZERO_WIDTH_SPACE, "")
        parts = (self._instruction.text(), uri, self._scan_hint.text())
        return " ".join(p for p in parts if p)

    def qr_text(self) -> str:
        return self._qr.text()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(1280, 800)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(320, 240)

    def is_ticking(self) -> bool:
        return self._timer.isActive()

    # -- countdown ---------------------------------------------------------------------------

    @Slot()
    def tick(self) -> None:
        """Redraw the countdown and wait until its shown second changes."""
        if self._expires_at is None:
            self._timer.stop()
            return
        remaining_ms = (self._expires_at - self._now_fn()).total_seconds() * 1000
        self._countdown.setText(self._countdown_words(remaining_ms))
        if remaining_ms <= 0 or not self.isVisible():
            self._timer.stop()
            return
        # The text shows whole seconds rounded up; it changes when the remainder crosses one.
        until_change = int(remaining_ms % 1000) or 1000
        self._timer.start(until_change + _TICK_MARGIN_MS)

    def _countdown_words(self, remaining_ms: float) -> str:
        if remaining_ms <= 0:
            return self.tr("Nouveau code en préparation…")
        seconds = math.ceil(remaining_ms / 1000)
        minutes, seconds = divmod(seconds, 60)
        if minutes:
            return self.tr("Ce code est valable encore {m} min {s} s").format(m=minutes, s=seconds)
        return self.tr("Ce code est valable encore {s} s").format(s=seconds)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.tick()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        self._timer.stop()
        super().hideEvent(event)

    # -- words and sizes ---------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self._title.setText(self.tr("Bienvenue sur Foyer"))
        # Who may approve a pairing (backend/policy.py: MANAGE_DEVICES) is the care manager
        # alone: the words say so, so that a family member knows to pass the code on.
        self._instruction.setText(self.tr("Votre conseiller autonomie saisit ce code sur"))
        self._show_uri()
        self._scan_hint.setText(self.tr("ou scanne le carré avec son téléphone."))
        if self._expires_at is not None:
            self.tick()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._apply_sizes()

    def _apply_sizes(self) -> None:
        w, h = max(self.width(), 320), max(self.height(), 240)
        floor = sizing.min_text_px(h)  # home's floor: 32 px at 1280×800, whatever the scale
        base = max(sizing.base_font_px(h), floor)
        margin = max(16, h // 24)
        self._root.setContentsMargins(margin, margin, margin, margin)
        self._root.setSpacing(margin // 2)
        self._body.setSpacing(max(24, w // 28))

        self._title.setFont(theme.font(round(base * 1.5), bold=True))
        self._instruction.setFont(theme.font(base))
        self._scan_hint.setFont(theme.font(base))
        self._countdown.setFont(theme.font(max(floor, round(base * 0.95))))
        self._message_label.setFont(theme.font(round(base * 1.3), bold=True))

        qr_side = min(round(h * 0.56), round(w * 0.36))
        self._qr.setFixedSize(qr_side, qr_side)

        # The code: as large as the column allows, up to about a sixth of the screen height,
        # which at 800 px gives letters about 2 cm tall on a 10" tablet: readable from 2 m.
        column = w - 2 * margin - qr_side - self._body.spacing()
        box_padding = 2 * (max(12, base // 2) + 3)
        code_px = round(h * 0.17)
        sample = self._code_label.text() or "WDJB-MJHT"
        probe = _code_font(100)
        per_px = QFontMetrics(probe).horizontalAdvance(sample) / 100
        if per_px > 0:
            code_px = min(code_px, int((column - box_padding - 8) / per_px))
        self._code_label.setFont(_code_font(max(code_px, base)))
        # The address is typed letter by letter: bold, on one line, smaller only if it must be,
        # and never below the floor: a long one then wraps after a "/" or a ".".
        uri_px = round(base * 1.1)
        uri_width = QFontMetrics(theme.font(100, bold=True)).horizontalAdvance(self._uri or "x")
        uri_px = min(uri_px, int(column * 100 / max(uri_width, 1)) - 1)
        self._uri_label.setWordWrap(uri_px < floor)
        self._uri_label.setFont(theme.font(max(floor, uri_px), bold=True))
        self._show_uri()
        inner = max(12, base // 2)
        layout = self._code_box.layout()
        if layout is not None:
            layout.setContentsMargins(inner, inner // 2, inner, inner // 2)

    def _show_uri(self) -> None:
        wraps = self._uri_label.wordWrap()
        self._uri_label.setText(_wrappable_uri(self._uri) if wraps else self._uri)

    def _set_mode(self, *, code: bool) -> None:
        self._code_page.setVisible(code)
        self._message_label.setVisible(not code)

    def _label(
        self, name: str, colour: str, *, wrap: bool = False, parent: QWidget | None = None
    ) -> QLabel:
        label = QLabel(parent if parent is not None else self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(wrap)
        label.setStyleSheet(f"color: {colour}; background: transparent;")
        return label


def _wrappable_uri(uri: str) -> str:
    """`uri` with invisible break opportunities after its "/" and "." (nothing is added to what
    is typed: a zero-width space is not drawn)."""
    return re.sub(r"(?<=[/.])(?=[^/])", ZERO_WIDTH_SPACE, uri)


def _code_font(pixel_size: int) -> QFont:
    f = theme.font(pixel_size, bold=True, mono=True)
    # A little air between letters so that "MJHT" reads as four letters from across the room.
    f.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
    return f
