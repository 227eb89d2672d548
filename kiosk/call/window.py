"""The call window: the other person large, oneself small in a corner, a huge red
« Raccrocher », the volume and the camera switch; what is happening in words at the top.

Only paints and forwards touches: frames arrive as QImages already at size (bridge.py).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QLabel, QSizePolicy, QWidget

from kiosk.call.bridge import FrameSlot
from kiosk.call.words import Words
from widgets import sizing, theme
from widgets.big_button import BigButton

BACKGROUND = "#000000"
BAR = "#1A1A1A"
ON_DARK = "#FFFFFF"
WARNING_BG = "#FFD54A"  # the connection is lost: black on amber, 13:1
HANGUP = "#A50016"  # white on it: 7.6:1
HANGUP_PRESSED = "#6E000F"
VOLUME_SHOWN_MS = 2500


class VideoView(QWidget):
    """An image centred on black, or a few words when there is none."""

    def __init__(self, slot: FrameSlot, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._slot = slot
        self._image: QImage | None = None
        self.placeholder = ""
        self.framed = False  # the self view: a white edge sets it apart from the other person
        self.frames_shown = 0
        self.after_resize: Callable[[], None] = lambda: None
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def show_image(self, image: QImage | None) -> None:
        self._image = image
        if image is not None:
            self.frames_shown += 1
        self.update()

    def has_image(self) -> bool:
        return self._image is not None

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        self._slot.set_box(self.width(), self.height())
        super().resizeEvent(event)
        self.after_resize()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(BACKGROUND))
        if self._image is not None:
            target = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x, y = (self.width() - target.width()) // 2, (self.height() - target.height()) // 2
            painter.drawImage(QRect(x, y, target.width(), target.height()), self._image)
        elif self.placeholder:
            painter.setPen(QColor(ON_DARK))
            painter.setFont(self.font())
            painter.drawText(
                self.rect(),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                self.placeholder,
            )
        if self.framed:
            painter.setPen(QColor(ON_DARK))
            painter.drawRect(self.rect().adjusted(1, 1, -2, -2))
            painter.drawRect(self.rect().adjusted(2, 2, -3, -3))
        painter.end()
        self._slot.painted()


class CallWindow(QWidget):
    def __init__(
        self,
        words: Words,
        remote_slot: FrameSlot,
        local_slot: FrameSlot,
        on_hangup: Callable[[], None],
        on_camera: Callable[[bool], None],
        on_volume: Callable[[int], None],
    ) -> None:
        super().__init__()
        self.words = words
        self.setWindowTitle("Foyer")
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"CallWindow {{ background: {BACKGROUND}; }}")
        self._status_text = ""
        self._camera_on = True
        self._on_camera = on_camera

        self.status = QLabel(self)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setWordWrap(True)
        self.remote = VideoView(remote_slot, self)
        self.remote.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.message = QLabel(self.remote)  # over the picture: ringing, connecting, the end
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ON_DARK}; background: {BACKGROUND};")
        self.local = VideoView(local_slot, self.remote)
        self.local.framed = True
        self.remote.after_resize = self._place_overlays

        self.quieter = BigButton(words.say("Moins fort"), self)
        self.louder = BigButton(words.say("Plus fort"), self)
        self.camera = BigButton(words.say("Couper la caméra"), self)
        self.hangup = BigButton(words.say("Raccrocher"), self)
        self.hangup.setStyleSheet(
            f"QPushButton {{ background-color: {HANGUP}; color: {ON_DARK};"
            f" border: 3px solid {HANGUP}; border-radius: 14px; padding: 8px 40px; }}"
            f"QPushButton:pressed {{ background-color: {HANGUP_PRESSED};"
            f" border: 3px solid {ON_DARK}; }}"
        )
        self.quieter.clicked.connect(lambda: on_volume(-1))
        self.louder.clicked.connect(lambda: on_volume(+1))
        self.camera.clicked.connect(self._toggle_camera)
        self.hangup.clicked.connect(on_hangup)

        self.buttons = QWidget(self)
        # The buttons in a row under the picture when they fit across the window, else in a
        # column beside it (800×480, or large text): never clipped.
        self._row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.buttons)
        self._row.setContentsMargins(0, 0, 0, 0)
        for button in (self.quieter, self.louder, self.camera):
            self._row.addWidget(button)
        self._row.addStretch(1)
        self._row.addWidget(self.hangup)
        self._layout = QGridLayout(self)
        self._layout.addWidget(self.status, 0, 0, 1, 2)
        self._layout.addWidget(self.remote, 1, 0)
        self._across: bool | None = None
        self._in_call = False

        self._volume_timer = QTimer(self)
        self._volume_timer.setSingleShot(True)
        self._volume_timer.timeout.connect(lambda: self._show_status(self._status_text))
        self.set_call_controls(False)
        self._apply_sizes()

    # -- what the engine says --------------------------------------------------------------
    def show_state(self, state: str, text: str) -> None:
        self._status_text = text
        self._show_status(text, warning=state == "recovering")
        self.set_call_controls(state in ("connected", "recovering"))
        if state in ("ringing", "connecting") and not self.remote.has_image():
            self._show_message(text)  # said once, large, in the middle
        elif self.remote.has_image():
            self.message.hide()
        self.status.setVisible(not self.message.isVisible())

    def show_note(self, text: str) -> None:
        """No camera: said where oneself would be seen."""
        self.local.placeholder = text
        self.local.show_image(None)

    def show_remote(self, image: QImage) -> None:
        self.remote.show_image(image)
        if self.message.isVisible() and self.buttons.isVisible():  # not once the call ended
            self.message.hide()
            self.status.show()

    def show_local(self, image: object) -> None:
        self.local.show_image(image if isinstance(image, QImage) else None)

    def show_volume(self, percent: int) -> None:
        self._show_status(self.words.say("Volume : {percent} %", percent=percent))
        self._volume_timer.start(VOLUME_SHOWN_MS)

    def show_end(self, sentence: str) -> None:
        self._volume_timer.stop()
        self.status.hide()
        self.remote.show_image(None)
        self.local.hide()
        self.buttons.hide()
        self._show_message(sentence)

    def set_call_controls(self, in_call: bool) -> None:
        self._in_call = in_call
        for button in (self.quieter, self.louder, self.camera):
            button.setVisible(in_call)
        self._arrange(self._layout.spacing())

    # -- inside ----------------------------------------------------------------------------
    def _toggle_camera(self) -> None:
        self._camera_on = not self._camera_on
        self._on_camera(self._camera_on)
        self.camera.setText(
            self.words.say("Couper la caméra" if self._camera_on else "Rallumer la caméra")
        )
        self.local.placeholder = "" if self._camera_on else self.words.say("Caméra coupée")
        if not self._camera_on:
            self.local.show_image(None)

    def _show_status(self, text: str, warning: bool = False) -> None:
        self.status.setText(text)
        background, colour = (WARNING_BG, "#000000") if warning else (BAR, ON_DARK)
        self.status.setStyleSheet(
            f"color: {colour}; background: {background}; padding: 8px; border-radius: 10px;"
        )

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.message.raise_()
        self._place_overlays()

    def _apply_sizes(self) -> None:
        height = self.height()
        body = max(sizing.base_font_px(height), sizing.min_text_px(height))
        self.status.setFont(theme.font(body, bold=True))
        self.message.setFont(theme.font(round(body * 1.4), bold=True))
        self.local.setFont(theme.font(body, bold=True))
        for button in (self.quieter, self.louder, self.camera, self.hangup):
            button.set_font_px(body)
        self.hangup.set_font_px(round(body * 1.15))
        touch = sizing.touch_px(self, height)
        for button in (self.quieter, self.louder, self.camera, self.hangup):
            button.setMinimumHeight(touch)
        self.hangup.setMinimumWidth(round(touch * 2.6))
        margin = max(8, height // 60)
        self._layout.setContentsMargins(margin, margin, margin, margin)
        self._layout.setSpacing(margin)
        self._row.setSpacing(margin)
        self._arrange(margin)

    def _arrange(self, margin: int) -> None:
        shown = (self.quieter, self.louder, self.camera) if self._in_call else ()
        buttons = (*shown, self.hangup)
        needed = sum(b.sizeHint().width() for b in buttons) + margin * (len(buttons) + 2)
        across = needed <= self.width()
        if across == self._across:
            return
        self._across = across
        self._layout.removeWidget(self.buttons)
        if across:
            self._row.setDirection(QBoxLayout.Direction.LeftToRight)
            self._layout.addWidget(self.buttons, 2, 0, 1, 2)
            self._layout.setColumnStretch(1, 0)
        else:
            self._row.setDirection(QBoxLayout.Direction.TopToBottom)
            self._layout.addWidget(self.buttons, 1, 1)
        self._layout.setColumnStretch(0, 1)
        self._layout.setRowStretch(1, 1)

    def _place_overlays(self) -> None:
        area = self.remote.rect()
        self.message.setGeometry(area.adjusted(24, 24, -24, -24))
        width = max(160, area.width() // 4)
        height = width * 3 // 4
        margin = 12
        self.local.setGeometry(
            area.width() - width - margin, area.height() - height - margin, width, height
        )
        self.local.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._apply_sizes()
