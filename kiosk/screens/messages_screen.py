"""The messages screen: the list as big cards, one message in very large type, quick replies.

It renders a `kiosk.messages_view.MessagesView` (computed without Qt) and reports what the
beneficiary does by signals only; the controller queues the writes in the outbox:

- `read(message_id)`: an unread message was opened (once per message, whatever happens next);
- `reply_chosen(message_id, text)`: a quick reply was tapped; the screen then says "Réponse
  envoyée" (the outbox keeps it until it is delivered) and goes back to the list;
- `speak_requested(text)` / `stop_speech_requested()`: read aloud, or be quiet (also sent on
  leaving a message); the button is there only with read-aloud configured and a voice present
  (`set_speech_available`).

Three pages: "list", "message", "sent". "Accueil" (ScreenFrame) leaves from any of them.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, QEvent, QLocale, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import i18n
from kiosk.messages_view import DayKind, MessageItem, MessagesView
from kiosk.screens.frame import ScreenFrame
from widgets import theme
from widgets.big_button import BigButton
from widgets.message_bubble import MessageBubble, plain_label
from widgets.paged_scroll import PagedScroll, ScrollContent

PREVIEW_CHARS = 140  # a card shows the start of the message; the rest when it is opened
REPLY_COLUMNS = 3
CONFIRMATION_MS = 3000  # "Réponse envoyée" stays this long before the list comes back
OPENED_SCALE = 1.5  # an opened message is read in type half as big again as the body


def h_m(moment: datetime) -> str:
    """ "9:05", as times are said inside a sentence."""
    return f"{moment.hour}:{moment.minute:02d}"


class MessagesScreen(ScreenFrame):
    read = Signal(int)  # message id: send its read receipt
    reply_chosen = Signal(int, str)  # message id, the quick reply's text
    speak_requested = Signal(str)
    stop_speech_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        locale: QLocale | None = None,
        confirmation_ms: int = CONFIRMATION_MS,
    ) -> None:
        super().__init__("", parent)
        self.setObjectName("messagesScreen")
        self._own_locale = locale is not None  # else it follows the language (kiosk.i18n)
        self._locale = locale if locale is not None else i18n.locale()
        self._view: MessagesView | None = None
        self._open_id: int | None = None
        self._receipts_sent: set[int] = set()
        self._speech_available = False
        self._speaking = False
        self._cards: list[MessageBubble] = []
        self._reply_buttons: list[BigButton] = []
        self._px = self.font_px

        self.pages = QStackedWidget(self)
        self.body.addWidget(self.pages, 1)
        self._build_list_page()
        self._build_message_page()
        self._build_sent_page()

        self._back_timer = QTimer(self)
        self._back_timer.setSingleShot(True)
        self._back_timer.setInterval(confirmation_ms)
        self._connect_signals()
        self._retranslate()
        self.apply_font_px(self._px)

    # -- building ------------------------------------------------------------------------------

    def _build_list_page(self) -> None:
        self._list_page = QWidget(self)
        self._cards_box = ScrollContent()
        self._cards_layout = QVBoxLayout(self._cards_box)
        self._cards_layout.setContentsMargins(0, 0, 8, 0)
        self._cards_layout.setSpacing(14)
        self._cards_layout.addStretch(1)
        self.list_scroll = PagedScroll(self._cards_box, self._list_page)
        self._empty = plain_label(self._list_page, "noMessages")
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self._list_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list_scroll, 1)
        layout.addWidget(self._empty, 1)
        self.pages.addWidget(self._list_page)

    def _build_message_page(self) -> None:
        self._message_page = QWidget(self)
        self._opened_box = ScrollContent()
        opened_layout = QVBoxLayout(self._opened_box)
        opened_layout.setContentsMargins(0, 0, 8, 0)
        self.opened = MessageBubble(self._opened_box)
        self.opened.setObjectName("openedMessage")
        opened_layout.addWidget(self.opened)
        opened_layout.addStretch(1)
        self.message_scroll = PagedScroll(self._opened_box, self._message_page)

        self._replies = QGridLayout()
        self._replies.setContentsMargins(0, 0, 0, 0)
        self._replies.setSpacing(12)
        self.speak_button = BigButton(parent=self._message_page)
        self.speak_button.setObjectName("speakButton")
        self.back_button = BigButton(parent=self._message_page)
        self.back_button.setObjectName("backToList")
        actions = QHBoxLayout()
        actions.setSpacing(12)
        actions.addWidget(self.speak_button, 1)
        actions.addWidget(self.back_button, 1)

        layout = QVBoxLayout(self._message_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.message_scroll, 1)
        layout.addLayout(self._replies)
        layout.addLayout(actions)
        self.pages.addWidget(self._message_page)

    def _build_sent_page(self) -> None:
        self._sent_page = QWidget(self)
        self._sent_title = plain_label(self._sent_page, "sentTitle")
        self._sent_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._sent_title.setWordWrap(True)
        self._sent_text = plain_label(self._sent_page, "sentText", theme.TEXT_MUTED)
        self._sent_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._sent_text.setWordWrap(True)
        self._sent_text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.sent_back_button = BigButton(parent=self._sent_page)
        self.sent_back_button.setObjectName("sentBack")
        layout = QVBoxLayout(self._sent_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(16)
        layout.addStretch(1)
        layout.addWidget(self._sent_title)
        layout.addWidget(self._sent_text)
        layout.addStretch(1)
        layout.addWidget(self.sent_back_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.pages.addWidget(self._sent_page)

    def _connect_signals(self) -> None:
        self.home_button.clicked.connect(self._on_home)
        self.back_button.clicked.connect(self.show_list)
        self.sent_back_button.clicked.connect(self.show_list)
        self.speak_button.clicked.connect(self._on_speak)
        self._back_timer.timeout.connect(self.show_list)

    # -- API (the controller) ------------------------------------------------------------------

    def set_view(self, view: MessagesView) -> None:
        """New messages or new states: the list is redrawn; an open message stays open."""
        if view == self._view:
            return
        self._view = view
        self._render_list()
        if self._open_id is not None:
            item = view.find(self._open_id)
            if item is None:  # deleted meanwhile by its author
                self.show_list()
            else:
                self._render_message(item)

    def set_speech_available(self, available: bool) -> None:
        self._speech_available = available
        self._update_speak_button()

    def set_speaking(self, speaking: bool) -> None:
        """The voice started or stopped (kiosk.speech.Speech's started/finished)."""
        self._speaking = speaking
        self._update_speak_button()

    def show_list(self) -> None:
        self._back_timer.stop()
        self._leave_message()
        self.pages.setCurrentWidget(self._list_page)

    def open_message(self, message_id: int) -> bool:
        item = self._view.find(message_id) if self._view is not None else None
        if item is None:
            return False
        self._back_timer.stop()
        if self._open_id != message_id:
            self._leave_message()
        self._open_id = message_id
        receipt = item.unread and message_id not in self._receipts_sent
        if receipt:
            self._receipts_sent.add(message_id)
        self._render_message(item)
        self.message_scroll.scroll_to_top()
        self.pages.setCurrentWidget(self._message_page)
        if receipt:
            self._refresh_card(item)
            self.read.emit(message_id)
        return True

    # -- what tests and the controller may look at ---------------------------------------------

    def page(self) -> str:
        current = self.pages.currentWidget()
        if current is self._message_page:
            return "message"
        if current is self._sent_page:
            return "sent"
        return "list"

    @property
    def open_message_id(self) -> int | None:
        return self._open_id if self.page() == "message" else None

    def cards(self) -> list[MessageBubble]:
        return list(self._cards)

    def reply_buttons(self) -> list[BigButton]:
        return list(self._reply_buttons)

    def sent_text(self) -> str:
        return self._sent_title.text()

    # -- words -------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            if not self._own_locale:
                self._locale = i18n.locale()
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.set_title(self.tr("Messages"))
        self._empty.setText(self.tr("Aucun message pour le moment."))
        self.back_button.setText(self.tr("Retour aux messages"))
        self.sent_back_button.setText(self.tr("Retour aux messages"))
        self._sent_title.setText(self.tr("Réponse envoyée"))
        self.list_scroll.up_button.setText(self.tr("Plus haut"))
        self.list_scroll.down_button.setText(self.tr("Plus bas"))
        self.message_scroll.up_button.setText(self.tr("Plus haut"))
        self.message_scroll.down_button.setText(self.tr("Plus bas"))
        self._update_speak_button()
        self._render_list()
        item = self._view.find(self._open_id) if self._view and self._open_id else None
        if item is not None:
            self._render_message(item)

    def when_text(self, item: MessageItem) -> str:
        if item.day is DayKind.TODAY:
            return self.tr("aujourd'hui à {time}").format(time=h_m(item.at))
        if item.day is DayKind.YESTERDAY:
            return self.tr("hier à {time}").format(time=h_m(item.at))
        day = QDate(item.at.year, item.at.month, item.at.day)
        pattern = "dddd d MMMM" if item.day is DayKind.THIS_YEAR else "dddd d MMMM yyyy"
        return self._locale.toString(day, pattern)

    def sender_text(self, item: MessageItem) -> str:
        if item.mine:
            return self.tr("Vous")
        return item.sender or self.tr("Un proche")

    def mark_text(self, item: MessageItem) -> str:
        marks = []
        if item.unread and item.id not in self._receipts_sent:
            marks.append(self.tr("Nouveau"))
        if item.health:
            marks.append(self.tr("Santé"))
        return " · ".join(marks)

    # -- rendering ---------------------------------------------------------------------------

    def _render_list(self) -> None:
        for card in self._cards:
            self._cards_layout.removeWidget(card)
            card.deleteLater()
        self._cards = []
        items = self._view.items if self._view is not None else ()
        for index, item in enumerate(items):
            card = MessageBubble(self._cards_box, clickable=True, preview_chars=PREVIEW_CHARS)
            card.setObjectName(f"messageCard{item.id}")
            card.set_message(
                self.sender_text(item), self.when_text(item), item.body, self.mark_text(item)
            )
            card.set_highlighted(item.unread and item.id not in self._receipts_sent)
            card.set_font_px(self._px)
            card.clicked.connect(lambda message_id=item.id: self.open_message(message_id))
            self._cards_layout.insertWidget(index, card)
            card.show()  # else shown only by a queued call, after the next event loop turn
            self._cards.append(card)
        self.list_scroll.setVisible(bool(items))
        self._empty.setVisible(not items)

    def _refresh_card(self, item: MessageItem) -> None:
        """The card of a message just opened: no longer "Nouveau"."""
        card = self.findChild(MessageBubble, f"messageCard{item.id}")
        if card is not None:
            card.set_message(
                self.sender_text(item), self.when_text(item), item.body, self.mark_text(item)
            )
            card.set_highlighted(False)

    def _render_message(self, item: MessageItem) -> None:
        self.opened.set_message(
            self.sender_text(item), self.when_text(item), item.body, self.mark_text(item)
        )
        replies = self._view.replies_for(item) if self._view is not None else ()
        texts = [b.text() for b in self._reply_buttons]
        if texts != list(replies):
            for button in self._reply_buttons:
                self._replies.removeWidget(button)
                button.hide()  # not drawn over the new ones until it is deleted
                button.deleteLater()
            self._reply_buttons = []
            for index, text in enumerate(replies):
                button = BigButton(text, self._message_page)
                button.setObjectName(f"quickReply{index}")
                button.set_font_px(self._px)
                button.clicked.connect(lambda _=False, t=text: self._on_reply(t))
                self._replies.addWidget(button, index // REPLY_COLUMNS, index % REPLY_COLUMNS)
                button.show()
                self._reply_buttons.append(button)
        self._update_speak_button()

    def _update_speak_button(self) -> None:
        configured = self._view is not None and self._view.read_aloud
        self.speak_button.setVisible(configured and self._speech_available)
        if self._speaking:
            self.speak_button.setText(self.tr("Arrêter la lecture"))
        else:
            self.speak_button.setText(self.tr("Lire à voix haute"))

    def apply_font_px(self, px: int) -> None:
        self._px = px
        opened_px = round(px * OPENED_SCALE)
        for card in self._cards:
            card.set_font_px(px)
        self.opened.set_font_px(px, body_px=opened_px)
        self._empty.setFont(theme.font(round(px * 1.2)))
        self._sent_title.setFont(theme.font(round(px * 1.75), bold=True))
        self._sent_text.setFont(theme.font(opened_px))
        for button in (
            *self._reply_buttons,
            self.speak_button,
            self.back_button,
            self.sent_back_button,
        ):
            button.set_font_px(px)
        self.list_scroll.set_font_px(px)
        self.message_scroll.set_font_px(px)

    # -- the beneficiary's taps ----------------------------------------------------------------

    def _on_reply(self, text: str) -> None:
        message_id = self._open_id
        if message_id is None or self.page() != "message":
            return
        self._leave_message()
        self.reply_chosen.emit(message_id, text)
        self._sent_text.setText(f"« {text} »")
        self.pages.setCurrentWidget(self._sent_page)
        self._back_timer.start()

    def _on_speak(self) -> None:
        item = self._view.find(self._open_id) if self._view and self._open_id else None
        if self._speaking:
            self.stop_speech_requested.emit()
        elif item is not None:
            self.speak_requested.emit(item.body)

    def _on_home(self) -> None:
        self.show_list()
        self.list_scroll.scroll_to_top()

    def _leave_message(self) -> None:
        if self._open_id is not None and self._speaking:
            self.stop_speech_requested.emit()
        self._open_id = None
