"""The home screen: the time, the date, who comes next, the day's visits and reminders.

It renders a `kiosk.home_view.HomeView` (computed without Qt) into words. It never reads the
store itself: the controller rebuilds the view when the clock says a minute or a day went by.

Its layout, top to bottom: a band with "Mes proches" on the left (`circle_requested`: what her
circle sees) and "Je suis un professionnel" in the middle; then two columns: on the left the
greeting (« Appeler » beside it once someone may be called: `call_requested`), the clock
and the date, and the next visit's card (or, during the check-in window,
"Tout va bien aujourd'hui ?" with one huge "Oui, je vais bien": `checkin_answered`); on the
right "Aujourd'hui" (the weather beside it when it fits on that line, else on a line of its
own at the bottom), the day's visits, then the reminders ("Prochain rappel : 18 h —
Médicaments du soir", "Rappels du jour : 1 fait, 1 pas fait"); the tiles at the bottom.

The reminders take their two lines from the visits' list, which keeps the visit under way and
the next ones first and says how many earlier ones it left out ("+ 1 visite plus tôt"); the
clock keeps its size. "Mes proches" sits where no other screen puts a way home: a double tap
on another screen's "Accueil" (top right) never lands on it, and a press held for seconds
(the maintenance corner's long press) is not a tap on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import (
    QDate,
    QElapsedTimer,
    QEvent,
    QLocale,
    QObject,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetrics, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from kiosk import i18n
from kiosk.home_view import AgendaLine, HomeView, LineState, ReminderSummary, ReminderWhen
from widgets import sizing, theme
from widgets.agenda_list import AgendaList, AgendaRow, ElidedLabel
from widgets.big_button import BigButton
from widgets.clock import ClockWidget
from widgets.tile import Tile

EVENING_HOUR = 18  # "Bonsoir" from 18:00
_LONGEST_DATE = "mercredi 30 septembre"
CHECKIN_THANKS_MS = 4000  # "Merci, bonne journée !" stays this long after the answer
# A press on "Mes proches" held this long is not a tap (the maintenance corner is held 3 s).
LONG_PRESS_MS = 1500
_OUTLINED_FROM = f"background-color: {theme.ACCENT};\n    color: {theme.ON_ACCENT};"
_OUTLINED_TO = f"background-color: {theme.SURFACE};\n    color: {theme.ACCENT};"


def hm(moment: datetime) -> str:
    """ "08:00": agenda times, zero-padded so the columns line up."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def h_m(moment: datetime) -> str:
    """ "8:00": times inside a sentence ("demain à 8:00")."""
    return f"{moment.hour}:{moment.minute:02d}"


def _break_in_two(text: str, fm: QFontMetrics, width: int) -> str:
    """`text` as it is when it fits `width`, else broken between words where the longer of
    the two lines is shortest."""
    words = text.split()
    if fm.horizontalAdvance(text) <= width or len(words) < 2:
        return text
    cut = min(
        range(1, len(words)),
        key=lambda i: max(
            fm.horizontalAdvance(" ".join(words[:i])), fm.horizontalAdvance(" ".join(words[i:]))
        ),
    )
    return " ".join(words[:cut]) + "\n" + " ".join(words[cut:])


class HomeScreen(QWidget):
    """Clock and date, greeting, the next visit, and today's agenda."""

    minute_changed = Signal(object)  # aware datetime, re-emitted from the clock
    day_changed = Signal(object)  # datetime.date, re-emitted from the clock
    tile_clicked = Signal(str)  # the module's name ("agenda", "messages"…)
    professional_requested = Signal()  # "Je suis un professionnel"
    circle_requested = Signal()  # "Mes proches"
    call_requested = Signal()  # « Appeler »
    checkin_answered = Signal()  # "Oui, je vais bien"

    def __init__(
        self,
        now_fn: Callable[[], datetime],
        parent: QWidget | None = None,
        *,
        locale: QLocale | None = None,
    ) -> None:
        super().__init__(parent)
        self._own_locale = locale is not None  # else it follows the language (kiosk.i18n)
        self._locale = locale if locale is not None else i18n.locale()
        self._view: HomeView | None = None

        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(theme.BACKGROUND))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(theme.TEXT))
        self.setPalette(palette)

        self._greeting = ElidedLabel(parent=self)  # holds a name: plain text, never clipped
        self._greeting.setObjectName("greeting")
        self._greeting.setStyleSheet(f"color: {theme.TEXT}; background: transparent;")
        self.clock = ClockWidget(now_fn, locale=self._locale, parent=self)
        self.clock.set_alignment(Qt.AlignmentFlag.AlignLeft)

        # The next visit, as a card: highlighted when there is one.
        self._panel = QFrame(self)
        self._panel.setObjectName("nextPanel")
        self._panel.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._next_badge = self._label("nextBadge", theme.ON_ACCENT_SOFT, parent=self._panel)
        self._next_when = self._label("nextWhen", theme.ON_ACCENT, parent=self._panel)
        self._next_title = ElidedLabel(parent=self._panel)
        self._next_title.setObjectName("nextTitle")
        self._next_who = ElidedLabel(parent=self._panel)
        self._next_who.setObjectName("nextWho")
        self._next_none = self._label("nextNone", theme.TEXT, parent=self._panel)
        self._next_none.setWordWrap(True)
        panel_layout = QVBoxLayout(self._panel)
        for widget in (
            self._next_badge,
            self._next_when,
            self._next_title,
            self._next_who,
            self._next_none,
        ):
            panel_layout.addWidget(widget)
        self._panel_layout = panel_layout

        # « Je vais bien »: in the card's place while the question is asked (and its thanks).
        self._checkin = QFrame(self)
        self._checkin.setObjectName("checkinPanel")
        self._checkin.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._checkin.setStyleSheet(
            f"#checkinPanel {{ background-color: {theme.SURFACE};"
            f" border: 3px solid {theme.ACCENT}; border-radius: 16px; }}"
        )
        self._checkin_question = self._label("checkinQuestion", theme.TEXT, parent=self._checkin)
        self._checkin_question.setWordWrap(True)
        self.checkin_button = BigButton(parent=self._checkin)
        self.checkin_button.setObjectName("checkinYes")
        self.checkin_button.setSizePolicy(
            QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding
        )
        self.checkin_button.clicked.connect(self._on_checkin)
        checkin_layout = QVBoxLayout(self._checkin)
        checkin_layout.addWidget(self._checkin_question)
        checkin_layout.addWidget(self.checkin_button)
        self._checkin_layout = checkin_layout
        self._checkin.hide()
        self._checkin_asking = False
        self._checkin_thanks = QTimer(self)
        self._checkin_thanks.setSingleShot(True)
        self._checkin_thanks.setInterval(CHECKIN_THANKS_MS)
        self._checkin_thanks.timeout.connect(self._end_checkin_thanks)

        self._agenda_heading = self._label("agendaHeading", theme.TEXT)
        self.agenda = AgendaList(self)
        # Its rows grow a line when it is too narrow for a badge beside the time, which it
        # knows only once resized: the room under it is shared again then (`_recheck_rows`).
        self._row_h_used = 0
        self.agenda.installEventFilter(self)
        self._offline = self._label("offline", theme.TEXT_MUTED)
        self._offline.hide()
        # The weather ("12 °C, nuageux"), filled by whoever knows it, hidden while empty: beside
        # "Aujourd'hui" when it fits there, else on a line of its own under the reminders.
        self._weather_text = ""
        self._weather_beside = self._label("weatherBeside", theme.TEXT)
        self._weather_beside.hide()
        self._weather = ElidedLabel(parent=self)
        self._weather.setObjectName("weatherGlance")
        self._weather.setStyleSheet(f"color: {theme.TEXT}; background: transparent;")
        self._weather.hide()
        # The reminders: the next one and today's done / not done; hidden when there is none.
        self._summary: ReminderSummary | None = None
        self._reminders = QWidget(self)
        self._reminders.setObjectName("reminders")
        self._reminders.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        # "Prochain rappel : 18 h — Médicaments du soir" on one line when it fits whole, else
        # "Prochain rappel : 18 h" and the title on the line below (shortened with "…" only if
        # it alone is wider than the column); then "Rappels du jour : 1 fait, 1 pas fait".
        self._reminder_next = ElidedLabel(parent=self._reminders)  # holds a title: never clipped
        self._reminder_next.setObjectName("reminderNext")
        self._reminder_title = ElidedLabel(parent=self._reminders)
        self._reminder_title.setObjectName("reminderTitle")
        for label in (self._reminder_next, self._reminder_title):
            label.setStyleSheet(f"color: {theme.TEXT}; background: transparent;")
        self._reminder_count = self._label("reminderCount", theme.TEXT, parent=self._reminders)
        self._reminder_count.setWordWrap(True)
        self._reminder_line = ""  # the one-line form
        self._reminder_when_text = ""  # "Prochain rappel : 18 h", the two-line form's first
        reminders_layout = QVBoxLayout(self._reminders)
        reminders_layout.setContentsMargins(0, 0, 0, 0)
        reminders_layout.setSpacing(0)
        reminders_layout.addWidget(self._reminder_next)
        reminders_layout.addWidget(self._reminder_title)
        reminders_layout.addWidget(self._reminder_count)
        self._reminders.hide()
        # Discreet: outlined, still a full-size touch target, alone in a band at the top where
        # no other screen ever draws a button (between the photo viewer's "Album" on the left
        # and every screen's "Accueil" on the right): a double tap on "Accueil" lands on
        # nothing here (tests/kiosk/test_home_layout.py).
        self.professional_button = BigButton(parent=self)
        self.professional_button.setObjectName("professionalEntry")
        self.professional_button.setStyleSheet(
            self.professional_button.styleSheet()
            .replace(_OUTLINED_FROM, _OUTLINED_TO, 1)
            .replace("padding: 8px 24px;", "padding: 2px 24px;")
        )
        self.professional_button.clicked.connect(self.professional_requested)
        self._professional_text = ""
        # "Mes proches": on the band's left, as discreet (outlined), shown once the circle is
        # known (`set_circle_entry`).
        self.circle_button = BigButton(parent=self)
        self.circle_button.setObjectName("circleEntry")
        self.circle_button.setStyleSheet(
            self.circle_button.styleSheet()
            .replace(_OUTLINED_FROM, _OUTLINED_TO, 1)
            .replace("padding: 8px 24px;", "padding: 2px 12px;")
        )
        self._circle_pressed = QElapsedTimer()
        self.circle_button.pressed.connect(self._circle_pressed.start)
        self.circle_button.clicked.connect(self._on_circle)
        self.circle_button.hide()
        self._circle_text = ""
        # « Appeler »: on the greeting's line, right of it, once someone may be called
        # (`set_call_entry`): the tiles' row has no room for a sixth tile (its badges would
        # shrink under the floor) and the left column none for a line of its own at 800×480.
        self.call_button = BigButton(parent=self)
        self.call_button.setObjectName("callEntry")
        self.call_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.call_button.clicked.connect(self.call_requested)
        self.call_button.hide()
        self.tiles: dict[str, Tile] = {}
        self._tile_labels: dict[str, str] = {}
        self._tile_row = QHBoxLayout()

        left = QVBoxLayout()
        left.setSpacing(0)
        greeting_row = QHBoxLayout()
        greeting_row.setContentsMargins(0, 0, 0, 0)
        greeting_row.addWidget(self._greeting, 1)
        greeting_row.addWidget(self.call_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._greeting_row = greeting_row
        left.addLayout(greeting_row)
        left.addWidget(self.clock)
        # The card follows the date closely: the eye goes from the time to who comes next.
        self._card_gap = QSpacerItem(0, 24, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        left.addItem(self._card_gap)
        left.addWidget(self._panel)
        left.addWidget(self._checkin)
        left.addStretch(1)
        self._left = left

        # The professional entry stays in the middle whatever the width of "Mes proches": a
        # spacer as wide mirrors it on the right.
        top = QHBoxLayout()
        top.setSpacing(0)
        top.addWidget(self.circle_button, 0)
        top.addStretch(1)
        top.addWidget(self.professional_button, 0)
        top.addStretch(1)
        self._mirror = QSpacerItem(0, 0, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum)
        top.addItem(self._mirror)
        self._top = top
        heading = QHBoxLayout()
        heading.setContentsMargins(0, 0, 0, 0)
        heading.addWidget(self._agenda_heading, 0)
        heading.addStretch(1)
        heading.addWidget(self._weather_beside, 0, Qt.AlignmentFlag.AlignBottom)
        self._heading_row = heading
        right = QVBoxLayout()
        right.setSpacing(0)
        right.addLayout(heading)
        right.addWidget(self.agenda, 0)
        right.addWidget(self._reminders)
        right.addWidget(self._weather)
        right.addStretch(1)  # the list is as tall as the rows it shows: the reminders follow it
        self._right = right

        self._columns = QHBoxLayout()
        self._columns.addLayout(left, 47)
        self._columns.addLayout(right, 53)

        self._root = QVBoxLayout(self)
        # Fonts follow the screen's size, so the screen must not demand a size of its own.
        self._root.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        self._root.addLayout(self._top)
        self._root.addLayout(self._columns, 1)
        self._root.addLayout(self._tile_row)
        self._root.addWidget(self._offline)

        self._connect_signals()
        self._retranslate()
        self._apply_sizes()

    def _connect_signals(self) -> None:
        self.clock.minute_changed.connect(self.minute_changed)
        self.clock.day_changed.connect(self.day_changed)

    # -- API ---------------------------------------------------------------------------------

    def set_view(self, view: HomeView) -> None:
        self._view = view
        self._render()

    def set_tiles(self, modules: list[str]) -> None:
        """One tile per module, in this order (the controller passes only the modules that
        are enabled and have a screen)."""
        if modules == list(self.tiles):
            return
        badges = {name: tile.badge() for name, tile in self.tiles.items()}
        for tile in self.tiles.values():
            self._tile_row.removeWidget(tile)
            tile.hide()  # deleted later, but never seen again meanwhile
            tile.deleteLater()
        self.tiles = {}
        for name in modules:
            tile = Tile(parent=self)
            tile.setObjectName(f"tile_{name}")
            tile.set_badge(badges.get(name, 0))
            tile.clicked.connect(lambda _=False, n=name: self.tile_clicked.emit(n))
            self._tile_row.addWidget(tile, 1)
            self.tiles[name] = tile
        self._label_tiles()
        self._apply_sizes()

    def tile_names(self) -> list[str]:
        return list(self.tiles)

    def set_badge(self, module: str, count: int) -> None:
        """Unread messages, new photos…: a number in the tile's corner (0 hides it)."""
        tile = self.tiles.get(module)
        if tile is not None:
            width = tile.badge_width()
            tile.set_badge(count)
            if tile.badge_width() != width:
                self._apply_sizes()  # the label keeps clear of the badge

    def set_weather_glance(self, text: str) -> None:
        self._weather_text = " ".join(text.split())
        self._weather.setText(self._weather_text)
        self._weather_beside.setText(self._weather_text)
        self._apply_sizes()  # beside "Aujourd'hui", or on a line of its own

    def weather_text(self) -> str:
        if self._weather_beside.isVisibleTo(self):
            return self._weather_beside.text()
        return self._weather.full_text() if self._weather.isVisibleTo(self) else ""

    def set_professional_entry(self, visible: bool) -> None:
        self.professional_button.setVisible(visible)
        self._apply_sizes()

    def set_circle_entry(self, visible: bool) -> None:
        """ "Mes proches", once there is a circle to show."""
        if visible != self.circle_button.isVisibleTo(self):
            self.circle_button.setVisible(visible)
            self._apply_sizes()

    def set_call_entry(self, visible: bool) -> None:
        """« Appeler », once someone may be called (docs/calls.md)."""
        if visible != self.call_button.isVisibleTo(self):
            self.call_button.setVisible(visible)
            self._apply_sizes()

    def set_reminders(self, summary: ReminderSummary | None) -> None:
        """The next reminder and today's done / not done (None: no reminder, nothing shown)."""
        if summary == self._summary:
            return
        self._summary = summary
        self._render_reminders()
        self._apply_sizes()  # the lines it may have, after the visits

    def reminder_texts(self) -> list[str]:
        """The reminders' lines as shown (the title whole)."""
        labels = (self._reminder_next, self._reminder_title, self._reminder_count)
        if not self._reminders.isVisibleTo(self):
            return []
        return [
            label.full_text() if isinstance(label, ElidedLabel) else label.text()
            for label in labels
            if label.isVisibleTo(self)
        ]

    def set_checkin(self, asking: bool) -> None:
        """ "Tout va bien aujourd'hui ?" in the card's place while `asking`."""
        if asking == self._checkin_asking:
            return
        self._checkin_asking = asking
        if asking:
            self._checkin_thanks.stop()
        if asking or not self._checkin_thanks.isActive():
            self._render_checkin()

    def checkin_text(self) -> str:
        """The question (or the thanks) while its panel is shown, else ""."""
        return self._checkin_question.text() if self._checkin.isVisibleTo(self) else ""

    def checkin_asking(self) -> bool:
        return self._checkin.isVisibleTo(self) and self.checkin_button.isVisibleTo(self)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(1280, 800)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(320, 240)

    def greeting_text(self) -> str:
        return self._greeting.full_text()

    def next_visit_text(self) -> str:
        """The visible lines of the next-visit card, joined with " · "."""
        if self._next_none.isVisibleTo(self):
            return self._next_none.text()
        parts = [self._next_badge.text(), self._next_when.text()]
        parts += [self._next_title.full_text(), self._next_who.full_text()]
        return " · ".join(p for p in parts if p)

    def agenda_texts(self) -> list[str]:
        """One string per visible agenda row (time · badge · title · who)."""
        return self.agenda.row_texts()

    def offline_text(self) -> str:
        return self._offline.text() if self._offline.isVisibleTo(self) else ""

    # -- intents -----------------------------------------------------------------------------

    def _on_circle(self) -> None:
        if self._circle_pressed.isValid() and self._circle_pressed.elapsed() >= LONG_PRESS_MS:
            return  # held, not tapped: the maintenance corner's long press
        self.circle_requested.emit()

    def _on_checkin(self) -> None:
        if not self._checkin_asking:
            return
        self._checkin_asking = False
        self._checkin_thanks.start()
        self._render_checkin()
        self.checkin_answered.emit()

    def _end_checkin_thanks(self) -> None:
        self._render_checkin()

    # -- words -------------------------------------------------------------------------------

    def _render(self) -> None:
        view = self._view
        if view is None:
            return
        now = view.now
        tz = now.tzinfo
        name = " ".join(view.first_name.split())
        if now.hour < EVENING_HOUR:
            greeting = self.tr("Bonjour {name}") if name else self.tr("Bonjour")
        else:
            greeting = self.tr("Bonsoir {name}") if name else self.tr("Bonsoir")
        self._greeting.setText(greeting.format(name=name))

        self._render_next(view.next_visit, now)

        rows = [self._row(line) for line in view.today]
        shape = [(row.state, bool(row.badge)) for row in self.agenda.rows()]
        self.agenda.set_rows(rows)
        offline = self._offline.isHidden()

        if view.offline_since is None:
            self._offline.hide()
            self._offline.setText("")
        else:
            since = view.offline_since.astimezone(tz)
            self._offline.setText(self._offline_words(since, now))
            self._offline.show()
        if shape != [(row.state, bool(row.badge)) for row in rows] or (
            offline != self._offline.isHidden()
        ):
            self._apply_sizes()  # the room under the visits follows what they need
            self._root.activate()  # and the list shows its rows now, not at the next paint

    def _render_reminders(self) -> None:
        """Their words; which lines show is decided with the room (`_fit_right_column`)."""
        summary = self._summary
        line = when = title = count = ""
        if summary is not None and summary.next_at is not None:
            when = self.tr("Prochain rappel : {when}").format(when=self._reminder_when(summary))
            title = summary.next_title
            line = self.tr("{next} — {title}").format(next=when, title=title)
        if summary is not None:
            count = self._count_words(summary.done, summary.not_done)
        self._reminder_line, self._reminder_when_text = line, when
        self._reminder_title.setText(title)
        self._reminder_count.setText(count)

    def _reminder_when(self, summary: ReminderSummary) -> str:
        at = summary.next_at
        assert at is not None
        if at.minute:
            time = self.tr("{hour} h {minute}").format(hour=at.hour, minute=f"{at.minute:02d}")
        else:
            time = self.tr("{hour} h").format(hour=at.hour)
        if summary.next_when is ReminderWhen.TOMORROW:
            return self.tr("demain {time}").format(time=time)
        if summary.next_when is ReminderWhen.LATER:
            day = self._locale.toString(QDate(at.year, at.month, at.day), "dddd")
            return self.tr("{day} {time}").format(day=day, time=time)
        return time

    def _count_words(self, done: int, not_done: int) -> str:
        """ "Rappels du jour : 1 fait, 2 pas faits" (French plurals chosen here)."""
        parts = []
        if done:
            parts.append(self.tr("1 fait") if done == 1 else self.tr("{n} faits").format(n=done))
        if not_done:
            parts.append(
                self.tr("1 pas fait")
                if not_done == 1
                else self.tr("{n} pas faits").format(n=not_done)
            )
        if not parts:
            return ""
        return self.tr("Rappels du jour : {counts}").format(counts=", ".join(parts))

    def _render_checkin(self) -> None:
        thanking = self._checkin_thanks.isActive()
        shown = self._checkin_asking or thanking
        if thanking:
            self._checkin_question.setText(self.tr("Merci, bonne journée !"))
        else:
            self._checkin_question.setText(self.tr("Tout va bien aujourd'hui ?"))
        self.checkin_button.setText(self.tr("Oui, je vais bien"))
        self.checkin_button.setVisible(self._checkin_asking and not thanking)
        self._checkin.setVisible(shown)
        self._panel.setVisible(not shown)
        self._apply_sizes()

    def _row(self, line: AgendaLine) -> AgendaRow:
        tz = self._view.now.tzinfo if self._view is not None else None
        start, end = line.start.astimezone(tz), line.end.astimezone(tz)
        badge = ""
        if line.state is LineState.CURRENT:
            badge = self._under_way_words(line)
        elif line.state is LineState.NEXT:
            badge = self.tr("Prochaine visite")
        return AgendaRow(
            time_text=self._span(start, end),
            title=line.title,
            who=line.who,
            state=line.state.value,
            badge=badge,
        )

    def _under_way_words(self, line: AgendaLine) -> str:
        """A visit under way: by the clock ("En ce moment"), or someone is there until they
        leave ("En cours", "En retard" when they came late), whatever its planned end."""
        if line.arrived_at is None:
            return self.tr("En ce moment")
        return self.tr("En retard") if line.late else self.tr("En cours")

    def _span(self, start: datetime, end: datetime) -> str:
        if end <= start:
            return hm(start)
        return f"{hm(start)} – {hm(end)}"

    def _render_next(self, line: AgendaLine | None, now: datetime) -> None:
        if line is None:
            self._next_none.setText(self.tr("Pas d'autre visite prévue"))
            self._set_panel(has_visit=False)
            return
        start = line.start.astimezone(now.tzinfo)
        end = line.end.astimezone(now.tzinfo)
        current = line.state is LineState.CURRENT
        self._next_badge.setText(
            self._under_way_words(line) if current else self.tr("Prochaine visite")
        )
        if start.date() == now.date() or current:
            when = self._span(start, end)
        elif start.date() == now.date() + timedelta(days=1):
            when = self.tr("demain à {time}").format(time=h_m(start))
        else:
            day = QDate(start.year, start.month, start.day)
            when = self.tr("{day} à {time}").format(
                day=self._locale.toString(day, "dddd d MMMM"), time=h_m(start)
            )
        self._next_when.setText(when)
        self._next_title.setText(line.title)
        self._next_who.setText(line.who)
        self._set_panel(has_visit=True)
        self._next_who.setVisible(bool(line.who))

    def _set_panel(self, *, has_visit: bool) -> None:
        for widget in (self._next_badge, self._next_when, self._next_title, self._next_who):
            widget.setVisible(has_visit)
        self._next_none.setVisible(not has_visit)
        if has_visit:
            style = (
                f"#nextPanel {{ background-color: {theme.ACCENT}; border-radius: 16px; }}"
                f" QLabel {{ color: {theme.ON_ACCENT}; background: transparent; }}"
                f" QLabel#nextBadge, QLabel#nextWho {{ color: {theme.ON_ACCENT_SOFT}; }}"
            )
        else:
            style = (
                f"#nextPanel {{ background-color: {theme.SURFACE};"
                f" border: 2px solid {theme.BORDER}; border-radius: 16px; }}"
                f" QLabel {{ color: {theme.TEXT}; background: transparent; }}"
            )
        self._panel.setStyleSheet(style)

    def _offline_words(self, since: datetime, now: datetime) -> str:
        if since.date() == now.date():
            return self.tr("Hors connexion depuis {time}").format(time=hm(since))
        if since.date() == now.date() - timedelta(days=1):
            return self.tr("Hors connexion depuis hier, {time}").format(time=hm(since))
        day = QDate(since.year, since.month, since.day)
        return self.tr("Hors connexion depuis le {day}").format(
            day=self._locale.toString(day, "dddd d MMMM")
        )

    def _label_tiles(self) -> None:
        labels = {
            "agenda": self.tr("Agenda"),
            "messages": self.tr("Messages"),
            "photos": self.tr("Photos"),
            "weather": self.tr("Météo"),
            "mood": self.tr("Mon humeur"),
        }
        for name in self.tiles:
            self._tile_labels[name] = labels.get(name, name)

    def _retranslate(self) -> None:
        self._agenda_heading.setText(self.tr("Aujourd'hui"))
        self._professional_text = self.tr("Je suis un professionnel")
        self.professional_button.setText(self._professional_text)
        self._circle_text = self.tr("Mes proches")
        self.circle_button.setText(self._circle_text)
        self.call_button.setText(self.tr("Appeler"))
        self._label_tiles()
        self._render_reminders()
        self._render_checkin()
        self._apply_sizes()
        self.agenda.set_empty_text(self.tr("Aucune visite aujourd'hui"))
        self._render()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            if not self._own_locale:
                self._locale = i18n.locale()
                self.clock.set_locale(self._locale)
            self._retranslate()
        super().changeEvent(event)

    # -- sizes -------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._apply_sizes()

    def _apply_sizes(self) -> None:
        w, h = max(self.width(), 320), max(self.height(), 240)
        base = sizing.base_font_px(h)
        # Nothing on home is smaller than this: 32 px at 1280×800, in proportion at 800×480.
        floor = sizing.min_text_px(h)
        margin = max(16, h // 25)
        # The top band starts where every other screen's title bar does (16 px down), so that
        # the professional entry stays above every screen's body.
        band = self.professional_button.isVisibleTo(self) or self.circle_button.isVisibleTo(self)
        top = 16 if band else margin
        self._root.setContentsMargins(margin, top, margin, margin // 2)
        self._root.setSpacing(margin // 3)
        self._columns.setSpacing(margin)
        self._left.setSpacing(max(4, base // 4))
        # The heading close to its list: the room goes to the visits (the professional entry's
        # band costs this column its 15 mm too).
        self._right.setSpacing(max(4, base // 6))

        left_width = (w - 2 * margin - margin) * 47 // 100
        # 15 mm on this window (90 px at 1280×800), as every other screen's buttons.
        pro_h = self._fit_professional_button(floor, sizing.touch_px(self, h))
        circle_h = self._fit_circle_button(floor, sizing.touch_px(self, h), w - 2 * margin)
        band_h = max(pro_h, circle_h)
        self._tile_row.setSpacing(max(6, margin // 3))
        tile_h = self._fit_tiles(w - 2 * margin, max(floor, base), floor, h)
        # The clock: about a quarter of the screen height, but never wider than its column.
        # The tile row and the professional entry take height from the left column's clock.
        column_h = h - top - margin // 2
        if self.tiles:
            column_h -= tile_h + margin // 3
        if band_h:
            column_h -= band_h + margin // 3
        share = 0.28 * column_h / h
        # Larger text (font_scale) takes the clock's room: the clock is big anyway.
        share /= max(1.0, sizing.font_scale())
        time_px = min(round(h * share), int(left_width / 3.3))
        self._card_gap.changeSize(
            0, min(24, margin), QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed
        )
        # The date: the longest French one must fit the column too.
        widest = QFontMetrics(theme.font(100)).horizontalAdvance(_LONGEST_DATE) / 100
        date_px = max(floor, min(round(base * 1.3), int(left_width / widest)))
        self.clock.set_pixel_sizes(time_px, date_px)
        self._greeting.setFont(theme.font(round(base * 1.3), bold=True))
        call_extra = self._size_call_button(base, floor, margin)

        pad = max(12, base // 2)
        self._panel_layout.setContentsMargins(pad, pad * 3 // 4, pad, pad * 3 // 4)
        self._panel_layout.setSpacing(max(2, base // 8))
        self._agenda_heading.setFont(theme.font(max(floor, round(base * 1.1)), bold=True))
        self._weather.setFont(theme.font(max(floor, round(base * 1.0)), bold=True))
        self._weather_beside.setFont(self._weather.font())
        reminder_px = max(floor, round(base * 0.85))
        self._reminder_next.setFont(theme.font(reminder_px, bold=True))
        self._reminder_title.setFont(theme.font(reminder_px, bold=True))
        self._reminder_count.setFont(theme.font(reminder_px))
        # The day's visits: the most important text, read from across the room.
        agenda_px = round(base * 0.95)
        self.agenda.set_base_font_px(agenda_px, min_px=floor)
        self._offline.setFont(theme.font(max(floor, round(base * 0.7))))
        right_h = column_h
        if not self._offline.isHidden():
            right_h -= self._offline.sizeHint().height() + margin // 3
        self._fit_right_column(
            right_h, w - 2 * margin - margin - left_width, margin, agenda_px, floor
        )

        # Whatever its share, the clock leaves the left column room for the greeting, the
        # date and the whole card. When the room lacks (larger text, a small screen) the card's
        # larger lines shrink first, then the clock; the clock stays at least twice the text.
        rest = column_h - min(24, margin) - 3 * self._left.spacing()
        rest -= self._greeting.sizeHint().height() + QFontMetrics(theme.font(date_px)).height()
        rest -= call_extra
        if not self._offline.isHidden():
            rest -= self._offline.sizeHint().height() + margin // 3
        for k in (1.0, 0.9, 0.8, 0.7):
            card_h = self._size_visit_card(base, floor, pad, k)
            fit = int((rest - card_h) / 1.2)  # the time's line is about 1.2 times its size
            if fit >= min(time_px, 2 * floor):
                break
        if not self._checkin.isHidden():
            # "Tout va bien aujourd'hui ?" in the card's place, its button as large as it can
            # be while the clock keeps most of the size the visit's card leaves it.
            keep = int(min(fit, time_px) * 0.85)
            for k in (1.0, 0.9, 0.8, 0.7, 0.6):
                card_h = self._size_checkin(base, floor, pad, k)
                fit = int((rest - card_h) / 1.2)
                if fit >= keep:
                    break
        if fit < time_px:
            self.clock.set_pixel_sizes(max(floor, fit), date_px)

    def _fit_right_column(
        self, column_h: int, column_w: int, gap: int, agenda_px: int, floor: int
    ) -> None:
        """What goes under the visits. The weather beside "Aujourd'hui" when its whole text
        fits there. Then the visits keep the room for every visit still to come that they had
        before the reminders came (earlier ones may fold into "+ 1 visite plus tôt"); what
        is left takes, in this order and while it fits, the next reminder, today's done / not
        done, and the weather's own line (when it is not beside the heading)."""
        text = self._weather_text
        heading_fm = QFontMetrics(self._agenda_heading.font())
        weather_fm = QFontMetrics(self._weather_beside.font())
        heading_w = heading_fm.horizontalAdvance(self._agenda_heading.text())
        beside = bool(text) and heading_w + gap + weather_fm.horizontalAdvance(text) + 4 <= column_w
        self._weather_beside.setVisible(beside)
        spacing = self._right.spacing()
        heading_h = max(heading_fm.height(), weather_fm.height() if beside else 0)
        weather_h = QFontMetrics(self._weather.font()).height() + spacing
        before = column_h - heading_h - spacing - (weather_h if text else 0)
        metrics = self._list_metrics(agenda_px, floor)
        room = column_h - heading_h - spacing - min(self._list_height(metrics, None), before)
        free = room  # what the lines under the visits may take
        room -= spacing  # between the visits and the reminders
        line_h = QFontMetrics(self._reminder_next.font()).height()
        # The next reminder: on one line if it fits whole; else on two if there is room for
        # them (its title below); else only when it is ("Prochain rappel : 18 h").
        whole = QFontMetrics(self._reminder_next.font()).horizontalAdvance(self._reminder_line)
        lines = 0
        if self._reminder_line and line_h <= room:
            lines = 1 if whole <= column_w - 2 or 2 * line_h > room else 2
        one_line = self._reminder_line if whole <= column_w - 2 else self._reminder_when_text
        self._reminder_next.setText(one_line if lines == 1 else self._reminder_when_text)
        self._reminder_next.setVisible(lines > 0)
        self._reminder_title.setVisible(lines == 2)
        room -= lines * line_h
        # Today's done / not done, after it (wrapped on two lines if it must).
        count = self._reminder_count
        count_h = count.heightForWidth(column_w) if count.text() else 0
        show_count = bool(count.text()) and (lines > 0 or not self._reminder_line)
        show_count = show_count and 0 < count_h <= room
        count.setVisible(show_count)
        if show_count:
            room -= count_h
        self._reminders.setVisible(lines > 0 or show_count)
        if lines == 0 and not show_count:
            room += spacing
        own_line = bool(text) and not beside and weather_h <= room
        self._weather.setVisible(own_line)
        if own_line:
            room -= weather_h
        # The list as tall as the rows it shows in what is left, so nothing floats below it.
        available = column_h - heading_h - spacing - (free - room)
        self.agenda.setMaximumHeight(max(self._list_height(metrics, available), 1))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.agenda and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self._recheck_rows)  # after the list laid itself out
        return super().eventFilter(watched, event)

    def _recheck_rows(self) -> None:
        if self._row_h_used and self.agenda.row_height() != self._row_h_used:
            self._apply_sizes()

    def _list_metrics(self, agenda_px: int, floor: int) -> tuple[int, int, int, int]:
        """(row height, spacing, a "+ 1 visite plus tôt" line's height, the empty text's
        height) of the visits' list, as `widgets.agenda_list.AgendaList` lays itself out."""
        spacing = max(6, agenda_px // 3)
        more_h = QFontMetrics(theme.font(max(floor, round(agenda_px * 0.8)))).height()
        empty_h = 2 * QFontMetrics(theme.font(max(floor, agenda_px))).height()
        self._row_h_used = self.agenda.row_height()
        return self._row_h_used, spacing, more_h, empty_h

    def _list_height(self, metrics: tuple[int, int, int, int], available: int | None) -> int:
        """The height of the rows the list shows in `available` pixels (as AgendaList picks
        them: the visit under way and the next first, then later ones, then earlier ones); with
        None, of every visit still to come, the earlier ones folded into one line."""
        row_h, spacing, more_h, empty_h = metrics
        rows = self.agenda.rows()
        if not rows:  # "Aucune visite aujourd'hui", on two lines at most
            return empty_h
        upcoming = [i for i, r in enumerate(rows) if r.state != "past"]
        past = [i for i, r in enumerate(rows) if r.state == "past"]
        upcoming.sort(key=lambda i: (0 if rows[i].highlighted else 1, i))
        priority = upcoming + list(reversed(past))
        counts = range(len(rows), -1, -1) if available is not None else [len(upcoming)]
        needed = 0
        for k in counts:
            chosen = priority[:k]
            before = sum(1 for i in past if i not in chosen)
            after = sum(1 for i in upcoming if i not in chosen)
            needed = k * row_h + max(k - 1, 0) * spacing
            needed += (before > 0) * (more_h + spacing) + (after > 0) * (more_h + spacing)
            if available is None or needed <= available or k == 0:
                break
        return needed + 2  # rounding: never one pixel short of the last row

    def _size_checkin(self, base: int, floor: int, pad: int, k: float) -> int:
        """ "Tout va bien aujourd'hui ?" and its huge button (one and a half times 15 mm, less
        when the room lacks, never less than 15 mm); returns the panel's height."""
        h = max(self.height(), 240)
        touch = sizing.touch_px(self, h)
        self._checkin_layout.setContentsMargins(pad, pad, pad, pad)
        self._checkin_layout.setSpacing(pad)
        inside = max(1, self._left_width() - 2 * pad - 6)
        # The question on one line when it can be, at no less than the floor.
        per_px = QFontMetrics(theme.font(100, bold=True)).horizontalAdvance(
            self._checkin_question.text()
        )
        one_line = int(inside * 100 / max(per_px, 1)) - 1
        question_px = max(floor, min(round(base * 1.2 * k), one_line))
        self._checkin_question.setFont(theme.font(question_px, bold=True))
        # Its words on one line inside its padding (24 px each side) and border (3 px).
        per_px = QFontMetrics(theme.font(100, bold=True)).horizontalAdvance(
            self.checkin_button.text()
        )
        button_fit = int((inside - 2 * 24 - 2 * 3 - 4) * 100 / max(per_px, 1))
        button_px = max(floor, min(round(base * 1.3 * k), button_fit))
        self.checkin_button.set_font_px(button_px)
        button_fm = QFontMetrics(theme.font(button_px, bold=True))
        button_h = max(touch, round(touch * (0.5 + k)), button_fm.height() + 2 * 11 + 6)
        # The panel is exactly this tall: the button takes what the question leaves.
        self.checkin_button.setMaximumHeight(button_h)
        question_h = self._checkin_question.heightForWidth(inside)
        height = question_h + 2 * pad + 6
        if not self.checkin_button.isHidden():
            height += pad + button_h
        self._checkin.setFixedHeight(height)
        return height

    def _size_call_button(self, base: int, floor: int, gap: int) -> int:
        """« Appeler » right of the greeting: at the home's smallest text size, 15 mm high,
        as wide as its word needs; the greeting shrinks (never under the floor) to fit beside
        it. Returns how much taller than the greeting alone the line is (0 when hidden)."""
        self._greeting_row.setSpacing(gap)
        if self.call_button.isHidden():
            return 0
        h = max(self.height(), 240)
        fm = QFontMetrics(theme.font(floor, bold=True))
        self.call_button.set_font_px(floor)
        touch = sizing.touch_px(self, h)
        height = max(touch, fm.height() + 2 * 11 + 6 + 2)
        word = fm.horizontalAdvance(self.call_button.text()) + 2 * 24 + 6 + 8
        width = max(touch, word)
        self.call_button.setFixedSize(width, height)
        room = self._left_width() - width - gap
        per_px = QFontMetrics(theme.font(100, bold=True)).horizontalAdvance(
            self._greeting.full_text()
        )
        fit = int(room * 100 / max(per_px, 1)) - 1
        px = max(floor, min(round(base * 1.3), fit))
        self._greeting.setFont(theme.font(px, bold=True))
        return max(0, height - self._greeting.sizeHint().height())

    def _left_width(self) -> int:
        w, h = max(self.width(), 320), max(self.height(), 240)
        margin = max(16, h // 25)
        return (w - 2 * margin - margin) * 47 // 100

    def _size_visit_card(self, base: int, floor: int, pad: int, k: float) -> int:
        """The next-visit card's fonts, its larger lines times `k`; returns its height."""
        self._next_badge.setFont(theme.font(max(floor, round(base * 0.9)), bold=True))
        self._next_when.setFont(theme.font(max(floor, round(base * 1.4 * k)), bold=True))
        self._next_title.setFont(theme.font(max(floor, round(base * 1.2 * k)), bold=True))
        self._next_who.setFont(theme.font(max(floor, round(base * 1.0))))
        self._next_none.setFont(theme.font(max(floor, round(base * 1.2 * k)), bold=True))
        card = [w for w in (self._next_badge, self._next_when, self._next_title,
                            self._next_who, self._next_none) if not w.isHidden()]  # fmt: skip
        card_h = sum(w.sizeHint().height() for w in card) + pad * 3 // 2
        return card_h + self._panel_layout.spacing() * max(0, len(card) - 1)

    def _fit_tiles(self, row_width: int, wanted_px: int, floor: int, window_h: int) -> int:
        """One size for every tile, as large as the visits' titles, on one line or two (a
        long label breaks between words), and never smaller than `floor`; the tiles at least
        15 mm high. Returns the tiles' height (0 without tiles)."""
        if not self.tiles:
            return 0
        spacing = self._tile_row.spacing()
        inside = (row_width - spacing * (len(self.tiles) - 1)) // len(self.tiles) - 2 * 3 - 2
        texts = {name: self._tile_labels.get(name, name) for name in self.tiles}
        # The unread count is read too: as large as the smallest text, unless a label could
        # not fit beside it ("99+").
        floor_fm = QFontMetrics(theme.font(floor, bold=True))
        badge_px = floor
        for name, tile in self.tiles.items():
            tile.set_badge_font_px(floor)
            if floor_fm.horizontalAdvance(texts[name]) + tile.badge_width() > inside:
                badge_px = max(14, floor * 3 // 4)
        for tile in self.tiles.values():
            tile.set_badge_font_px(badge_px)

        def fits(fm: QFontMetrics, broken: dict[str, str]) -> bool:
            return all(
                max(map(fm.horizontalAdvance, text.split("\n"))) + self.tiles[name].badge_width()
                <= inside
                for name, text in broken.items()
            )

        # One line at the largest size that fits, else two lines (one line wins: height is
        # what the small screen lacks).
        sizes = range(wanted_px, floor - 1, -1)
        for candidate, may_break in [(c, False) for c in sizes] + [(c, True) for c in sizes]:
            fm = QFontMetrics(theme.font(candidate, bold=True))
            broken = {
                name: _break_in_two(text, fm, inside - self.tiles[name].badge_width())
                if may_break
                else text
                for name, text in texts.items()
            }
            if fits(fm, broken):
                break
        # Else none fits: the last one tried, the floor's size broken in two, is the least bad.
        px, texts = candidate, broken
        lines = max(t.count("\n") + 1 for t in texts.values())
        fm = QFontMetrics(theme.font(px, bold=True))
        height = max(sizing.touch_px(self, window_h), lines * fm.height() + 6 + 6 + 6 + 4)
        for name, tile in self.tiles.items():
            tile.set_font_px(px)
            tile.setText(texts[name])
            tile.set_height(height)
        return height

    def _fit_circle_button(self, px: int, height: int, band_w: int) -> int:
        """ "Mes proches" at the home's smallest text size, on one line if it fits left of the
        professional entry (which stays in the middle), else on two; as high as the band.
        Returns its height (0 when hidden)."""
        if not self.circle_button.isVisibleTo(self):
            self._mirror.changeSize(0, 0, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum)
            self._top.invalidate()
            return 0
        self.circle_button.set_font_px(px)
        fm = QFontMetrics(theme.font(px, bold=True))
        pro_w = 0
        if self.professional_button.isVisibleTo(self):
            pro_w = max(
                self.professional_button.minimumWidth(),
                self.professional_button.sizeHint().width(),
            )
        room = (band_w - pro_w) // 2 - 12  # a gap before the professional entry
        pads = 2 * 12 + 6 + 4  # the style's padding, its border, a little air
        text = self._circle_text
        if fm.horizontalAdvance(text) + pads > room:
            text = _break_in_two(text, fm, room - pads)
        lines = text.split("\n")
        width = max(map(fm.horizontalAdvance, lines)) + pads
        side = max(height, len(lines) * fm.height() + 2 * 2 + 6 + 2)
        self.circle_button.setText(text)
        self.circle_button.setFixedSize(max(width, sizing.touch_px(self, self.height())), side)
        self._mirror.changeSize(
            self.circle_button.width(), 0, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum
        )
        self._top.invalidate()
        return side

    def _fit_professional_button(self, px: int, height: int) -> int:
        """On one line, at the home's smallest text size, no taller than every other screen's
        title bar. Returns its height (0 when hidden)."""
        if not self.professional_button.isVisibleTo(self):
            return 0
        self.professional_button.set_font_px(px)
        self.professional_button.setText(self._professional_text)
        fm = QFontMetrics(theme.font(px, bold=True))
        side = max(height, fm.height() + 2 * 2 + 6 + 2)
        self.professional_button.setFixedHeight(side)
        self.professional_button.setMinimumWidth(fm.horizontalAdvance(self._professional_text) + 60)
        return side

    def _label(self, name: str, colour: str, *, parent: QWidget | None = None) -> QLabel:
        label = QLabel(parent if parent is not None else self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet(f"color: {colour}; background: transparent;")
        return label
