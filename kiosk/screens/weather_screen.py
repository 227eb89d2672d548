"""The weather screen: now (big pictogram, temperature, words), then today and the next three
days as cards; "mis à jour il y a 2 h" when the values are old; a friendly message when there
are none.

It shows a `kiosk.weather_view.WeatherView` (computed without Qt) and never fetches anything:
the shell rebuilds the view when `kiosk.weather_service` reports new values, and while the
screen is shown (the age words change with time).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.gui_thread import check_gui_thread
from kiosk.i18n import in_context
from kiosk.screens.frame import ScreenFrame
from kiosk.weather_view import CONTEXT, WeatherView
from widgets import theme
from widgets.weather_card import WeatherCard
from widgets.weather_icons import WeatherIcon

CARDS = 4  # today and the next three days
REFRESH_MS = 60_000


# The view's French words (kiosk.weather_view marks them) in the language in force.
words = in_context(CONTEXT)


def _label(name: str, colour: str = theme.TEXT) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet(f"color: {colour}; background: transparent;")
    return label


class WeatherScreen(ScreenFrame):
    # Every minute while shown: rebuild the view, so that "il y a 2 h" stays true.
    refresh_wanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("weatherScreen")
        self._view: WeatherView | None = None
        self._refresh = QTimer(self)
        self._refresh.setInterval(REFRESH_MS)
        self._refresh.timeout.connect(self.refresh_wanted)

        # Now: pictogram, temperature, words and place.
        self._now_box = QWidget(self)
        self._now_icon = WeatherIcon(parent=self._now_box)
        self._now_icon.setObjectName("nowIcon")
        self._temperature = _label("nowTemperature")
        self._words = _label("nowWords")
        self._words.setWordWrap(True)
        self._place = _label("nowPlace", theme.TEXT_MUTED)
        self._updated = _label("updated", theme.TEXT)
        self._updated.setWordWrap(True)
        words = QVBoxLayout()
        words.setSpacing(4)
        words.addStretch(1)
        words.addWidget(self._words)
        words.addWidget(self._place)
        words.addWidget(self._updated)
        words.addStretch(1)
        now_row = QHBoxLayout(self._now_box)
        now_row.setContentsMargins(0, 0, 0, 0)
        now_row.setSpacing(24)
        now_row.addWidget(self._now_icon, 0)
        now_row.addWidget(self._temperature, 0)
        now_row.addLayout(words, 1)
        self._now_box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

        self._cards = [WeatherCard(self, highlighted=i == 0) for i in range(CARDS)]
        cards_row = QHBoxLayout()
        cards_row.setSpacing(16)
        for card in self._cards:
            cards_row.addWidget(card, 1)

        # Nothing to show: one friendly sentence, centred.
        self._message = _label("unavailable")
        self._message.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
        self._message.setWordWrap(True)
        self._hint = _label("unavailableHint", theme.TEXT_MUTED)
        self._hint.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self._hint.setWordWrap(True)
        self._attribution = _label("attribution", theme.TEXT_MUTED)
        self._attribution.setAlignment(Qt.AlignmentFlag.AlignRight)

        self.body.setSpacing(16)
        self.body.addWidget(self._now_box)
        self.body.addLayout(cards_row, 1)
        self.body.addWidget(self._message, 1)
        self.body.addWidget(self._hint, 1)
        self.body.addWidget(self._attribution)
        self._retranslate()
        self.show_view(None)

    def _retranslate(self) -> None:
        self.set_title(self.tr("Météo"))
        self._unavailable = self.tr("Météo indisponible")
        # Why there is no weather, truthfully (WeatherView.missing).
        self._unavailable_hints = {
            "offline": self.tr(
                "Les prévisions reviendront dès que la tablette sera de nouveau connectée."
            ),
            "no_place": self.tr(
                "Votre conseiller n'a pas encore indiqué où se trouve le domicile : "
                "la météo s'affichera dès qu'il l'aura fait."
            ),
            "service_down": self.tr(
                "Le service météo ne répond pas pour le moment. "
                "Les prévisions reviendront d'elles-mêmes."
            ),
            "": self.tr("Les prévisions s'afficheront dès qu'elles seront arrivées."),
        }

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self.show_view(self._view)
        super().changeEvent(event)

    # -- what it shows --------------------------------------------------------------------
    def show_view(self, view: WeatherView | None) -> None:
        check_gui_thread("WeatherScreen.show_view")
        self._view = view
        available = view is not None and view.available
        current = view.current if view is not None else None
        self._now_box.setVisible(available and current is not None)
        for card in self._cards:
            card.setVisible(False)
        self._message.setVisible(not available)
        self._hint.setVisible(not available)
        self._attribution.setVisible(available and bool(view and view.attribution))
        if view is None or not available:
            self._message.setText(self._unavailable)
            missing = view.missing if view is not None else ""
            self._hint.setText(self._unavailable_hints.get(missing, self._unavailable_hints[""]))
            self._updated.setText("")
            return
        if current is not None:
            self._now_icon.set_name(current.pictogram)
            self._temperature.setText(current.temperature)
            self._words.setText(words(current.words))
            self._place.setText(view.location)
            self._place.setVisible(bool(view.location))
        self._updated.setText(view.updated)
        self._updated.setVisible(bool(view.updated))
        for card, day in zip(self._cards, view.days, strict=False):
            card.set_day(words(day.name), day.pictogram, words(day.words), day.high, day.low)
            card.setVisible(True)
        # The backend names its source in English; the tablet says it in its own language.
        if "open-meteo" in view.attribution.lower():
            self._attribution.setText(self.tr("Données météo : Open-Meteo.com (CC BY 4.0)"))
        else:
            self._attribution.setText(view.attribution)
        if current is None and view.updated:
            # Only days are left from old values: say how old, under the cards.
            self._message.setVisible(False)
            self._hint.setText(view.updated[:1].upper() + view.updated[1:])
            self._hint.setVisible(True)

    def view(self) -> WeatherView | None:
        return self._view

    def updated_text(self) -> str:
        if self._updated.isVisibleTo(self):
            return self._updated.text()
        return self._hint.text() if self._hint.isVisibleTo(self) else ""

    def message_text(self) -> str:
        return self._message.text() if self._message.isVisibleTo(self) else ""

    def refresh_active(self) -> bool:
        return self._refresh.isActive()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.refresh_wanted.emit()  # the view may have aged while another screen was up
        self._refresh.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        self._refresh.stop()  # nothing ticks that nobody sees
        super().hideEvent(event)

    # -- sizes ----------------------------------------------------------------------------
    def apply_font_px(self, px: int) -> None:
        floor = self.text_floor
        self._temperature.setFont(theme.font(round(px * 2.6), bold=True))
        self._words.setFont(theme.font(round(px * 1.1), bold=True))
        self._place.setFont(theme.font(self.text_px(px, 0.8)))
        self._updated.setFont(theme.font(self.text_px(px, 0.8), bold=True))
        self._message.setFont(theme.font(round(px * 1.4), bold=True))
        self._hint.setFont(theme.font(px))
        self._attribution.setFont(theme.font(floor))
        side = round(px * 3.6)
        self._now_icon.setFixedSize(side, side)
        # As tall as the pictogram, or as its three lines of words when they need more.
        lines = (self._words, self._place, self._updated)
        words_h = sum(label.fontMetrics().height() + 2 for label in lines) + 2 * 4
        self._now_box.setFixedHeight(max(side, words_h))
        for card in self._cards:
            card.set_font_px(round(px * 0.85), min_px=floor)
