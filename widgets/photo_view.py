"""A photo that cross-fades into the next one, letterboxed on the theme background.

The fade is driven by a QTimer at a modest frame rate (25 frames a second: smooth enough for a
slow dissolve, light on a Raspberry Pi) and only while the widget is visible: hiding it stops
the timer and finishes the fade at once. Each picture is scaled once per widget size (not per
frame), keeping its aspect ratio. Mouse presses are not taken: they reach the parent, so a
photo frame can treat any touch as "go home".
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from widgets import theme

FRAME_MS = 40  # 25 frames a second
DEFAULT_FADE_MS = 800


def fit_rect(image: QSize, box: QRect) -> QRect:
    """The largest rectangle of `image`'s aspect ratio centred in `box`."""
    if image.isEmpty() or box.isEmpty():
        return QRect(box.topLeft(), QSize(0, 0))
    size = image.scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
    x = box.x() + (box.width() - size.width()) // 2
    y = box.y() + (box.height() - size.height()) // 2
    return QRect(x, y, size.width(), size.height())


class PhotoView(QWidget):
    fade_finished = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        fade_ms: int = DEFAULT_FADE_MS,
        background: str = theme.BACKGROUND,
    ) -> None:
        super().__init__(parent)
        self._fade_ms = max(0, fade_ms)
        self._background = QColor(background)
        self._current: QPixmap | None = None
        self._previous: QPixmap | None = None
        self._scaled: dict[int, QPixmap] = {}  # cacheKey → pixmap scaled for this size
        self._progress = 1.0
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._step)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(80, 60)

    # -- what it shows --------------------------------------------------------------------
    def set_pixmap(self, pixmap: QPixmap | None, *, animate: bool = True) -> None:
        """Show `pixmap` (None: only the background), fading from the current picture."""
        if pixmap is not None and pixmap.isNull():
            pixmap = None
        same = (
            pixmap is not None
            and self._current is not None
            and pixmap.cacheKey() == self._current.cacheKey()
        )
        if same:
            return
        self._previous = self._current if animate else None
        self._current = pixmap
        self._rescale()
        if animate and self._fade_ms > 0 and self._previous is not None and self.isVisible():
            self._progress = 0.0
            self._clock.start()
            self._timer.start()
        else:
            self._finish()
        self.update()

    def pixmap(self) -> QPixmap | None:
        return self._current

    def is_fading(self) -> bool:
        return self._timer.isActive()

    def fade_progress(self) -> float:
        return self._progress

    def set_fade_ms(self, fade_ms: int) -> None:
        self._fade_ms = max(0, fade_ms)

    # -- animation ------------------------------------------------------------------------
    def _step(self) -> None:
        if not self.isVisible():
            self._finish()
            return
        self._progress = min(1.0, self._clock.elapsed() / max(1, self._fade_ms))
        if self._progress >= 1.0:
            self._finish()
        self.update()

    def _finish(self) -> None:
        was_fading = self._timer.isActive()
        self._timer.stop()
        self._progress = 1.0
        self._previous = None
        self._rescale()
        if was_fading:
            self.fade_finished.emit()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        self._finish()  # nothing ticks that nobody sees
        super().hideEvent(event)

    # -- drawing --------------------------------------------------------------------------
    def _rescale(self) -> None:
        wanted = [p for p in (self._current, self._previous) if p is not None]
        keys = {p.cacheKey() for p in wanted}
        self._scaled = {k: v for k, v in self._scaled.items() if k in keys}
        for pixmap in wanted:
            if pixmap.cacheKey() not in self._scaled:
                target = fit_rect(pixmap.size(), self.rect()).size()
                if target.isEmpty():
                    continue
                if target == pixmap.size():  # decoded for this very size: used as it is
                    self._scaled[pixmap.cacheKey()] = pixmap
                    continue
                self._scaled[pixmap.cacheKey()] = pixmap.scaled(
                    target,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        self._scaled = {}
        self._rescale()
        super().resizeEvent(event)

    def _draw(self, painter: QPainter, pixmap: QPixmap, opacity: float) -> None:
        scaled = self._scaled.get(pixmap.cacheKey())
        if scaled is None:
            return
        painter.setOpacity(opacity)
        painter.drawPixmap(fit_rect(scaled.size(), self.rect()), scaled)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.fillRect(self.rect(), self._background)
        if self._previous is not None and self._progress < 1.0:
            self._draw(painter, self._previous, 1.0 - self._progress)
        if self._current is not None:
            self._draw(painter, self._current, self._progress)
        painter.end()
