"""A big wall clock: "10:42" and, below it, "dimanche 22 novembre"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QDate, QLocale, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from widgets import theme

# Fire a little after the minute turns, so a timer that is a few ms early still sees the new minute.
_MARGIN_MS = 50


def format_time(moment: datetime) -> str:
    """24-hour "HH:MM", as French clocks show it."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def format_date(day: date, locale: QLocale | None = None) -> str:
    """The day in words, e.g. "dimanche 22 novembre" (French unless told otherwise)."""
    loc = locale if locale is not None else QLocale(QLocale.Language.French)
    return loc.toString(QDate(day.year, day.month, day.day), "dddd d MMMM")


def ms_to_next_minute(moment: datetime) -> int:
    """Milliseconds from `moment` to just after the next minute boundary."""
    into_minute_ms = moment.second * 1000 + moment.microsecond // 1000
    return 60_000 - into_minute_ms + _MARGIN_MS


class ClockWidget(QWidget):
    """Hours and minutes in very large type, with an optional date line.

    The timer runs only while the widget is visible and wakes once a minute, at the minute
    boundary, so an idle tablet stays idle. Time comes from `now_fn` (aware datetimes, in the
    beneficiary's time zone), so tests control it.
    """

    minute_changed = Signal(object)  # the aware datetime, at the new minute
    day_changed = Signal(object)  # the new datetime.date

    def __init__(
        self,
        now_fn: Callable[[], datetime],
        *,
        show_date: bool = True,
        locale: QLocale | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._now_fn = now_fn
        self._locale = locale if locale is not None else QLocale(QLocale.Language.French)
        self._shown_minute: datetime | None = None
        self._shown_day: date | None = None

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # One wake-up a minute: precision costs nothing and the minute turns on time.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.tick)

        self._time_label = QLabel(self)
        self._time_label.setObjectName("clockTime")
        self._time_label.setTextFormat(Qt.TextFormat.PlainText)
        self._date_label = QLabel(self)
        self._date_label.setObjectName("clockDate")
        self._date_label.setTextFormat(Qt.TextFormat.PlainText)
        self._date_label.setVisible(show_date)
        for label in (self._time_label, self._date_label):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._time_label)
        layout.addWidget(self._date_label)

        self.set_alignment(Qt.AlignmentFlag.AlignHCenter)
        self.set_pixel_sizes(120, 36)
        self.set_colour(theme.TEXT)
        self._update(emit=False)

    # -- appearance --------------------------------------------------------------------------

    def set_pixel_sizes(self, time_px: int, date_px: int) -> None:
        """Font sizes of the time and of the date line, in pixels."""
        self._time_label.setFont(theme.font(time_px, bold=True))
        self._date_label.setFont(theme.font(date_px))

    def set_alignment(self, alignment: Qt.AlignmentFlag) -> None:
        for label in (self._time_label, self._date_label):
            label.setAlignment(alignment | Qt.AlignmentFlag.AlignVCenter)

    def set_colour(self, colour: str) -> None:
        self.setStyleSheet(f"QLabel {{ color: {colour}; background: transparent; }}")

    def set_date_visible(self, visible: bool) -> None:
        self._date_label.setVisible(visible)

    # -- what tests and screens read ---------------------------------------------------------

    def time_text(self) -> str:
        return self._time_label.text()

    def date_text(self) -> str:
        return self._date_label.text()

    def is_ticking(self) -> bool:
        return self._timer.isActive()

    # -- time --------------------------------------------------------------------------------

    @Slot()
    def tick(self) -> None:
        """Read the time, redraw if the minute changed, and wait for the next minute."""
        now = self._update(emit=True)
        if self.isVisible():
            self._timer.start(ms_to_next_minute(now))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        # The minute or even the day may have changed while hidden.
        self.tick()

    def set_locale(self, locale: QLocale) -> None:
        """Day and month names in another language, at once."""
        self._locale = locale
        self._shown_minute = None  # redraw even within the same minute
        self._update(emit=False)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        self._timer.stop()
        super().hideEvent(event)

    def _update(self, *, emit: bool) -> datetime:
        now = self._now_fn()
        minute = now.replace(second=0, microsecond=0)
        if minute == self._shown_minute:
            return now
        previous_day = self._shown_day
        self._shown_minute = minute
        self._shown_day = now.date()
        self._time_label.setText(format_time(now))
        self._date_label.setText(format_date(now.date(), self._locale))
        if emit:
            self.minute_changed.emit(now)
            if previous_day is not None and previous_day != now.date():
                self.day_changed.emit(now.date())
        return now
