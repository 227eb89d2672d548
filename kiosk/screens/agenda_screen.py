"""The agenda: today and the coming days, one day at a time, with big "Avant"/"Après" buttons
(no swipe: a gesture that needs precision is no use to unsteady fingers)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, QEvent, QLocale, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from kiosk import i18n
from kiosk.home_view import AgendaDay, AgendaLine, LineState
from kiosk.screens.frame import ScreenFrame
from widgets import theme
from widgets.agenda_list import AgendaList, AgendaRow
from widgets.big_button import BigButton


def _hm(moment: datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


class AgendaScreen(ScreenFrame):
    def __init__(self, parent: QWidget | None = None, *, locale: QLocale | None = None) -> None:
        super().__init__("", parent)
        self._own_locale = locale is not None  # else it follows the language (kiosk.i18n)
        self._locale = locale if locale is not None else i18n.locale()
        self._days: tuple[AgendaDay, ...] = ()
        self._index = 0

        self.previous_button = BigButton(parent=self)
        self.previous_button.setObjectName("previousDay")
        self.next_button = BigButton(parent=self)
        self.next_button.setObjectName("nextDay")
        self._day_label = QLabel(self)
        self._day_label.setObjectName("dayName")
        self._day_label.setTextFormat(Qt.TextFormat.PlainText)
        self._day_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._day_label.setStyleSheet(f"color: {theme.TEXT}; background: transparent;")
        self.agenda = AgendaList(self)

        row = QHBoxLayout()
        row.addWidget(self.previous_button, 0)
        row.addWidget(self._day_label, 1)
        row.addWidget(self.next_button, 0)
        self.body.addLayout(row)
        self.body.addWidget(self.agenda, 1)

        self.previous_button.clicked.connect(lambda: self.show_day(self._index - 1))
        self.next_button.clicked.connect(lambda: self.show_day(self._index + 1))
        self._retranslate()

    # -- API ---------------------------------------------------------------------------------

    def set_days(self, days: tuple[AgendaDay, ...]) -> None:
        """New data keeps the day being looked at (a sync must not jump back to today)."""
        self._days = days
        self.show_day(min(self._index, max(0, len(days) - 1)))

    def reset(self) -> None:
        """Back to today (each time the screen is opened)."""
        self.show_day(0)

    def show_day(self, index: int) -> None:
        if not self._days:
            self._index = 0
            self.agenda.set_rows([])
            self._day_label.setText("")
            return
        self._index = max(0, min(index, len(self._days) - 1))
        day = self._days[self._index]
        self._day_label.setText(self._day_name(self._index))
        self.agenda.set_rows([self._row(line) for line in day.lines])
        self.previous_button.setEnabled(self._index > 0)
        self.next_button.setEnabled(self._index < len(self._days) - 1)

    def day_text(self) -> str:
        return self._day_label.text()

    def row_texts(self) -> list[str]:
        return self.agenda.row_texts()

    # -- words -------------------------------------------------------------------------------

    def _day_name(self, index: int) -> str:
        if index == 0:
            return self.tr("Aujourd'hui")
        if index == 1:
            return self.tr("Demain")
        day = self._days[index].day
        return self._locale.toString(QDate(day.year, day.month, day.day), "dddd d MMMM")

    def _row(self, line: AgendaLine) -> AgendaRow:
        badge = ""
        if line.state is LineState.CURRENT and line.arrived_at is not None:
            # Someone is there until they leave, whatever the planned end (as on home).
            badge = self.tr("En retard") if line.late else self.tr("En cours")
        elif line.state is LineState.CURRENT:
            badge = self.tr("En ce moment")
        elif line.state is LineState.NEXT:
            badge = self.tr("Prochaine visite")
        time_text = _hm(line.start)
        if line.end > line.start:
            time_text = f"{time_text} – {_hm(line.end)}"
        return AgendaRow(time_text, line.title, line.who, line.state.value, badge)

    def _retranslate(self) -> None:
        self.set_title(self.tr("Agenda"))
        self.previous_button.setText(self.tr("Avant"))
        self.next_button.setText(self.tr("Après"))
        self.agenda.set_empty_text(self.tr("Aucune visite ce jour-là"))
        if self._days:
            self.show_day(self._index)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            if not self._own_locale:
                self._locale = i18n.locale()
            self._retranslate()
        super().changeEvent(event)

    def apply_font_px(self, px: int) -> None:
        self._day_label.setFont(theme.font(round(px * 1.1), bold=True))
        for button in (self.previous_button, self.next_button):
            button.set_font_px(px)
        # The time, the names and the badge are smaller than the titles, never below the floor.
        self.agenda.set_base_font_px(round(px * 0.95), min_px=self.text_floor)
