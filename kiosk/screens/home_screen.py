"""The home screen: the time, the date, who comes next, and the day's visits.

It renders a `kiosk.home_view.HomeView` (computed without Qt) into words. It never reads the
store itself: the controller rebuilds the view when the clock says a minute or a day went by.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QDate, QEvent, QLocale, QSize, Qt, Signal
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
from kiosk.home_view import AgendaLine, HomeView, LineState
from widgets import sizing, theme
from widgets.agenda_list import AgendaList, AgendaRow, ElidedLabel
from widgets.big_button import BigButton
from widgets.clock import ClockWidget
from widgets.tile import Tile

EVENING_HOUR = 18  # "Bonsoir" from 18:00
_LONGEST_DATE = "mercredi 30 septembre"


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

        self._agenda_heading = self._label("agendaHeading", theme.TEXT)
        self.agenda = AgendaList(self)
        self._offline = self._label("offline", theme.TEXT_MUTED)
        self._offline.hide()
        # A small slot under the next visit for the weather ("12 °C, nuageux"), filled by
        # whoever knows the weather; hidden while empty.
        self._weather = ElidedLabel(parent=self)
        self._weather.setObjectName("weatherGlance")
        self._weather.setStyleSheet(f"color: {theme.TEXT}; background: transparent;")
        self._weather.hide()
        # Discreet: outlined, still a full-size touch target, alone in a band at the top where
        # no other screen ever draws a button (between the photo viewer's "Album" on the left
        # and every screen's "Accueil" on the right): a double tap on "Accueil" lands on
        # nothing here (tests/kiosk/test_home_layout.py).
        self.professional_button = BigButton(parent=self)
        self.professional_button.setObjectName("professionalEntry")
        self.professional_button.setStyleSheet(
            self.professional_button.styleSheet()
            .replace(
                f"background-color: {theme.ACCENT};\n    color: {theme.ON_ACCENT};",
                f"background-color: {theme.SURFACE};\n    color: {theme.ACCENT};",
                1,
            )
            .replace("padding: 8px 24px;", "padding: 2px 24px;")
        )
        self.professional_button.clicked.connect(self.professional_requested)
        self._professional_text = ""
        self.tiles: dict[str, Tile] = {}
        self._tile_labels: dict[str, str] = {}
        self._tile_row = QHBoxLayout()

        left = QVBoxLayout()
        left.setSpacing(0)
        left.addWidget(self._greeting)
        left.addWidget(self.clock)
        # The card follows the date closely: the eye goes from the time to who comes next.
        self._card_gap = QSpacerItem(0, 24, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        left.addItem(self._card_gap)
        left.addWidget(self._panel)
        left.addStretch(1)
        self._left = left

        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.professional_button, 0)
        top.addStretch(1)
        self._top = top
        right = QVBoxLayout()
        right.setSpacing(0)
        right.addWidget(self._agenda_heading)
        right.addWidget(self.agenda, 1)
        right.addWidget(self._weather)
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
        self._weather.setText(text)
        self._weather.setVisible(bool(text))

    def weather_text(self) -> str:
        return self._weather.full_text() if self._weather.isVisibleTo(self) else ""

    def set_professional_entry(self, visible: bool) -> None:
        self.professional_button.setVisible(visible)
        self._apply_sizes()

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
        self.agenda.set_rows(rows)

        if view.offline_since is None:
            self._offline.hide()
            self._offline.setText("")
        else:
            since = view.offline_since.astimezone(tz)
            self._offline.setText(self._offline_words(since, now))
            self._offline.show()

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
        self._label_tiles()
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
        top = 16 if self.professional_button.isVisibleTo(self) else margin
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
        self._tile_row.setSpacing(max(6, margin // 3))
        tile_h = self._fit_tiles(w - 2 * margin, max(floor, base), floor, h)
        # The clock: about a quarter of the screen height, but never wider than its column.
        # The tile row and the professional entry take height from the left column's clock.
        column_h = h - top - margin // 2
        if self.tiles:
            column_h -= tile_h + margin // 3
        if pro_h:
            column_h -= pro_h + margin // 3
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

        pad = max(12, base // 2)
        self._panel_layout.setContentsMargins(pad, pad * 3 // 4, pad, pad * 3 // 4)
        self._panel_layout.setSpacing(max(2, base // 8))
        self._agenda_heading.setFont(theme.font(max(floor, round(base * 1.1)), bold=True))
        self._weather.setFont(theme.font(max(floor, round(base * 1.0)), bold=True))
        # The day's visits: the most important text, read from across the room.
        self.agenda.set_base_font_px(round(base * 0.95), min_px=floor)
        self._offline.setFont(theme.font(max(floor, round(base * 0.7))))

        # Whatever its share, the clock leaves the left column room for the greeting, the
        # date and the whole card. When the room lacks (larger text, a small screen) the card's
        # larger lines shrink first, then the clock; the clock stays at least twice the text.
        rest = column_h - min(24, margin) - 3 * self._left.spacing()
        rest -= self._greeting.sizeHint().height() + QFontMetrics(theme.font(date_px)).height()
        if not self._offline.isHidden():
            rest -= self._offline.sizeHint().height() + margin // 3
        for k in (1.0, 0.9, 0.8, 0.7):
            card_h = self._size_card(base, floor, pad, k)
            fit = int((rest - card_h) / 1.2)  # the time's line is about 1.2 times its size
            if fit >= min(time_px, 2 * floor):
                break
        if fit < time_px:
            self.clock.set_pixel_sizes(max(floor, fit), date_px)

    def _size_card(self, base: int, floor: int, pad: int, k: float) -> int:
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
