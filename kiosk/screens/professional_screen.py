"""The "Je suis un professionnel" screen: today's visits and a PIN pad; once the backend has
recognised the PIN, arrival and departure buttons, the visits' instructions and the health
messages addressed to that professional.

It renders views computed without Qt (`kiosk.professional_view`) and speaks by signals only:

- `pin_entered(pin)`: check it (kiosk.professional_service); answer with `show_identified`,
  `show_pin_wrong` (403: counted here, 5 in a row rest the pad for a minute),
  `show_pin_error(text, retry_after)` (the backend's words for 409/422/429, with 429's
  Retry-After) or `show_unreachable()`;
- `arrival_requested(user_id, pin)` / `departure_requested(user_id, pin)`: queue the outbox
  action (data: `kiosk.professional_view.visit_action_data`);
- `identity_forgotten()`: the professional left (Accueil, or IDLE_MS without a touch): their
  PIN, name and messages are gone from the screen.
- `finished()`: "Départ" was tapped: the screen has forgotten the professional and asks to
  close at once (a shared tablet must not leave the key-box code and instructions up).

Only the visit button that makes sense is offered: "Arrivée" until they arrived (the backend
says so when identifying them: `Professional.open_visit`), then "Départ". An arrival says which
planned visit it is for ("Arrivée enregistrée à 8 h 05 pour la visite de 8 h (Soins
infirmiers).").

Two pages: "schedule" (anyone: times, what, who; no instructions) and "identified".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QDate, QEvent, QLocale, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import i18n
from kiosk.gui_thread import check_gui_thread
from kiosk.home_view import LineState
from kiosk.messages_view import DayKind, MessageItem
from kiosk.professional_view import (
    IdentifiedView,
    Outcome,
    PinLock,
    ProfessionalView,
    VisitLine,
    match_visit,
)
from kiosk.screens.frame import ScreenFrame
from widgets import theme
from widgets.big_button import BigButton
from widgets.message_bubble import MessageBubble, breakable, plain_label
from widgets.paged_scroll import PagedScroll, ScrollContent
from widgets.pin_pad import PinPad

ROW_STYLE = "QPushButton { padding: 8px 20px; }"
TAB_STYLE = (
    "QPushButton { padding: 8px 20px; } "
    f"QPushButton:disabled {{ background-color: {theme.SURFACE}; color: {theme.ACCENT}; "
    f"border: 3px solid {theme.ACCENT}; }}"
)
IDLE_MS = 5 * 60 * 1000  # a professional who walks away is forgotten after 5 minutes


def hm(moment: datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def h_m(moment: datetime) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


class VisitCard(QFrame):
    """One visit: time and title, who, then its instructions (or a note that there are some)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("visitCard")
        self.heading = plain_label(self, "visitHeading")
        self.who = plain_label(self, "visitWho", theme.TEXT_MUTED)
        self.instructions = plain_label(self, "visitInstructions")
        for label in (self.heading, self.who, self.instructions):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(6)
        layout.addWidget(self.heading)
        layout.addWidget(self.who)
        layout.addWidget(self.instructions)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def set_visit(self, heading: str, who: str, instructions: str, highlighted: bool) -> None:
        # Written by people: never interpreted, and long words wrap (widgets.message_bubble).
        self.heading.setText(breakable(heading))
        self.who.setText(breakable(who))
        self.who.setVisible(bool(who))
        self.instructions.setText(breakable(instructions))
        self.instructions.setVisible(bool(instructions))
        width, colour = (5, theme.ACCENT) if highlighted else (2, theme.BORDER)
        self.setStyleSheet(
            f"VisitCard {{ background: {theme.SURFACE}; border: {width}px solid {colour}; "
            "border-radius: 14px; }"
        )

    def set_font_px(self, px: int, *, min_px: int = 0) -> None:
        self.heading.setFont(theme.font(px, bold=True))
        self.who.setFont(theme.font(max(min_px, round(px * 0.9))))
        self.instructions.setFont(theme.font(px))


class ProfessionalScreen(ScreenFrame):
    pin_entered = Signal(str)
    arrival_requested = Signal(int, str)  # user id, PIN (the backend checks it again)
    departure_requested = Signal(int, str)
    identity_forgotten = Signal()
    finished = Signal()  # after "Départ": back to the beneficiary's home at once

    def __init__(
        self,
        now_fn: Callable[[], datetime],
        parent: QWidget | None = None,
        *,
        locale: QLocale | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        idle_ms: int = IDLE_MS,
        pin_lock: PinLock | None = None,
    ) -> None:
        super().__init__("", parent)
        self.setObjectName("professionalScreen")
        self._now = now_fn
        self._monotonic = monotonic
        self._own_locale = locale is not None  # else it follows the language (kiosk.i18n)
        self._locale = locale if locale is not None else i18n.locale()
        self._view: ProfessionalView | None = None
        self._identified: IdentifiedView | None = None
        self._pin: str | None = None  # the PIN being checked, then the identified one's
        self._lock = pin_lock or PinLock()
        self._arrived = False
        self._departed = False
        self._showing_messages = False
        self._px = self.font_px

        self.pages = QStackedWidget(self)
        self.body.addWidget(self.pages, 1)
        self._build_schedule_page()
        self._build_identified_page()

        self._unlock_timer = QTimer(self)
        self._unlock_timer.setSingleShot(True)
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(idle_ms)
        self._connect_signals()
        self._retranslate()
        self.apply_font_px(self._px)

    # -- building ------------------------------------------------------------------------------

    def _build_schedule_page(self) -> None:
        page = self._schedule_page = QWidget(self)
        self._today_heading = plain_label(page, "todayHeading")
        self._public_box = ScrollContent()
        self._public_layout = QVBoxLayout(self._public_box)
        self._public_layout.setContentsMargins(0, 0, 8, 0)
        self._public_layout.setSpacing(12)
        self._public_layout.addStretch(1)
        self.schedule_scroll = PagedScroll(self._public_box, page, buttons_below=True)
        self._no_visit = plain_label(page, "noVisit", theme.TEXT_MUTED)
        self._no_visit.setWordWrap(True)
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(self._today_heading)
        left.addWidget(self.schedule_scroll, 1)
        left.addWidget(self._no_visit, 1)

        # One line above the pad: what to do, or why it did not work (saves a row at 800×480).
        self._pin_status = plain_label(page, "pinStatus")
        self._pin_status.setWordWrap(True)
        self._pin_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.pin_pad = PinPad(page)
        right = QVBoxLayout()
        right.setSpacing(8)
        right.addWidget(self._pin_status)
        right.addWidget(self.pin_pad, 1)

        layout = QHBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(24)
        layout.addLayout(left, 50)
        layout.addLayout(right, 50)
        self.pages.addWidget(page)

    def _build_identified_page(self) -> None:
        page = self._identified_page = QWidget(self)
        self.arrival_button = BigButton(parent=page)
        self.arrival_button.setObjectName("arrivalButton")
        self.departure_button = BigButton(parent=page)
        self.departure_button.setObjectName("departureButton")
        self.visits_tab = BigButton(parent=page)
        self.visits_tab.setObjectName("visitsTab")
        self.messages_tab = BigButton(parent=page)
        self.messages_tab.setObjectName("messagesTab")
        # The tab shown is the one that cannot be pressed: drawn as chosen, not as greyed.
        for tab in (self.visits_tab, self.messages_tab):
            tab.setStyleSheet(tab.styleSheet() + TAB_STYLE)
        row = QHBoxLayout()
        row.setSpacing(12)
        # Each button as wide as its words need; what is left separates the two groups.
        for button in (self.arrival_button, self.departure_button):
            button.setStyleSheet(button.styleSheet() + ROW_STYLE)
            row.addWidget(button)
        row.addStretch(1)
        for button in (self.visits_tab, self.messages_tab):
            row.addWidget(button)

        self._status = plain_label(page, "visitStatus")
        self._status.setWordWrap(True)
        self._status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._status.hide()

        self._detail_box = ScrollContent()
        self._detail_layout = QVBoxLayout(self._detail_box)
        self._detail_layout.setContentsMargins(0, 0, 8, 0)
        self._detail_layout.setSpacing(12)
        self._detail_layout.addStretch(1)
        self.detail_scroll = PagedScroll(self._detail_box, page)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(row)
        layout.addWidget(self._status)
        layout.addWidget(self.detail_scroll, 1)
        self.pages.addWidget(page)

    def _connect_signals(self) -> None:
        self.home_button.clicked.connect(self.reset)
        self.pin_pad.submitted.connect(self._on_pin)
        self.arrival_button.clicked.connect(self._on_arrival)
        self.departure_button.clicked.connect(self._on_departure)
        self.visits_tab.clicked.connect(lambda: self._show_detail(messages=False))
        self.messages_tab.clicked.connect(lambda: self._show_detail(messages=True))
        self.detail_scroll.up_button.clicked.connect(self._touched)
        self.detail_scroll.down_button.clicked.connect(self._touched)
        self._unlock_timer.timeout.connect(self._unlock)
        self._idle_timer.timeout.connect(self.reset)

    # -- API (the controller) ------------------------------------------------------------------

    def set_view(self, view: ProfessionalView) -> None:
        """Today's visits (the agenda changed, or a new day)."""
        self._view = view
        self._render_schedule()

    def show_checking(self) -> None:
        """The PIN is being checked: the pad rests meanwhile."""
        self.pin_pad.set_locked(True)
        self._pin_status.setText(self.tr("Vérification du code…"))

    def show_pin_wrong(self) -> None:
        """The backend does not know this PIN here."""
        self._pin = None
        if self._lock.failure(self._monotonic()):
            self._rest(self._lock.remaining(self._monotonic()))
        else:
            self.pin_pad.set_locked(False)
            self._pin_status.setText(self.tr("Code incorrect. Réessayez."))

    def show_pin_error(self, text: str, retry_after: float = 0.0) -> None:
        """Anything else: `text` is said as is (the backend's French message, or the
        controller's "Pas de connexion…"); with `retry_after`, the pad rests that long."""
        self._pin = None
        if retry_after > 0:
            self._lock.lock_for(retry_after, self._monotonic())
            self._rest(self._lock.remaining(self._monotonic()), text)
        else:
            self.pin_pad.set_locked(False)
            self._pin_status.setText(text)

    def show_unreachable(self) -> None:
        """The PIN could not be checked: no network, or the backend does not answer."""
        check_gui_thread("ProfessionalScreen.show_unreachable")
        self.show_pin_error(
            self.tr("Pas de connexion au service Foyer : le code ne peut pas être vérifié.")
        )

    def show_identified(self, view: IdentifiedView) -> None:
        check_gui_thread("ProfessionalScreen.show_identified")
        if self._pin is None:
            return  # an answer for a PIN given up meanwhile (Accueil pressed)
        self._lock.success()
        self._identified = view
        here = view.professional.open_visit
        self._arrived, self._departed = here is not None, False
        self._set_status(
            self._arrival_text(here.arrived_at, view.arrived_for()) if here is not None else ""
        )
        self.set_title(view.professional.name)
        self._render_identified()
        self._show_detail(messages=False)
        self.pages.setCurrentWidget(self._identified_page)
        self._touched()

    def reset(self) -> None:
        """Back to the schedule and an empty pad; the identified person is forgotten."""
        had_identity = self._identified is not None or self._pin is not None
        self._idle_timer.stop()
        self._identified = None
        self._pin = None
        self._clear_detail()
        self.pin_pad.clear()
        if self._lock.remaining(self._monotonic()) == 0:
            self.pin_pad.set_locked(False)
            self.pin_pad.show()
            self._pin_status.setText(self._prompt())
        self.set_title(self.tr("Espace professionnel"))
        self.pages.setCurrentWidget(self._schedule_page)
        if had_identity:
            self.identity_forgotten.emit()

    # -- what tests and the controller may look at ---------------------------------------------

    def page(self) -> str:
        return "identified" if self.pages.currentWidget() is self._identified_page else "schedule"

    def pin_status_text(self) -> str:
        return self._pin_status.text()

    def _set_status(self, text: str) -> None:
        self._status.setText(text)
        self._status.setVisible(bool(text))

    def status_text(self) -> str:
        return self._status.text()

    def visit_cards(self) -> list[VisitCard]:
        box = self._detail_box if self.page() == "identified" else self._public_box
        return [c for c in box.findChildren(VisitCard) if not c.isHidden()]

    def message_bubbles(self) -> list[MessageBubble]:
        return [b for b in self._detail_box.findChildren(MessageBubble) if not b.isHidden()]

    # -- words -------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            if not self._own_locale:
                self._locale = i18n.locale()
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        if self._identified is None:
            self.set_title(self.tr("Espace professionnel"))
        self._today_heading.setText(self.tr("Aujourd'hui"))
        self._no_visit.setText(self.tr("Aucune visite prévue aujourd'hui."))
        if not self.pin_pad.locked:
            self._pin_status.setText(self._prompt())
        self.arrival_button.setText(self.tr("Arrivée"))
        self.departure_button.setText(self.tr("Départ"))
        self.visits_tab.setText(self.tr("Consignes"))
        self.pin_pad.retranslate()
        for scroll in (self.schedule_scroll, self.detail_scroll):
            scroll.up_button.setText(self.tr("Plus haut"))
            scroll.down_button.setText(self.tr("Plus bas"))
        self._update_messages_tab()
        self._render_schedule()
        if self._identified is not None:
            self._render_identified()

    def _prompt(self) -> str:
        return self.tr("Tapez votre code personnel")

    def _update_messages_tab(self) -> None:
        count = len(self._identified.messages) if self._identified is not None else 0
        self.messages_tab.setText(self.tr("Messages ({n})").format(n=count))

    def _heading(self, line: VisitLine) -> str:
        text = f"{hm(line.start)} – {hm(line.end)}  {line.title}"
        if line.outcome is Outcome.IN_PROGRESS:
            return self.tr("{text} · en cours").format(text=text)
        if line.outcome is Outcome.DONE:
            return self.tr("{text} · terminée").format(text=text)
        if line.outcome is Outcome.NOT_DONE:
            return self.tr("{text} · {reason}").format(text=text, reason=self._reason(line.reason))
        if line.state is LineState.CURRENT:
            return self.tr("{text} · en ce moment").format(text=text)
        return text

    def _reason(self, code: str) -> str:
        """Why a visit did not happen, as the console records it."""
        words = {
            "no_answer": self.tr("n'a pas eu lieu : pas de réponse"),
            "refused": self.tr("n'a pas eu lieu : refusée par la personne"),
            "forgotten": self.tr("n'a pas eu lieu : oubliée"),
            "cancelled": self.tr("annulée"),
        }
        return words.get(code, self.tr("n'a pas eu lieu"))

    def _hour(self, moment: datetime) -> str:
        """8 h, 8 h 05 (the French way)."""
        if moment.minute == 0:
            return self.tr("{h} h").format(h=moment.hour)
        return self.tr("{h} h {m}").format(h=moment.hour, m=f"{moment.minute:02d}")

    def _arrival_text(self, at: datetime, line: VisitLine | None) -> str:
        """ "Arrivée enregistrée à 8 h 05 pour la visite de 8 h (Soins infirmiers)." """
        tz = self._identified.now.tzinfo if self._identified is not None else None
        at = at.astimezone(tz or UTC)
        if line is None:
            return self.tr(
                "Arrivée enregistrée à {time}, sans visite prévue à cette heure-là."
            ).format(time=self._hour(at))
        return self.tr("Arrivée enregistrée à {time} pour la visite de {hour} ({title}).").format(
            time=self._hour(at), hour=self._hour(line.start.astimezone(at.tzinfo)), title=line.title
        )

    def _when(self, item: MessageItem) -> str:
        if item.day is DayKind.TODAY:
            return self.tr("aujourd'hui à {time}").format(time=h_m(item.at))
        if item.day is DayKind.YESTERDAY:
            return self.tr("hier à {time}").format(time=h_m(item.at))
        day = QDate(item.at.year, item.at.month, item.at.day)
        pattern = "dddd d MMMM" if item.day is DayKind.THIS_YEAR else "dddd d MMMM yyyy"
        return self._locale.toString(day, pattern)

    # -- rendering ---------------------------------------------------------------------------

    def _fill(self, layout: QVBoxLayout, widgets: list[QWidget]) -> None:
        while layout.count() > 1:  # everything but the final stretch
            item = layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        for index, widget in enumerate(widgets):
            layout.insertWidget(index, widget)
            widget.show()  # else shown only by a queued call, after the next event loop turn

    def _visit_cards(
        self, box: QWidget, lines: tuple[VisitLine, ...], detailed: bool
    ) -> list[QWidget]:
        cards: list[QWidget] = []
        for line in lines:
            card = VisitCard(box)
            if detailed:
                instructions = line.instructions
            elif self._view is not None and self._view.has_instructions(line):
                instructions = self.tr("Consignes : tapez votre code pour les lire.")
            else:
                instructions = ""
            highlighted = line.state in (LineState.CURRENT, LineState.NEXT)
            card.set_visit(self._heading(line), line.who, instructions, highlighted)
            card.set_font_px(self._px, min_px=self.text_floor)
            cards.append(card)
        return cards

    def _render_schedule(self) -> None:
        lines = self._view.public() if self._view is not None else ()
        self._fill(self._public_layout, self._visit_cards(self._public_box, lines, False))
        self.schedule_scroll.setVisible(bool(lines))
        self._no_visit.setVisible(not lines)

    def _render_identified(self) -> None:
        self._update_messages_tab()
        self._show_detail(messages=self._showing_messages)
        self._update_visit_buttons()

    def _clear_detail(self) -> None:
        self._fill(self._detail_layout, [])

    def _show_detail(self, *, messages: bool) -> None:
        view = self._identified
        if view is None:
            return
        self._showing_messages = messages
        widgets: list[QWidget] = []
        if messages:
            for item in view.messages:
                bubble = MessageBubble(self._detail_box)
                mark = self.tr("Nouveau") if item.unread else ""
                bubble.set_message(item.sender, self._when(item), item.body, mark)
                bubble.set_font_px(self._px)
                widgets.append(bubble)
            if not widgets:
                empty = plain_label(self._detail_box, "noHealthMessage", theme.TEXT_MUTED)
                empty.setWordWrap(True)
                empty.setText(self.tr("Aucun message santé pour vous."))
                empty.setFont(theme.font(self._px))
                widgets.append(empty)
        else:
            widgets = self._visit_cards(self._detail_box, view.visits, True)
            if not widgets:
                empty = plain_label(self._detail_box, "noVisitToday", theme.TEXT_MUTED)
                empty.setWordWrap(True)
                empty.setText(self.tr("Aucune visite prévue aujourd'hui."))
                empty.setFont(theme.font(self._px))
                widgets.append(empty)
        self._fill(self._detail_layout, widgets)
        self.detail_scroll.scroll_to_top()
        # The tab shown is the one that cannot be pressed.
        self.visits_tab.setEnabled(messages)
        self.messages_tab.setEnabled(not messages)
        self._touched()

    def _update_visit_buttons(self) -> None:
        may = self._identified is not None and self._identified.professional.may_record_visit
        # Only what makes sense: "Arrivée" until they arrived, then "Départ".
        self.arrival_button.setVisible(may and not self._arrived)
        self.departure_button.setVisible(may and self._arrived)
        self.arrival_button.setEnabled(may and not self._arrived and not self._departed)
        self.departure_button.setEnabled(may and self._arrived and not self._departed)

    def apply_font_px(self, px: int) -> None:
        self._px = px
        self._today_heading.setFont(theme.font(round(px * 1.1), bold=True))
        self._no_visit.setFont(theme.font(px))
        self._pin_status.setFont(theme.font(px))
        self._status.setFont(theme.font(px, bold=True))
        self.pin_pad.set_font_px(px, min_px=self.text_floor)
        for button in (
            self.arrival_button,
            self.departure_button,
            self.visits_tab,
            self.messages_tab,
        ):
            button.set_font_px(px)
        self.schedule_scroll.set_font_px(px)
        self.detail_scroll.set_font_px(px)
        for card in self.findChildren(VisitCard):
            card.set_font_px(px, min_px=self.text_floor)
        for bubble in self.findChildren(MessageBubble):
            bubble.set_font_px(px)

    # -- taps --------------------------------------------------------------------------------

    def _on_pin(self, pin: str) -> None:
        if self._lock.remaining(self._monotonic()) > 0:
            return
        self._pin = pin
        self.show_checking()
        self.pin_entered.emit(pin)

    def _on_arrival(self) -> None:
        view, pin = self._identified, self._pin
        if view is None or pin is None or self._arrived or self._departed:
            return
        self._arrived = True
        self._update_visit_buttons()
        at = self._now().astimezone(view.now.tzinfo or UTC)
        self._set_status(
            self._arrival_text(at, match_visit(view.visits, view.professional.user_id, at))
        )
        self.arrival_requested.emit(view.professional.user_id, pin)
        self._touched()

    def _on_departure(self) -> None:
        view, pin = self._identified, self._pin
        if view is None or pin is None or self._departed or not self._arrived:
            return
        self._departed = True
        self.departure_requested.emit(view.professional.user_id, pin)
        # A shared tablet: the key-box code and the instructions go at once, and so does she
        # (no "Bonne journée" left on a screen nobody reads any more).
        self.reset()
        self.finished.emit()

    def _touched(self) -> None:
        if self._identified is not None:
            self._idle_timer.start()

    def _rest(self, seconds: float, text: str | None = None) -> None:
        self.pin_pad.set_locked(True)
        self.pin_pad.hide()  # no keys that do nothing: the words have the room instead
        minutes = max(1, round(seconds / 60))
        if text is None:
            if minutes == 1:
                text = self.tr("Code incorrect. Réessayez dans 1 minute.")
            else:
                text = self.tr("Code incorrect. Réessayez dans {n} minutes.").format(n=minutes)
        self._pin_status.setText(text)
        self._unlock_timer.start(max(1, int(seconds * 1000)))

    def _unlock(self) -> None:
        remaining = self._lock.remaining(self._monotonic())
        if remaining > 0:  # woken early (a timer is no clock): wait for the rest
            self._unlock_timer.start(max(1, int(remaining * 1000)))
            return
        self.pin_pad.set_locked(False)
        self.pin_pad.show()
        self._pin_status.setText(self.tr("Vous pouvez réessayer."))
