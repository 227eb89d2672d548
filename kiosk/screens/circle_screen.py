"""« Ce que mes proches voient » : who is in her circle and what each person sees, and the
switch of "Partager mon humeur".

One card per person, in plain words, scrolled a page at a time with "Plus haut" / "Plus bas":

    Marie Martin, votre fille,
    voit vos messages, vos photos et votre humeur.

Below, always in view, "Partager mon humeur": what is shared now ("Votre famille et vos amis
voient votre humeur.", or since when it is paused) and one button to change it ("Mettre en
pause" / "Partager à nouveau"). The screen only emits `sharing_requested(paused)`; the feature
(kiosk.features.circle) queues it and gives the screen the state to show (`set_circle`).
Words come from `kiosk.circle_view` in the language in force.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QDate, QEvent, QLocale, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk import i18n
from kiosk.circle_view import CONTEXT, MoodSharing, Person, sees_words, who_words
from kiosk.screens.frame import ScreenFrame
from widgets import theme
from widgets.big_button import BigButton
from widgets.message_bubble import plain_label
from widgets.paged_scroll import PagedScroll, ScrollContent


class PersonCard(QFrame):
    """ "Marie Martin, votre fille," then what she sees."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personCard")
        self.setStyleSheet(
            f"#personCard {{ background-color: {theme.SURFACE};"
            f" border: 2px solid {theme.BORDER}; border-radius: 12px; }}"
        )
        self.who = plain_label(self, "personWho")
        self.who.setWordWrap(True)
        self.sees = plain_label(self, "personSees")
        self.sees.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(2)
        layout.addWidget(self.who)
        layout.addWidget(self.sees)
        self._layout = layout
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def set_words(self, who: str, sees: str) -> None:
        self.who.setText(who)
        self.sees.setText(sees)

    def set_font_px(self, px: int) -> None:
        pad = max(8, px // 2)
        self._layout.setContentsMargins(pad, pad // 2, pad, pad // 2)
        self.who.setFont(theme.font(px, bold=True))
        self.sees.setFont(theme.font(px))


class CircleScreen(ScreenFrame):
    sharing_requested = Signal(bool)  # True: pause the sharing of her mood; False: share again

    def __init__(self, parent: QWidget | None = None, *, locale: QLocale | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("circleScreen")
        self._own_locale = locale is not None  # else it follows the language (kiosk.i18n)
        self._locale = locale if locale is not None else i18n.locale()
        self._people: tuple[Person, ...] = ()
        self._sharing = MoodSharing(False)
        self._cards: list[PersonCard] = []
        self._px = self.font_px

        # Everyone, a page at a time.
        self._cards_box = ScrollContent()
        self._cards_layout = QVBoxLayout(self._cards_box)
        self._cards_layout.setContentsMargins(0, 0, 8, 0)
        self._cards_layout.setSpacing(12)
        self._cards_layout.addStretch(1)
        self.people_scroll = PagedScroll(self._cards_box, self)
        self._empty = plain_label(self, "circleEmpty")
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        # "Partager mon humeur": always in view.
        self._sharing_box = QFrame(self)
        self._sharing_box.setObjectName("sharingBox")
        self._sharing_box.setStyleSheet(
            f"#sharingBox {{ background-color: {theme.SURFACE};"
            f" border: 3px solid {theme.ACCENT}; border-radius: 14px; }}"
        )
        self._sharing_title = plain_label(self._sharing_box, "sharingTitle")
        self._sharing_state = plain_label(self._sharing_box, "sharingState")
        self._sharing_state.setWordWrap(True)
        self._sharing_pending = plain_label(self._sharing_box, "sharingPending", theme.TEXT_MUTED)
        self._sharing_pending.setWordWrap(True)
        self.sharing_button = BigButton(parent=self._sharing_box)
        self.sharing_button.setObjectName("sharingButton")
        self.sharing_button.clicked.connect(self._on_sharing)
        words = QVBoxLayout()
        words.setSpacing(4)
        words.addWidget(self._sharing_title)
        words.addWidget(self._sharing_state)
        words.addWidget(self._sharing_pending)
        sharing = QHBoxLayout(self._sharing_box)
        sharing.setSpacing(16)
        sharing.addLayout(words, 1)
        sharing.addWidget(self.sharing_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._sharing_layout = sharing

        self.body.setSpacing(12)
        self.body.addWidget(self.people_scroll, 1)
        self.body.addWidget(self._empty, 1)
        self.body.addWidget(self._sharing_box, 0)

        self._retranslate()
        self.apply_font_px(self._px)

    # -- API (the feature) ---------------------------------------------------------------------
    def set_circle(self, people: Sequence[Person], sharing: MoodSharing) -> None:
        people = tuple(people)
        if people == self._people and sharing == self._sharing:
            return
        if people != self._people:
            self.people_scroll.scroll_to_top()
        self._people, self._sharing = people, sharing
        self._render()

    def person_texts(self) -> list[str]:
        """One line per person as shown: "who sees"."""
        return [
            f"{card.who.text()} {card.sees.text()}" for card in self._cards if not card.isHidden()
        ]

    def sharing_text(self) -> str:
        parts = [self._sharing_state.text()]
        if not self._sharing_pending.isHidden():
            parts.append(self._sharing_pending.text())
        return " ".join(parts)

    # -- words ---------------------------------------------------------------------------------
    def _translate(self, text: str) -> str:
        return i18n.in_context(CONTEXT)(text)

    def _render(self) -> None:
        while len(self._cards) < len(self._people):
            card = PersonCard(self._cards_box)
            card.set_font_px(self._px)
            self._cards_layout.insertWidget(len(self._cards), card)
            self._cards.append(card)
        for i, card in enumerate(self._cards):
            if i < len(self._people):
                person = self._people[i]
                card.set_words(
                    who_words(person, self._translate), sees_words(person, self._translate)
                )
                card.show()
            else:
                card.hide()
        self.people_scroll.setVisible(bool(self._people))
        self._empty.setVisible(not self._people)

        sharing = self._sharing
        if not sharing.paused:
            state = self.tr("Votre famille et vos amis voient votre humeur.")
            action = self.tr("Mettre en pause")
        elif sharing.since is not None:  # in the beneficiary's zone (the feature's care)
            since = sharing.since
            day = self._locale.toString(QDate(since.year, since.month, since.day), "d MMMM")
            state = self.tr(
                "En pause depuis le {day} : votre famille et vos amis ne voient plus votre humeur."
            ).format(day=day)
            action = self.tr("Partager à nouveau")
        else:
            state = self.tr("En pause : votre famille et vos amis ne voient plus votre humeur.")
            action = self.tr("Partager à nouveau")
        self._sharing_state.setText(state)
        self.sharing_button.setText(action)
        self._sharing_pending.setVisible(sharing.pending)

    def _retranslate(self) -> None:
        self.set_title(self.tr("Ce que mes proches voient"))
        self._empty.setText(self.tr("Personne n'est encore dans votre cercle."))
        self._sharing_title.setText(self.tr("Partager mon humeur"))
        self._sharing_pending.setText(
            self.tr("Votre choix sera transmis dès que la tablette sera connectée.")
        )
        self._render()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            if not self._own_locale:
                self._locale = i18n.locale()
            self._retranslate()
        super().changeEvent(event)

    # -- sizes ---------------------------------------------------------------------------------
    def apply_font_px(self, px: int) -> None:
        self._px = px
        for card in self._cards:
            card.set_font_px(px)
        self._empty.setFont(theme.font(px))
        pad = max(8, px // 2)
        self._sharing_layout.setContentsMargins(pad, pad // 2, pad, pad // 2)
        self._sharing_title.setFont(theme.font(px, bold=True))
        self._sharing_state.setFont(theme.font(px))
        self._sharing_pending.setFont(theme.font(self.text_px(px, 0.85)))
        self.sharing_button.set_font_px(px)
        self.people_scroll.set_font_px(px)

    # -- her tap -------------------------------------------------------------------------------
    def _on_sharing(self) -> None:
        self.sharing_requested.emit(not self._sharing.paused)
